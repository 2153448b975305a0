// The shell text of batch execution: the remote command that unpacks a batch and runs the
// on-target driver (emulation/batch_driver.sh, embedded at build time), the job file of each
// request, and the cleanup scripts. Pure functions: nothing here starts a process.
#pragma once

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "executor/executor.h"

namespace litbox::emulation {

/// The text of emulation/batch_driver.sh, as embedded at build time.
const std::string& batch_driver_text();

/// What the driver prologue sets (see the variables at the top of batch_driver.sh).
struct BatchScriptSpec {
  std::string run_dir;                 ///< R: absolute; holds cas/ and the tests' directories
  std::string batch_dir;               ///< B: absolute, under run_dir; removed when the batch is over
  int parallelism = 4;                 ///< P: requests run at once (at least 1)
  int timeout_seconds = 0;             ///< W: the requests' timeout (their jobs' T), 0: none;
                                       ///< the driver's watchdog runs only when it is set
  std::string token;                   ///< K: marks the driver's own lines in the result stream
  std::vector<int> ids;                ///< the requests, in the order they start
  std::vector<std::string> gc;         ///< directories (relative to run_dir) removed first
  std::vector<std::string> new_store;  ///< store file names (cas/<name>) this batch adds
};

/// The complete script for `sh -c`: a prologue assigning the variables above (shell-quoted),
/// then the driver. Its stdin must be the batch's tar archive.
std::string batch_command_script(const BatchScriptSpec& spec);

/// One request's job file, sourced by a driver worker (see w() in batch_driver.sh).
struct JobSpec {
  std::string dir;               ///< D: absolute working directory on the target
  std::string output_dir;        ///< O: the test's directory (%T there), holding .litbox/stamp
  std::string copy_back_prefix;  ///< C: relative to output_dir; files starting with it come
                                 ///< back ("" = none)
  int timeout_seconds = 0;       ///< T: 0 = none
  std::string stdin_file;        ///< I: absolute; "" = /dev/null
  bool merge_stderr = false;     ///< E: stderr into the stdout file, interleaved (2>&1)
  /// Files copied (cp -p, not hard-linked) from the store before the command runs:
  /// (absolute store path, absolute destination). Inputs a command might write in place.
  std::vector<std::pair<std::string, std::string>> copies;
  mode_t umask = 022;
  exec::Limits limits;                                   ///< applied with ulimit where the target's sh knows the option
  std::vector<std::pair<std::string, std::string>> env;  ///< exported; invalid names are dropped
  std::vector<std::string> argv;                         ///< the command, argv[0] run as given
};

/// The job file text for `spec`.
std::string job_script(const JobSpec& spec);

/// A script that kills the driver of the batch in `batch_dir` and the process groups of its
/// requests (all of them when `ids` is empty; else only those), and, when `remove`, deletes
/// `batch_dir`. Missing directories and processes are not errors.
std::string batch_kill_script(const std::string& batch_dir, const std::vector<int>& ids, bool remove);

/// A script that kills what every batch under `run_dir` still runs and removes `run_dir`.
std::string run_removal_script(const std::string& run_dir);

/// True for a POSIX shell variable name ([A-Za-z_][A-Za-z0-9_]*).
bool is_shell_name(const std::string& name);

}  // namespace litbox::emulation
