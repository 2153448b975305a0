// The policy compiles once to BPF; loading it (here in a forked child only) denies exactly the
// listed calls.
#include "sandbox/seccomp_policy.h"

#include <errno.h>
#include <sched.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

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

// Loads `prog` in a child and returns what `call` returned there (-errno on failure).
template <typename F>
long in_filtered_child(const SeccompProgram& prog, F call) {
  int fds[2];
  if (pipe(fds) < 0) return -1000;
  pid_t pid = fork();
  if (pid == 0) {
    // Safety: if the filter let a mount through, it must land in a private mount namespace.
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0 || mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) _exit(1);
    struct sock_fprog fp = {static_cast<unsigned short>(prog.bpf.size()), const_cast<sock_filter*>(prog.bpf.data())};
    long rc = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 && syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) == 0
                  ? call()
                  : -2000;
    if (rc < 0 && rc > -1000) rc = -errno;
    (void)!write(fds[1], &rc, sizeof rc);
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

TEST(SeccompPolicy, AllowingCloneLiftsTheNamespaceRule) {
  auto p = compile_seccomp({}, {"clone", "unshare"}, SeccompAction::kErrno);
  ASSERT_TRUE(p);
  // Still refused, but by the kernel (no capability), not by the filter: EINVAL for a bogus flag.
  EXPECT_EQ(in_filtered_child(*p, [] { return syscall(SYS_unshare, 0x80000000UL); }), -EINVAL);
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
