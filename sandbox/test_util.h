// Helpers for the sandbox tests: run one command in a session and collect its output (their
// TempDir is support/testing/temp_dir.h).
#pragma once

#include <utility>
#include <boost/asio/io_context.hpp>
#include <string>
#include <vector>

#include "executor/executor.h"

namespace litbox::sandbox::testing {

/// The path of the testcase helper program (sandbox/testcases/testcase.c).
const char* testcase();

struct RunResult {
  exec::ExitStatus status;
  std::string out, err;
};

/// Options of one run.
struct RunOptions {
  std::string cwd = "/";
  std::vector<std::string> env = {"PATH=/usr/bin:/bin", "LC_ALL=C"};
  int stdin_fd = -1;
  exec::Limits limits;
  std::string executable;    ///< SpawnRequest::executable (empty: argv[0])
  bool wait_for_eof = true;  ///< false: return at exit, even if a daemon holds stdout open
  bool last = false;         ///< SpawnRequest::last
};

/// Spawns argv in `session`, runs `io` until it has exited (and, by default, until its stdout
/// and stderr are closed).
RunResult run(boost::asio::io_context& io, exec::Session& session, std::vector<std::string> argv,
              const RunOptions& opts = {});

/// A system call number this machine's kernel has (called with zero arguments, in a child, it
/// does not fail with ENOSYS) that libseccomp does not know on the native architecture, from a
/// few harmless ones added in Linux 6.8-6.10 (listmount, lsm_list_modules, mseal); -1 if none.
/// What the seccomp allow-list (SeccompProgram::known) must refuse with ENOSYS.
int unknown_syscall_the_kernel_has();

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& text);

}  // namespace litbox::sandbox::testing
