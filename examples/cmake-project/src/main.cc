// greet-tool NAME...: one greeting per name; exit 1 (and a message) for an empty name.
#include <cstdio>
#include <stdexcept>

#include "greet.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: greet-tool NAME...\n");
    return 2;
  }
  for (int i = 1; i < argc; ++i) {
    try {
      std::printf("%s\n", greet(argv[i]).c_str());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s\n", e.what());
      return 1;
    }
  }
  return 0;
}
