// Runs scripts through run_script() on a real LocalExecutor, for the shell's tests.
#pragma once

#include <utility>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdlib>
#include <exception>
#include <memory>

#include "executor/local_executor.h"
#include "runner/sh/interpreter.h"

namespace litbox::runner::sh::testing {

/// One test's shell: state persists across run() calls, like the RUN lines of one test.
class ScriptHarness {
 public:
  explicit ScriptHarness(const std::string& cwd) : executor_(io_) {
    session_ = std::move(*executor_.open(exec::SessionSpec{}));
    state.cwd = cwd;
    const char* path = getenv("PATH");
    state.env["PATH"] = std::string("/usr/lib/llvm-15/bin:") + (path ? path : "/usr/bin:/bin");
    opts.session = session_.get();
    opts.builtin_exe = LITBOX_SH_BUILTIN_EXE;
  }
  ~ScriptHarness() { session_->close(); }

  ScriptResult run(const std::vector<std::string>& lines) {
    ScriptResult result;
    std::exception_ptr error;
    boost::asio::co_spawn(io_, run_script(lines, state, opts), [&](std::exception_ptr e, ScriptResult r) {
      error = e;
      result = std::move(r);
    });
    io_.run();
    io_.restart();
    if (error) std::rethrow_exception(error);
    return result;
  }

  boost::asio::io_context& io() { return io_; }
  exec::Session& session() { return *session_; }

  ShellState state;
  ShellOptions opts;

 private:
  boost::asio::io_context io_;
  exec::LocalExecutor executor_;
  std::unique_ptr<exec::Session> session_;
};

}  // namespace litbox::runner::sh::testing
