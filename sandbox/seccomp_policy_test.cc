// The policy compiles once to BPF; loading it (here in a forked child only) denies exactly the
// listed calls.
#include "sandbox/seccomp_policy.h"

#include <errno.h>
#include <sched.h>
#include <linux/audit.h>
#include <linux/ioprio.h>
#include <linux/net.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <initializer_list>

#include <gtest/gtest.h>

#include "sandbox/test_util.h"

namespace litbox::sandbox {
namespace {

TEST(SeccompPolicy, UnknownNamesAreErrors) {
  auto p = compile_seccomp({"frobnicate"}, {}, SeccompAction::kErrno);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().message, "seccomp: unknown system call 'frobnicate'");
  auto q = compile_seccomp({}, {"mount2"}, SeccompAction::kErrno);
  ASSERT_FALSE(q);
  EXPECT_EQ(q.error().message, "seccomp: unknown system call 'mount2'");
}

TEST(SeccompPolicy, NamesDeniedCallsPerArchitecture) {
  auto p = compile_seccomp({"uname"}, {"keyctl"}, SeccompAction::kErrno);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_FALSE(p->bpf.empty());
  const uint32_t native = seccomp_arch_native();
  EXPECT_STREQ(p->name_of(native, __NR_mount), "mount");
  EXPECT_STREQ(p->name_of(native, __NR_uname), "uname");   // added
  EXPECT_EQ(p->name_of(native, __NR_keyctl), nullptr);     // removed
  EXPECT_EQ(p->name_of(native, __NR_read), nullptr);
  EXPECT_STREQ(p->name_of(native, __NR_ioctl), "ioctl");   // TIOCSTI/TIOCLINUX only
#ifdef __x86_64__
  EXPECT_STREQ(p->name_of(AUDIT_ARCH_I386, 21), "mount");  // the i386 table is covered too
#endif
}

// The filter's verdict (SECCOMP_RET_*) for one call, from a small classic-BPF interpreter: it
// checks the rules of every architecture, also one the machine may not run (i386 code needs the
// kernel's IA32 emulation, which the machine these tests were written on has turned off).
uint32_t run_bpf(const std::vector<sock_filter>& bpf, const struct seccomp_data& d) {
  uint32_t acc = 0, mem[BPF_MEMWORDS] = {};
  for (size_t pc = 0; pc < bpf.size(); ++pc) {
    const sock_filter& f = bpf[pc];
    switch (f.code) {
      case BPF_LD | BPF_W | BPF_ABS:
        if (f.k > sizeof d - 4) {
          ADD_FAILURE() << "load at " << f.k;
          return 0;
        }
        memcpy(&acc, reinterpret_cast<const char*>(&d) + f.k, 4);
        break;
      case BPF_LD | BPF_MEM: acc = mem[f.k % BPF_MEMWORDS]; break;
      case BPF_ST: mem[f.k % BPF_MEMWORDS] = acc; break;
      case BPF_ALU | BPF_AND | BPF_K: acc &= f.k; break;
      case BPF_JMP | BPF_JA: pc += f.k; break;
      case BPF_JMP | BPF_JEQ | BPF_K: pc += acc == f.k ? f.jt : f.jf; break;
      case BPF_JMP | BPF_JGT | BPF_K: pc += acc > f.k ? f.jt : f.jf; break;
      case BPF_JMP | BPF_JGE | BPF_K: pc += acc >= f.k ? f.jt : f.jf; break;
      case BPF_JMP | BPF_JSET | BPF_K: pc += (acc & f.k) ? f.jt : f.jf; break;
      case BPF_RET | BPF_K: return f.k;
      default:
        ADD_FAILURE() << "BPF instruction " << f.code;
        return 0;
    }
  }
  ADD_FAILURE() << "the program ends without a verdict";
  return 0;
}

// Both programs of `p` (the allow-list of known calls and the policy), combined as the kernel
// combines stacked filters: the verdict whose action comes first (as a signed number) wins.
uint32_t verdict(const SeccompProgram& p, uint32_t arch, int nr, std::initializer_list<uint64_t> args = {}) {
  struct seccomp_data d = {};
  d.nr = nr;
  d.arch = arch;
  size_t i = 0;
  for (uint64_t a : args) d.args[i++] = a;
  uint32_t policy = run_bpf(p.bpf, d);
  if (p.known.empty()) {
    ADD_FAILURE() << "no allow-list program";
    return policy;
  }
  uint32_t known = run_bpf(p.known, d);
  auto action = [](uint32_t v) { return static_cast<int32_t>(v & SECCOMP_RET_ACTION_FULL); };
  return action(known) < action(policy) ? known : policy;
}

constexpr uint32_t kAllow = SECCOMP_RET_ALLOW;
constexpr uint32_t kEperm = SECCOMP_RET_ERRNO | EPERM;
constexpr uint32_t kEafnosupport = SECCOMP_RET_ERRNO | EAFNOSUPPORT;
constexpr uint32_t kEnosys = SECCOMP_RET_ERRNO | ENOSYS;

// Loads `prog` in this forked process, runs `call` and writes what it returned (-errno on
// failure) to `fd`.
template <typename F>
[[noreturn]] void run_filtered(const SeccompProgram& prog, F call, int fd) {
  // As the cell's init loads them: the allow-list of known calls, then the policy.
  struct sock_fprog known = {static_cast<unsigned short>(prog.known.size()), const_cast<sock_filter*>(prog.known.data())};
  struct sock_fprog fp = {static_cast<unsigned short>(prog.bpf.size()), const_cast<sock_filter*>(prog.bpf.data())};
  long rc = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 && syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &known) == 0 &&
                    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) == 0
                ? call()
                : -2000;
  if (rc < 0 && rc > -1000) rc = -errno;
  (void)!write(fd, &rc, sizeof rc);
  _exit(0);
}

