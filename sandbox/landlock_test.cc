// The Landlock layer against the real kernel: each check runs in a forked child that applies the
// ruleset to itself (the test process stays unrestricted).
#include "sandbox/landlock.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/capability.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <string>

#include <gtest/gtest.h>

#include "support/testing/temp_dir.h"

namespace litbox::sandbox {
namespace {

using litbox::testing::TempDir;

void write_text(const std::string& path, const char* text) {
  int fd = open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0666);
  ASSERT_GE(fd, 0) << path << ": " << strerror(errno);
  ASSERT_EQ(write(fd, text, strlen(text)), static_cast<ssize_t>(strlen(text)));
  close(fd);
}

// What a child found: one errno per check (0: the call worked), -1 where it never got.
struct Checks {
  static constexpr int kMax = 24;
  int v[kMax];
  LandlockInfo info;
};

// errno of a failed call, 0 for success.
int err(long rc) { return rc < 0 ? errno : 0; }

// Runs body(checks) in a forked child and returns what it recorded.
template <typename F>
Checks in_child(F body) {
  Checks c;
  for (int& x : c.v) x = -1;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0) abort();
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    body(c);
    (void)!write(fds[1], &c, sizeof c);
    _exit(0);
  }
  close(fds[1]);
  if (read(fds[0], &c, sizeof c) != static_cast<ssize_t>(sizeof c)) c.v[0] = -2;  // the child died
  close(fds[0]);
  int st = 0;
  waitpid(pid, &st, 0);
  return c;
}

// In a child: no_new_privs (what lets an unprivileged process restrict itself), then the policy.
int apply(std::initializer_list<const char*> writable, LandlockInfo* info) {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return errno;
  return landlock_restrict(writable.begin(), static_cast<int>(writable.size()), info);
}

// Skips the test when the kernel lacks what it checks: Landlock with a grantable REFER (ABI 2),
// or the scopes (ABI 6). Decided by the kernel's ABI, not by what landlock_probe() plans.
#define REQUIRE_ABI(min)                                                                     \
  do {                                                                                       \
    LandlockSupport s_ = landlock_probe();                                                   \
    if (s_.abi < (min))                                                                      \
      GTEST_SKIP() << "kernel lacks the feature (needs Landlock ABI " << (min) << "): " << describe(s_); \
  } while (0)
#define REQUIRE_LANDLOCK() REQUIRE_ABI(2)
#define REQUIRE_SCOPES() REQUIRE_ABI(6)

TEST(Landlock, ProbeAgreesWithTheKernel) {
  long v = syscall(SYS_landlock_create_ruleset, nullptr, 0, 1U /* LANDLOCK_CREATE_RULESET_VERSION */);
  const int e = errno;
  LandlockSupport s = landlock_probe();
  RecordProperty("landlock", describe(s));
  if (v < 0) {
    EXPECT_EQ(s.state, LandlockState::kUnavailable);
    EXPECT_EQ(s.error, e);
    EXPECT_EQ(s.abi, 0);
    EXPECT_NE(describe(s).find("Landlock unavailable ("), std::string::npos) << describe(s);
    return;
  }
  EXPECT_EQ(s.abi, v);
  if (v < kLandlockMinAbi) {
    EXPECT_EQ(s.state, LandlockState::kAbiTooOld);
    EXPECT_EQ(s.handled_fs, 0u);
    return;
  }
  EXPECT_EQ(s.state, LandlockState::kEnforced);
  uint64_t fs = kLandlockAccessFsWriteFile | kLandlockAccessFsRefer;
  if (v >= 3) fs |= kLandlockAccessFsTruncate;
  EXPECT_EQ(s.handled_fs, fs);
  EXPECT_EQ(s.scoped, v >= 6 ? kLandlockScopeAbstractUnixSocket | kLandlockScopeSignal : 0u);
  if (v >= 6) {
    EXPECT_EQ(describe(s), "Landlock ABI " + std::to_string(v) +
                               ": writes only beneath the writable paths (write_file, truncate, refer); "
                               "scoped: abstract unix sockets, signals; not controlled: connect() to "
                               "pathname unix sockets");
  }
}

