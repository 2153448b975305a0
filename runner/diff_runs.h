// `litbox diff-runs`' logic: two JSON reports (-o) compared, test by test (which tests changed
// result code, appeared or disappeared) and input by input (their "__litbox_run__" records:
// litbox's version, config and tool digests, the environment).
#pragma once

#include <string>
#include <vector>

#include "runner/merge_results.h"

namespace litbox::runner {

/// A test whose code differs, or that only one report has.
struct TestChange {
  std::string name;
  std::string before;  ///< its code in the first report, "" if it has no such test
  std::string after;   ///< its code in the second report, "" if it has no such test
};

/// An input recorded differently: `what` is "litbox version", "config PATH", "tool PATH" or
/// "environment NAME"; a side that lacks it is "".
struct InputChange {
  std::string what;
  std::string before;
  std::string after;
};

/// The comparison of two reports.
struct RunDiff {
  std::vector<TestChange> changed;      ///< in both, other code; by name
  std::vector<TestChange> appeared;     ///< only in the second; by name
  std::vector<TestChange> disappeared;  ///< only in the first; by name
  size_t same = 0;                      ///< tests in both with the same code
  bool inputs_compared = false;         ///< both reports have a run record
  std::vector<InputChange> inputs;      ///< in order: version, configs, tools, environment
};

/// Compares `a` with `b`. A report of another suite (no suite name in common, both with
/// tests) is an error naming both files and their suites.
Expected<RunDiff> diff_runs(const ShardReport& a, const ShardReport& b);

/// The diff as diff-runs prints it (see docs/ci.md).
std::string format_run_diff(const RunDiff& diff, const ShardReport& a, const ShardReport& b);

}  // namespace litbox::runner
