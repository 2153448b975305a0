// A stand-in for the litbox binary in litbox_sh_tests: only `--litbox-builtin NAME ARGS...`.
#include <cstring>

#include "runner/sh/builtin_tool.h"

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "--litbox-builtin") == 0)
    return litbox::runner::sh::run_builtin_tool(argc - 2, argv + 2);
  return 2;
}
