// Report files: JSON (-o, lit's schema), xUnit XML, LUCI ResultDB JSON, Chrome time trace.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "runner/run_record.h"
#include "runner/test.h"
#include "support/error.h"

namespace litbox::runner::report {

/// One test as the JSON and xUnit reports show it, from a run's Test (report_entries) or
/// from another report (`litbox merge-results`). `output` and `environment` point into the
/// caller's data, which must outlive the write.
struct ReportEntry {
  std::string suite;                       ///< the suite's name
  const void* suite_id = nullptr;          ///< tells apart suites of the same name (xUnit groups)
  std::vector<std::string> path_in_suite;  ///< "a", "b.test"
  ResultCode code = ResultCode::kPass;
  std::string_view output;
  double elapsed = 0;
  const std::map<std::string, std::string>* environment = nullptr;  ///< null or empty: none

  /// "<suite> :: a/b.test"
  std::string full_name() const;
};

/// The entries of a run's tests, in their order.
std::vector<ReportEntry> report_entries(const std::vector<Test*>& tests);

/// litbox's "__litbox_shard__" object of the JSON report: which shard of how many the report is,
/// and every test (shard_unit: a gtest binary, not its cases) the shards together were to run,
/// so that `litbox merge-results` can name the tests no report has.
struct ShardRecord {
  int index = 1;  ///< 1-based
  int count = 1;
  std::vector<std::string> selected;  ///< sorted
};

/// lit's JsonReport: {"__version__": [15,0,6], "elapsed", "tests": [{name, code, output, elapsed}]},
/// EXCLUDED and SKIPPED left out, indent 2, keys sorted; plus litbox's "environment" (an
/// object) for each test whose commands ran, "__litbox_run__" (RunRecord: version, config and
/// tool digests, environment, shards) when `run` is given and "__litbox_shard__" (ShardRecord:
/// index, count, selected) when `shard` is given: both named so that they sort before
/// "__version__", and lit's keys keep lit's layout ("elapsed" directly followed by "tests",
/// then the end).
Status write_json(const std::string& path, const std::vector<ReportEntry>& tests, double elapsed,
                  const ShardRecord* shard = nullptr, const RunRecord* run = nullptr);
/// lit's XunitReport.
Status write_xunit(const std::string& path, std::vector<ReportEntry> tests, double elapsed);
/// lit's ResultDBReport.
Status write_resultdb(const std::string& path, const std::vector<Test*>& tests, double run_start_epoch);
/// A span of the runner's own work for the time trace (a batch on its way to a target).
struct TraceSpan {
  std::string name;
  double start = 0, duration = 0;  ///< seconds since the run started (as TestResult::start)
  int lane = 2;                    ///< the trace's "tid": tests are lane 1
  std::map<std::string, std::string> args;
};

/// lit's TimeTraceReport (Chrome trace events), plus `spans` on lanes of their own.
Status write_time_trace(const std::string& path, const std::vector<Test*>& tests,
                        const std::vector<TraceSpan>& spans = {});

}  // namespace litbox::runner::report
