// Running a helper program to completion and capturing what it prints: for commands whose
// output litbox reads (sbatch, squeue, scontrol), not for tests (those go through an Executor).
#pragma once

#include <string>
#include <vector>

#include "support/error.h"

namespace litbox {

/// How a helper program ended.
struct ProcessOutput {
  int exit_code = 0;  ///< its exit status, or 128 + the signal that killed it
  std::string out;    ///< its stdout
  std::string err;    ///< its stderr
};

/// Runs argv (argv[0] looked up on PATH) with the caller's environment and stdin from
/// /dev/null, and waits for it. An error only when it could not be started (the message
/// names argv[0] and the errno); a non-zero exit is a value.
Expected<ProcessOutput> run_process(const std::vector<std::string>& argv);

/// argv as a POSIX shell reads it back: each word single-quoted unless it is plain.
std::string shell_quote(const std::vector<std::string>& argv);

}  // namespace litbox
