// Hostile tests: each tries one escape from docs/security.md inside a cell, and the check is
// made from outside (the host canary is untouched, the host listener saw nothing, ...). Every
// hostile action runs inside a cell only.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "sandbox/cell_fixture.h"

namespace litbox::sandbox {
namespace {

using testing::read_file;
using testing::run;
using testing::RunOptions;
using testing::testcase;
using testing::write_file;

TEST_F(CellTest, CannotWriteOutsideItsOutputs) {
  std::string canary = spec_.source_dir + "/canary";
  write_file(canary, "original");
  auto ex = executor();
  auto s = open(*ex);
  EXPECT_EQ(run(io, *s, {testcase(), "write", canary}).out, "write: EROFS\n");
  EXPECT_EQ(run(io, *s, {testcase(), "write", spec_.source_dir + "/new"}).out, "write: EROFS\n");
  EXPECT_EQ(run(io, *s, {testcase(), "write", "/etc/litbox-canary"}).out, "write: EROFS\n");
  EXPECT_EQ(run(io, *s, {testcase(), "write", "/usr/bin/true"}).out, "write: EROFS\n");
  s->close();
  EXPECT_EQ(read_file(canary), "original");
  EXPECT_FALSE(std::filesystem::exists(spec_.source_dir + "/new"));
  EXPECT_FALSE(std::filesystem::exists("/etc/litbox-canary"));
}

TEST_F(CellTest, CannotModifyAnotherTestsOutputsInTheSameOutputDir) {
  std::string sibling = spec_.output_dir + "/bar.test.tmp";
  write_file(sibling, "bar's output");
  auto ex = executor();
  auto s = open(*ex);
  // The sibling's files are not even visible; what the test writes under the sibling's name
  // lands in its private view and is not published.
  EXPECT_EQ(run(io, *s, {testcase(), "read", sibling}).out, "read: ENOENT\n");
  EXPECT_EQ(run(io, *s, {testcase(), "write", sibling, "overwritten"}).out, "write: ok\n");
  EXPECT_EQ(run(io, *s, {"/bin/rm", "-rf", spec_.output_dir + "/.litbox"}).status.code, 0);
  s->close();
  EXPECT_EQ(read_file(sibling), "bar's output");
}

TEST_F(CellTest, CannotReachAnotherDirectorysOutputs) {
  std::string other = dir / "build/other/Output";
  std::filesystem::create_directories(other);
  write_file(other + "/x.test.tmp", "x's output");
  auto ex = executor();
  auto s = open(*ex);
  // EROFS, or ENOENT when the tree happens to be below the host's /tmp (invisible in a cell).
  std::string out = run(io, *s, {testcase(), "write", other + "/x.test.tmp"}).out;
  EXPECT_TRUE(out == "write: EROFS\n" || out == "write: ENOENT\n") << out;
  s->close();
  EXPECT_EQ(read_file(other + "/x.test.tmp"), "x's output");
}

TEST_F(CellTest, CannotReadHiddenPaths) {
  std::string secret_dir = dir / "home", secret_file = dir / "etc-secret";
  std::filesystem::create_directories(secret_dir + "/.ssh");
  write_file(secret_dir + "/.ssh/id_rsa", "PRIVATE KEY");
  write_file(secret_file, "password");
  SandboxSpec spec;
  spec.hidden = {secret_dir, secret_file};
  auto ex = executor(spec);
  auto s = open(*ex);
  EXPECT_EQ(run(io, *s, {testcase(), "read", secret_dir + "/.ssh/id_rsa"}).out, "read: ENOENT\n");
  EXPECT_EQ(run(io, *s, {testcase(), "ls", secret_dir}).out, "ls: 0 entries\n");
  EXPECT_EQ(run(io, *s, {testcase(), "read", secret_file}).out, "read: EACCES\n");
  EXPECT_EQ(run(io, *s, {testcase(), "write", secret_dir + "/planted"}).out, "write: EROFS\n");
}

TEST_F(CellTest, SourceAndOutputsStayVisibleBelowAHiddenPath) {
  // The usual layout: the whole tree is under $HOME, which is hidden.
  SandboxSpec spec;
  spec.hidden = {dir.path()};
  std::string other_file = dir / "private";
  write_file(other_file, "not for tests");
  auto ex = executor(spec);
  auto s = open(*ex);
  EXPECT_EQ(run(io, *s, {testcase(), "read", spec_.source_path}).out, "read: ok 10 bytes: RUN: true\n\n");
  EXPECT_EQ(run(io, *s, {testcase(), "write", t(), "out"}).out, "write: ok\n");
  EXPECT_EQ(run(io, *s, {testcase(), "read", other_file}).out, "read: ENOENT\n");
  s->close();
  ex.reset();  // a reset cell publishes the test's outputs once init reports; this waits
  EXPECT_EQ(read_file(t()), "out");
}

TEST_F(CellTest, CannotSeeTheHostsTmp) {
  char host_tmp[] = "/tmp/litbox-host-tmp.XXXXXX";
  int fd = mkstemp(host_tmp);
  ASSERT_GE(fd, 0);
  close(fd);
  auto ex = executor();
  auto s = open(*ex);
  EXPECT_EQ(run(io, *s, {testcase(), "read", host_tmp}).out, "read: ENOENT\n");
  unlink(host_tmp);
}

TEST_F(CellTest, CannotReachTheHostsLoopbackServices) {
  int l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  struct sockaddr_in sa = {};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof sa;
  ASSERT_EQ(bind(l, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
  ASSERT_EQ(listen(l, 8), 0);
  ASSERT_EQ(getsockname(l, reinterpret_cast<sockaddr*>(&sa), &len), 0);
  auto ex = executor();
  auto s = open(*ex);
  EXPECT_EQ(run(io, *s, {testcase(), "connect", std::to_string(ntohs(sa.sin_port))}).out, "connect: ECONNREFUSED\n");
  s->close();
  EXPECT_LT(accept(l, nullptr, nullptr), 0);  // the listener saw no connection
  EXPECT_EQ(errno, EAGAIN);
  close(l);
}

TEST_F(CellTest, NetworkCanBeAllowed) {
  int l = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sa = {};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof sa;
  ASSERT_EQ(bind(l, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
  ASSERT_EQ(listen(l, 8), 0);
  ASSERT_EQ(getsockname(l, reinterpret_cast<sockaddr*>(&sa), &len), 0);
  SandboxSpec spec;
  spec.network = true;
  auto ex = executor(spec);
  auto s = open(*ex);
  EXPECT_EQ(run(io, *s, {testcase(), "connect", std::to_string(ntohs(sa.sin_port))}).out, "connect: ok\n");
  close(l);
}

TEST_F(CellTest, CannotSignalOrTraceHostProcesses) {
  pid_t victim = fork();
  if (victim == 0) {
    pause();
    _exit(0);
  }
  auto ex = executor();
  auto s = open(*ex);
  EXPECT_EQ(run(io, *s, {testcase(), "kill", std::to_string(victim)}).out, "kill: ESRCH\n");
  EXPECT_EQ(run(io, *s, {testcase(), "ptrace", std::to_string(victim)}).out, "ptrace: ESRCH\n");
  // kill(-1): "every process it may signal" is only itself and its init, which are exempt.
  EXPECT_EQ(run(io, *s, {testcase(), "kill", "-1"}).out, "kill: ESRCH\n");
  s->close();
  EXPECT_EQ(waitpid(victim, nullptr, WNOHANG), 0);  // still alive
  kill(victim, SIGKILL);
  waitpid(victim, nullptr, 0);
}

TEST_F(CellTest, DaemonsDoNotOutliveTheTest) {
  auto ex = executor();
  auto s = open(*ex);
  // The daemon keeps the command's stdout open: its read end sees EOF only once every holder
  // is dead.
  int out[2];
  ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
  exec::SpawnRequest req;
  req.argv = {testcase(), "daemon"};
  req.cwd = "/";
  req.stdout_fd = out[1];
  bool exited = false;
  s->spawn(req, [&](exec::ExitStatus st) {
    EXPECT_EQ(st.code, 0);
    exited = true;
  });
  close(out[1]);
  io.restart();
  while (!exited) io.run_one();
  char buf[64];
  EXPECT_EQ(read(out[0], buf, sizeof buf), 11);  // "daemon: ok\n"; then the daemon holds on
  struct pollfd p = {out[0], POLLIN, 0};
  EXPECT_EQ(poll(&p, 1, 0), 0);  // no EOF: the daemon is alive
  s->close();
  EXPECT_EQ(read(out[0], buf, sizeof buf), 0);  // blocks until the daemon is gone
  close(out[0]);
}

TEST_F(CellTest, ForkBombIsContained) {
  SandboxSpec spec;
  spec.max_processes = 50;
  auto ex = executor(spec);
  auto s = open(*ex);
  RunOptions o;
  o.wait_for_eof = false;  // the bomb's children keep stdout open until the cell dies
  auto r = run(io, *s, {testcase(), "forkbomb"}, o);
  int forked = 0;
  char err[32] = {};
  ASSERT_EQ(sscanf(r.out.c_str(), "forkbomb: %31s after %d", err, &forked), 2) << r.out;
  EXPECT_STREQ(err, "EAGAIN");
  EXPECT_LT(forked, 50);
  s->close();
  // The host can still fork.
  pid_t p = fork();
  if (p == 0) _exit(0);
  ASSERT_GT(p, 0);
  waitpid(p, nullptr, 0);
}

TEST_F(CellTest, MemoryBombIsContained) {
  SandboxSpec spec;
  spec.limits.address_space = 512 << 20;
  auto ex = executor(spec);
  auto s = open(*ex);
  auto r = run(io, *s, {testcase(), "membomb"});
  size_t mib = 0;
  ASSERT_EQ(sscanf(r.out.c_str(), "membomb: stopped at %zu MiB", &mib), 1) << r.out;
  EXPECT_LT(mib, 512u);
  EXPECT_GT(mib, 0u);
}

TEST_F(CellTest, FillingTmpStopsAtItsSize) {
  SandboxSpec spec;
  spec.tmp_size = 8 << 20;
  auto ex = executor(spec);
  auto s = open(*ex);
  EXPECT_EQ(run(io, *s, {testcase(), "fill", "/tmp/fill"}).out, "fill: ENOSPC after 8 MiB\n");
  EXPECT_FALSE(std::filesystem::exists("/tmp/fill"));
}

TEST_F(CellTest, FileSizeLimitApplies) {
  SandboxSpec spec;
  spec.limits.file_size = 1 << 20;
  auto ex = executor(spec);
  auto s = open(*ex);
  auto r = run(io, *s, {testcase(), "fill", "/tmp/big"});
  EXPECT_EQ(r.status.signal, SIGXFSZ);
}

TEST_F(CellTest, CannotInjectIntoATerminal) {
  int master = posix_openpt(O_RDWR | O_NOCTTY);
  ASSERT_GE(master, 0);
  ASSERT_EQ(grantpt(master), 0);
  ASSERT_EQ(unlockpt(master), 0);
  int slave = ::open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
  ASSERT_GE(slave, 0);
  auto ex = executor();
  auto s = open(*ex);
  RunOptions o;
  o.stdin_fd = slave;
  EXPECT_EQ(run(io, *s, {testcase(), "tiocsti", "0"}, o).out, "tiocsti: EPERM\n");
  close(slave);
  close(master);
}

TEST_F(CellTest, CannotMount) {
  auto ex = executor();
  auto s = open(*ex);
  EXPECT_EQ(run(io, *s, {testcase(), "mount"}).out, "mount: EPERM\n");
  EXPECT_EQ(run(io, *s, {testcase(), "remount"}).out, "remount: EPERM\n");
  EXPECT_EQ(run(io, *s, {testcase(), "umount", "/tmp"}).out, "umount: EPERM\n");
  EXPECT_EQ(run(io, *s, {testcase(), "chroot"}).out, "chroot: EPERM\n");
}

TEST_F(CellTest, CannotCreateNamespaces) {
  auto ex = executor();
  auto s = open(*ex);
  EXPECT_EQ(run(io, *s, {testcase(), "unshare"}).out, "unshare: EPERM\n");
  EXPECT_EQ(run(io, *s, {testcase(), "unshare-net"}).out, "unshare-net: EPERM\n");
  EXPECT_EQ(run(io, *s, {testcase(), "clone-newuser"}).out, "clone-newuser: EPERM\n");
  EXPECT_EQ(run(io, *s, {"/usr/bin/unshare", "-U", "true"}).status.code, 1);
}

TEST_F(CellTest, CannotUseKeyrings) {
  auto ex = executor();
  auto s = open(*ex);
  EXPECT_EQ(run(io, *s, {testcase(), "keyctl"}).out, "keyctl: EPERM\n");
  EXPECT_EQ(run(io, *s, {testcase(), "add_key"}).out, "add_key: EPERM\n");
}

TEST_F(CellTest, CannotChangeTheHostThroughProcOrDev) {
  auto ex = executor();
  auto s = open(*ex);
  EXPECT_EQ(run(io, *s, {testcase(), "write", "/proc/sys/kernel/domainname", "evil"}).out, "write: EROFS\n");
  EXPECT_EQ(run(io, *s, {"/bin/chmod", "000", "/dev/null"}).status.code, 1);
  EXPECT_EQ(run(io, *s, {testcase(), "sethostname"}).out, "sethostname: EPERM\n");
  struct stat st;
  ASSERT_EQ(stat("/dev/null", &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0666u);
}

TEST_F(CellTest, OnlyLocalIpAndNetlinkSocketsCanBeMade) {
  auto ex = executor();
  auto s = open(*ex);
  for (const char* family : {"unix", "inet", "inet6", "netlink"})
    EXPECT_EQ(run(io, *s, {testcase(), "socket", family}).out, "socket: ok\n") << family;
  for (const char* family : {"vsock", "packet", "alg"})
    EXPECT_EQ(run(io, *s, {testcase(), "socket", family}).out, "socket: EAFNOSUPPORT\n") << family;
  EXPECT_EQ(run(io, *s, {testcase(), "socketpair", "unix"}).out, "socketpair: ok\n");
  EXPECT_EQ(run(io, *s, {testcase(), "socketpair", "inet"}).out, "socketpair: EAFNOSUPPORT\n");
}

// A system call this build cannot name (newer than its libseccomp) is refused as on an older
// kernel, in both modes: ENOSYS, which makes libc fall back, not EPERM.
TEST_F(CellTest, ASystemCallNewerThanThePolicyFailsWithEnosys) {
  const int nr = testing::unknown_syscall_the_kernel_has();
  if (nr < 0) GTEST_SKIP() << "this kernel has no system call newer than libseccomp's table (listmount, lsm_list_modules, mseal)";
  for (bool kill : {false, true}) {
    SandboxSpec spec;
    spec.seccomp_kill = kill;
    auto ex = executor(spec);
    auto s = open(*ex);
    auto r = run(io, *s, {testcase(), "syscall", std::to_string(nr)});
    EXPECT_EQ(r.out, "syscall: ENOSYS\n") << nr << (kill ? " (kill mode)" : "");
    EXPECT_EQ(r.status.code, 0);
  }
}

// The cell's init (pid 1) has the test processes' uid and serves the next test of a reused
// cell: its limits, priority and affinity are out of their reach, their own are not.
TEST_F(CellTest, CannotChangeItsInit) {
  auto ex = executor();
  auto s = open(*ex);
  auto sh = [&](const std::string& script) { return run(io, *s, {"/bin/sh", "-c", script}); };
  for (const char* cmd : {"prlimit --pid 1 --fsize=0", "renice -n 19 -p 1", "taskset -p 1 1"}) {
    auto r = sh(cmd);
    EXPECT_NE(r.status.code, 0) << cmd;
    EXPECT_NE(r.err.find("Operation not permitted"), std::string::npos) << cmd << ": " << r.err;
  }
  // Test processes are in init's session: joining its process group would make (PRIO_PGRP, 0)
  // name init.
  EXPECT_EQ(run(io, *s, {testcase(), "setpgid", "1"}).out, "setpgid: EPERM\n");
  auto own = sh("prlimit --pid $$ --fsize=0 && renice -n 19 -p $$ && taskset -p 1 $$");
  EXPECT_EQ(own.status.code, 0) << own.err;
  // Reading init's settings is fine.
  EXPECT_EQ(sh("prlimit --pid 1 --fsize --noheadings --raw --output SOFT").out, "unlimited\n");
}

TEST_F(CellTest, KillModeNamesTheDeniedSyscall) {
  SandboxSpec spec;
  spec.seccomp_kill = true;
  auto ex = executor(spec);
  auto s = open(*ex);
  auto r = run(io, *s, {testcase(), "mount"});
  EXPECT_EQ(r.status.signal, SIGSYS);
  EXPECT_EQ(r.status.denied_syscall, "mount");
  EXPECT_EQ(r.status.error, "sandbox: system call mount denied by the seccomp policy (process killed with SIGSYS)");
  EXPECT_EQ(r.err, "litbox: sandbox: system call mount denied by the seccomp policy; killing process with SIGSYS\n");
  EXPECT_EQ(r.out, "");
  // Allowed calls are unaffected, and the cell goes on.
  EXPECT_EQ(run(io, *s, {testcase(), "exit", "5"}).status.code, 5);
  // Changing init is a violation too; a socket family outside the list is only unsupported.
  auto r2 = run(io, *s, {"/usr/bin/prlimit", "--pid", "1", "--fsize=0"});
  EXPECT_EQ(r2.status.signal, SIGSYS);
  EXPECT_EQ(r2.status.denied_syscall, "prlimit64");
  EXPECT_EQ(r2.status.error, "sandbox: system call prlimit64 denied by the seccomp policy (process killed with SIGSYS)");
  auto r3 = run(io, *s, {testcase(), "socket", "vsock"});
  EXPECT_EQ(r3.out, "socket: EAFNOSUPPORT\n");
  EXPECT_EQ(r3.status.code, 0);
}

TEST_F(CellTest, PolicyEditsApply) {
  SandboxSpec spec;
  spec.deny_syscalls = {"uname"};
  spec.allow_syscalls = {"keyctl"};
  auto ex = executor(spec);
  auto s = open(*ex);
  EXPECT_EQ(run(io, *s, {"/bin/uname"}).status.code, 1);
  EXPECT_EQ(run(io, *s, {testcase(), "keyctl"}).out, "keyctl: ok\n");
}

TEST_F(CellTest, RunnerDeathKillsTheCell) {
  // A child process plays the runner: it opens a cell, starts a long command that holds a pipe,
  // and is SIGKILLed. PR_SET_PDEATHSIG must take the whole cell down (the pipe sees EOF).
  int out[2];
  ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
  int ready[2];
  ASSERT_EQ(pipe2(ready, O_CLOEXEC), 0);
  pid_t runner = fork();
  if (runner == 0) {
    boost::asio::io_context child_io;
    SandboxSpec spec;
    spec.readonly.push_back(std::filesystem::path(testcase()).parent_path());
    auto ex = make_executor(child_io, spec);
    if (!ex) _exit(1);
    auto sess = (*ex)->open(exec::SessionSpec{});
    if (!sess) _exit(1);
    exec::SpawnRequest req;
    req.argv = {"/bin/sh", "-c", "echo up; exec " + std::string(testcase()) + " sleep 1000"};
    req.cwd = "/";
    req.stdout_fd = out[1];
    (*sess)->spawn(req, [](exec::ExitStatus) {});
    (void)!write(ready[1], "r", 1);
    child_io.run();  // serve the cell until killed
    _exit(0);
  }
  close(out[1]);
  close(ready[1]);
  char c;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  char up[3];
  ASSERT_EQ(read(out[0], up, 3), 3);  // the command runs in the cell
  kill(runner, SIGKILL);
  waitpid(runner, nullptr, 0);
  char buf[16];
  EXPECT_EQ(read(out[0], buf, sizeof buf), 0);  // every writer is dead
  close(out[0]);
  close(ready[0]);
}

}  // namespace
}  // namespace litbox::sandbox
