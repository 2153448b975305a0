#include "sandbox/seccomp_policy.h"

#include <errno.h>
#include <linux/ioprio.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>

namespace litbox::sandbox {

namespace {

// x32 system calls are x86-64's audit architecture with this bit set in the number.
constexpr int kX32Bit = 0x40000000;

// Namespace flags a test may not pass to clone(): creating namespaces is how most sandbox
// escapes start (a new user namespace gives a fresh set of capabilities).
constexpr uint64_t kNamespaceFlags[] = {CLONE_NEWUSER, CLONE_NEWNS,  CLONE_NEWPID,
                                        CLONE_NEWNET,  CLONE_NEWIPC, CLONE_NEWUTS,
                                        CLONE_NEWCGROUP};

// An int or pid_t argument: the kernel reads only its low 32 bits, so a comparison of the
// whole register would let 0x100000001 through as pid 1.
constexpr scmp_arg_cmp int_is(unsigned arg, uint64_t value) {
  return {arg, SCMP_CMP_MASKED_EQ, 0xffffffffULL, value};
}
// A pointer argument that is not NULL: the call would change something, not only read it.
constexpr scmp_arg_cmp is_set(unsigned arg) { return {arg, SCMP_CMP_NE, 0, 0}; }

// A rule on the arguments of one syscall: it is denied when all comparisons hold.
struct ArgRule {
  const char* name;
  unsigned count;
  scmp_arg_cmp args[2];
};

// Calls that change another process's limits or scheduling with only a same-uid check. Test
// processes have the uid of their cell's init (pid 1), and init serves the next test when the
// cell is reused: denied when they target init (by pid, by its process group 1, or by uid).
// pid 0 ("self") and the getters (a NULL new value) stay allowed. The calls whose kernel check
// is ptrace's (process_madvise, prctl(PR_SCHED_CORE), pidfd_getfd, ...) need nothing here: init
// is not dumpable. migrate_pages and move_pages are such calls too; their rules only make the
// refusal the filter's.
constexpr ArgRule kInitRules[] = {
    {"prlimit64", 2, {int_is(0, 1), is_set(2)}},
    {"setpriority", 2, {int_is(0, PRIO_PROCESS), int_is(1, 1)}},
    {"setpriority", 2, {int_is(0, PRIO_PGRP), int_is(1, 1)}},
    {"setpriority", 1, {int_is(0, PRIO_USER)}},
    {"ioprio_set", 2, {int_is(0, IOPRIO_WHO_PROCESS), int_is(1, 1)}},
    {"ioprio_set", 2, {int_is(0, IOPRIO_WHO_PGRP), int_is(1, 1)}},
    {"ioprio_set", 1, {int_is(0, IOPRIO_WHO_USER)}},
    {"sched_setaffinity", 1, {int_is(0, 1)}},
    {"sched_setscheduler", 1, {int_is(0, 1)}},
    {"sched_setparam", 1, {int_is(0, 1)}},
    {"sched_setattr", 1, {int_is(0, 1)}},
    {"migrate_pages", 1, {int_is(0, 1)}},
    {"move_pages", 2, {int_is(0, 1), is_set(3)}},
    // Test processes are in init's session, so they could join its process group and then
    // name it as their own (PRIO_PGRP, 0).
    {"setpgid", 1, {int_is(1, 1)}},
};

// The socket families a test may create: local, IPv4, IPv6 and netlink (ip(8), getaddrinfo).
// Any other (AF_PACKET, AF_VSOCK, AF_ALG, ...) is kernel surface no test needs, and asking for
// one can make the kernel load its module. Ascending.
constexpr uint64_t kSocketFamilies[] = {AF_UNIX, AF_INET, AF_INET6, AF_NETLINK};

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

bool listed(const std::vector<std::string>& names, const std::string& n) {
  return std::find(names.begin(), names.end(), n) != names.end();
}

Status add_arg_rule(scmp_filter_ctx ctx, uint32_t action, const ArgRule& r) {
  int rc = seccomp_rule_add_array(ctx, action, seccomp_syscall_resolve_name(r.name), r.count, r.args);
  if (rc < 0) return scmp_error(std::string("rule for ") + r.name, rc);
  return {};
}

// Terminal injection: ioctl(TIOCSTI) and ioctl(TIOCLINUX).
Status add_tty_rules(scmp_filter_ctx ctx, uint32_t action) {
  for (unsigned long req : {static_cast<unsigned long>(TIOCSTI), static_cast<unsigned long>(TIOCLINUX)})
    if (Status s = add_arg_rule(ctx, action, {"ioctl", 1, {int_is(1, req)}}); !s) return s;
  return {};
}

// clone() with any CLONE_NEW* flag; clone3 passes its flags in memory, out of seccomp's reach:
// ENOSYS makes glibc fall back to clone().
Status add_namespace_rules(scmp_filter_ctx ctx, uint32_t action) {
  for (uint64_t flag : kNamespaceFlags)
    if (Status s = add_arg_rule(ctx, action, {"clone", 1, {{0, SCMP_CMP_MASKED_EQ, flag, flag}}}); !s) return s;
  return add_arg_rule(ctx, SCMP_ACT_ERRNO(ENOSYS), {"clone3", 0, {}});
}

// socket() outside kSocketFamilies fails with EAFNOSUPPORT, as on a kernel without the family:
// programs fall back. One comparison per rule (libseccomp takes one per argument): an EQ rule
// for each value between the allowed families and GT above the last, compared as 64 bits, so
// that a domain with upper bits set is refused too. On i386, libseccomp applies these rules to
// socketcall(SYS_SOCKET) as well, whose arguments are in memory: it drops the comparison, so
// every socket made through socketcall fails (the direct i386 socket() is compared as here).
Status add_socket_family_rules(scmp_filter_ctx ctx) {
  uint64_t next = 0;
  for (uint64_t family : kSocketFamilies) {
    for (; next < family; ++next)
      if (Status s = add_arg_rule(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), {"socket", 1, {{0, SCMP_CMP_EQ, next, 0}}}); !s)
        return s;
    next = family + 1;
  }
  return add_arg_rule(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), {"socket", 1, {{0, SCMP_CMP_GT, next - 1, 0}}});
}

