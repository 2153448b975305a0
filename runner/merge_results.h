// `litbox merge-results`' logic: the JSON reports of the shards of one run (each with its
// "__litbox_shard__" record) read into values, and merged into one list of tests with every
// problem that makes the merge incomplete: a test in no report, a test in two, a shard given
// twice or missing, shards that disagree on their count or on the tests to run.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "runner/result_code.h"
#include "runner/run_record.h"
#include "support/error.h"

namespace litbox::runner {

/// One test of a report.
struct ReportedTest {
  std::string name;  ///< "<suite> :: a/b.test"
  ResultCode code = ResultCode::kPass;
  std::string output;
  double elapsed = 0;
  std::map<std::string, std::string> environment;
};

/// One JSON report (-o) of a shard.
struct ShardReport {
  std::string file;  ///< as given, for messages
  double elapsed = 0;
  bool has_shard = false;  ///< it has a "__litbox_shard__" object (litbox wrote it)
  int index = 1, count = 1;
  std::vector<std::string> selected;  ///< sorted: what the shards together were to run
  std::vector<ReportedTest> tests;
  bool has_run = false;  ///< it has a "__litbox_run__" record
  RunRecord run;
};

/// Reads the text of a JSON report; malformed JSON is an error naming `file` and the parse
/// position, a report not in lit's schema one naming the offending entry.
Expected<ShardReport> parse_report(const std::string& file, const std::string& text);

/// Reads and parses the report at `path`; an unreadable file is an error naming it.
Expected<ShardReport> read_report(const std::string& path);

/// The merge of a set of reports.
struct MergeOutcome {
  std::vector<const ReportedTest*> tests;  ///< in the order of the reports, then of their tests
  std::vector<std::string> selected;       ///< the union of the reports' lists, sorted
  double elapsed = 0;                      ///< the longest report's (the shards ran in parallel)
  int count = 1;                           ///< the shards' count
  std::vector<std::string> problems;       ///< each names what is missing, duplicated or mismatching
  bool failed = false;                     ///< a test FAILed, XPASSed, was UNRESOLVED or TIMEOUT
  bool has_run = false;                    ///< a report had a run record: `run` merges them
  MergedRunRecord run;                     ///< the reports' run records, and where they differ
};

/// Merges `reports` (which must outlive the outcome). A test of the lists is covered by a
/// reported test of the same name or, for a gtest binary, by its cases ("<binary>/...").
MergeOutcome merge_reports(const std::vector<ShardReport>& reports);

/// For a merge whose shards did not all report (a batch job's task that was killed, lost its
/// node or ran out of time): adds to `reports` each test of the lists that no report has, as
/// UNRESOLVED with `reason(index)` as its output, to the report of the shard it belongs to
/// (shard_of; a report made for that shard when there is none, named `placeholder(index)`).
/// `count` is the number of shards. Returns how many tests it added. The lists come from the
/// reports there are: with none, nothing can be added.
size_t fill_unreported(std::vector<ShardReport>& reports, int count, const std::function<std::string(int)>& reason,
                       const std::function<std::string(int)>& placeholder);

}  // namespace litbox::runner