// Loads `prog` in a child and returns what `call` returned there (-errno on failure). With
// `under_init`, the child runs as a cell's test process does: in a pid namespace of its own,
// whose pid 1 (a stand-in for the cell's init) leads a session and is its parent, in a process
// group of its own. Nothing outside that namespace is reachable by pid, so a call the filter
// failed to deny cannot touch the host's pid 1.
template <typename F>
long in_filtered_child(const SeccompProgram& prog, F call, bool under_init = false) {
  int fds[2];
  if (pipe(fds) < 0) return -1000;
  pid_t pid = fork();
  if (pid == 0) {
    // Safety: if the filter let a mount through, it must land in a private mount namespace.
    int ns = CLONE_NEWUSER | CLONE_NEWNS | (under_init ? CLONE_NEWPID : 0);
    if (unshare(ns) < 0 || mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) _exit(1);
    if (!under_init) run_filtered(prog, call, fds[1]);
    pid_t init = fork();
    if (init == 0) {
      setsid();
      pid_t test = fork();
      if (test == 0 && setpgid(0, 0) == 0) run_filtered(prog, call, fds[1]);
      waitpid(test, nullptr, 0);
      _exit(0);
    }
    waitpid(init, nullptr, 0);
    _exit(0);
  }
  close(fds[1]);
  long rc = -3000;
  (void)!read(fds[0], &rc, sizeof rc);
  close(fds[0]);
  waitpid(pid, nullptr, 0);
  return rc;
}

TEST(SeccompPolicy, DeniedCallsFailWithEpermAndOthersWork) {
  auto p = compile_seccomp({}, {}, SeccompAction::kErrno);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(in_filtered_child(*p, [] { return static_cast<long>(mount("none", "/mnt", "tmpfs", 0, nullptr)); }), -EPERM);
  EXPECT_EQ(in_filtered_child(*p, [] { return syscall(SYS_unshare, CLONE_NEWUSER); }), -EPERM);
  EXPECT_EQ(in_filtered_child(*p, [] { return syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0); }), -EPERM);
  // clone3's flags are out of seccomp's reach: ENOSYS, so that libc falls back to clone().
  EXPECT_EQ(in_filtered_child(*p, [] { return syscall(SYS_clone3, nullptr, 0); }), -ENOSYS);
  EXPECT_EQ(in_filtered_child(*p, [] { return syscall(SYS_getppid) > 0 ? 0L : -1L; }), 0);
}

