#include "sandbox/seccomp_policy.h"

#include <errno.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace litbox::sandbox {

namespace {

// Namespace flags a test may not pass to clone(): creating namespaces is how most sandbox
// escapes start (a new user namespace gives a fresh set of capabilities).
constexpr uint64_t kNamespaceFlags[] = {CLONE_NEWUSER, CLONE_NEWNS,  CLONE_NEWPID,
                                        CLONE_NEWNET,  CLONE_NEWIPC, CLONE_NEWUTS,
                                        CLONE_NEWCGROUP};

struct CtxDeleter {
  void operator()(scmp_filter_ctx ctx) const { seccomp_release(ctx); }
};
using Ctx = std::unique_ptr<void, CtxDeleter>;

Error scmp_error(const std::string& what, int rc) {
  return Error{"seccomp: " + what + ": " + strerror(-rc)};
}

// The architectures a process on this host can make system calls in: a 64-bit x86 process can
// still enter the kernel through the i386 or x32 tables (int $0x80), so those get the same rules.
std::vector<uint32_t> architectures() {
  std::vector<uint32_t> arches{seccomp_arch_native()};
  if (arches[0] == SCMP_ARCH_X86_64) {
    arches.push_back(SCMP_ARCH_X86);
    arches.push_back(SCMP_ARCH_X32);
  } else if (arches[0] == SCMP_ARCH_AARCH64) {
    arches.push_back(SCMP_ARCH_ARM);
  }
  return arches;
}

}  // namespace

const char* SeccompProgram::name_of(uint32_t arch, int nr) const {
  for (const auto& d : denied)
    if (d.arch == arch && d.nr == nr) return d.name.c_str();
  return nullptr;
}

const std::vector<std::string>& default_denied_syscalls() {
  static const std::vector<std::string> names = {
      // mounts, old and new API, and changing root
      "mount", "umount", "umount2", "pivot_root", "fsopen", "fsconfig", "fsmount", "fspick",
      "open_tree", "move_mount", "mount_setattr",
      // namespaces
      "unshare", "setns",
      // kernel attack surface a test never needs
      "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter",
      "io_uring_register",
      // keyrings
      "keyctl", "add_key", "request_key",
      // the machine itself
      "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
      "swapon", "swapoff", "reboot", "acct", "syslog", "iopl", "ioperm",
      // other processes' memory, file handles that bypass path checks
      "process_vm_readv", "process_vm_writev", "open_by_handle_at"};
  return names;
}

Expected<SeccompProgram> compile_seccomp(const std::vector<std::string>& deny,
                                         const std::vector<std::string>& allow,
                                         SeccompAction action) {
  std::vector<std::string> names = default_denied_syscalls();
  for (const auto& n : deny)
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  for (const auto& n : allow) names.erase(std::remove(names.begin(), names.end(), n), names.end());
  bool deny_ioctl_tty = std::find(allow.begin(), allow.end(), "ioctl") == allow.end();
  bool deny_clone_ns = std::find(allow.begin(), allow.end(), "clone") == allow.end();

  // Unknown names are caught here, against every architecture, so a typo in a suite's policy
  // is an error at startup rather than a rule that silently never matches.
  for (const auto& list : {deny, allow})
    for (const auto& n : list)
      if (seccomp_syscall_resolve_name(n.c_str()) == __NR_SCMP_ERROR)
        return Error{"seccomp: unknown system call '" + n + "'"};

  Ctx ctx(seccomp_init(SCMP_ACT_ALLOW));
  if (!ctx) return Error{"seccomp: seccomp_init failed"};
  // The cell sets no_new_privs itself, before loading; the exported program must not depend on
  // libseccomp doing it.
  seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0);
  // A binary tree instead of a linear list: each cell's kernel evaluates the filter for every
  // syscall number when it loads it (to build its action cache), and every call pays it too.
  seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, 2);
  std::vector<uint32_t> arches = architectures();
  for (size_t i = 1; i < arches.size(); ++i) {
    int rc = seccomp_arch_add(ctx.get(), arches[i]);
    if (rc < 0 && rc != -EEXIST) return scmp_error("seccomp_arch_add", rc);
  }

  const uint32_t deny_action = action == SeccompAction::kKill ? SCMP_ACT_NOTIFY : SCMP_ACT_ERRNO(EPERM);
  for (const auto& n : names) {
    int nr = seccomp_syscall_resolve_name(n.c_str());
    if (nr == __NR_SCMP_ERROR) continue;  // a default name this libseccomp does not know
    int rc = seccomp_rule_add(ctx.get(), deny_action, nr, 0);
    // -EDOM/-EINVAL: the name exists on no architecture of this filter (e.g. "umount").
    if (rc < 0 && rc != -EDOM && rc != -EINVAL) return scmp_error("rule for " + n, rc);
  }
  if (deny_ioctl_tty) {
    for (unsigned long req : {static_cast<unsigned long>(TIOCSTI), static_cast<unsigned long>(TIOCLINUX)}) {
      int rc = seccomp_rule_add(ctx.get(), deny_action, SCMP_SYS(ioctl), 1,
                                SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffULL, req));
      if (rc < 0) return scmp_error("rule for ioctl", rc);
    }
  }
  if (deny_clone_ns) {
    for (uint64_t flag : kNamespaceFlags) {
      int rc = seccomp_rule_add(ctx.get(), deny_action, SCMP_SYS(clone), 1,
                                SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag));
      if (rc < 0) return scmp_error("rule for clone", rc);
    }
    // clone3 passes its flags in memory, out of seccomp's reach; ENOSYS makes glibc fall back
    // to clone().
    int rc = seccomp_rule_add(ctx.get(), SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
    if (rc < 0) return scmp_error("rule for clone3", rc);
  }

  // seccomp_export_bpf writes to an fd; a memfd keeps it in memory.
  int fd = memfd_create("litbox-seccomp", MFD_CLOEXEC);
  if (fd < 0) return Error{std::string("seccomp: memfd_create: ") + strerror(errno)};
  int rc = seccomp_export_bpf(ctx.get(), fd);
  if (rc < 0) {
    close(fd);
    return scmp_error("seccomp_export_bpf", rc);
  }
  off_t size = lseek(fd, 0, SEEK_END);
  SeccompProgram prog;
  prog.action = action;
  prog.bpf.resize(static_cast<size_t>(size) / sizeof(sock_filter));
  ssize_t got = pread(fd, prog.bpf.data(), static_cast<size_t>(size), 0);
  close(fd);
  if (got != size) return Error{"seccomp: could not read the exported filter"};

  std::vector<std::string> table_names = names;
  if (deny_ioctl_tty) table_names.push_back("ioctl");
  if (deny_clone_ns) table_names.push_back("clone");
  for (uint32_t arch : arches) {
    for (const auto& n : table_names) {
      int nr = seccomp_syscall_resolve_name_arch(arch, n.c_str());
      if (nr < 0) continue;
      // The name comes back from libseccomp's own table (resolve_num_rev), as the kernel numbers
      // it on that architecture.
      char* resolved = seccomp_syscall_resolve_num_arch(arch, nr);
      prog.denied.push_back({arch, nr, resolved ? resolved : n});
      free(resolved);
    }
  }
  return prog;
}

}  // namespace litbox::sandbox