// The point of the layer: a FIFO in a directory the mounts leave reachable cannot be opened for
// writing unless it is beneath a writable path.
TEST(Landlock, FifoOutsideTheWritablePathsCannotBeOpenedForWriting) {
  REQUIRE_LANDLOCK();
  TempDir allowed, other;
  const std::string in = allowed / "fifo", out = other / "fifo";
  ASSERT_EQ(mkfifo(in.c_str(), 0666), 0);
  ASSERT_EQ(mkfifo(out.c_str(), 0666), 0);
  Checks c = in_child([&](Checks& k) {
    k.v[0] = apply({allowed.path().c_str()}, &k.info);
    // A reader first, so that a write open would otherwise succeed (no ENXIO).
    int r_out = open(out.c_str(), O_RDONLY | O_NONBLOCK);
    k.v[1] = err(r_out);
    k.v[2] = err(open(out.c_str(), O_WRONLY | O_NONBLOCK));
    k.v[3] = err(open(out.c_str(), O_RDWR | O_NONBLOCK));
    int r_in = open(in.c_str(), O_RDONLY | O_NONBLOCK);
    int w_in = open(in.c_str(), O_WRONLY | O_NONBLOCK);
    k.v[4] = err(w_in);
    char ch = 0;
    k.v[5] = w_in >= 0 && write(w_in, "y", 1) == 1 && read(r_in, &ch, 1) == 1 && ch == 'y' ? 0 : EIO;
  });
  ASSERT_EQ(c.v[0], 0) << strerror(c.v[0]);
  EXPECT_EQ(c.info.state, LandlockState::kEnforced);
  EXPECT_NE(c.info.handled_fs & kLandlockAccessFsWriteFile, 0u);
  EXPECT_EQ(c.v[1], 0) << "reading is not restricted";
  EXPECT_EQ(c.v[2], EACCES) << "O_WRONLY on a FIFO outside the writable paths";
  EXPECT_EQ(c.v[3], EACCES) << "O_RDWR on a FIFO outside the writable paths";
  EXPECT_EQ(c.v[4], 0) << "O_WRONLY on a FIFO beneath a writable path";
  EXPECT_EQ(c.v[5], 0) << "data through the FIFO beneath a writable path";
}

