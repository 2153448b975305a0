// The state of lit's shell that persists across the RUN lines of one test.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "executor/executor.h"

namespace litbox::runner::sh {

/// lit's ShellEnvironment: cwd and environment (changed by cd/pushd/popd/export), plus the
/// post-15 umask and ulimit settings applied to every process spawned afterwards.
struct ShellState {
  std::string cwd;                            ///< absolute; `cd` keeps what it is given when absolute
  std::map<std::string, std::string> env;     ///< the test's environment (config.environment)
  mode_t umask = 022;                         ///< umask builtin
  exec::Limits limits;                        ///< ulimit builtin
  std::vector<std::string> dir_stack;         ///< pushd/popd
};

}  // namespace litbox::runner::sh

namespace litbox::runner::sh {

/// How the shell runs processes. Pointers are borrowed and must outlive run_script().
struct ShellOptions {
  bool pipefail = true;     ///< config.pipefail
  std::string builtin_exe;  ///< absolute path of the litbox binary; cat and diff run as
                            ///< {builtin_exe, "--litbox-builtin", "cat", args...} through the session
  exec::Session* session = nullptr;         ///< where processes run
  exec::Session* target_session = nullptr;  ///< where commands starting with the word `litbox-exec`
                                            ///< run (remote %{exec}); the word is dropped; null → session
  const bool* timed_out = nullptr;  ///< set by the caller when the test's timeout fired (it also
                                    ///< terminates the session): no further command starts
  bool timeout_active = false;      ///< lit's maxIndividualTestTime > 0: every command is logged
                                    ///< in full and "error: command reached timeout: True" appears
  uint64_t output_limit = 0;        ///< bytes of each command's stdout and stderr kept for the
                                    ///< report (config output_limit); the rest is counted; 0: all
  bool ends_session = false;        ///< nothing runs in the session after the script: the process
                                    ///< that can only be its last is marked SpawnRequest::last
  /// Called with each executable a command resolved to (PATH search or ./name), and the file
  /// system it was found in, before it runs: the run record's tool log. May be empty.
  std::function<void(exec::FileSystem&, const std::string&)> on_executable;
};

}  // namespace litbox::runner::sh
