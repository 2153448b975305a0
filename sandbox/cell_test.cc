// A cell does what a Session promises: commands of one test share its files, exit statuses
// and failures come back right, and the cell looks the way docs/security.md says.
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <optional>

#include <gtest/gtest.h>

#include "sandbox/cell_fixture.h"

namespace litbox::sandbox {
namespace {

using testing::read_file;
using testing::run;
using testing::RunOptions;
using testing::testcase;
using testing::write_file;

TEST(Probe, CellsCanBeMadeOnThisMachine) {
  Status s = probe();
  if (!s) LITBOX_SKIP_OR_FAIL("no sandbox here: " << s.error().message);
  SUCCEED();
}

TEST_F(CellTest, ExitCodesPropagate) {
  auto ex = executor();
  auto s = open(*ex);
  auto r = run(io, *s, {testcase(), "exit", "3"});
  EXPECT_EQ(r.status.code, 3);
  EXPECT_EQ(r.status.signal, 0);
  EXPECT_FALSE(r.status.setup_failure);
  EXPECT_EQ(run(io, *s, {testcase(), "exit", "0"}).status.lit_code(), 0);
}

TEST_F(CellTest, SignalDeathsPropagate) {
  auto ex = executor();
  auto s = open(*ex);
  auto r = run(io, *s, {testcase(), "signal", std::to_string(SIGSEGV)});
  EXPECT_EQ(r.status.signal, SIGSEGV);
  EXPECT_EQ(r.status.lit_code(), -SIGSEGV);
}

TEST_F(CellTest, ExecFailureIsReportedNotSetupFailure) {
  auto ex = executor();
  auto s = open(*ex);
  auto r = run(io, *s, {"/nonexistent/tool", "x"});
  EXPECT_EQ(r.status.code, 127);
  EXPECT_EQ(r.status.error, "exec /nonexistent/tool: No such file or directory");
  EXPECT_FALSE(r.status.setup_failure);
  // The cell is still fine afterwards.
  EXPECT_EQ(run(io, *s, {testcase(), "exit", "4"}).status.code, 4);
}

TEST_F(CellTest, ExecutableRunsWithArgv0AsWritten) {
  auto ex = executor();
  auto s = open(*ex);
  RunOptions o;
  o.executable = "/bin/sh";
  auto r = run(io, *s, {"as-written", "-c", "echo $0"}, o);
  EXPECT_EQ(r.status.code, 0) << r.status.error;
  EXPECT_EQ(r.out, "as-written\n");
  o.executable = "/nonexistent/tool";
  r = run(io, *s, {"tool", "x"}, o);
  EXPECT_EQ(r.status.code, 127);
  EXPECT_EQ(r.status.error, "exec /nonexistent/tool: No such file or directory");
}

TEST_F(CellTest, ChdirFailureIsReported) {
  auto ex = executor();
  auto s = open(*ex);
  RunOptions o;
  o.cwd = "/no/such/dir";
  auto r = run(io, *s, {testcase(), "exit", "0"}, o);
  EXPECT_EQ(r.status.code, 127);
  EXPECT_EQ(r.status.error, "chdir /no/such/dir: No such file or directory");
}

TEST_F(CellTest, SetupFailureIsReportedAsSetupFailure) {
  SandboxSpec spec;
  spec.binfmt_rules = {":bad:Q:::::"};  // type Q does not exist
  auto ex = executor(spec);
  auto s = open(*ex);
  auto r = run(io, *s, {testcase(), "exit", "0"});
  EXPECT_TRUE(r.status.setup_failure);
  EXPECT_EQ(r.status.error, "sandbox: register binfmt_misc rule 'bad': Invalid argument");
  auto* cell = dynamic_cast<CellSession*>(s.get());
  ASSERT_NE(cell, nullptr);
  auto root = cell->root_fd();
  ASSERT_FALSE(root);
  EXPECT_EQ(root.error().message, "sandbox: register binfmt_misc rule 'bad': Invalid argument");
}

TEST_F(CellTest, FilesPersistBetweenCommandsOfATest) {
  auto ex = executor();
  auto s = open(*ex);
  EXPECT_EQ(run(io, *s, {testcase(), "write", t(), "in %t"}).out, "write: ok\n");
  EXPECT_EQ(run(io, *s, {testcase(), "write", "/tmp/x", "in /tmp"}).out, "write: ok\n");
  EXPECT_EQ(run(io, *s, {testcase(), "read", t()}).out, "read: ok 5 bytes: in %t\n");
  EXPECT_EQ(run(io, *s, {testcase(), "read", "/tmp/x"}).out, "read: ok 7 bytes: in /tmp\n");
}

TEST_F(CellTest, OutputsAppearAtTheSamePathOutsideAfterClose) {
  auto ex = executor();
  auto s = open(*ex);
  EXPECT_EQ(run(io, *s, {"/bin/mkdir", "-p", t() + ".d/sub"}).status.code, 0);
  EXPECT_EQ(run(io, *s, {testcase(), "write", t() + ".d/sub/f", "nested"}).out, "write: ok\n");
  EXPECT_EQ(run(io, *s, {testcase(), "write", t(), "main"}).out, "write: ok\n");
  s->close();
  ex.reset();  // a reset cell publishes the test's outputs once init reports; this waits
  EXPECT_EQ(read_file(t()), "main");
  EXPECT_EQ(read_file(t() + ".d/sub/f"), "nested");
}

TEST_F(CellTest, NewOutputsReplaceOldOnes) {
  std::filesystem::create_directories(t() + ".d/old");
  write_file(t(), "old");
  auto ex = executor();
  auto s = open(*ex);
  // A fresh view: the previous run's outputs are not visible inside.
  EXPECT_EQ(run(io, *s, {testcase(), "read", t()}).out, "read: ENOENT\n");
  EXPECT_EQ(run(io, *s, {"/bin/mkdir", "-p", t() + ".d/new"}).status.code, 0);
  EXPECT_EQ(run(io, *s, {testcase(), "write", t(), "new"}).out, "write: ok\n");
  s->close();
  ex.reset();  // a reset cell publishes the test's outputs once init reports; this waits
  EXPECT_EQ(read_file(t()), "new");
  EXPECT_TRUE(std::filesystem::exists(t() + ".d/new"));
  EXPECT_FALSE(std::filesystem::exists(t() + ".d/old"));
}

TEST_F(CellTest, RunnerSideFileOperationsGoThroughTheCell) {
  auto ex = executor();
  auto s = open(*ex);
  int fd = s->fs().open(t(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0) << strerror(-fd);
  ASSERT_EQ(::write(fd, "from runner", 11), 11);
  ::close(fd);
  EXPECT_EQ(run(io, *s, {testcase(), "read", t()}).out, "read: ok 11 bytes: from runner\n");
  EXPECT_EQ(s->fs().mkdir(t() + ".d", 0755), 0);
  EXPECT_EQ(run(io, *s, {testcase(), "write", t() + ".d/f", "x"}).out, "write: ok\n");
  std::vector<exec::DirEntry> entries;
  ASSERT_EQ(s->fs().list_dir(t() + ".d", &entries), 0);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].name, "f");
  // The cell's read-only mounts apply to the runner's work too; its /tmp is the cell's.
  EXPECT_EQ(s->fs().open(spec_.source_dir + "/new", O_WRONLY | O_CREAT, 0644), -EROFS);
  EXPECT_EQ(run(io, *s, {testcase(), "write", "/tmp/in-cell"}).out, "write: ok\n");
  struct stat st;
  EXPECT_EQ(s->fs().stat("/tmp/in-cell", &st), 0);
  // A symlink the test plants cannot lead the runner out of the cell.
  EXPECT_EQ(run(io, *s, {"/bin/ln", "-s", spec_.source_dir + "/canary", t() + ".link"}).status.code, 0);
  EXPECT_EQ(s->fs().open(t() + ".link", O_WRONLY | O_CREAT | O_TRUNC, 0644), -EROFS);
  EXPECT_FALSE(std::filesystem::exists(spec_.source_dir + "/canary"));
}

TEST_F(CellTest, ReadinessCanBeAwaitedWithoutBlocking) {
  auto ex = executor();
  auto s = open(*ex);
  auto* cell = dynamic_cast<CellSession*>(s.get());
  ASSERT_NE(cell, nullptr);
  std::optional<Status> ready;
  cell->async_wait_ready([&](Status st) { ready = st; });
  EXPECT_FALSE(ready);  // never called back synchronously
  io.restart();
  while (!ready) io.run_one();
  EXPECT_TRUE(*ready);
  int fd = s->fs().open(t(), O_WRONLY | O_CREAT, 0644);  // does not block now
  EXPECT_GE(fd, 0);
  ::close(fd);

  SandboxSpec bad;
  bad.binfmt_rules = {":bad:Q:::::"};
  auto ex2 = executor(bad);
  auto s2 = open(*ex2);
  std::optional<Status> failed;
  dynamic_cast<CellSession*>(s2.get())->async_wait_ready([&](Status st) { failed = st; });
  while (!failed) io.run_one();
  ASSERT_FALSE(*failed);
  EXPECT_EQ(failed->error().message, "sandbox: register binfmt_misc rule 'bad': Invalid argument");
}

TEST_F(CellTest, FileSystemReportsSetupFailuresAsEio) {
  SandboxSpec spec;
  spec.binfmt_rules = {":bad:Q:::::"};
  auto ex = executor(spec);
  auto s = open(*ex);
  // FileSystem's convention: open returns -errno, the other calls errno.
  EXPECT_EQ(s->fs().mkdir(t(), 0755), EIO);
  EXPECT_EQ(s->fs().open(t(), O_RDONLY), -EIO);
  struct stat st;
  EXPECT_EQ(s->fs().stat(t(), &st), EIO);
}

TEST_F(CellTest, ProcessesRunInTheirOwnNamespacesAndSession) {
  auto ex = executor();
  auto s = open(*ex);
  auto r = run(io, *s, {testcase(), "id"});
  // pid 1 is the cell's init; the first command is pid 2, in its own process group and in the
  // session init made (new, without a controlling terminal), and has no tty.
  std::string expected = "uid=" + std::to_string(getuid()) + " gid=" + std::to_string(getgid()) +
                         " pid=2 ppid=1 host=litbox cwd=/ sid=1 pgid=2 tty=0\n";
  EXPECT_EQ(r.out, expected);
}

TEST_F(CellTest, HostnameComesFromTheSpec) {
  SandboxSpec spec;
  spec.hostname = "cellhost";
  auto ex = executor(spec);
  auto s = open(*ex);
  EXPECT_EQ(run(io, *s, {"/bin/hostname"}).out, "cellhost\n");
}

TEST_F(CellTest, EnvironmentOverridesPointIntoTheCell) {
  auto ex = executor();
  auto s = open(*ex);
  auto env = s->environment_overrides();
  EXPECT_EQ(env["TMPDIR"], "/tmp");
  EXPECT_EQ(env["HOME"], "/tmp/.litbox/home");
  EXPECT_EQ(run(io, *s, {testcase(), "write", env["HOME"] + "/.rc"}).out, "write: ok\n");
}

TEST_F(CellTest, TestProcessesSeeOnlyTheirStdioFds) {
  auto ex = executor();
  auto s = open(*ex);
  EXPECT_EQ(run(io, *s, {testcase(), "fds"}).out, "0 1 2 \n");
}

TEST_F(CellTest, TestProcessesHaveNoCapabilitiesAndAreFiltered) {
  auto ex = executor();
  auto s = open(*ex);
  auto r = run(io, *s, {testcase(), "status", "Cap"});
  EXPECT_EQ(r.out,
            "CapInh:\t0000000000000000\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\n"
            "CapBnd:\t0000000000000000\nCapAmb:\t0000000000000000\n");
  EXPECT_EQ(run(io, *s, {testcase(), "status", "NoNewPrivs"}).out, "NoNewPrivs:\t1\n");
  EXPECT_EQ(run(io, *s, {testcase(), "status", "Seccomp:"}).out, "Seccomp:\t2\n");
}

TEST_F(CellTest, DevIsMinimal) {
  auto ex = executor();
  auto s = open(*ex);
  auto r = run(io, *s, {"/bin/ls", "/dev"});
  EXPECT_EQ(r.out, "fd\nfull\nnull\nrandom\nshm\nstderr\nstdin\nstdout\nurandom\nzero\n");
  EXPECT_EQ(run(io, *s, {testcase(), "write", "/dev/null"}).out, "write: ok\n");
  EXPECT_EQ(run(io, *s, {testcase(), "write", "/dev/shm/seg"}).out, "write: ok\n");
  EXPECT_EQ(run(io, *s, {testcase(), "write", "/dev/stdout", "via /dev/stdout\n"}).out,
            "via /dev/stdout\nwrite: ok\n");
}

TEST_F(CellTest, ProcIsTheCellsOwn) {
  auto ex = executor();
  auto s = open(*ex);
  auto r = run(io, *s, {testcase(), "ls", "/proc"});
  std::string pids;
  for (size_t pos = 0, nl; (nl = r.out.find('\n', pos)) != std::string::npos; pos = nl + 1)
    if (isdigit(static_cast<unsigned char>(r.out[pos]))) pids += r.out.substr(pos, nl - pos) + " ";
  EXPECT_EQ(pids, "1 2 ");  // init and the command itself
}

TEST_F(CellTest, LoopbackWorksInsideTheCell) {
  auto ex = executor();
  auto s = open(*ex);
  EXPECT_EQ(run(io, *s, {testcase(), "listen-connect"}).out, "listen-connect: ok\n");
}

TEST_F(CellTest, LimitsApplyToEveryProcessAndRequestsCanLowerThem) {
  SandboxSpec spec;
  spec.limits.open_files = 200;
  auto ex = executor(spec);
  auto s = open(*ex);
  EXPECT_EQ(run(io, *s, {testcase(), "limit", std::to_string(RLIMIT_NOFILE)}).out, "limit: 200\n");
  RunOptions o;
  o.limits.open_files = 50;
  EXPECT_EQ(run(io, *s, {testcase(), "limit", std::to_string(RLIMIT_NOFILE)}, o).out, "limit: 50\n");
  o.limits.open_files = 5000;  // above the cell's limit: clamped, not an error
  EXPECT_EQ(run(io, *s, {testcase(), "limit", std::to_string(RLIMIT_NOFILE)}, o).out, "limit: 200\n");
}

TEST_F(CellTest, TerminateKillsARunningCommand) {
  auto ex = executor();
  auto s = open(*ex);
  exec::ExitStatus status;
  bool done = false;
  exec::SpawnRequest req;
  req.argv = {testcase(), "sleep", "1000"};
  req.cwd = "/";
  s->spawn(req, [&](exec::ExitStatus st) {
    status = st;
    done = true;
  });
  io.restart();
  io.poll();  // let the cell start
  s->terminate();
  while (!done) io.run_one();
  EXPECT_EQ(status.signal, SIGKILL);
  EXPECT_FALSE(status.setup_failure);
}

TEST_F(CellTest, LargeArgumentListsAndEnvironmentsArrive) {
  auto ex = executor();
  auto s = open(*ex);
  RunOptions o;
  // 1 MB of environment in strings below the kernel's 128 KiB per-string limit.
  for (int i = 0; i < 10; ++i) o.env.push_back("BIG" + std::to_string(i) + "=" + std::string(100000, 'x'));
  std::vector<std::string> argv = {"/bin/sh", "-c", "echo ${#BIG9} $#", "sh"};
  for (int i = 0; i < 20000; ++i) argv.push_back("arg" + std::to_string(i));
  auto r = run(io, *s, argv, o);
  EXPECT_EQ(r.out, "100000 20000\n") << r.status.error;
  // Beyond what execve takes, the failure is execve's own.
  o.env.push_back("HUGE=" + std::string(200000, 'x'));
  r = run(io, *s, {"/bin/true"}, o);
  EXPECT_EQ(r.status.code, 127);
  EXPECT_EQ(r.status.error, "exec /bin/true: Argument list too long");
}

TEST_F(CellTest, ADeadZygoteIsReplaced) {
  auto ex = executor();
  auto s = open(*ex);
  EXPECT_EQ(run(io, *s, {testcase(), "exit", "0"}).status.code, 0);
  s->close();
  // Find the zygote: our child in another user namespace but in our pid namespace (a cell's
  // init is in a pid namespace of its own: two NSpid entries).
  std::string self_ns = std::filesystem::read_symlink("/proc/self/ns/user").string();
  pid_t zygote = 0;
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    pid_t pid = static_cast<pid_t>(atoi(e.path().filename().c_str()));
    if (pid <= 0) continue;
    std::string status = read_file(e.path().string() + "/status");
    int ppid = 0, nspid = 0, inner = 0;
    size_t pp = status.find("\nPPid:"), ns = status.find("\nNSpid:");
    if (pp == std::string::npos || ns == std::string::npos) continue;
    sscanf(status.c_str() + pp, "\nPPid: %d", &ppid);
    int fields = sscanf(status.c_str() + ns, "\nNSpid: %d %d", &nspid, &inner);
    std::error_code ec;
    auto user_ns = std::filesystem::read_symlink(e.path() / "ns/user", ec);
    if (ppid == getpid() && fields == 1 && !ec && user_ns.string() != self_ns) zygote = pid;
  }
  ASSERT_GT(zygote, 0);
  ASSERT_EQ(kill(zygote, SIGKILL), 0);
  waitpid(zygote, nullptr, 0);
  auto s2 = open(*ex);
  EXPECT_EQ(run(io, *s2, {testcase(), "exit", "6"}).status.code, 6);
}

