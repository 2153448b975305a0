// Test: one discovered test of a suite; TestResult: how it ended.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "configs/suite_config.h"
#include "runner/result_code.h"

namespace litbox::runner {

/// A test suite found by discovery (a directory holding lit.yaml, maybe via a site config).
struct TestSuite {
  std::string name;
  std::string source_root;
  std::string exec_root;
  std::shared_ptr<const config::SuiteConfig> config;  ///< the root config
};

/// How a test ended.
struct TestResult {
  ResultCode code = ResultCode::kPass;
  std::string output;
  double elapsed = 0;  ///< seconds; < 0 when the test was not run
  double start = 0;    ///< seconds since the run started
  /// The environment the test's commands were started with (null if none ran); in the JSON
  /// report. Shared: the tests of a run mostly have the same few (Scheduler keeps one copy of
  /// each), so 20,000 results do not hold 20,000 maps.
  std::shared_ptr<const std::map<std::string, std::string>> environment = {};
};

struct GtestShard;

/// One test: a file of a suite with the effective config of its directory.
struct Test {
  const TestSuite* suite = nullptr;
  std::vector<std::string> path_in_suite;  ///< components below the suite root
  std::shared_ptr<const config::SuiteConfig> config;
  std::string source_path;  ///< absolute
  std::string exec_path;    ///< absolute path under the exec root
  /// Extra XFAIL expressions from --xfail; xfail_not from --xfail-not.
  bool xfail_all = false;
  bool xfail_not = false;
  double previous_elapsed = 0;  ///< from .lit_test_times.txt
  bool previous_failure = false;
  TestResult result;
  bool has_result = false;
  /// Set for the gtest format: the binary (and shard) this test runs (runner/gtest_format.h).
  std::shared_ptr<GtestShard> gtest;

  /// "<suite> :: a/b/c.test"
  std::string full_name() const;
  /// "a/b/c.test"
  std::string path_string() const;
};

}  // namespace litbox::runner