// socketpair() outside AF_UNIX: EAFNOSUPPORT too; on i386, every socketcall(SYS_SOCKETPAIR).
Status add_socketpair_rule(scmp_filter_ctx ctx) {
  return add_arg_rule(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), {"socketpair", 1, {{0, SCMP_CMP_NE, AF_UNIX, 0}}});
}

// The highest number libseccomp can name on `arch` (x32: without its bit), or -1.
int last_known(uint32_t arch) {
  for (int nr = 1023; nr >= 0; --nr)
    if (char* name = seccomp_syscall_resolve_num_arch(arch, arch == SCMP_ARCH_X32 ? (nr | kX32Bit) : nr)) {
      free(name);
      return nr;
    }
  return -1;
}

// The allow-list program (SeccompProgram::known): on each architecture of the filter, a number
// above the last one libseccomp can name fails with ENOSYS; everything else goes on to the
// policy. Written out here because libseccomp compares syscall numbers only one by one: its
// version (default ENOSYS, every known name allowed) is 1,484 instructions for x86-64 with i386
// and x32, which each new cell's kernel compiles and runs for every number to build its action
// cache, about 0.5 ms a cell on this VM; this is 12. A number below the last (a gap in the
// table, like x86-64's 335-423) is one the kernel does not have either: it answers ENOSYS itself.
std::vector<sock_filter> compile_known(const std::vector<uint32_t>& arches) {
  struct Range {
    uint32_t audit_arch;
    int last;          // highest known number, -1: none
    int last_x32 = -1; // x86-64 only: the x32 table's, without the bit
  };
  std::vector<Range> ranges;
  for (uint32_t arch : arches) {
    if (arch == SCMP_ARCH_X32) continue;  // in the x86-64 block: same audit arch, bit 30 set
    Range r{arch, last_known(arch)};
    if (arch == SCMP_ARCH_X86_64 && std::find(arches.begin(), arches.end(), SCMP_ARCH_X32) != arches.end())
      r.last_x32 = last_known(SCMP_ARCH_X32);
    ranges.push_back(r);
  }
  // Jumps go forward by offset; the two verdicts are the last two instructions.
  std::vector<sock_filter> prog;
  std::vector<size_t> verdict_jumps;  // each jgt: ENOSYS when true, allowed when false
  auto add = [&](uint16_t code, uint32_t k, uint8_t jt = 0, uint8_t jf = 0) {
    prog.push_back({code, jt, jf, k});
    return prog.size() - 1;
  };
  // A jgt on the number: above `last` is ENOSYS, else allowed.
  auto verdicts_for = [&](uint32_t last) { verdict_jumps.push_back(add(BPF_JMP | BPF_JGT | BPF_K, last)); };
  for (const Range& r : ranges) {
    if (r.last < 0) continue;
    const bool x32 = r.last_x32 >= 0;
    // jeq arch; on a mismatch skip the block: ld, (jge x32 and its jgt), jgt
    add(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
    add(BPF_JMP | BPF_JEQ | BPF_K, r.audit_arch, 0, x32 ? 4 : 2);
    add(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
    if (x32) {
      add(BPF_JMP | BPF_JGE | BPF_K, kX32Bit, 0, 1);
      verdicts_for(kX32Bit | static_cast<uint32_t>(r.last_x32));
    }
    verdicts_for(static_cast<uint32_t>(r.last));
  }
  const size_t allow = add(BPF_RET | BPF_K, SCMP_ACT_ALLOW);  // also: an architecture not listed
  const size_t enosys = add(BPF_RET | BPF_K, SCMP_ACT_ERRNO(ENOSYS));
  for (size_t at : verdict_jumps) {
    prog[at].jt = static_cast<uint8_t>(enosys - at - 1);
    prog[at].jf = static_cast<uint8_t>(allow - at - 1);
  }
  return prog;
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
    if (!listed(names, n)) names.push_back(n);
  for (const auto& n : allow) names.erase(std::remove(names.begin(), names.end(), n), names.end());
  bool deny_ioctl_tty = !listed(allow, "ioctl");
  bool deny_clone_ns = !listed(allow, "clone");
  // The argument rules added since: lifted by allowing the name, and left out when the name is
  // denied whatever its arguments.
  auto ruled = [&](const std::string& n) { return !listed(allow, n) && !listed(names, n); };

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
  std::vector<std::string> table_names = names;
  if (deny_ioctl_tty) {
    if (Status s = add_tty_rules(ctx.get(), deny_action); !s) return s.error();
    table_names.push_back("ioctl");
  }
  if (deny_clone_ns) {
    if (Status s = add_namespace_rules(ctx.get(), deny_action); !s) return s.error();
    table_names.push_back("clone");
  }
  for (const ArgRule& r : kInitRules) {
    if (!ruled(r.name)) continue;
    if (Status s = add_arg_rule(ctx.get(), deny_action, r); !s) return s.error();
    if (!listed(table_names, r.name)) table_names.push_back(r.name);
  }
  // Not in the kill table: a family outside the list fails with EAFNOSUPPORT in kill mode too.
  if (ruled("socket"))
    if (Status s = add_socket_family_rules(ctx.get()); !s) return s.error();
  if (ruled("socketpair"))
    if (Status s = add_socketpair_rule(ctx.get()); !s) return s.error();

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
  prog.known = compile_known(arches);

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