// Regular files: writes, truncation, renames and links between directories work beneath the
// writable paths; elsewhere reading, listing and executing still work, writing does not.
TEST(Landlock, RegularFilesBeneathAndOutsideTheWritablePaths) {
  REQUIRE_LANDLOCK();
  TempDir allowed, other;
  ASSERT_EQ(mkdir((allowed / "a").c_str(), 0755), 0);
  ASSERT_EQ(mkdir((allowed / "b").c_str(), 0755), 0);
  write_text(allowed / "a/old", "old");
  write_text(other / "file", "x");
  const std::string made = allowed / "a/new", old_file = allowed / "a/old", moved = allowed / "b/moved",
                    linked = allowed / "b/linked", outside = other / "file", outside_new = other / "new";
  Checks c = in_child([&](Checks& k) {
    k.v[0] = apply({allowed.path().c_str()}, &k.info);
    int fd = open(made.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    k.v[1] = err(fd);
    k.v[2] = fd >= 0 && write(fd, "abc", 3) == 3 ? 0 : EIO;
    k.v[3] = err(open(old_file.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
    k.v[4] = err(truncate(made.c_str(), 1));
    k.v[5] = err(rename(old_file.c_str(), moved.c_str()));  // a/ -> b/: LANDLOCK_ACCESS_FS_REFER
    k.v[6] = err(link(made.c_str(), linked.c_str()));
    k.v[7] = err(open(outside.c_str(), O_WRONLY | O_CLOEXEC));
    k.v[8] = err(open(outside.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC));
    k.v[9] = err(truncate(outside.c_str(), 0));
    int rfd = open(outside.c_str(), O_RDONLY | O_CLOEXEC);
    char ch = 0;
    k.v[10] = rfd >= 0 && read(rfd, &ch, 1) == 1 && ch == 'x' ? 0 : EIO;
    int dfd = open(other.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    k.v[11] = err(dfd);
    pid_t p = fork();
    if (p == 0) {
      execl("/bin/true", "true", static_cast<char*>(nullptr));
      _exit(126);
    }
    int st = -1;
    waitpid(p, &st, 0);
    k.v[12] = WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : EIO;
    k.v[13] = err(open(outside_new.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
  });
  ASSERT_EQ(c.v[0], 0) << strerror(c.v[0]);
  EXPECT_EQ(c.v[1], 0) << "create beneath a writable path";
  EXPECT_EQ(c.v[2], 0) << "write";
  EXPECT_EQ(c.v[3], 0) << "O_TRUNC";
  EXPECT_EQ(c.v[4], 0) << "truncate()";
  EXPECT_EQ(c.v[5], 0) << "rename into another directory";
  EXPECT_EQ(c.v[6], 0) << "link into another directory";
  EXPECT_EQ(c.v[7], EACCES) << "O_WRONLY outside";
  EXPECT_EQ(c.v[8], EACCES) << "O_APPEND outside";
  const bool has_truncate = (c.info.handled_fs & kLandlockAccessFsTruncate) != 0;
  EXPECT_EQ(c.v[9], has_truncate ? EACCES : 0) << "truncate() outside";
  EXPECT_EQ(c.v[10], 0) << "reading outside";
  EXPECT_EQ(c.v[11], 0) << "listing outside";
  EXPECT_EQ(c.v[12], 0) << "executing /bin/true";
  EXPECT_EQ(c.v[13], EACCES) << "O_CREAT|O_WRONLY outside";
  EXPECT_EQ(access((allowed / "b/moved").c_str(), F_OK), 0);
  EXPECT_EQ(access((allowed / "b/linked").c_str(), F_OK), 0);
}

// A writable path may be a single file (a rule on a file carries no REFER), given as an O_PATH fd.
TEST(Landlock, AWritableFileGivenAsAnFd) {
  REQUIRE_LANDLOCK();
  TempDir dir;
  write_text(dir / "one", "1");
  write_text(dir / "two", "2");
  int fd = open((dir / "one").c_str(), O_PATH | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  const std::string one = dir / "one", two = dir / "two";
  Checks c = in_child([&](Checks& k) {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return;
    k.v[0] = landlock_restrict_fds(&fd, 1, &k.info);
    k.v[1] = err(open(one.c_str(), O_WRONLY | O_CLOEXEC));
    k.v[2] = err(open(two.c_str(), O_WRONLY | O_CLOEXEC));
  });
  close(fd);
  ASSERT_EQ(c.v[0], 0) << strerror(c.v[0]);
  EXPECT_EQ(c.info.state, LandlockState::kEnforced);
  EXPECT_EQ(c.v[1], 0);
  EXPECT_EQ(c.v[2], EACCES);
}

TEST(Landlock, DevNullIsWritableWhenDevIsListed) {
  REQUIRE_LANDLOCK();
  TempDir allowed;
  Checks with_dev = in_child([&](Checks& k) {
    k.v[0] = apply({allowed.path().c_str(), "/dev"}, &k.info);
    int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    k.v[1] = err(fd);
    k.v[2] = fd >= 0 && write(fd, "abc", 3) == 3 ? 0 : EIO;
  });
  ASSERT_EQ(with_dev.v[0], 0) << strerror(with_dev.v[0]);
  EXPECT_EQ(with_dev.v[1], 0);
  EXPECT_EQ(with_dev.v[2], 0);
  // And it is that rule that allows it.
  Checks without = in_child([&](Checks& k) {
    k.v[0] = apply({allowed.path().c_str()}, &k.info);
    k.v[1] = err(open("/dev/null", O_WRONLY | O_CLOEXEC));
    k.v[2] = err(open("/dev/null", O_RDONLY | O_CLOEXEC));
  });
  ASSERT_EQ(without.v[0], 0);
  EXPECT_EQ(without.v[1], EACCES);
  EXPECT_EQ(without.v[2], 0);
}

// Fds the cell gets from outside keep working, and pipes (and other files with no path in the
// mount tree) can be re-opened through /proc/self/fd; a regular file outside cannot.
TEST(Landlock, PassedFdsAndProcSelfFdReopens) {
  REQUIRE_LANDLOCK();
  TempDir allowed, other;
  int p[2], sp[2];
  ASSERT_EQ(pipe2(p, O_CLOEXEC), 0);
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
  write_text(other / "pre", "0123456789");
  int pre = open((other / "pre").c_str(), O_WRONLY | O_CLOEXEC);
  ASSERT_GE(pre, 0);
  Checks c = in_child([&](Checks& k) {
    k.v[0] = apply({allowed.path().c_str()}, &k.info);
    k.v[1] = write(p[1], "a", 1) == 1 ? 0 : errno;
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", p[1]);
    int re = open(path, O_WRONLY | O_CLOEXEC);
    k.v[2] = err(re);
    k.v[3] = re >= 0 && write(re, "b", 1) == 1 ? 0 : EIO;
    k.v[4] = write(sp[0], "s", 1) == 1 ? 0 : errno;
    int q[2];
    if (pipe2(q, O_CLOEXEC) == 0) {
      snprintf(path, sizeof path, "/proc/self/fd/%d", q[1]);
      k.v[5] = err(open(path, O_WRONLY | O_CLOEXEC));
    }
    int m = static_cast<int>(syscall(SYS_memfd_create, "landlock-test", 1U /* MFD_CLOEXEC */));
    if (m >= 0) {
      snprintf(path, sizeof path, "/proc/self/fd/%d", m);
      k.v[6] = err(open(path, O_RDWR | O_CLOEXEC));
    }
    k.v[7] = write(pre, "x", 1) == 1 ? 0 : errno;  // opened before the domain
    k.v[8] = err(ftruncate(pre, 4));
    snprintf(path, sizeof path, "/proc/self/fd/%d", pre);
    k.v[9] = err(open(path, O_WRONLY | O_CLOEXEC));
    k.v[10] = err(open(path, O_RDONLY | O_CLOEXEC));
  });
  ASSERT_EQ(c.v[0], 0) << strerror(c.v[0]);
  EXPECT_EQ(c.v[1], 0) << "write to a pipe passed in";
  EXPECT_EQ(c.v[2], 0) << "re-open of that pipe through /proc/self/fd";
  EXPECT_EQ(c.v[3], 0) << "write through the re-opened pipe";
  EXPECT_EQ(c.v[4], 0) << "write to a socketpair passed in";
  EXPECT_EQ(c.v[5], 0) << "re-open of a new pipe through /proc/self/fd";
  EXPECT_EQ(c.v[6], 0) << "re-open of a memfd through /proc/self/fd";
  EXPECT_EQ(c.v[7], 0) << "write to a file opened for writing before";
  EXPECT_EQ(c.v[8], 0) << "ftruncate of a file opened for writing before";
  EXPECT_EQ(c.v[9], EACCES) << "re-open of that file, outside the writable paths, for writing";
  EXPECT_EQ(c.v[10], 0) << "re-open of that file for reading";
  char buf[4] = {};
  EXPECT_EQ(read(p[0], buf, 2), 2);
  EXPECT_EQ(std::string(buf, 2), "ab");
  EXPECT_EQ(read(sp[1], buf, 1), 1);
  EXPECT_EQ(buf[0], 's');
  struct stat st;
  ASSERT_EQ(fstat(pre, &st), 0);
  EXPECT_EQ(st.st_size, 4);
  close(pre);
  for (int fd : {p[0], p[1], sp[0], sp[1]}) close(fd);
}

// Binds an abstract unix socket "\0<name>" of `type`; returns its fd (listening if a stream).
int bind_abstract(int type, const std::string& name, sockaddr_un* addr, socklen_t* len) {
  int s = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
  if (s < 0) return -1;
  memset(addr, 0, sizeof *addr);
  addr->sun_family = AF_UNIX;
  memcpy(addr->sun_path + 1, name.data(), name.size());
  *len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
  if (bind(s, reinterpret_cast<sockaddr*>(addr), *len) < 0 || (type == SOCK_STREAM && listen(s, 4) < 0)) {
    close(s);
    return -1;
  }
  return s;
}

TEST(Landlock, AbstractUnixSocketsCreatedOutsideTheDomainAreOutOfReach) {
  REQUIRE_SCOPES();
  TempDir allowed;
  const std::string base = "litbox-landlock-test-" + std::to_string(getpid());
  const std::string inside_name = base + "-inside", inside_dgram_name = base + "-inside-dgram";
  sockaddr_un stream_addr, dgram_addr;
  socklen_t stream_len, dgram_len;
  int listener = bind_abstract(SOCK_STREAM, base + "-stream", &stream_addr, &stream_len);
  int dgram = bind_abstract(SOCK_DGRAM, base + "-dgram", &dgram_addr, &dgram_len);
  ASSERT_GE(listener, 0) << strerror(errno);
  ASSERT_GE(dgram, 0) << strerror(errno);
  Checks c = in_child([&](Checks& k) {
    // Before the domain: both reachable (so the failures below are the scope's).
    int before = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    k.v[1] = err(connect(before, reinterpret_cast<sockaddr*>(&stream_addr), stream_len));
    k.v[0] = apply({allowed.path().c_str()}, &k.info);
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    k.v[2] = err(connect(s, reinterpret_cast<sockaddr*>(&stream_addr), stream_len));
    int d = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    k.v[3] = err(sendto(d, "x", 1, 0, reinterpret_cast<sockaddr*>(&dgram_addr), dgram_len));
    // Made inside the domain: reachable.
    sockaddr_un in_addr, in_dgram_addr;
    socklen_t in_len, in_dgram_len;
    int l = bind_abstract(SOCK_STREAM, inside_name, &in_addr, &in_len);
    k.v[4] = err(l);
    int s2 = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    k.v[5] = err(connect(s2, reinterpret_cast<sockaddr*>(&in_addr), in_len));
    k.v[6] = err(accept4(l, nullptr, nullptr, SOCK_CLOEXEC));
    int ld = bind_abstract(SOCK_DGRAM, inside_dgram_name, &in_dgram_addr, &in_dgram_len);
    k.v[7] = err(ld);
    k.v[8] = err(sendto(d, "y", 1, 0, reinterpret_cast<sockaddr*>(&in_dgram_addr), in_dgram_len));
  });
  close(listener);
  close(dgram);
  ASSERT_EQ(c.v[0], 0) << strerror(c.v[0]);
  EXPECT_EQ(c.info.scoped & kLandlockScopeAbstractUnixSocket, kLandlockScopeAbstractUnixSocket);
  EXPECT_EQ(c.v[1], 0) << "connect before the domain";
  EXPECT_EQ(c.v[2], EPERM) << "connect to a stream socket bound outside";
  EXPECT_EQ(c.v[3], EPERM) << "sendto a datagram socket bound outside";
  EXPECT_EQ(c.v[4], 0) << "bind inside";
  EXPECT_EQ(c.v[5], 0) << "connect to a stream socket bound inside";
  EXPECT_EQ(c.v[6], 0) << "accept inside";
  EXPECT_EQ(c.v[7], 0) << "bind a datagram socket inside";
  EXPECT_EQ(c.v[8], 0) << "sendto a datagram socket bound inside";
}

TEST(Landlock, SignalsStayInsideTheDomain) {
  REQUIRE_SCOPES();
  TempDir allowed;
  // SIGCHLD blocked here so that we can see whether the kernel still sends it to us, the parent
  // outside the domain, when the child ends.
  sigset_t chld, old;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  ASSERT_EQ(sigprocmask(SIG_BLOCK, &chld, &old), 0);
  const struct timespec zero = {0, 0};
  while (sigtimedwait(&chld, nullptr, &zero) > 0) {
  }
  pid_t child = -1;
  int gotpid[2];
  ASSERT_EQ(pipe2(gotpid, O_CLOEXEC), 0);
  Checks c = in_child([&](Checks& k) {
    k.v[0] = apply({allowed.path().c_str()}, &k.info);
    k.v[1] = err(kill(getppid(), 0));
    k.v[2] = err(kill(getppid(), SIGURG));  // ignored by default, if it ever got there
    int ready[2];
    if (pipe2(ready, O_CLOEXEC) < 0) return;
    pid_t g = fork();
    if (g == 0) {
      int r = err(kill(getppid(), 0));  // the grandchild signals its parent: same domain
      (void)!write(ready[1], &r, sizeof r);
      pause();
      _exit(0);
    }
    int r = -1;
    (void)!read(ready[0], &r, sizeof r);
    k.v[3] = r;
    k.v[4] = err(kill(g, SIGTERM));
    int st = 0;
    waitpid(g, &st, 0);
    k.v[5] = WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM ? 0 : EIO;
    pid_t self = getpid();
    (void)!write(gotpid[1], &self, sizeof self);
  });
  close(gotpid[1]);
  (void)!read(gotpid[0], &child, sizeof child);
  close(gotpid[0]);
  struct timespec wait = {2, 0};
  siginfo_t si{};
  int sig = sigtimedwait(&chld, &si, &wait);
  sigprocmask(SIG_SETMASK, &old, nullptr);
  ASSERT_EQ(c.v[0], 0) << strerror(c.v[0]);
  EXPECT_EQ(c.info.scoped & kLandlockScopeSignal, kLandlockScopeSignal);
  EXPECT_EQ(c.v[1], EPERM) << "kill(parent, 0): the parent is outside the domain";
  EXPECT_EQ(c.v[2], EPERM) << "kill(parent, SIGURG)";
  EXPECT_EQ(c.v[3], 0) << "kill(parent, 0) from a grandchild: same domain";
  EXPECT_EQ(c.v[4], 0) << "kill(grandchild, SIGTERM): same domain";
  EXPECT_EQ(c.v[5], 0) << "the grandchild died of SIGTERM";
  EXPECT_EQ(sig, SIGCHLD) << "the parent outside the domain still gets SIGCHLD";
  EXPECT_EQ(si.si_pid, child);
}

// Init has PR_SET_PDEATHSIG(SIGKILL) on the runner, outside its domain: that signal comes from
// the dying parent, which the scope does not restrict.
TEST(Landlock, ParentDeathSignalFromOutsideTheDomainArrives) {
  REQUIRE_SCOPES();
  TempDir allowed;
  Checks c = in_child([&](Checks& k) {
    // This child adopts the orphan below, so it can see how it ended.
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) return;
    int ready[2];
    if (pipe2(ready, O_CLOEXEC) < 0) return;
    pid_t a = fork();
    if (a == 0) {
      pid_t parent = getpid();
      pid_t b = fork();
      if (b == 0) {
        int r = prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent ? EIO : 0;
        LandlockInfo info;
        if (!r) r = apply({allowed.path().c_str()}, &info);
        (void)!write(ready[1], &r, sizeof r);
        pause();
        _exit(0);
      }
      int r = -1;
      (void)!read(ready[0], &r, sizeof r);
      (void)!write(ready[1], &b, sizeof b);  // for the subreaper
      (void)!write(ready[1], &r, sizeof r);
      _exit(0);  // B's parent dies
    }
    pid_t b = -1;
    int r = -1;
    // A forwards B's pid and result after reading the result B wrote; read in that order.
    int st = 0;
    waitpid(a, &st, 0);
    (void)!read(ready[0], &b, sizeof b);
    (void)!read(ready[0], &r, sizeof r);
    k.v[0] = r;
    k.v[1] = ETIMEDOUT;
    for (int i = 0; i < 500; ++i) {
      pid_t w = waitpid(b, &st, WNOHANG);
      if (w == b) {
        k.v[1] = WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL ? 0 : EIO;
        break;
      }
      usleep(10000);
    }
    if (k.v[1] == ETIMEDOUT) {
      kill(b, SIGKILL);
      waitpid(b, &st, 0);
    }
  });
  ASSERT_EQ(c.v[0], 0) << strerror(c.v[0]);
  EXPECT_EQ(c.v[1], 0) << "the orphan in the domain was killed by its parent-death signal";
}

// Installs a filter that fails landlock_create_ruleset with `e`, as a kernel without Landlock
// (ENOSYS) or with Landlock disabled (EOPNOTSUPP) does.
int fake_no_landlock(int e) {
  struct sock_filter code[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_landlock_create_ruleset, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | static_cast<unsigned>(e)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = {static_cast<unsigned short>(sizeof code / sizeof code[0]), code};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return errno;
  return err(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog));
}

TEST(Landlock, UnavailableLandlockIsNotAnError) {
  TempDir allowed, other;
  const std::string fifo = other / "fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0666), 0);
  for (int e : {ENOSYS, EOPNOTSUPP}) {
    SCOPED_TRACE(strerror(e));
    Checks c = in_child([&](Checks& k) {
      k.v[0] = fake_no_landlock(e);
      LandlockSupport s = landlock_probe();
      k.v[1] = s.state == LandlockState::kUnavailable && s.error == e && s.abi == 0 && !s.enforced() ? 0 : EIO;
      k.v[2] = apply({allowed.path().c_str()}, &k.info);
      int r = open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
      k.v[3] = r >= 0 ? err(open(fifo.c_str(), O_WRONLY | O_NONBLOCK)) : errno;
    });
    ASSERT_EQ(c.v[0], 0) << strerror(c.v[0]);
    EXPECT_EQ(c.v[1], 0) << "probe";
    EXPECT_EQ(c.v[2], 0) << "landlock_restrict";
    EXPECT_EQ(c.info.state, LandlockState::kUnavailable);
    EXPECT_EQ(c.info.error, e);
    EXPECT_EQ(c.info.handled_fs, 0u);
    EXPECT_EQ(c.v[3], 0) << "nothing is enforced";
  }
  LandlockSupport none;
  none.error = ENOSYS;
  EXPECT_EQ(describe(none),
            "Landlock unavailable (Function not implemented): host FIFOs and other special files the "
            "read-only mounts do not protect can be opened for writing");
}

TEST(Landlock, ErrorsApplyNothing) {
  REQUIRE_LANDLOCK();
  TempDir allowed, other;
  const std::string missing = allowed / "missing", outside = other / "file";
  write_text(outside, "x");
  Checks c = in_child([&](Checks& k) {
    k.v[0] = apply({allowed.path().c_str(), missing.c_str()}, &k.info);
    k.v[1] = k.info.failed_index;
    LandlockInfo info;
    int bad = 1000;
    k.v[2] = landlock_restrict_fds(&bad, 1, &info);
    k.v[3] = info.failed_index;
    k.v[4] = landlock_restrict(nullptr, -1, &info);
    k.v[5] = landlock_restrict(nullptr, 1, &info);
    k.v[6] = err(open(outside.c_str(), O_WRONLY | O_CLOEXEC));  // nothing applied so far
  });
  EXPECT_EQ(c.v[0], ENOENT);
  EXPECT_EQ(c.v[1], 1);
  EXPECT_EQ(c.info.handled_fs, 0u);
  EXPECT_EQ(c.v[2], EBADF);
  EXPECT_EQ(c.v[3], 0);
  EXPECT_EQ(c.v[4], EINVAL);
  EXPECT_EQ(c.v[5], EINVAL);
  EXPECT_EQ(c.v[6], 0);
}

// Without no_new_privs a thread needs CAP_SYS_ADMIN (root runners have it, a cell's init has its
// namespace's until it drops them): without either, EPERM.
TEST(Landlock, WithoutNoNewPrivsOrCapabilitiesIsEperm) {
  REQUIRE_LANDLOCK();
  TempDir allowed, other;
  const std::string outside = other / "file";
  write_text(outside, "x");
  Checks c = in_child([&](Checks& k) {
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2] = {};
    k.v[0] = err(syscall(SYS_capset, &hdr, data));
    const char* paths[] = {allowed.path().c_str()};
    k.v[1] = landlock_restrict(paths, 1, &k.info);
    k.v[2] = err(open(outside.c_str(), O_WRONLY | O_CLOEXEC));
  });
  ASSERT_EQ(c.v[0], 0) << strerror(c.v[0]);
  EXPECT_EQ(c.v[1], EPERM);
  EXPECT_EQ(c.info.handled_fs, 0u);
  EXPECT_EQ(c.v[2], 0) << "nothing applied";
}

// A test in a cell may use Landlock itself: its domain nests in the cell's.
TEST(Landlock, ProcessesInTheDomainCanNestTheirOwn) {
  REQUIRE_LANDLOCK();
  TempDir allowed;
  ASSERT_EQ(mkdir((allowed / "sub").c_str(), 0755), 0);
  const std::string sub = allowed / "sub", top_file = allowed / "f", sub_file = allowed / "sub/f";
  Checks c = in_child([&](Checks& k) {
    k.v[0] = apply({allowed.path().c_str()}, &k.info);
    const char* inner[] = {sub.c_str()};
    LandlockInfo info;
    k.v[1] = landlock_restrict(inner, 1, &info);
    k.v[2] = err(open(sub_file.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
    k.v[3] = err(open(top_file.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
  });
  ASSERT_EQ(c.v[0], 0);
  EXPECT_EQ(c.v[1], 0);
  EXPECT_EQ(c.v[2], 0);
  EXPECT_EQ(c.v[3], EACCES);
}

}  // namespace
}  // namespace litbox::sandbox
