// The ssh executor against a real OpenSSH server started by the test on 127.0.0.1, with a
// throwaway host key and client key. The "remote" directory is a local temp dir, so the tests
// can look at what the target sees.
#include "emulation/ssh_executor.h"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <thread>

#include "emulation/qemu.h"
#include "emulation/test_sshd.h"
#include "emulation/test_util.h"
#include "executor/process.h"
#include "support/strings.h"

namespace litbox::emulation {
namespace {

using testing::Captured;
using testing::list_dir;
using testing::probe;
using testing::read_file;
using testing::run_captured;
using testing::StdinKind;
using litbox::testing::TempDir;
using testing::write_file;

// Processes of group `pgid` that are still running (zombies waiting for their reaper do not
// count: they run nothing).
int live_in_group(int pgid) {
  int n = 0;
  for (const auto& entry : list_dir("/proc")) {
    if (entry.find_first_not_of("0123456789") != std::string::npos) continue;
    auto stat = read_file("/proc/" + entry + "/stat");
    if (!stat) continue;
    size_t close_paren = stat->rfind(')');
    if (close_paren == std::string::npos) continue;
    // Fields after "(comm)": state ppid pgrp ...
    char state = 0;
    int ppid = 0, pgrp = 0;
    if (sscanf(stat->c_str() + close_paren + 1, " %c %d %d", &state, &ppid, &pgrp) == 3 && pgrp == pgid && state != 'Z')
      ++n;
  }
  return n;
}

// A private sshd per test: started in SetUp, stopped by pid in TearDown.
class SshExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = sshd.start(device);
    if (r.outcome == testing::TestSshd::Outcome::skipped) GTEST_SKIP() << r.message;
    ASSERT_EQ(r.outcome, testing::TestSshd::Outcome::started) << r.message;
    settings = sshd.settings();
    mkdir((local / "Output").c_str(), 0755);
    spec.test_name = "suite :: t.c";
    spec.source_path = local / "t.c";
    spec.source_dir = local.path();
    spec.output_dir = local / "Output";
    spec.tmp_prefix = local / "Output/t.c";
  }

  void TearDown() override {
    executor.reset();
    // A closed session removes its remote directory in the background: let that finish
    // before the sshd goes (and before the io_context, which owns what it still holds).
    io.restart();
    io.run_for(std::chrono::seconds(30));
    sshd.stop();
  }

  exec::Executor& ex() {
    if (!executor) {
      auto e = make_ssh_executor(io, settings);
      EXPECT_TRUE(e.ok()) << e.error().message;
      executor = std::move(*e);
    }
    return *executor;
  }

  std::unique_ptr<exec::Session> open() {
    auto s = ex().open(spec);
    EXPECT_TRUE(s.ok());
    return std::move(*s);
  }

  exec::SpawnRequest request(std::vector<std::string> argv) {
    exec::SpawnRequest req;
    req.argv = std::move(argv);
    req.env = testing::test_env();
    req.cwd = local.path();
    return req;
  }

  // Runs the io_context until the cleanups the sessions started have finished.
  void drain() {
    io.restart();
    io.run_for(std::chrono::seconds(30));
  }

  testing::TestSshd sshd;
  const TempDir& work = sshd.work();
  TempDir local;
  bool device = false;  // start the simulated aarch64 device instead of a plain sshd
  SshSettings settings;
  exec::SessionSpec spec;
  boost::asio::io_context io;
  std::unique_ptr<exec::Executor> executor;
};

TEST_F(SshExecutorTest, RunsTheBinaryRemotelyWithStdoutAndExitCode) {
  auto s = open();
  std::string exe = local / "Output/t.c.tmp.exe";
  ASSERT_EQ(testing::run_command({"/bin/cp", probe("native"), exe}), 0);
  Captured c = run_captured(io, *s, request({exe, "out", "hello", "pwd", "args", "exit", "3"}));
  ASSERT_TRUE(c.finished);
  EXPECT_FALSE(c.status.setup_failure) << c.status.error;
  EXPECT_EQ(c.status.code, 3) << c.err;
  auto dirs = list_dir(work.path());
  ASSERT_EQ(dirs.size(), 1u);
  std::string remote = work / dirs[0];
  EXPECT_TRUE(starts_with(dirs[0], "litbox-"));
  EXPECT_EQ(c.out, "hello\n" + remote + "\nargv[0]=" + remote +
                       "/t.c.tmp.exe\nargv[1]=out\nargv[2]=hello\n"
                       "argv[3]=pwd\nargv[4]=args\nargv[5]=exit\nargv[6]=3\n");
  EXPECT_EQ(c.err, "");
  s->close();
  drain();
  EXPECT_TRUE(list_dir(work.path()).empty()) << "the remote directory was not removed";
}

