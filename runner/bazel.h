// Bazel's test protocol (the Test Encyclopedia), for litbox run as a `bazel test` target
// (docs/bazel.md): the variables Bazel sets and what litbox does with them. Sharding
// (TEST_TOTAL_SHARDS, TEST_SHARD_INDEX, TEST_SHARD_STATUS_FILE) is --shard=auto's
// (runner/shard_env.h).
#pragma once

#include <functional>
#include <string>

namespace litbox::runner {

struct BazelTest {
  std::string xml_output_file;         ///< XML_OUTPUT_FILE: the JUnit report (unless --xunit-xml-output)
  std::string premature_exit_file;     ///< TEST_PREMATURE_EXIT_FILE: exists while litbox runs
  std::string warnings_file;           ///< TEST_WARNINGS_OUTPUT_FILE: litbox's warnings, one per line
  std::string undeclared_outputs_dir;  ///< TEST_UNDECLARED_OUTPUTS_DIR: litbox.json (unless -o)
  std::string tmpdir;                  ///< TEST_TMPDIR: where the run's temp dir goes
};

/// The protocol's variables from `getenv` (a fake in tests); empty fields when not set.
BazelTest bazel_test_from(const std::function<const char*(const char*)>& getenv);

/// Creates TEST_PREMATURE_EXIT_FILE for its lifetime: a litbox that dies before returning
/// leaves it, and Bazel reports the test as exited prematurely.
class PrematureExitGuard {
 public:
  explicit PrematureExitGuard(std::string path);
  ~PrematureExitGuard();
  PrematureExitGuard(const PrematureExitGuard&) = delete;
  PrematureExitGuard& operator=(const PrematureExitGuard&) = delete;

 private:
  std::string path_;
};

}  // namespace litbox::runner
