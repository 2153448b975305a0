// The seccomp policy of a cell: a deny list compiled ONCE, in the parent, to a BPF program that
// every cell's init only has to load.
#pragma once

#include <linux/filter.h>

#include <cstdint>
#include <string>
#include <vector>

#include "support/error.h"

namespace litbox::sandbox {

/// What a denied system call does.
enum class SeccompAction {
  kErrno,  ///< fails with EPERM; the process goes on
  kKill,   ///< the process is killed with SIGSYS and the syscall name is reported
};

/// One denied syscall number on one architecture, with its name resolved in the parent (the
/// cell's init reports kills by looking the number up here, without allocating).
struct DeniedSyscall {
  uint32_t arch = 0;  ///< AUDIT_ARCH_* value, as in seccomp_data.arch
  int nr = 0;
  std::string name;
};

/// A compiled filter: the BPF programs plus the table of what they deny.
struct SeccompProgram {
  std::vector<sock_filter> bpf;  ///< the policy: the deny list and the argument rules
  /// The allow-list under it: on each architecture of the filter, a number above the last one
  /// this libseccomp can name (a system call added to the kernel after this build) fails with
  /// ENOSYS, as on a kernel without it; every other number is left to `bpf`. Loaded as a filter
  /// of its own (the kernel takes the stricter verdict of the two), so a new call is refused
  /// rather than allowed because no deny list names it.
  std::vector<sock_filter> known;
  SeccompAction action = SeccompAction::kErrno;
  std::vector<DeniedSyscall> denied;

  /// The name of syscall `nr` on `arch` if this program denies it, else nullptr. Allocation-free.
  const char* name_of(uint32_t arch, int nr) const;
};

/// The default deny list of docs/security.md, by name (syscalls with argument conditions, such
/// as ioctl(TIOCSTI), clone(CLONE_NEW*), socket(AF_VSOCK) or prlimit64(1, ...), are handled
/// separately and always present).
const std::vector<std::string>& default_denied_syscalls();

/// Builds the filter: default list, plus `deny`, minus `allow`. An unknown name is an error
/// ("seccomp: unknown system call 'foo'"). clone3 always fails with ENOSYS (its flags cannot be
/// inspected; libc falls back to clone, whose flags can). socket() outside AF_UNIX, AF_INET,
/// AF_INET6, AF_NETLINK and socketpair() outside AF_UNIX fail with EAFNOSUPPORT, in both modes.
/// The calls that would change the cell's init (pid 1: its limits, priority, affinity, ...) are
/// denied with `action`. Allowing a name lifts its argument rules. A number above libseccomp's
/// tables fails with ENOSYS in both modes (`known`).
Expected<SeccompProgram> compile_seccomp(const std::vector<std::string>& deny,
                                         const std::vector<std::string>& allow,
                                         SeccompAction action);

}  // namespace litbox::sandbox