TEST_F(SshExecutorTest, SystemProgramsAreTheTargets) {
  auto s = open();
  Captured c = run_captured(io, *s, request({"/bin/sh", "-c", "echo \"$0 in $PWD\"; exit 4"}));
  EXPECT_EQ(c.status.code, 4) << c.status.error << c.err;
  auto dirs = list_dir(work.path());
  ASSERT_EQ(dirs.size(), 1u);
  EXPECT_EQ(c.out, "sh in " + (work / dirs[0]) + "\n");
  EXPECT_EQ(list_dir(work / dirs[0] + "/.litbox"), std::vector<std::string>{"stamp"}) << "nothing was shipped";
}

TEST_F(SshExecutorTest, ExitCode255IsTheCommandsNotAnSshFailure) {
  auto s = open();
  Captured c = run_captured(io, *s, request({probe("native"), "exit", "255"}));
  EXPECT_FALSE(c.status.setup_failure) << c.status.error;
  EXPECT_EQ(c.status.code, 255);
}

TEST_F(SshExecutorTest, CrashesComeBackAsSignals) {
  auto s = open();
  Captured segv = run_captured(io, *s, request({probe("native"), "out", "x", "segv"}));
  EXPECT_EQ(segv.status.signal, SIGSEGV) << segv.status.error << segv.err;
  EXPECT_EQ(segv.out, "x\n");
  EXPECT_EQ(segv.err, "");
  Captured abrt = run_captured(io, *s, request({probe("native"), "abort"}));
  EXPECT_EQ(abrt.status.signal, SIGABRT);
  EXPECT_EQ(abrt.status.lit_code(), -SIGABRT);
}

TEST_F(SshExecutorTest, StdinFromAPipeAFileAndNothing) {
  auto s = open();
  std::string exe = local / "Output/t.c.tmp.exe";
  ASSERT_EQ(testing::run_command({"/bin/cp", probe("native"), exe}), 0);
  // A pipe: the executable is shipped by a separate ssh run, then stdin streams through.
  Captured piped = run_captured(io, *s, request({exe, "cat"}), StdinKind::pipe, "through the pipe\n");
  EXPECT_EQ(piped.status.code, 0) << piped.status.error << piped.err;
  EXPECT_EQ(piped.out, "through the pipe\n");
  // A regular file: shipped with the other files.
  Captured file = run_captured(io, *s, request({exe, "cat"}), StdinKind::file, "from a file\n");
  EXPECT_EQ(file.status.code, 0) << file.status.error << file.err;
  EXPECT_EQ(file.out, "from a file\n");
  // Nothing: /dev/null.
  Captured none = run_captured(io, *s, request({exe, "cat", "out", "done"}));
  EXPECT_EQ(none.out, "done\n");
  // A large stream.
  std::string big;
  for (int i = 0; i < 20000; ++i) big += "line " + std::to_string(i) + "\n";
  Captured large = run_captured(io, *s, request({exe, "cat"}), StdinKind::pipe, big);
  EXPECT_EQ(large.out, big);
}

TEST_F(SshExecutorTest, StderrIsRelayedApartFromTheStatus) {
  auto s = open();
  Captured c = run_captured(io, *s, request({probe("native"), "err", "first", "out", "o", "err", "no newline..."}));
  EXPECT_EQ(c.status.code, 0);
  EXPECT_EQ(c.out, "o\n");
  EXPECT_EQ(c.err, "first\nno newline...\n");
}

