#include "runner/diff_command.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "runner/diff_runs.h"
#include "runner/merge_results.h"
#include "runner/subcommand.h"

namespace litbox::runner {

namespace {
constexpr const char* kProg = "litbox diff-runs";
}  // namespace

int diff_runs_main(int argc, char** argv) {
  const std::string usage = std::string("usage: ") + kProg + " [-h] A.json B.json";
  CLI::App app{
      "Compares two JSON reports (-o) of runs of the same suite: the tests whose result code changed\n"
      "from A to B, the tests only one of them has, then the inputs the runs recorded (their\n"
      "\"__litbox_run__\": litbox's version, the SHA-256 of each config file and of each tool the\n"
      "tests ran, the environment the tests were given) that differ.\n\n"
      "Exit status: 0 every test has the same code in both; 1 a code differs, or a test is in one\n"
      "report only; 2 a usage error, or a report unreadable, malformed or of another suite.",
      kProg};
  app.set_help_flag("-h,--help", "show this help message and exit");
  std::string a_path, b_path;
  app.add_option("A.json", a_path, "the earlier run's JSON report (litbox -o)")->required();
  app.add_option("B.json", b_path, "the later run's JSON report (litbox -o)")->required();
  if (auto status = parse_subcommand(app, argc, argv, usage, kProg)) return *status;
  auto a = read_report(a_path);
  auto b = read_report(b_path);
  for (const auto* r : {&a, &b})
    if (!*r) std::fprintf(stderr, "%s: error: %s\n", kProg, r->error().message.c_str());
  if (!a || !b) return 2;
  auto diff = diff_runs(*a, *b);
  if (!diff) {
    std::fprintf(stderr, "%s: error: %s\n", kProg, diff.error().message.c_str());
    return 2;
  }
  std::fputs(format_run_diff(*diff, *a, *b).c_str(), stdout);
  return diff->changed.empty() && diff->appeared.empty() && diff->disappeared.empty() ? 0 : 1;
}

}  // namespace litbox::runner
