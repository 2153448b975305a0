// Putting a cell back the way it was made, so that another test can use it (docs/security.md,
// "Reused cells"). Runs in the cell's init: no allocation, no exceptions; results are errnos.
// The caller (init) kills the processes; these functions clean and check what outlives them.
#pragma once

#include <cstddef>

namespace litbox::sandbox {

/// A directory fd on a detached mount of the cell's mqueue filesystem, so that init can see the
/// POSIX message queues of the cell's IPC namespace (tests do not see this mount). Needs the
/// namespace's CAP_SYS_ADMIN: call before dropping capabilities. -1 if the kernel cannot.
int open_mqueue_dir();

/// Remembers the mounts that the plan (init's copy of it) put below /tmp (a suite or build tree
/// that lives below the host's /tmp is bound there): reset keeps them and checks them. Call
/// once the plan is applied.
void record_tmp_mounts(const char* plan, size_t plan_size);

/// Removes everything under /tmp except its skeleton (/tmp/.litbox, home, shm and tmp in it,
/// the recorded mounts and the directories leading to them), recreating what a test removed of
/// it and restoring its modes; never touches anything inside a mount. 0 or an errno (ELOOP: a
/// tree nested deeper than the limit; EXDEV: a recorded mount is no longer at its path;
/// ESTALE: home, shm or tmp had to be made again, so Landlock's rules on them are lost).
int reset_tmp();

/// 0 if the cell's IPC namespace holds no System V shared memory, message queue or semaphore
/// set; EBUSY if it does.
int sysv_ipc_left();

/// 0 if no POSIX message queue exists in the cell (`mq_dir` from open_mqueue_dir), EBUSY if
/// one does, ENOSYS if there is no `mq_dir` to check with.
int mqueues_left(int mq_dir);

}  // namespace litbox::sandbox