// The highest number libseccomp names on `arch` (x32: with the bit), as the filter's ranges.
int last_named(uint32_t arch, int bit = 0) {
  int last = -1;
  for (int nr = 0; nr < 1100; ++nr) {
    char* name = seccomp_syscall_resolve_num_arch(arch, nr | bit);
    if (name) last = nr;
    free(name);
  }
  return last;
}

// An allow-list under the policy: a number above the last one libseccomp can name (a call newer
// than this build) fails with ENOSYS, as on a kernel without it, in both modes and whatever the
// suite allows; every named call, and a gap in the table (a number the kernel lacks too),
// passes on to the policy.
TEST(SeccompPolicy, NumbersAboveLibseccompsTablesFailWithEnosys) {
  for (auto action : {SeccompAction::kErrno, SeccompAction::kKill}) {
    auto p = compile_seccomp({}, {"mount"}, action);
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_LT(p->known.size(), 20u);
    const uint32_t native = seccomp_arch_native();
    const int last = last_named(native);
    ASSERT_GT(last, 300);
    for (int nr = 0; nr < 1100; ++nr) {
      char* name = seccomp_syscall_resolve_num_arch(native, nr);
      const bool is_clone3 = name && !strcmp(name, "clone3");  // ENOSYS by the policy's own rule
      free(name);
      const uint32_t v = verdict(*p, native, nr);
      if (nr > last) {
        EXPECT_EQ(v, kEnosys) << nr;
      } else if (!is_clone3) {
        EXPECT_NE(v, kEnosys) << nr;
      }
    }
    EXPECT_EQ(verdict(*p, native, -1), kEnosys);
    EXPECT_EQ(verdict(*p, native, __NR_read), kAllow);
    EXPECT_EQ(verdict(*p, native, __NR_mount), kAllow);  // allowed by the suite: the policy decides
    EXPECT_EQ(verdict(*p, native, __NR_clone3), kEnosys);
    EXPECT_EQ(verdict(*p, native, __NR_unshare), action == SeccompAction::kKill ? SECCOMP_RET_USER_NOTIF : kEperm);
#ifdef __x86_64__
    // The i386 and x32 tables get the same treatment (x32 numbers carry bit 30).
    const int last_i386 = last_named(SCMP_ARCH_X86), last_x32 = last_named(SCMP_ARCH_X32, 0x40000000);
    ASSERT_GT(last_i386, 300);
    ASSERT_GT(last_x32, 500);
    EXPECT_EQ(verdict(*p, AUDIT_ARCH_I386, 3 /* read */), kAllow);
    EXPECT_EQ(verdict(*p, AUDIT_ARCH_I386, last_i386), kAllow);
    EXPECT_EQ(verdict(*p, AUDIT_ARCH_I386, last_i386 + 1), kEnosys);
    EXPECT_EQ(verdict(*p, AUDIT_ARCH_I386, 21 /* mount */), kAllow);
    EXPECT_EQ(verdict(*p, AUDIT_ARCH_X86_64, 0x40000000 | __NR_read), kAllow);
    EXPECT_EQ(verdict(*p, AUDIT_ARCH_X86_64, 0x40000000 | last_x32), kAllow);
    EXPECT_EQ(verdict(*p, AUDIT_ARCH_X86_64, 0x40000000 | (last_x32 + 1)), kEnosys);
    EXPECT_EQ(verdict(*p, AUDIT_ARCH_X86_64, 0x40000000 | __NR_unshare),
              action == SeccompAction::kKill ? SECCOMP_RET_USER_NOTIF : kEperm);
#endif
  }
}

