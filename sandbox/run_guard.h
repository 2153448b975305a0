// A process that outlives the runner to clean up after it when it is killed (SIGKILL, the OOM
// killer, a crash): the cell cgroups and the staging dirs a run made are removed, and the
// outputs its cells had staged are published, as the run itself would have done. Without it a
// killed run left them for the next run to find (cgroup::remove_stale, recover_staging_dirs).
//
// The guard is the litbox binary started again (`litbox --litbox-run-guard`), so it needs
// nothing of the runner's state but the list it is sent: spawned at the first registration,
// it reads "cgroup <dir>" and "output <dir>" lines on its stdin and waits for the runner's
// pid to end (a pidfd). Then it cleans up what it was told about, whether the runner ended
// normally (nothing is left then: every step is idempotent) or not, and exits. It ignores the
// terminal's signals, so a Ctrl-C of the runner's process group leaves it to finish; a SIGKILL
// of the whole group kills it too, and the next run recovers as before.
#pragma once

#include <string>

namespace litbox::sandbox {

/// Lets watch_*() start the guard: `exe` is a binary whose main() calls run_guard_main() for
/// the argument "--litbox-run-guard" (litbox itself, "/proc/self/exe"). Until this is called
/// (unit tests), nothing is watched.
void enable_run_guard(const std::string& exe);

/// The guard removes this pool dir of cell cgroups (killing what is left in it) after the runner.
void guard_cgroup_pool(const std::string& dir);
/// The guard recovers this Output dir's staging dirs after the runner (recover_staging_dirs).
void guard_output_dir(const std::string& dir);

/// The guard's own main: `argv` = {"--litbox-run-guard", "<runner pid>"}.
int run_guard_main(int argc, char** argv);

}  // namespace litbox::sandbox
