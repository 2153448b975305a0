// lit's GoogleTest format (`format: gtest`), as lit 15 runs it: each test binary found under
// the directory's `gtest_sub_dirs` is listed (`--gtest_list_tests`), split into shards that
// run as tests of their own (GTEST_TOTAL_SHARDS/GTEST_SHARD_INDEX, results as JSON through
// GTEST_OUTPUT), and after the run each shard is replaced by one result per test case.
// Listing and shards run through the directory's executor: in a sandbox cell, like every
// other test process.
#pragma once

#include <utility>  // before Asio (Boost 1.74)
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string>
#include <vector>

#include "runner/diagnostics.h"
#include "runner/run_context.h"
#include "runner/test.h"

namespace litbox::runner {

/// One test case of a shard's JSON report.
struct GtestCase {
  std::string suite, name;  ///< "FirstTest", "subTestA"
  std::string result;       ///< gtest's: COMPLETED, SKIPPED, SUPPRESSED, ...
  bool has_failures = false;
  std::vector<std::string> failures;  ///< the failure messages
  double elapsed = 0;                 ///< seconds
};

/// What a gtest Test is: a binary not yet listed (index < 0) or one shard of it.
struct GtestShard {
  std::string binary;  ///< absolute path of the test binary
  int index = -1;
  int count = 0;
  bool discovery_failed = false;  ///< listing failed: the test is lit's failed_to_discover_tests_from_gtest
  /// Filled when the shard ran: its JSON report was read (then `cases` holds its test cases).
  bool json_read = false;
  std::vector<GtestCase> cases;
};

/// The binaries of directory `source_dir` that the gtest format runs, by name, sorted:
/// non-directories under each of `config.gtest_sub_dirs` ending in gtest_suffix or in
/// gtest_suffix + ".py". Each is {sub dir, file name}.
std::vector<std::pair<std::string, std::string>> gtest_binaries(const std::string& source_dir,
                                                                const config::SuiteConfig& config);

/// The number of shards lit 15 makes of `tests` cases with `cores` usable cores.
int gtest_shard_count(int tests, int cores);

/// Lists every binary test of `tests` (at most `workers` at a time, through the executors of
/// `ctx`) and replaces it by its shards, in place; a binary that cannot be listed becomes
/// lit's `<binary>/failed_to_discover_tests_from_gtest` test (with a warning). Runs `ctx.io`.
void list_gtest_binaries(std::vector<std::unique_ptr<Test>>& tests, RunContext& ctx, int workers, Diagnostics& diag);

/// Runs one shard to its result (lit's GoogleTest.execute).
boost::asio::awaitable<TestResult> execute_gtest_shard(Test& test, RunContext& ctx);

/// After the run (lit's post_process_shard_results): each shard whose JSON report was read is
/// replaced, in `discovered` and `selected`, by one test per case (new tests go to `owned`);
/// a shard that failed with no failing case (a crash after the last test, a sanitizer
/// report) stays as well.
void replace_gtest_shards(std::vector<std::unique_ptr<Test>>& owned, std::vector<Test*>& discovered,
                          std::vector<Test*>& selected);

}  // namespace litbox::runner