TEST(SeccompPolicy, ACallNewerThanThisBuildFailsWithEnosysInAFilteredProcess) {
  const int nr = testing::unknown_syscall_the_kernel_has();
  if (nr < 0) GTEST_SKIP() << "this kernel has no system call newer than libseccomp's table (listmount, lsm_list_modules, mseal)";
  auto p = compile_seccomp({}, {}, SeccompAction::kErrno);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(in_filtered_child(*p, [nr] { return syscall(nr, 0, 0, 0, 0, 0, 0); }), -ENOSYS) << nr;
  EXPECT_EQ(in_filtered_child(*p, [] { return syscall(SYS_getppid) > 0 ? 0L : -1L; }), 0);
}

TEST(SeccompPolicy, AllowingCloneLiftsTheNamespaceRule) {
  auto p = compile_seccomp({}, {"clone", "unshare"}, SeccompAction::kErrno);
  ASSERT_TRUE(p);
  // Still refused, but by the kernel (no capability), not by the filter: EINVAL for a bogus flag.
  EXPECT_EQ(in_filtered_child(*p, [] { return syscall(SYS_unshare, 0x80000000UL); }), -EINVAL);
}

long make_socket(int family, int type) { return syscall(SYS_socket, family, type, 0); }

TEST(SeccompPolicy, SocketFamiliesOutsideTheListFailWithEafnosupport) {
  for (auto action : {SeccompAction::kErrno, SeccompAction::kKill}) {
    auto p = compile_seccomp({}, {}, action);
    ASSERT_TRUE(p) << p.error().message;
    const uint32_t native = seccomp_arch_native();
    for (uint64_t domain = 0; domain < 64; ++domain) {
      bool allowed = domain == AF_UNIX || domain == AF_INET || domain == AF_INET6 || domain == AF_NETLINK;
      EXPECT_EQ(verdict(*p, native, __NR_socket, {domain, SOCK_STREAM}), allowed ? kAllow : kEafnosupport) << domain;
    }
    // The kernel reads an int: upper bits would be dropped, so any value with them is refused.
    EXPECT_EQ(verdict(*p, native, __NR_socket, {(1ULL << 32) | AF_VSOCK}), kEafnosupport);
    EXPECT_EQ(verdict(*p, native, __NR_socket, {(1ULL << 32) | AF_UNIX}), kEafnosupport);
    EXPECT_EQ(verdict(*p, native, __NR_socket, {~0ULL}), kEafnosupport);
    EXPECT_EQ(verdict(*p, native, __NR_socketpair, {AF_UNIX}), kAllow);
    EXPECT_EQ(verdict(*p, native, __NR_socketpair, {AF_INET}), kEafnosupport);
    EXPECT_EQ(verdict(*p, native, __NR_socketpair, {(1ULL << 32) | AF_UNIX}), kEafnosupport);
    EXPECT_EQ(p->name_of(native, __NR_socket), nullptr);  // never a kill, so not in the table
  }
  // Denied outright, socket() fails whatever the family, with the policy's error.
  auto q = compile_seccomp({"socket"}, {}, SeccompAction::kErrno);
  ASSERT_TRUE(q) << q.error().message;
  EXPECT_EQ(verdict(*q, seccomp_arch_native(), __NR_socket, {AF_UNIX}), kEperm);
  EXPECT_EQ(verdict(*q, seccomp_arch_native(), __NR_socket, {AF_VSOCK}), kEperm);
}

