// The command line: lit's options (same names, same defaults, LIT_* environment variables,
// LIT_OPTS) plus litbox's own (--sandbox, --site, --strict-features).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "runner/result_code.h"
#include "support/error.h"

namespace litbox::runner {

/// litbox's version (--version, the JSON report's run record).
inline constexpr const char* kLitboxVersion = "0.1.0";

enum class Order { kSmart, kLexical, kRandom };
enum class SandboxMode { kAuto, kRequire, kOff };

/// Parsed options. Defaults follow lit 15.
struct Options {
  std::vector<std::string> test_paths;
  int workers = 0;  ///< 0: usable cores (or LIT_MAX_WORKERS)
  std::map<std::string, std::string> params;
  bool quiet = false, succinct = false, show_output = false, echo_all_commands = false, show_all = false;
  bool use_progress_bar = true;
  std::vector<ResultCode> shown_codes;
  std::string json_output, xunit_output, resultdb_output, time_trace_output;
  std::vector<std::string> path;
  bool use_valgrind = false, valgrind_leak_check = false;
  std::vector<std::string> valgrind_args;
  bool time_tests = false, no_execute = false;
  std::optional<double> timeout;  ///< --timeout
  int max_failures = 0;
  bool allow_empty_runs = false, ignore_fail = false, indirectly_run_check = true;
  bool resume = false;  ///< --resume: tests with a result in the journal are not run again
  int max_tests = 0;
  double max_time = 0;
  Order order = Order::kSmart;
  std::string filter = ".*", filter_out = "^$";
  std::vector<std::string> xfail, xfail_not;
  int num_shards = 0, run_shard = 0;
  /// --shard=I/N (or auto, resolved here): 1-based; 0/0 without --shard.
  int shard_index = 0, shard_count = 0;
  std::string shard_note;         ///< --shard=auto: where the shard came from, for a note
  std::string shard_status_file;  ///< --shard=auto under Bazel: TEST_SHARD_STATUS_FILE to touch
  bool debug = false, show_suites = false, show_tests = false, show_used_features = false;
  // litbox's own.
  SandboxMode sandbox = SandboxMode::kAuto;
  /// --pass-env NAME (repeatable): host variables every test gets, sandboxed or not.
  std::vector<std::string> pass_env;
  std::string site_config;       ///< --site (or LITBOX_SITE_CONFIG)
  std::string config_prefix = "lit";  ///< --config-prefix: NAME.yaml, NAME.local.yaml, NAME.site.yaml
  bool strict_features = false;  ///< unknown features in REQUIRES/... are errors, not warnings
};

/// What parse_options decided.
struct ParseOutcome {
  Options options;
  int exit_code = -1;  ///< >= 0: exit at once with this status (help, version, usage error)
};

/// Parses argv (+ LIT_OPTS, LIT_* defaults) as lit does; usage errors exit with status 2.
ParseOutcome parse_options(int argc, char** argv);

/// The name litbox presents itself by: "lit" when started by that name (a `lit` symlink makes
/// litbox a drop-in for lit: usage, errors and --version say lit), else "litbox".
std::string program_name(const char* argv0);

/// shlex.split for LIT_OPTS.
std::vector<std::string> shell_split(const std::string& s);

}  // namespace litbox::runner
