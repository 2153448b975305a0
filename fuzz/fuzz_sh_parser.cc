// lit's internal shell: the lexer and the parser of one RUN line (after substitution).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "runner/sh/lexer.h"
#include "runner/sh/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view line(reinterpret_cast<const char*>(data) + 1, size - 1);
  (void)litbox::runner::sh::lex(line);
  auto node = litbox::runner::sh::parse(line, (data[0] & 1) != 0);
  if (!node) (void)litbox::runner::sh::parse_error_output(line);
  return 0;
}
