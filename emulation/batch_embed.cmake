# Embeds the on-target driver in litbox as a C++ raw string literal (run by CMake -P):
# cmake -DIN=batch_driver.sh -DOUT=batch_driver_text.inc -P batch_embed.cmake
file(READ "${IN}" text)
file(WRITE "${OUT}" "R\"LITBOX_SH(${text})LITBOX_SH\"\n")
