// The Landlock layer of a cell: a ruleset the cell's init applies to itself after its mounts
// are set up (and before it loads seccomp), so that every process of the cell inherits it.
//
// What it restricts (the domain is init's and everything init spawns):
//  - Opening a file for writing (LANDLOCK_ACCESS_FS_WRITE_FILE) and truncating one
//    (LANDLOCK_ACCESS_FS_TRUNCATE, ABI >= 3) are allowed only beneath the writable paths the
//    caller names (the cell passes its /tmp, its Output view, /dev and the suite's writable
//    paths). The read-only mounts already stop writes to regular files elsewhere (EROFS); what
//    this adds is the objects a read-only mount does not protect: a host FIFO, or another
//    special file, that its mode lets the cell's uid open for writing fails with EACCES. Not
//    below a writable path, though: a rule covers everything under its directory, mounts
//    included, so a FIFO in a read-only mount below /tmp or below a writable path (a suite tree
//    under the host's /tmp, a `readonly` path inside a `writable` one) can still be opened.
//  - Linking or renaming a file into another directory (LANDLOCK_ACCESS_FS_REFER) is allowed
//    beneath the same paths. Landlock denies that right in every domain whether or not a
//    ruleset names it, so it has to be granted explicitly; outside the writable paths the
//    read-only mounts already refuse it. This is why ABI 1 (Linux 5.13-5.18, where it cannot
//    be granted) is not used: it would break rename(2)/link(2) between directories of /tmp.
//  - With ABI >= 6 (Linux 6.12): LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (connect(2) or sendto(2)
//    to an abstract unix socket whose socket was created outside the domain fails with EPERM:
//    another cell's, or the host's when cells share its network namespace) and
//    LANDLOCK_SCOPE_SIGNAL (kill(2) and the like, signal 0 included, to a process outside the
//    domain fail with EPERM). Signals inside the domain (between the test's processes, to and
//    from init) work. The kernel's own signals are not scoped: a parent outside the domain
//    still gets SIGCHLD when a process of the cell ends, and a PR_SET_PDEATHSIG signal still
//    reaches init when the runner dies.
//
// What it does not restrict: reading, listing, executing, creating or removing files (the
// MAKE_* and REMOVE_* rights are left alone: the mounts decide), ioctls, TCP, and fds opened
// before the domain existed (a pipe or file the runner passes keeps working, ftruncate(2)
// included). Files with no path in the mount tree (pipes, memfds) can be re-opened
// for writing through /proc/self/fd/N; a regular file outside the writable paths cannot be
// re-opened that way, even through an fd opened for writing before.
//
// Pathname unix sockets: connect(2) to a socket file is not a file open, and Linux 6.18
// (Landlock ABI 7) has no right to control it, so a host socket that its mode lets the cell's
// uid write to (and that lies in a directory the cell can see) stays reachable. Upstream
// Landlock ABI 9 adds LANDLOCK_ACCESS_FS_RESOLVE_UNIX for that; this module does not use it yet.
// Nor does it set ABI 7's audit flags (landlock_restrict_self's defaults: denials by init's own
// code are logged where audit is on, those of the programs it executes are not).
//
// landlock_restrict*() run in init, after clone() in a copy of the runner: they allocate
// nothing, throw nothing and log nothing; failures are errno values.
#pragma once

#include <cstdint>
#include <string>