TEST_F(SshExecutorTest, InputFilesAreShippedAndOutputsUnderTheTestPrefixCopiedBack) {
  auto s = open();
  write_file(local / "Output/t.c.tmp.in", "input data\n");
  write_file(local / "data.txt", "source data\n");
  Captured c = run_captured(
      io, *s,
      request({probe("native"), "read", local / "Output/t.c.tmp.in", "read", local / "data.txt", "write",
               local / "Output/t.c.tmp.out", "result", "write", local / "Output/other-test.out", "not mine"}));
  EXPECT_EQ(c.status.code, 0) << c.status.error << c.err;
  EXPECT_EQ(c.out, "input data\nsource data\n");
  EXPECT_EQ(read_file(local / "Output/t.c.tmp.out"), "result\n");
  EXPECT_EQ(read_file(local / "Output/other-test.out"), std::nullopt);
  // The next command sees the file the previous one wrote, locally and remotely.
  Captured again = run_captured(io, *s, request({probe("native"), "read", local / "Output/t.c.tmp.out"}));
  EXPECT_EQ(again.out, "result\n");
}

TEST_F(SshExecutorTest, SharedLibrariesTheTestBuiltAreShipped) {
  std::string data = LITBOX_EMULATION_TESTDATA;
  ASSERT_EQ(testing::run_command({"/bin/cp", data + "/greet", local / "Output/t.c.tmp.exe"}), 0);
  ASSERT_EQ(testing::run_command({"/bin/cp", data + "/lib/libgreet.so", local / "Output/libgreet.so"}), 0);
  auto s = open();
  Captured c = run_captured(io, *s, request({local / "Output/t.c.tmp.exe"}));
  EXPECT_EQ(c.status.code, 0) << c.status.error << c.err;
  EXPECT_EQ(c.out, "hello from libgreet\n");
}

TEST_F(SshExecutorTest, EnvironmentNamesArePassed) {
  settings.env = {"FOO", "UNSET_ONE"};
  auto s = open();
  auto req = request({probe("native"), "env", "FOO", "env", "BAR", "env", "UNSET_ONE"});
  req.env.push_back("FOO=a 'quoted' $value");
  req.env.push_back("BAR=not passed");
  Captured c = run_captured(io, *s, req);
  EXPECT_EQ(c.out, "a 'quoted' $value\n(unset)\n(unset)\n");
}

TEST_F(SshExecutorTest, StdoutPipedIntoALocalFileCheck) {
  const std::string filecheck = "/usr/lib/llvm-15/bin/FileCheck";
  if (access(filecheck.c_str(), X_OK) != 0) GTEST_SKIP() << "no FileCheck";
  write_file(local / "check.txt", "CHECK: hello\nCHECK-NEXT: world\n");
  auto s = open();
  int p[2];
  ASSERT_EQ(pipe2(p, O_CLOEXEC), 0);
  exec::SpawnRequest fc;
  fc.argv = {filecheck, local / "check.txt"};
  fc.env = testing::test_env();
  fc.stdin_fd = p[0];
  auto fc_pid = exec::spawn_local(fc);
  ASSERT_TRUE(fc_pid.ok());
  close(p[0]);
  exec::ExitStatus remote, check;
  int done = 0;
  auto req = request({probe("native"), "out", "hello", "out", "world"});
  req.stdout_fd = p[1];
  s->spawn(req, [&](exec::ExitStatus st) {
    remote = st;
    ++done;
  });
  close(p[1]);
  exec::async_wait_pid(io, *fc_pid, [&](exec::ExitStatus st) {
    check = st;
    ++done;
  });
  io.restart();
  while (done < 2) io.run_one_for(std::chrono::seconds(30));
  EXPECT_EQ(remote.code, 0) << remote.error;
  EXPECT_EQ(check.code, 0);
}

