// Who a test is on the host (docs/security.md, "Identity and privileges"): never host root. A
// root runner's tests run as the cell user, an unprivileged host uid; an unprivileged runner's
// keep its uid. Checked from outside the cell where the promise is about the host.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>

#include "sandbox/cell_fixture.h"
#include "sandbox/cell_identity.h"
#include "sandbox/landlock.h"
#include "support/sandbox_skip.h"

namespace litbox::sandbox {
namespace {

using testing::read_file;
using testing::run;
using testing::testcase;

// The host uid of the cell's processes: the owner, seen from the host, of a file a test process
// made in the cell's /tmp.
uid_t host_uid_of_cell_files(exec::Session& s, boost::asio::io_context& io) {
  EXPECT_EQ(run(io, s, {testcase(), "write", "/tmp/mine"}).out, "write: ok\n");
  auto* cell = dynamic_cast<CellSession*>(&s);
  Expected<int> root = cell->root_fd();
  struct stat st {};
  EXPECT_TRUE(root && fstatat(*root, "tmp/mine", &st, AT_SYMLINK_NOFOLLOW) == 0);
  return st.st_uid;
}

TEST_F(CellTest, TestProcessesAreNeverHostRoot) {
  auto ex = executor();
  auto s = open(*ex);
  const uid_t host = host_uid_of_cell_files(*s, io);
  if (geteuid() == 0) {
    EXPECT_NE(host, 0u);
    EXPECT_EQ(host, cell_identity(false).host_uid);
    // Inside, the cell user is uid 0, as lit's tests see a root runner; host root is 65534.
    EXPECT_EQ(run(io, *s, {testcase(), "id"}).out.substr(0, 10), "uid=0 gid=") << run(io, *s, {testcase(), "id"}).out;
  } else {
    EXPECT_EQ(host, geteuid());
  }
  std::string groups = run(io, *s, {testcase(), "status", "Groups"}).out;
  EXPECT_EQ(groups.substr(0, 7), "Groups:");
  EXPECT_EQ(groups.find_first_of("0123456789"), std::string::npos) << groups;  // no supplementary group
  s->close();
}

TEST_F(CellTest, CannotReadWhatOnlyHostRootMayRead) {
  ASSERT_TRUE(std::filesystem::exists("/etc/shadow"));
  auto ex = executor();
  auto s = open(*ex);
  EXPECT_EQ(run(io, *s, {testcase(), "read", "/etc/shadow"}).out, "read: EACCES\n");
  // Nor through the runner's own file work for the test (a redirection `< /etc/shadow`).
  exec::FileSystem& fs = s->fs();
  int fd = fs.open("/etc/shadow", O_RDONLY);
  EXPECT_EQ(fd, -EACCES);
  if (fd >= 0) close(fd);
  // A file the runner creates for the test (`> %t`) belongs to the test's user.
  int out = fs.open(t(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(out, 0);
  struct stat st {};
  fstat(out, &st);
  close(out);
  EXPECT_EQ(st.st_uid, cell_identity(false).host_uid);
  s->close();
}

// A FIFO at `path` (in the suite's tree) with permission bits `mode`, and the host's reader of
// it (non-blocking, so that a write would not block): the read-only mount does not stop a FIFO.
int host_fifo_reader(const std::string& path, mode_t mode) {
  if (mkfifo(path.c_str(), mode) != 0) return -1;
  chmod(path.c_str(), mode);
  return ::open(path.c_str(), O_RDONLY | O_NONBLOCK);
}

// Checked from outside once the cell is closed: nothing reached the host's reader.
void expect_nothing_written(int reader) {
  char buf[16];
  EXPECT_LE(read(reader, buf, sizeof buf), 0);
  close(reader);
}

TEST_F(CellTest, CannotConnectToARootOnlySocketOrWriteARootOnlyFifo) {
  if (geteuid() != 0) GTEST_SKIP() << "the objects must belong to another user than the runner: run as root";
  // Host objects in a tree the cell sees (the suite's), open to their owner only.
  const std::string sock_path = spec_.source_dir + "/host.sock", fifo = spec_.source_dir + "/host.fifo";
  int ls = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un sa = {};
  sa.sun_family = AF_UNIX;
  strncpy(sa.sun_path, sock_path.c_str(), sizeof sa.sun_path - 1);
  ASSERT_EQ(bind(ls, reinterpret_cast<struct sockaddr*>(&sa), sizeof sa), 0);
  ASSERT_EQ(listen(ls, 4), 0);
  chmod(sock_path.c_str(), 0600);
  int reader = host_fifo_reader(fifo, 0600);
  ASSERT_GE(reader, 0);
  auto ex = executor();
  auto s = open(*ex);
  EXPECT_EQ(run(io, *s, {testcase(), "connect-unix", sock_path}).out, "connect-unix: EACCES\n");
  EXPECT_EQ(run(io, *s, {testcase(), "write-fifo", fifo}).out, "write-fifo: EACCES\n");
  s->close();
  expect_nothing_written(reader);
  close(ls);
}

TEST_F(CellTest, CannotWriteAHostFifoItsModeAllows) {
  const LandlockSupport ll = landlock_probe();
  if (!ll.enforced()) LITBOX_SKIP_OR_FAIL(describe(ll));
  const std::string fifo = spec_.source_dir + "/open.fifo";
  int reader = host_fifo_reader(fifo, 0666);
  ASSERT_GE(reader, 0);
  auto ex = executor();
  auto s = open(*ex);
  EXPECT_EQ(run(io, *s, {testcase(), "write-fifo", fifo}).out, "write-fifo: EACCES\n");
  // Its own FIFOs, in its temp dir, work.
  const std::string f = s->environment_overrides().at("TMPDIR") + "/f";
  EXPECT_EQ(run(io, *s, {"/bin/sh", "-c", "mkfifo " + f + " && (cat " + f + " &) && echo hi > " + f}).status.code, 0);
  s->close();
  expect_nothing_written(reader);
}

// The suite's tree under the host's /tmp, whatever TMPDIR says: set before CellTest's TempDir
// is made, put back after.
class TmpdirIsHostTmp {
 protected:
  TmpdirIsHostTmp() {
    const char* old = getenv("TMPDIR");
    if (old) saved_ = old;
    had_ = old != nullptr;
    setenv("TMPDIR", "/tmp", 1);
  }
  ~TmpdirIsHostTmp() {
    if (had_) setenv("TMPDIR", saved_.c_str(), 1);
    else unsetenv("TMPDIR");
  }

 private:
  std::string saved_;
  bool had_ = false;
};
class CellTestBelowTmp : private TmpdirIsHostTmp, public CellTest {};

// A tree below the host's /tmp is bound inside the cell's own /tmp, and a Landlock rule on /tmp
// would reach it (rules cover mounts below their path): the cell may then write only in its own
// directories there, its TMPDIR among them, and the tree's FIFO stays closed.
TEST_F(CellTestBelowTmp, AHostTreeBelowTmpKeepsItsFifosClosed) {
  const LandlockSupport ll = landlock_probe();
  if (!ll.enforced()) LITBOX_SKIP_OR_FAIL(describe(ll));
  ASSERT_EQ(dir.path().rfind("/tmp/", 0), 0u) << dir.path();
  const std::string fifo = spec_.source_dir + "/open.fifo";
  int reader = host_fifo_reader(fifo, 0666);
  ASSERT_GE(reader, 0);
  auto ex = executor();
  auto s = open(*ex);
  EXPECT_EQ(run(io, *s, {testcase(), "write-fifo", fifo}).out, "write-fifo: EACCES\n");
  const std::string tmp = s->environment_overrides().at("TMPDIR");
  EXPECT_EQ(tmp, "/tmp/.litbox/tmp");
  EXPECT_EQ(run(io, *s, {"/bin/sh", "-c", "echo x > " + tmp + "/ok && cat " + tmp + "/ok"}).out, "x\n");
  EXPECT_EQ(run(io, *s, {"/bin/sh", "-c", "echo x > " + t() + " && cat " + t()}).out, "x\n") << "%t stays writable";
  EXPECT_NE(run(io, *s, {"/bin/sh", "-c", "echo x > /tmp/elsewhere"}).status.code, 0);
  s->close();
  expect_nothing_written(reader);
}

// Landlock's rules for such a cell are on its /tmp/.litbox/{home,shm,tmp} directories, which a
// test may remove and make again (no rule then covers the new one): the reset finds that out
// and retires the cell, so the next test gets a new cell whose TMPDIR is writable.
TEST_F(CellTestBelowTmp, ATempDirMadeAgainRetiresTheCell) {
  const LandlockSupport ll = landlock_probe();
  if (!ll.enforced()) LITBOX_SKIP_OR_FAIL(describe(ll));
  auto ex = executor();
  auto a = open(*ex);
  EXPECT_EQ(run(io, *a, {"/bin/sh", "-c", "rmdir /tmp/.litbox/tmp && mkdir -m 1777 /tmp/.litbox/tmp && echo remade"}).out,
            "remade\n");
  a->close();
  a.reset();
  for (int i = 0; i < 100; ++i) {  // let the reset finish, whatever it decides
    io.restart();
    io.run_one_for(std::chrono::milliseconds(10));
  }
  exec::SessionSpec next = spec_;
  next.test_name = "suite :: bar.test";
  next.source_path = dir / "src/bar.test";
  next.tmp_prefix = dir / "build/Output/bar.test";
  auto b = open(*ex, next);
  EXPECT_EQ(run(io, *b, {"/bin/sh", "-c", "echo x > /tmp/.litbox/tmp/ok && cat /tmp/.litbox/tmp/ok"}).out, "x\n");
}

TEST_F(CellTest, SeesAnAllowListedHost) {
  auto ex = executor();
  auto s = open(*ex);
  for (const char* hidden : {"/run", "/var", "/srv", "/mnt", "/home", "/root", "/sys"}) {
    // (Not one that holds this test's own tree, which is bound back below it.)
    if (!std::filesystem::is_directory(hidden) || dir.path().rfind(std::string(hidden) + "/", 0) == 0) continue;
    EXPECT_EQ(run(io, *s, {testcase(), "ls", hidden}).out, "ls: 0 entries\n") << hidden;
  }
  EXPECT_EQ(run(io, *s, {testcase(), "read", "/etc/hostname"}).status.code, 0);
  EXPECT_NE(run(io, *s, {testcase(), "ls", "/usr/bin"}).out, "ls: 0 entries\n");
  // The test's own tree stays visible even below a hidden top-level directory.
  EXPECT_EQ(run(io, *s, {testcase(), "read", spec_.source_path}).out, "read: ok 10 bytes: RUN: true\n\n");
  s->close();
}

TEST_F(CellTest, Proc1CmdlineDoesNotShowTheRunnersArguments) {
  auto ex = executor();
  auto s = open(*ex);
  std::string out = run(io, *s, {testcase(), "read", "/proc/1/cmdline"}).out;
  EXPECT_NE(out.find(" bytes: litbox-cell\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("litbox_sandbox_tests"), std::string::npos) << out;
  s->close();
}

TEST_F(CellTest, AForkBombStopsAtTheProcessCap) {
  SandboxSpec spec;
  spec.max_processes = 32;
  auto ex = executor(spec);
  auto s = open(*ex);
  std::string out = run(io, *s, {testcase(), "forkbomb", "litbox-identity-test"}).out;
  EXPECT_EQ(out.substr(0, 23), "forkbomb: EAGAIN after ") << out;
  EXPECT_LE(std::stoi(out.substr(23)), 32) << out;
  s->close();
}

}  // namespace
}  // namespace litbox::sandbox