namespace litbox::sandbox {

/// Access rights and scopes, with the kernel's values (include/uapi/linux/landlock.h).
inline constexpr uint64_t kLandlockAccessFsWriteFile = 1ULL << 1;
inline constexpr uint64_t kLandlockAccessFsRefer = 1ULL << 13;     ///< ABI >= 2
inline constexpr uint64_t kLandlockAccessFsTruncate = 1ULL << 14;  ///< ABI >= 3
inline constexpr uint64_t kLandlockScopeAbstractUnixSocket = 1ULL << 0;  ///< ABI >= 6
inline constexpr uint64_t kLandlockScopeSignal = 1ULL << 1;              ///< ABI >= 6

/// The lowest ABI this module enforces anything with (see REFER above).
inline constexpr int kLandlockMinAbi = 2;

enum class LandlockState : uint8_t {
  kEnforced,     ///< the ruleset is (landlock_restrict) or would be (landlock_probe) applied
  kUnavailable,  ///< the kernel has no usable Landlock: `error` says why (ENOSYS: not built in or
                 ///< older than 5.13; EOPNOTSUPP: built but not enabled at boot, see the lsm=
                 ///< parameter; anything else: the version query itself failed, e.g. EPERM from
                 ///< an outer seccomp filter)
  kAbiTooOld,    ///< Landlock ABI 1: nothing is applied (see kLandlockMinAbi)
};

/// What this kernel offers and what landlock_restrict() will apply on it. Trivially copyable
/// and free of pointers, so the runner may copy it into CellConfig.
struct LandlockSupport {
  LandlockState state = LandlockState::kUnavailable;
  int abi = 0;          ///< the kernel's highest Landlock ABI version; 0 if unavailable
  int error = 0;        ///< kUnavailable: the errno of the version query
  uint32_t errata = 0;  ///< fixed errata (LANDLOCK_CREATE_RULESET_ERRATA, Linux >= 6.15), else 0
  uint64_t handled_fs = 0;  ///< the filesystem rights the ruleset handles (0 unless kEnforced)
  uint64_t scoped = 0;      ///< the scopes it sets (0 unless kEnforced with ABI >= 6)

  bool enforced() const { return state == LandlockState::kEnforced; }
};

/// Asks the kernel (two system calls, no ruleset is made). For the runner, once.
LandlockSupport landlock_probe();

/// One line for the runner's log or its warning, e.g. "Landlock ABI 7: writes only beneath the
/// writable paths (write_file, truncate, refer); scoped: abstract unix sockets, signals; not
/// controlled: connect() to pathname unix sockets" or "Landlock unavailable (Function not
/// implemented): host FIFOs and other special files the read-only mounts do not protect can be
/// opened for writing".
std::string describe(const LandlockSupport& s);

/// What landlock_restrict*() did.
struct LandlockInfo {
  LandlockState state = LandlockState::kUnavailable;
  int abi = 0;              ///< as in LandlockSupport
  int error = 0;            ///< kUnavailable: the errno of the version query
  uint64_t handled_fs = 0;  ///< kEnforced: the rights now handled
  uint64_t scoped = 0;      ///< kEnforced: the scopes now set
  int failed_index = -1;    ///< on an error about one writable path or fd: its index
};

/// Applies the policy above to the calling thread (and so to everything it forks or clones
/// afterwards), allowing writes beneath the `n` files or directories `writable_fds` refer to
/// (O_PATH fds are enough; the caller keeps and closes them). A rule belongs to the inode the fd
/// refers to and covers every path whose walk up to the root passes through that inode, mount
/// points included: a directory grants its whole subtree, including anything mounted below it
/// (a read-only bind below a writable directory is covered too, so its FIFOs are writable);
/// a non-directory grants that one file. Open the fds in the final mount tree.
///
/// Returns 0 when the ruleset is applied (out->state == kEnforced) and also when Landlock is
/// unavailable or too old (out->state says which; nothing is applied: not an error, the caller
/// warns once, e.g. with describe(landlock_probe())). Otherwise an errno, and nothing is
/// applied (out->handled_fs and out->scoped stay 0; out->abi and out->state say what would have
/// been): EBADF (and out->failed_index) for a bad fd, EINVAL for n < 0 or a null array with
/// n > 0, EPERM when the thread has neither PR_SET_NO_NEW_PRIVS nor CAP_SYS_ADMIN in its user
/// namespace, E2BIG when the thread is already in 16 nested Landlock domains, ENOMEM.
/// Single-threaded callers only (other threads keep their domain). Allocation-free; `out` may
/// be null.
int landlock_restrict_fds(const int* writable_fds, int n, LandlockInfo* out) noexcept;

/// The same with paths, each opened with O_PATH (symlinks followed) and closed again: ENOENT,
/// EACCES... from that open also set out->failed_index, and nothing is applied.
int landlock_restrict(const char* const* writable_paths, int n, LandlockInfo* out) noexcept;

}  // namespace litbox::sandbox
