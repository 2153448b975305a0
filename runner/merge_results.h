// `litbox merge-results`' logic: the JSON reports of the shards of one run (each with its
// "__litbox_shard__" record) read into values, and merged into one list of tests with every
// problem that makes the merge incomplete: a test in no report, a test in two, a shard given
// twice or missing, shards that disagree on their count or on the tests to run.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "runner/result_code.h"
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
};

/// Reads the text of a JSON report; malformed JSON is an error naming `file` and the parse
/// position, a report not in lit's schema one naming the offending entry.
Expected<ShardReport> parse_report(const std::string& file, const std::string& text);

/// The merge of a set of reports.
struct MergeOutcome {
  std::vector<const ReportedTest*> tests;  ///< in the order of the reports, then of their tests
  std::vector<std::string> selected;       ///< the union of the reports' lists, sorted
  double elapsed = 0;                      ///< the longest report's (the shards ran in parallel)
  int count = 1;                           ///< the shards' count
  std::vector<std::string> problems;       ///< each names what is missing, duplicated or mismatching
  bool failed = false;                     ///< a test FAILed, XPASSed, was UNRESOLVED or TIMEOUT
};

/// Merges `reports` (which must outlive the outcome). A test of the lists is covered by a
/// reported test of the same name or, for a gtest binary, by its cases ("<binary>/...").
MergeOutcome merge_reports(const std::vector<ShardReport>& reports);

}  // namespace litbox::runner