#ifdef __x86_64__
// i386's socketcall(call, args) has the socket's arguments in memory, out of seccomp's reach:
// libseccomp refuses every socket made through it, rather than letting any family through (a
// 64-bit process can make i386 calls with int $0x80). The direct i386 socket() is filtered.
TEST(SeccompPolicy, I386SocketcallCannotBypassTheFamilyList) {
  auto p = compile_seccomp({}, {}, SeccompAction::kErrno);
  ASSERT_TRUE(p) << p.error().message;
  // i386 numbers (libseccomp resolves "socket" there to a pseudo number for the multiplexer).
  const int socketcall = 102, socket_nr = 359;
  EXPECT_EQ(verdict(*p, AUDIT_ARCH_I386, socketcall, {SYS_SOCKET}), kEafnosupport);
  EXPECT_EQ(verdict(*p, AUDIT_ARCH_I386, socketcall, {SYS_SOCKETPAIR}), kEafnosupport);
  EXPECT_EQ(verdict(*p, AUDIT_ARCH_I386, socketcall, {SYS_CONNECT}), kAllow);  // existing sockets
  EXPECT_EQ(verdict(*p, AUDIT_ARCH_I386, socket_nr, {AF_UNIX}), kAllow);
  EXPECT_EQ(verdict(*p, AUDIT_ARCH_I386, socket_nr, {AF_VSOCK}), kEafnosupport);
  // Allowing socket lifts both.
  auto q = compile_seccomp({}, {"socket"}, SeccompAction::kErrno);
  ASSERT_TRUE(q);
  EXPECT_EQ(verdict(*q, AUDIT_ARCH_I386, socketcall, {SYS_SOCKET}), kAllow);
  EXPECT_EQ(verdict(*q, AUDIT_ARCH_I386, socket_nr, {AF_VSOCK}), kAllow);
}
#endif

TEST(SeccompPolicy, SocketsOfOtherFamiliesFailInAFilteredProcess) {
  auto p = compile_seccomp({}, {}, SeccompAction::kErrno);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(in_filtered_child(*p, [] { return make_socket(AF_VSOCK, SOCK_STREAM); }), -EAFNOSUPPORT);
  EXPECT_EQ(in_filtered_child(*p, [] { return make_socket(AF_PACKET, SOCK_RAW); }), -EAFNOSUPPORT);
  EXPECT_EQ(in_filtered_child(*p, [] { return make_socket(AF_ALG, SOCK_SEQPACKET); }), -EAFNOSUPPORT);
  EXPECT_EQ(in_filtered_child(*p, [] { return syscall(SYS_socket, (1L << 32) | AF_PACKET, SOCK_RAW, 0); }), -EAFNOSUPPORT);
  EXPECT_GE(in_filtered_child(*p, [] { return make_socket(AF_UNIX, SOCK_STREAM); }), 0);
  EXPECT_GE(in_filtered_child(*p, [] { return make_socket(AF_INET, SOCK_DGRAM); }), 0);
  EXPECT_GE(in_filtered_child(*p, [] { return make_socket(AF_INET6, SOCK_DGRAM); }), 0);
  EXPECT_GE(in_filtered_child(*p, [] { return make_socket(AF_NETLINK, SOCK_RAW); }), 0);
  int sv[2];
  EXPECT_EQ(in_filtered_child(*p, [&] { return static_cast<long>(socketpair(AF_UNIX, SOCK_STREAM, 0, sv)); }), 0);
  EXPECT_EQ(in_filtered_child(*p, [&] { return static_cast<long>(socketpair(AF_INET, SOCK_STREAM, 0, sv)); }), -EAFNOSUPPORT);
  // Without the rule the kernel answers itself (no CAP_NET_RAW in the host's network namespace).
  auto lifted = compile_seccomp({}, {"socket"}, SeccompAction::kErrno);
  ASSERT_TRUE(lifted);
  EXPECT_EQ(in_filtered_child(*lifted, [] { return make_socket(AF_PACKET, SOCK_RAW); }), -EPERM);
}