TEST_F(SshExecutorTest, TerminateKillsTheLocalSshAndTheRemoteProcess) {
  auto s = open();
  bool exited = false;
  exec::ExitStatus st;
  s->spawn(request({probe("native"), "sleep", "300"}), [&](exec::ExitStatus x) {
    st = x;
    exited = true;
  });
  // Wait until the remote wrapper has recorded its process group.
  std::string pid_file;
  for (int i = 0; i < 600 && pid_file.empty(); ++i) {
    io.restart();
    io.run_for(std::chrono::milliseconds(50));
    for (const auto& d : list_dir(work.path()))
      if (access((work / d + "/.litbox/pid.1").c_str(), F_OK) == 0) pid_file = work / d + "/.litbox/pid.1";
  }
  ASSERT_FALSE(pid_file.empty());
  int pgid = std::stoi(*read_file(pid_file));
  ASSERT_EQ(kill(-pgid, 0), 0);
  s->terminate();
  io.restart();
  while (!exited) io.run_one_for(std::chrono::seconds(30));
  EXPECT_EQ(st.signal, SIGKILL);
  EXPECT_FALSE(st.setup_failure);
  s->close();
  drain();
  // The kill went out through another ssh run that has finished; the kernel may still be
  // tearing the processes down, so give it a moment (a bound, not a timing assertion).
  for (int i = 0; i < 200 && live_in_group(pgid) > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(live_in_group(pgid), 0) << "the remote process group survived";
  auto left = list_dir(work.path());
  EXPECT_TRUE(left.empty()) << join(left, " ") << ": "
                            << (left.empty() ? "" : join(list_dir(work / left[0] + "/.litbox"), " "));
}

TEST_F(SshExecutorTest, UnreachableHostIsASetupFailure) {
  settings.port = testing::free_port();  // nothing listens there
  auto s = open();
  Captured c = run_captured(io, *s, request({probe("native"), "out", "x"}));
  EXPECT_TRUE(c.status.setup_failure);
  EXPECT_EQ(c.status.code, 255);
  EXPECT_EQ(c.status.error, "ssh 127.0.0.1: ssh: connect to host 127.0.0.1 port " + std::to_string(settings.port) +
                                ": Connection refused");
  EXPECT_EQ(c.out, "");
}

TEST_F(SshExecutorTest, ManySessionsShareOneConnection) {
  std::vector<std::unique_ptr<exec::Session>> sessions;
  std::vector<Captured> results(8);
  int done = 0;
  std::vector<int> fds;
  for (int i = 0; i < 8; ++i) {
    sessions.push_back(open());
    auto req = request({probe("native"), "out", "session " + std::to_string(i)});
    int p[2];
    ASSERT_EQ(pipe2(p, O_CLOEXEC), 0);
    req.stdout_fd = p[1];
    sessions.back()->spawn(req, [&, i](exec::ExitStatus st) {
      results[i].status = st;
      ++done;
    });
    close(p[1]);
    fds.push_back(p[0]);
  }
  io.restart();
  while (done < 8) io.run_one_for(std::chrono::seconds(30));
  for (int i = 0; i < 8; ++i) {
    char buf[64];
    ssize_t n = read(fds[i], buf, sizeof buf);
    close(fds[i]);
    EXPECT_EQ(results[i].status.code, 0) << results[i].status.error;
    EXPECT_EQ(std::string(buf, n > 0 ? n : 0), "session " + std::to_string(i) + "\n");
  }
  for (auto& s : sessions) s->close();
  drain();
  EXPECT_TRUE(list_dir(work.path()).empty());
}

TEST_F(SshExecutorTest, MissingClientOrHostAreErrors) {
  SshSettings bad = settings;
  bad.ssh_program = "no-such-ssh-client";
  EXPECT_EQ(make_ssh_executor(io, bad).error().message, "ssh executor: 'no-such-ssh-client' not found on PATH");
  bad = settings;
  bad.host = "";
  EXPECT_EQ(make_ssh_executor(io, bad).error().message, "ssh executor: no host given");
}

}  // namespace
}  // namespace litbox::emulation

namespace litbox::emulation {
namespace {

class SimulatedDeviceTest : public SshExecutorTest {
 protected:
  SimulatedDeviceTest() { device = true; }
};

TEST_F(SimulatedDeviceTest, RunsAarch64BinariesTransparently) {
  if (!testing::have_probe("aarch64-static")) GTEST_SKIP() << "aarch64-linux-gnu-gcc was not installed";
  settings.env = {"QEMU_LD_PREFIX"};
  auto s = open();
  Captured st = run_captured(io, *s, request({probe("aarch64-static"), "arch", "exit", "7"}));
  EXPECT_FALSE(st.status.setup_failure) << st.status.error << st.err;
  EXPECT_EQ(st.status.code, 7);
  EXPECT_EQ(st.out, "aarch64\n");
  // A dynamic binary finds its loader through the sysroot passed in the environment.
  auto req = request({probe("aarch64-dynamic"), "arch", "segv"});
  req.env.push_back("QEMU_LD_PREFIX=/usr/aarch64-linux-gnu");
  Captured dyn = run_captured(io, *s, req);
  EXPECT_EQ(dyn.out, "aarch64\n") << dyn.err;
  EXPECT_EQ(dyn.status.signal, SIGSEGV);
  s->close();
  drain();
  EXPECT_TRUE(list_dir(work.path()).empty());
}

}  // namespace
}  // namespace litbox::emulation
