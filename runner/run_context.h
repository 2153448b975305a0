// What every test of a run shares: the io_context, the executors, run-wide options.
#pragma once

#include <utility>  // before Asio (Boost 1.74)
#include <boost/asio/io_context.hpp>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "configs/suite_config.h"
#include "executor/executor.h"
#include "support/error.h"

namespace litbox::runner {

struct Test;
class ToolDigests;

/// Chooses the executors for a directory's config (local, sandbox, QEMU, ssh, batch).
class ExecutorProvider {
 public:
  virtual ~ExecutorProvider() = default;
  /// The executor every command of a test with `config` runs through.
  virtual Expected<exec::Executor*> executor_for(const config::SuiteConfig& config) = 0;
  /// The executor for `litbox-exec` (%{exec}) commands, or null: run them like the others.
  virtual Expected<exec::Executor*> target_executor_for(const config::SuiteConfig& config) = 0;
  /// True if the target executor applies the test's timeout to each deferred command
  /// itself (batch): the local timer must not fire while a test waits for its batch.
  virtual bool target_enforces_timeout(const config::SuiteConfig&) const { return false; }
  /// True if tests with `config` run sandboxed (hermetic environment).
  virtual bool sandboxed(const config::SuiteConfig& config) const = 0;
  /// Every test in flight waits for a deferred request: the target executors ship what they
  /// have collected (exec::Executor::flush).
  virtual void flush_deferred() {}
};

/// Run-wide settings and services for executing tests.
struct RunContext {
  explicit RunContext(boost::asio::io_context& io_context) : io(io_context) {}
  boost::asio::io_context& io;
  std::string litbox_exe;               ///< this binary, for out-of-process builtins
  std::optional<double> cli_timeout;    ///< --timeout (wins over the config)
  bool no_execute = false;              ///< --no-execute
  bool echo_all_commands = false;       ///< -vv
  bool gtest_shuffle = false;           ///< --order=random: gtest binaries shuffle their tests
  std::vector<std::string> path_prepend;  ///< --path
  std::vector<std::string> pass_env;      ///< --pass-env
  std::string tmp_dir;                  ///< the run's temp dir
  ExecutorProvider* executors = nullptr;
  /// --strict-features: a REQUIRES/UNSUPPORTED/XFAIL name no config can define makes the
  /// test UNRESOLVED instead of printing a warning.
  bool strict_features = false;
  /// Prints a warning (and counts it).
  std::function<void(const std::string&)> warn;
  /// Set by the scheduler: a test's executor deferred (+1) or delivered (-1) a request.
  std::function<void(Test&, int)> on_deferred;
  /// The run record's tool log (runner/tool_digests.h), or null: not recorded.
  ToolDigests* tools = nullptr;
  /// Sessions of the tests running now; an interrupt terminates them all.
  std::set<exec::Session*> live_sessions;
};

}  // namespace litbox::runner
