#include "runner/subcommand.h"

#include <climits>
#include <cstdio>
#include <unistd.h>

namespace litbox::runner {

std::optional<int> parse_subcommand(CLI::App& app, int argc, char** argv, const std::string& usage,
                                    const char* prog) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::printf("%s\n\n%s", usage.c_str(), app.help().c_str());
    return 0;
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "%s\n%s: error: %s\n", usage.c_str(), prog, e.what());
    return 2;
  }
  return std::nullopt;
}

std::string self_exe() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "litbox";
  buf[n] = 0;
  return buf;
}

}  // namespace litbox::runner
