#include "runner/merge_command.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "runner/merge_results.h"
#include "runner/subcommand.h"
#include "runner/report/files.h"
#include "support/strings.h"

namespace litbox::runner {

namespace {

constexpr const char* kProg = "litbox merge-results";

// The entry the report writers take, for a test read from a report.
report::ReportEntry entry_of(const ReportedTest& t) {
  report::ReportEntry e;
  size_t sep = t.name.find(" :: ");
  e.suite = t.name.substr(0, sep);
  e.path_in_suite = split(t.name.substr(sep + 4), '/');
  e.code = t.code;
  e.output = t.output;
  e.elapsed = t.elapsed;
  e.environment = &t.environment;
  return e;
}

}  // namespace

int merge_and_report(const std::vector<ShardReport>& reports, const std::string& json_output,
                     const std::string& xunit_output, const char* prog) {
  MergeOutcome merged = merge_reports(reports);
  for (const auto& p : merged.problems) std::fprintf(stderr, "%s: error: %s\n", prog, p.c_str());
  // Shards that ran with other inputs (another litbox, tool or config) still merge: say so.
  for (const auto& d : merged.run.differences) std::fprintf(stderr, "%s: warning: %s\n", prog, d.c_str());

  std::vector<report::ReportEntry> entries;
  entries.reserve(merged.tests.size());
  for (const ReportedTest* t : merged.tests) entries.push_back(entry_of(*t));
  report::ShardRecord record;
  record.selected = merged.selected;
  int status = merged.problems.empty() ? (merged.failed ? 1 : 0) : 2;
  auto write = [&](const Status& st) {
    if (!st) {
      std::fprintf(stderr, "%s: error: %s\n", prog, st.error().message.c_str());
      status = 2;
    }
  };
  if (!json_output.empty())
    write(report::write_json(json_output, entries, merged.elapsed, &record, merged.has_run ? &merged.run.record : nullptr));
  if (!xunit_output.empty()) write(report::write_xunit(xunit_output, entries, merged.elapsed));

  // lit's summary: the failing tests by code, then a count per code.
  std::map<ResultCode, std::vector<std::string>> by_code;
  for (const ReportedTest* t : merged.tests) by_code[t->code].push_back(t->name);
  for (ResultCode c : kAllResultCodes) {
    auto& names = by_code[c];
    if (names.empty() || !is_failure(c)) continue;
    std::sort(names.begin(), names.end());
    std::printf("%s\n%s Tests (%zu):\n", std::string(20, '*').c_str(), std::string(code_label(c)).c_str(), names.size());
    for (const auto& n : names) std::printf("  %s\n", n.c_str());
    std::printf("\n");
  }
  std::printf("Merged %zu reports (%d shards): %zu tests\n", reports.size(), merged.count, merged.tests.size());
  size_t label_w = 0;
  for (ResultCode c : kAllResultCodes)
    if (!by_code[c].empty()) label_w = std::max(label_w, code_label(c).size());
  for (ResultCode c : kAllResultCodes)
    if (!by_code[c].empty())
      std::printf("  %-*s: %zu\n", static_cast<int>(label_w), std::string(code_label(c)).c_str(), by_code[c].size());
  if (!merged.problems.empty())
    std::fprintf(stderr, "%s: %zu problem(s): the reports do not show every test run exactly once\n", prog,
                 merged.problems.size());
  return status;
}

int merge_results_main(int argc, char** argv) {
  const std::string usage =
      std::string("usage: ") + kProg + " [-h] [-o OUT.json] [--xunit-xml-output OUT.xml] REPORT.json [REPORT.json ...]";
  CLI::App app{
      "Merges the JSON reports (-o) of the shards of one run (litbox --shard=I/N, or --shard=auto in\n"
      "CI jobs) into one JSON report in lit's schema and one xUnit XML file, as a single run writes\n"
      "them. First it checks that every test the shards were to run ran exactly once: it names each\n"
      "test in no report, each test in two reports, a shard given twice or missing, and shards that\n"
      "disagree on their number or on the tests to run (a report of litbox -o lists them, in\n"
      "\"__litbox_shard__\").\n\n"
      "The merged tests are the reports' tests in the order given; \"elapsed\" is the longest\n"
      "report's (the shards ran in parallel). The outputs are written even when tests are missing or\n"
      "duplicated. The reports' run records (\"__litbox_run__\") are united; where two shards\n"
      "recorded another litbox, config, tool or environment value, it warns and keeps both.\n\n"
      "Exit status: 0 every test ran once and none failed; 1 a test failed (FAIL, XPASS, UNRESOLVED,\n"
      "TIMEOUT, as in a run); 2 a usage error, an unreadable or malformed report, or a test missing or\n"
      "duplicated.",
      kProg};
  app.set_help_flag("-h,--help", "show this help message and exit");
  std::vector<std::string> inputs;
  std::string json_output, xunit_output;
  app.add_option("REPORT.json", inputs, "the JSON reports (litbox -o) of the shards")->required();
  app.add_option("-o,--output", json_output, "Write the merged JSON report (lit's schema) to PATH")->type_name("PATH");
  app.add_option("--xunit-xml-output", xunit_output, "Write the merged XUnit-compatible XML report to PATH")
      ->type_name("PATH");
  if (auto status = parse_subcommand(app, argc, argv, usage, kProg)) return *status;

  std::vector<ShardReport> reports;
  bool unreadable = false;
  for (const auto& path : inputs) {
    auto report = read_report(path);
    if (!report) {
      std::fprintf(stderr, "%s: error: %s\n", kProg, report.error().message.c_str());
      unreadable = true;
      continue;
    }
    reports.push_back(std::move(*report));
  }
  if (unreadable) return 2;

  return merge_and_report(reports, json_output, xunit_output, kProg);
}

}  // namespace litbox::runner
