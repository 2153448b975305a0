// litbox: thin entry point. Everything else lives in the libraries.
#include <malloc.h>

#include <cstring>

#include "runner/app.h"
#include "runner/diff_command.h"
#include "runner/merge_command.h"
#include "runner/shell_command.h"
#include "runner/slurm_command.h"
#include "runner/translate_command.h"
#include "runner/sh/interpreter.h"
#include "sandbox/run_guard.h"

int main(int argc, char** argv) {
  // Out-of-process builtins of the internal shell (cat, diff, ...) run as this binary.
  if (argc >= 2 && std::strcmp(argv[1], "--litbox-builtin") == 0)
    return litbox::runner::sh::run_builtin_tool(argc - 2, argv + 2);
  // The process that cleans up after a killed run (sandbox/run_guard.h).
  if (argc >= 2 && std::strcmp(argv[1], "--litbox-run-guard") == 0)
    return litbox::sandbox::run_guard_main(argc - 1, argv + 1);
  litbox::sandbox::enable_run_guard("/proc/self/exe");
  // Subcommands lit does not have.
  if (argc >= 2 && std::strcmp(argv[1], "shell") == 0) return litbox::runner::shell_main(argc - 1, argv + 1);
  if (argc >= 2 && std::strcmp(argv[1], "translate") == 0) return litbox::runner::translate_main(argc - 1, argv + 1);
  if (argc >= 2 && std::strcmp(argv[1], "merge-results") == 0)
    return litbox::runner::merge_results_main(argc - 1, argv + 1);
  if (argc >= 2 && std::strcmp(argv[1], "diff-runs") == 0) return litbox::runner::diff_runs_main(argc - 1, argv + 1);
  if (argc >= 2 && std::strcmp(argv[1], "slurm") == 0) return litbox::runner::slurm_main(argc - 1, argv + 1);
  // A run allocates and frees the same few kilobytes per test: without this, glibc gives the
  // top of the heap back to the kernel and takes it again (brk) several times per test.
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  mallopt(M_TOP_PAD, 4 << 20);
  return litbox::runner::run_main(argc, argv);
}