// What a test process could do to its cell's init (pid 1), which serves the next test.
struct InitCall {
  const char* what;
  long (*call)();
};
long set_fsize(long pid) {
  struct rlimit r = {0, 0};
  return syscall(SYS_prlimit64, pid, RLIMIT_FSIZE, &r, nullptr);
}
long set_affinity(long pid) {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) < 0) return -1;
  return syscall(SYS_sched_setaffinity, pid, sizeof set, &set);
}
long set_attr(long pid) {
  // struct sched_attr, first version (<linux/sched/types.h> clashes with glibc's <sched.h>)
  struct {
    uint32_t size, policy;
    uint64_t flags;
    int32_t nice;
    uint32_t priority;
    uint64_t runtime, deadline, period;
  } attr = {};
  attr.size = sizeof attr;
  attr.policy = SCHED_OTHER;
  return syscall(SYS_sched_setattr, pid, &attr, 0);
}
long move_pages_of(long pid) {
  int node = 0;
  return syscall(SYS_move_pages, pid, 0, nullptr, &node, nullptr, 0);
}
const long kBestEffort7 = IOPRIO_PRIO_VALUE(IOPRIO_CLASS_BE, 7);
const long kNobody = 12345;  // a uid with no process: (PRIO_USER, kNobody) changes nothing anywhere
const InitCall kChangesInit[] = {
    {"prlimit64(1, FSIZE, new)", [] { return set_fsize(1); }},
    {"prlimit64(1 | 1 << 32, ...)", [] { return set_fsize(1 | (1L << 32)); }},
    {"setpriority(PRIO_PROCESS, 1)", [] { return syscall(SYS_setpriority, PRIO_PROCESS, 1, 19); }},
    {"setpriority(PRIO_PGRP, 1)", [] { return syscall(SYS_setpriority, PRIO_PGRP, 1, 19); }},
    {"setpriority(PRIO_USER, ...)", [] { return syscall(SYS_setpriority, PRIO_USER, kNobody, 19); }},
    {"ioprio_set(WHO_PROCESS, 1)", [] { return syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 1, kBestEffort7); }},
    {"ioprio_set(WHO_PGRP, 1)", [] { return syscall(SYS_ioprio_set, IOPRIO_WHO_PGRP, 1, kBestEffort7); }},
    {"ioprio_set(WHO_USER, ...)", [] { return syscall(SYS_ioprio_set, IOPRIO_WHO_USER, kNobody, kBestEffort7); }},
    {"sched_setaffinity(1)", [] { return set_affinity(1); }},
    {"sched_setscheduler(1)", [] {
       struct sched_param sp = {};
       return syscall(SYS_sched_setscheduler, 1, SCHED_OTHER, &sp);
     }},
    {"sched_setparam(1)", [] {
       struct sched_param sp = {};
       return syscall(SYS_sched_setparam, 1, &sp);
     }},
    {"sched_setattr(1)", [] { return set_attr(1); }},
    {"migrate_pages(1)", [] {
       unsigned long nodes = 1;
       return syscall(SYS_migrate_pages, 1, 8 * sizeof nodes, &nodes, &nodes);
     }},
    {"move_pages(1, nodes)", [] { return move_pages_of(1); }},
    {"setpgid(0, 1)", [] { return syscall(SYS_setpgid, 0, 1); }},
};
// The same on the caller itself (pid 0), and the getters: allowed.
const InitCall kLeavesInitAlone[] = {
    {"prlimit64(0, FSIZE, new)", [] { return set_fsize(0); }},
    {"prlimit64(1, FSIZE, NULL, old)", [] {
       struct rlimit r;
       return syscall(SYS_prlimit64, 1, RLIMIT_FSIZE, nullptr, &r);
     }},
    {"setpriority(PRIO_PROCESS, 0)", [] { return syscall(SYS_setpriority, PRIO_PROCESS, 0, 19); }},
    {"setpriority(PRIO_PGRP, 0)", [] { return syscall(SYS_setpriority, PRIO_PGRP, 0, 19); }},
    {"getpriority(PRIO_PROCESS, 1)", [] { return syscall(SYS_getpriority, PRIO_PROCESS, 1); }},
    {"ioprio_set(WHO_PROCESS, 0)", [] { return syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, kBestEffort7); }},
    {"ioprio_get(WHO_PROCESS, 1)", [] { return syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 1); }},
    {"sched_setaffinity(0)", [] { return set_affinity(0); }},
    {"sched_getaffinity(1)", [] {
       cpu_set_t set;
       return syscall(SYS_sched_getaffinity, 1, sizeof set, &set);
     }},
    {"sched_setattr(0)", [] { return set_attr(0); }},
    {"move_pages(1, NULL)", [] { return syscall(SYS_move_pages, 1, 0, nullptr, nullptr, nullptr, 0); }},
    {"setpgid(0, 0)", [] { return syscall(SYS_setpgid, 0, 0); }},
};