TEST_F(CellTest, CellsAreIndependent) {
  auto ex = executor();
  auto a = open(*ex);
  exec::SessionSpec other = spec_;
  other.tmp_prefix = spec_.output_dir + "/other.test";
  auto b = open(*ex, other);
  EXPECT_EQ(run(io, *a, {testcase(), "write", "/tmp/mine"}).out, "write: ok\n");
  EXPECT_EQ(run(io, *b, {testcase(), "read", "/tmp/mine"}).out, "read: ENOENT\n");
}

TEST_F(CellTest, ForeignBinariesRunThroughTheCellsBinfmtMisc) {
  const char* qemu = "/usr/bin/qemu-aarch64";
  if (access(qemu, X_OK) != 0) GTEST_SKIP() << qemu << " is not installed";
  if (system("aarch64-linux-gnu-gcc --version >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "aarch64-linux-gnu-gcc is not installed";
  struct utsname u;
  uname(&u);
  int major = 0, minor = 0;
  sscanf(u.release, "%d.%d", &major, &minor);
  if (major < 6 || (major == 6 && minor < 7))
    LITBOX_SKIP_OR_FAIL("binfmt_misc in a user namespace needs Linux 6.7, this is " << u.release);
  // In the test's source dir, which every cell shows (a build tree may be below /tmp).
  std::string src = spec_.source_dir + "/hello.c", bin = spec_.source_dir + "/hello-aarch64";
  write_file(src, "#include <stdio.h>\nint main(){puts(\"hello from aarch64\");return 7;}\n");
  ASSERT_EQ(system(("aarch64-linux-gnu-gcc -static -o " + bin + " " + src).c_str()), 0);
  SandboxSpec spec;
  spec.binfmt_rules = {
      ":qemu-aarch64:M::\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xb7\\x00:"
      "\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff:" +
      std::string(qemu) + ":F"};
  auto ex = executor(spec);
  auto s = open(*ex);
  auto r = run(io, *s, {bin});
  EXPECT_EQ(r.out, "hello from aarch64\n");
  EXPECT_EQ(r.status.code, 7);
  EXPECT_FALSE(r.status.setup_failure) << r.status.error;
  // The registration is the cell's own, and sealed.
  EXPECT_EQ(run(io, *s, {testcase(), "write", "/proc/sys/fs/binfmt_misc/register", ":x:E::x::/bin/sh:"}).out,
            "write: EROFS\n");
  EXPECT_NE(access("/proc/sys/fs/binfmt_misc/qemu-aarch64", F_OK), 0);
}

}  // namespace
}  // namespace litbox::sandbox
