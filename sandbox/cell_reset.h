// Putting a cell back the way it was made, so that another test can use it (docs/security.md,
// "Reused cells"). Runs in the cell's init: no allocation, no exceptions; results are errnos.
// The caller (init) kills the processes; these functions clean and check what outlives them.
#pragma once

namespace litbox::sandbox {

/// A directory fd on a detached mount of the cell's mqueue filesystem, so that init can see the
/// POSIX message queues of the cell's IPC namespace (tests do not see this mount). Needs the
/// namespace's CAP_SYS_ADMIN: call before dropping capabilities. -1 if the kernel cannot.
int open_mqueue_dir();

/// Removes everything under /tmp except its skeleton (/tmp/.litbox, home and shm in it), which
/// is recreated if a test removed it, with its modes restored. 0 or an errno (ELOOP: a tree
/// nested deeper than the limit; EXDEV: something is mounted there).
int reset_tmp();

/// 0 if the cell's IPC namespace holds no System V shared memory, message queue or semaphore
/// set; EBUSY if it does.
int sysv_ipc_left();

/// 0 if no POSIX message queue exists in the cell (`mq_dir` from open_mqueue_dir), EBUSY if
/// one does, ENOSYS if there is no `mq_dir` to check with.
int mqueues_left(int mq_dir);

}  // namespace litbox::sandbox