TEST(SeccompPolicy, CallsThatWouldChangeTheCellsInitAreDenied) {
  auto p = compile_seccomp({}, {}, SeccompAction::kErrno);
  // Without the rules, the kernel allows each of them (same uid): the refusal is the filter's.
  auto lifted = compile_seccomp({}, {"prlimit64", "setpriority", "ioprio_set", "sched_setaffinity", "sched_setscheduler",
                                     "sched_setparam", "sched_setattr", "migrate_pages", "move_pages", "setpgid"},
                                SeccompAction::kErrno);
  ASSERT_TRUE(p && lifted);
  for (const InitCall& c : kChangesInit) {
    EXPECT_EQ(in_filtered_child(*p, c.call, true), -EPERM) << c.what;
    EXPECT_NE(in_filtered_child(*lifted, c.call, true), -EPERM) << c.what;
  }
  for (const InitCall& c : kLeavesInitAlone) EXPECT_GE(in_filtered_child(*p, c.call, true), 0) << c.what;
}

TEST(SeccompPolicy, KillModeKillsForInitButNotForSocketFamilies) {
  auto p = compile_seccomp({}, {}, SeccompAction::kKill);
  ASSERT_TRUE(p);
  const uint32_t native = seccomp_arch_native();
  EXPECT_EQ(verdict(*p, native, __NR_prlimit64, {1, RLIMIT_FSIZE, 0x1000}), SECCOMP_RET_USER_NOTIF);
  EXPECT_EQ(verdict(*p, native, __NR_prlimit64, {0, RLIMIT_FSIZE, 0x1000}), kAllow);
  EXPECT_EQ(verdict(*p, native, __NR_setpriority, {PRIO_USER, 0, 19}), SECCOMP_RET_USER_NOTIF);
  EXPECT_EQ(verdict(*p, native, __NR_socket, {AF_VSOCK}), kEafnosupport);
  EXPECT_STREQ(p->name_of(native, __NR_prlimit64), "prlimit64");
  EXPECT_STREQ(p->name_of(native, __NR_sched_setaffinity), "sched_setaffinity");
#ifdef __x86_64__
  const int i386_prlimit = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86, "prlimit64");
  EXPECT_EQ(verdict(*p, AUDIT_ARCH_I386, i386_prlimit, {1, RLIMIT_FSIZE, 0x1000}), SECCOMP_RET_USER_NOTIF);
  EXPECT_STREQ(p->name_of(AUDIT_ARCH_I386, i386_prlimit), "prlimit64");
#endif
}

TEST(SeccompPolicy, KillModeNotifiesInsteadOfFailing) {
  auto errno_prog = compile_seccomp({}, {}, SeccompAction::kErrno);
  auto kill_prog = compile_seccomp({}, {}, SeccompAction::kKill);
  ASSERT_TRUE(errno_prog && kill_prog);
  EXPECT_EQ(kill_prog->action, SeccompAction::kKill);
  auto returns = [](const SeccompProgram& p, uint32_t ret) {
    for (const auto& insn : p.bpf)
      if (insn.code == (BPF_RET | BPF_K) && (insn.k & SECCOMP_RET_ACTION_FULL) == ret) return true;
    return false;
  };
  EXPECT_TRUE(returns(*kill_prog, SECCOMP_RET_USER_NOTIF));
  EXPECT_FALSE(returns(*errno_prog, SECCOMP_RET_USER_NOTIF));
  EXPECT_TRUE(returns(*errno_prog, SECCOMP_RET_ERRNO));
}

}  // namespace
}  // namespace litbox::sandbox
