// The batch executor with its local transport (the driver run by this machine's /bin/sh, in
// place) and over ssh to a real OpenSSH server on 127.0.0.1 (test_sshd), whose "remote"
// directory is a local temp dir the tests can look into.
#include "emulation/batch_executor.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <functional>

#include "emulation/batch_test_harness.h"
#include "emulation/ssh_executor.h"
#include "emulation/test_sshd.h"
#include "emulation/test_util.h"
#include "support/strings.h"

namespace litbox::emulation {
namespace {

using testing::list_dir;
using testing::Outcome;
using testing::probe;
using testing::processes_mentioning;
using testing::processes_mentioning_settled;
using testing::read_file;
using testing::Spawner;
using testing::StdinKind;
using litbox::testing::TempDir;
using testing::write_file;

// A test's paths: %S = root, %T = root/Output, %t = root/Output/<name>.tmp.
struct FakeTest {
  TempDir root;
  exec::SessionSpec spec;
  explicit FakeTest(const std::string& name = "t.c") {
    mkdir((root / "Output").c_str(), 0755);
    spec.test_name = "suite :: " + name;
    spec.source_path = root / name;
    spec.source_dir = root.path();
    spec.output_dir = root / "Output";
    spec.tmp_prefix = root / ("Output/" + name);
  }
  std::string t() const { return spec.tmp_prefix + ".tmp"; }
};

exec::SpawnRequest request(std::vector<std::string> argv, const std::string& cwd = "/") {
  exec::SpawnRequest req;
  req.argv = std::move(argv);
  req.env = testing::test_env();
  req.cwd = cwd;
  return req;
}

// Runs `req` with stdout and stderr on one pipe (2>&1); returns what the pipe got.
std::string run_merged(boost::asio::io_context& io, Spawner& spawner, exec::Session& session, exec::SpawnRequest req,
                       exec::ExitStatus* status) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return "pipe failed";
  req.stdout_fd = req.stderr_fd = p[1];
  bool exited = false;
  session.spawn(req, [&](exec::ExitStatus st) {
    *status = st;
    exited = true;
  });
  close(p[1]);
  std::string out;
  bool eof = false;
  auto reader = std::make_shared<boost::asio::posix::stream_descriptor>(io, p[0]);
  auto buf = std::make_shared<std::array<char, 4096>>();
  std::function<void()> loop = [&] {
    reader->async_read_some(boost::asio::buffer(*buf), [&](auto ec, size_t n) {
      out.append(buf->data(), n);
      if (ec) {
        eof = true;
        return;
      }
      loop();
    });
  };
  loop();
  spawner.wait_for([&] { return exited && eof; });
  return out;
}

class BatchLocalTest : public ::testing::Test {
 protected:
  exec::Executor& ex() {
    if (!executor) {
      auto e = make_batch_executor(io, settings);
      EXPECT_TRUE(e.ok()) << e.error().message;
      executor = std::move(*e);
    }
    return *executor;
  }
  std::unique_ptr<exec::Session> open(exec::SessionSpec spec) {
    auto s = ex().open(spec);
    EXPECT_TRUE(s.ok());
    return std::move(*s);
  }
  // Two requests that print "0" and "1", then a few turns of the io_context (no batch is due).
  std::vector<std::shared_ptr<Outcome>> spawn_two_and_poll(exec::Session& s) {
    std::vector<std::shared_ptr<Outcome>> o;
    for (int i = 0; i < 2; ++i) o.push_back(spawner.spawn(s, request({probe("native"), "out", std::to_string(i)})));
    for (int i = 0; i < 5; ++i) io.poll();
    return o;
  }
  void SetUp() override {
    settings.transport = BatchSettings::Transport::local;
    settings.local_work_dir = work.path();
    settings.idle_flush_ms = 20;
  }
  boost::asio::io_context io;
  TempDir work;
  BatchSettings settings;
  std::unique_ptr<exec::Executor> executor;
  Spawner spawner{io};
};

TEST_F(BatchLocalTest, TheHandlerRunsOnlyAfterTheBatchAndDeferralIsAnnounced) {
  // Long enough that spawn() and one poll cannot outlast the idle timer on a loaded machine
  // (the fixture's 20 ms can fire before the "not idle yet" check below).
  settings.idle_flush_ms = 300;
  FakeTest t;
  int deferred = 0;
  std::vector<int> deltas;
  t.spec.deferred = [&](int d) {
    deferred += d;
    deltas.push_back(d);
  };
  auto s = open(t.spec);
  auto o = spawner.spawn(*s, request({probe("native"), "out", "hello", "err", "warn", "exit", "3"}));
  EXPECT_EQ(deferred, 1) << "announced inside spawn()";
  io.poll();
  EXPECT_FALSE(o->exited);
  EXPECT_EQ(batch_stats(ex()).batches, 0u) << "the queue is not idle yet";
  ASSERT_TRUE(spawner.wait_all());
  EXPECT_EQ(o->status.code, 3) << o->status.error;
  EXPECT_EQ(o->out, "hello\n");
  EXPECT_EQ(o->err, "warn\n");
  EXPECT_EQ(deltas, (std::vector<int>{1, -1}));
  // The batch's span is recorded when its run ends, which can come just after its last result.
  for (int i = 0; i < 250 && batches_in_flight(ex()) > 0; ++i) io.run_one_for(std::chrono::milliseconds(20));
  EXPECT_EQ(batches_in_flight(ex()), 0u);
  BatchStats st = batch_stats(ex());
  EXPECT_EQ(st.batches, 1u);
  EXPECT_EQ(st.left_idle, 1u);
  EXPECT_EQ(st.left_full + st.left_flush + st.left_retry, 0u);
  EXPECT_EQ(st.shipped, 1u);
  EXPECT_GE(st.queue_wait, settings.idle_flush_ms / 1000.0) << "it waited for the idle timer";
  ASSERT_EQ(st.spans.size(), 1u);
  EXPECT_EQ(st.spans[0].requests, 1u);
  EXPECT_TRUE(st.spans[0].ok);
  EXPECT_LE(st.spans[0].start, st.spans[0].ready);
  EXPECT_LE(st.spans[0].ready, st.spans[0].end);
  EXPECT_GT(st.spans[0].bytes, 0u);
}

TEST_F(BatchLocalTest, AFullQueueShipsWithoutWaitingForIdle) {
  settings.idle_flush_ms = 1000 * 1000;
  settings.batch_size = 3;
  FakeTest t;
  auto s = open(t.spec);
  auto o = spawn_two_and_poll(*s);
  EXPECT_EQ(batch_stats(ex()).batches, 0u);
  o.push_back(spawner.spawn(*s, request({probe("native"), "out", "2"})));
  ASSERT_TRUE(spawner.wait_all());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(o[i]->out, std::to_string(i) + "\n");
  BatchStats st = batch_stats(ex());
  EXPECT_EQ(st.batches, 1u);
  EXPECT_EQ(st.left_full, 1u);
  EXPECT_EQ(st.largest_batch, 3u);
}

// The runner waits for nothing else (Executor::flush): the queue leaves at once, neither full
// nor idle.
TEST_F(BatchLocalTest, AFlushShipsWithoutWaitingForIdleOrAFullQueue) {
  settings.idle_flush_ms = 1000 * 1000;
  settings.batch_size = 64;
  FakeTest t;
  auto s = open(t.spec);
  auto o = spawn_two_and_poll(*s);
  EXPECT_EQ(batch_stats(ex()).batches, 0u);
  ex().flush();
  ASSERT_TRUE(spawner.wait_all());
  for (int i = 0; i < 2; ++i) EXPECT_EQ(o[i]->out, std::to_string(i) + "\n");
  BatchStats st = batch_stats(ex());
  EXPECT_EQ(st.batches, 1u);
  EXPECT_EQ(st.left_flush, 1u);
  EXPECT_EQ(st.left_idle + st.left_full, 0u);
}

TEST_F(BatchLocalTest, SignalsAndStdinFromAPipeAFileAndNothing) {
  FakeTest t;
  auto s = open(t.spec);
  auto segv = spawner.spawn(*s, request({probe("native"), "out", "x", "segv"}));
  auto abrt = spawner.spawn(*s, request({probe("native"), "abort"}));
  std::string big;
  for (int i = 0; i < 20000; ++i) big += "line " + std::to_string(i) + "\n";
  auto piped = spawner.spawn(*s, request({probe("native"), "cat"}), StdinKind::pipe, big);
  auto file = spawner.spawn(*s, request({probe("native"), "cat"}), StdinKind::file, "from a file\n");
  auto none = spawner.spawn(*s, request({probe("native"), "cat", "out", "done"}));
  ASSERT_TRUE(spawner.wait_all());
  EXPECT_EQ(segv->status.signal, SIGSEGV);
  EXPECT_EQ(segv->out, "x\n");
  EXPECT_EQ(segv->err, "");
  EXPECT_EQ(abrt->status.lit_code(), -SIGABRT);
  EXPECT_EQ(piped->out, big);
  EXPECT_EQ(file->out, "from a file\n");
  EXPECT_EQ(none->out, "done\n");
}

TEST_F(BatchLocalTest, InPlaceWithTheRequestsCwdEnvAndUmask) {
  FakeTest t;
  auto s = open(t.spec);
  auto req =
      request({probe("native"), "pwd", "env", "FOO", "env", "HOME", "write", t.t() + ".out", "x"}, t.root.path());
  req.env.push_back("FOO=a 'quoted' $value");
  req.umask = 027;
  auto o = spawner.spawn(*s, req);
  ASSERT_TRUE(spawner.wait_all());
  EXPECT_EQ(o->status.code, 0) << o->err;
  EXPECT_EQ(o->out, t.root.path() + "\na 'quoted' $value\n/tmp\n");
  struct stat st;
  ASSERT_EQ(stat((t.t() + ".out").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
}

TEST_F(BatchLocalTest, StderrIntoStdoutKeepsTheOrder) {
  FakeTest t;
  auto s = open(t.spec);
  exec::ExitStatus st;
  EXPECT_EQ(
      run_merged(io, spawner, *s, request({probe("native"), "out", "a", "err", "b", "out", "c", "err", "d"}), &st),
      "a\nb\nc\nd\n");
  EXPECT_EQ(st.code, 0);
}

TEST_F(BatchLocalTest, OnlyTheHangingRequestTimesOut) {
  settings.request_timeout = 1;
  FakeTest t;
  auto s = open(t.spec);
  auto hang = spawner.spawn(*s, request({probe("native"), "out", "before", "sleep", "60"}));
  auto quick = spawner.spawn(*s, request({probe("native"), "out", "fine"}));
  ASSERT_TRUE(spawner.wait_all());
  EXPECT_TRUE(hang->status.target_timeout) << hang->status.signal << " " << hang->status.error;
  EXPECT_EQ(hang->status.error, "timed out on the target after 1 s");
  EXPECT_EQ(hang->out, "before\n");
  EXPECT_FALSE(quick->status.target_timeout);
  EXPECT_EQ(quick->status.code, 0);
  EXPECT_EQ(quick->out, "fine\n");
}

TEST_F(BatchLocalTest, TerminateDropsQueuedRequests) {
  settings.idle_flush_ms = 1000 * 1000;
  settings.batch_size = 2;
  FakeTest a, b;
  int deferred = 0;
  a.spec.deferred = [&](int d) { deferred += d; };
  auto sa = open(a.spec);
  auto sb = open(b.spec);
  auto dropped = spawner.spawn(*sa, request({probe("native"), "out", "never"}));
  io.poll();
  sa->terminate();
  auto other = spawner.spawn(*sb, request({probe("native"), "out", "one"}));
  auto third = spawner.spawn(*sb, request({probe("native"), "out", "two"}));
  ASSERT_TRUE(spawner.wait_all());
  EXPECT_EQ(dropped->status.signal, SIGKILL);
  EXPECT_EQ(dropped->out, "");
  EXPECT_EQ(deferred, 0);
  EXPECT_EQ(other->out, "one\n");
  EXPECT_EQ(third->out, "two\n");
  EXPECT_EQ(batch_stats(ex()).results, 2u);
}

TEST_F(BatchLocalTest, ForeignBinariesRunUnderQemuWhenAsked) {
  if (!testing::have_probe("aarch64-static")) GTEST_SKIP() << "aarch64-linux-gnu-gcc was not installed";
  if (!find_qemu(Arch::aarch64, getenv("PATH"))) GTEST_SKIP() << "no qemu-aarch64";
  settings.local_qemu = true;
  FakeTest t;
  auto s = open(t.spec);
  auto st = spawner.spawn(*s, request({probe("aarch64-static"), "arch", "exit", "7"}));
  ASSERT_TRUE(spawner.wait_all());
  EXPECT_EQ(st->out, "aarch64\n") << st->err;
  EXPECT_EQ(st->status.code, 7);
}

TEST_F(BatchLocalTest, TheRunDirectoryGoesWithTheExecutor) {
  FakeTest t;
  auto s = open(t.spec);
  spawner.spawn(*s, request({probe("native"), "out", "x"}));
  ASSERT_TRUE(spawner.wait_all());
  EXPECT_EQ(list_dir(work.path()).size(), 1u);
  s->close();
  s.reset();
  executor.reset();
  EXPECT_TRUE(list_dir(work.path()).empty());
}

TEST_F(BatchLocalTest, BadSettingsAreErrors) {
  BatchSettings bad = settings;
  bad.batch_size = 0;
  EXPECT_EQ(make_batch_executor(io, bad).error().message, "batch executor: batch_size must be at least 1");
  bad = settings;
  bad.transport = BatchSettings::Transport::ssh;
  EXPECT_EQ(make_batch_executor(io, bad).error().message, "batch executor: no ssh host given");
  bad.ssh.host = "h";
  bad.ssh.ssh_program = "no-such-ssh-client";
  EXPECT_EQ(make_batch_executor(io, bad).error().message, "batch executor: 'no-such-ssh-client' not found on PATH");
}

// A private sshd per test; the target's work directory is a local temp dir.
class BatchSshTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = sshd.start(device);
    if (r.outcome == testing::TestSshd::Outcome::skipped) GTEST_SKIP() << r.message;
    ASSERT_EQ(r.outcome, testing::TestSshd::Outcome::started) << r.message;
    settings.ssh = sshd.settings();
    settings.idle_flush_ms = 50;
  }
  void TearDown() override {
    sessions.clear();
    executor.reset();
    sshd.stop();
  }
  exec::Executor& ex() {
    if (!executor) {
      auto e = make_batch_executor(io, settings);
      EXPECT_TRUE(e.ok()) << e.error().message;
      executor = std::move(*e);
    }
    return *executor;
  }
  exec::Session& open(const FakeTest& t) {
    auto s = ex().open(t.spec);
    EXPECT_TRUE(s.ok());
    sessions.push_back(std::move(*s));
    return *sessions.back();
  }
  // The run directory on the target (<work>/litbox-batch-*), "" if none.
  std::string run_dir() const {
    for (const auto& d : list_dir(sshd.work().path()))
      if (starts_with(d, "litbox-batch-")) return sshd.work() / d;
    return "";
  }

  testing::TestSshd sshd;
  bool device = false;
  boost::asio::io_context io;
  BatchSettings settings;
  std::unique_ptr<exec::Executor> executor;
  std::vector<std::unique_ptr<exec::Session>> sessions;
  Spawner spawner{io};
};

TEST_F(BatchSshTest, RunsRemotelyAndCopiesBackWhatTheCommandWrote) {
  FakeTest t;
  std::string exe = t.t() + ".exe";
  ASSERT_EQ(testing::run_command({"/bin/cp", probe("native"), exe}), 0);
  write_file(t.t() + ".in", "input data\n");
  write_file(t.root / "data.txt", "source data\n");
  auto& s = open(t);
  auto o = spawner.spawn(
      s, request({exe, "args", "read", t.t() + ".in", "read", t.root / "data.txt", "write", t.t() + ".out", "result",
                  "write", t.root / "Output/other-test.out", "not mine", "exit", "4"}));
  ASSERT_TRUE(spawner.wait_all());
  EXPECT_FALSE(o->status.setup_failure) << o->status.error;
  EXPECT_EQ(o->status.code, 4) << o->err;
  std::string remote = run_dir() + "/s1";
  EXPECT_EQ(o->out, "argv[0]=" + remote + "/t.c.tmp.exe\nargv[1]=args\nargv[2]=read\nargv[3]=" + remote +
                        "/t.c.tmp.in\nargv[4]=read\nargv[5]=" + remote +
                        "/.litbox/src/data.txt\nargv[6]=write\nargv[7]=" + remote +
                        "/t.c.tmp.out\nargv[8]=result\nargv[9]=write\nargv[10]=" + remote +
                        "/other-test.out\nargv[11]=not mine\nargv[12]=exit\nargv[13]=4\n"
                        "input data\nsource data\n");
  EXPECT_EQ(read_file(t.t() + ".out"), "result\n");
  EXPECT_EQ(read_file(t.root / "Output/other-test.out"), std::nullopt);
  // The program is a hard link into the store; the data files private copies.
  struct stat exe_st, in_st;
  ASSERT_EQ(stat((remote + "/t.c.tmp.exe").c_str(), &exe_st), 0);
  ASSERT_EQ(stat((remote + "/t.c.tmp.in").c_str(), &in_st), 0);
  EXPECT_EQ(exe_st.st_nlink, 2u);
  EXPECT_EQ(in_st.st_nlink, 1u);
  BatchStats st = batch_stats(ex());
  EXPECT_EQ(st.store_files, 3u);
  EXPECT_EQ(st.links, 1u);
  // The driver removes the batch's directory after the last result.
  EXPECT_TRUE(spawner.wait_for([&] {
    return list_dir(run_dir()) == std::vector<std::string>{"cas", "s1"};
  })) << join(list_dir(run_dir()), " ");
}

TEST_F(BatchSshTest, ASecondDeferralSeesTheFirstOnesFilesAndShipsNothingTwice) {
  FakeTest t;
  std::string exe = t.t() + ".exe";
  ASSERT_EQ(testing::run_command({"/bin/cp", probe("native"), exe}), 0);
  auto& s = open(t);
  auto first = spawner.spawn(s, request({exe, "write", t.t() + ".mid", "made remotely", "write", "cwd-file", "x"}));
  ASSERT_TRUE(spawner.wait_all());
  EXPECT_EQ(first->status.code, 0) << first->err;
  EXPECT_EQ(read_file(t.t() + ".mid"), "made remotely\n");
  uint64_t archive = batch_stats(ex()).archive_bytes;
  // The program, the copied-back file and cwd-file (not under %t, never copied back) are
  // all on the target already.
  auto second = spawner.spawn(s, request({exe, "read", t.t() + ".mid", "read", "cwd-file"}));
  ASSERT_TRUE(spawner.wait_all());
  EXPECT_EQ(second->out, "made remotely\nx\n") << second->err;
  BatchStats st = batch_stats(ex());
  EXPECT_EQ(st.batches, 2u);
  EXPECT_EQ(st.store_files, 1u);
  EXPECT_EQ(st.links, 1u);
  EXPECT_LT(st.archive_bytes - archive, 4096u) << "the second batch carried only its job file";
}

TEST_F(BatchSshTest, SharedLibrariesTheTestBuiltAreShipped) {
  std::string data = LITBOX_EMULATION_TESTDATA;
  FakeTest t;
  ASSERT_EQ(testing::run_command({"/bin/cp", data + "/greet", t.t() + ".exe"}), 0);
  ASSERT_EQ(testing::run_command({"/bin/cp", data + "/lib/libgreet.so", t.root / "Output/libgreet.so"}), 0);
  // A second test that finds the library through the configured library directories.
  FakeTest u("u.c");
  ASSERT_EQ(testing::run_command({"/bin/cp", data + "/greet", u.t() + ".exe"}), 0);
  settings.libraries.library_dirs = {data + "/lib"};
  auto a = spawner.spawn(open(t), request({t.t() + ".exe"}));
  auto b = spawner.spawn(open(u), request({u.t() + ".exe"}));
  ASSERT_TRUE(spawner.wait_all());
  EXPECT_EQ(a->out, "hello from libgreet\n") << a->err;
  EXPECT_EQ(b->out, "hello from libgreet\n") << b->err;
  EXPECT_EQ(batch_stats(ex()).store_files, 2u) << "one greet, one libgreet.so";
}

TEST_F(BatchSshTest, StderrIntoStdoutKeepsTheOrder) {
  FakeTest t;
  exec::ExitStatus st;
  EXPECT_EQ(run_merged(io, spawner, open(t),
                       request({probe("native"), "out", "a", "err", "b", "out", "c", "err", "d", "exit", "2"}), &st),
            "a\nb\nc\nd\n");
  EXPECT_EQ(st.code, 2);
}

TEST_F(BatchSshTest, EnvironmentNamesArePassed) {
  settings.ssh.env = {"FOO", "UNSET_ONE", "1BAD"};
  FakeTest t;
  auto req = request({probe("native"), "env", "FOO", "env", "BAR", "env", "UNSET_ONE"});
  req.env.push_back("FOO=a 'quoted' $value");
  req.env.push_back("BAR=not passed");
  auto o = spawner.spawn(open(t), req);
  ASSERT_TRUE(spawner.wait_all());
  EXPECT_EQ(o->out, "a 'quoted' $value\n(unset)\n(unset)\n") << o->err;
}

TEST_F(BatchSshTest, ClosedTestsDirectoriesGoWithTheNextBatchAndEverythingAtTheEnd) {
  FakeTest a, b;
  ASSERT_EQ(testing::run_command({"/bin/cp", probe("native"), a.t() + ".exe"}), 0);
  auto& sa = open(a);
  spawner.spawn(sa, request({a.t() + ".exe", "out", "a"}));
  ASSERT_TRUE(spawner.wait_all());
  EXPECT_TRUE(spawner.wait_for([&] {
    return list_dir(run_dir()) == std::vector<std::string>{"cas", "s1"};
  })) << join(list_dir(run_dir()), " ");
  sa.close();
  auto o = spawner.spawn(open(b), request({probe("native"), "out", "b"}));
  ASSERT_TRUE(spawner.wait_all());
  EXPECT_EQ(o->out, "b\n");
  EXPECT_TRUE(spawner.wait_for([&] {
    return list_dir(run_dir()) == std::vector<std::string>{"cas", "s2"};
  })) << join(list_dir(run_dir()), " ");
  sessions.clear();
  executor.reset();
  EXPECT_TRUE(list_dir(sshd.work().path()).empty()) << join(list_dir(sshd.work().path()), " ");
}

TEST_F(BatchSshTest, UnreachableHostIsASetupFailureAfterTheRetries) {
  settings.ssh.port = testing::free_port();
  settings.retries = 2;
  FakeTest t;
  auto o = spawner.spawn(open(t), request({probe("native"), "out", "x"}));
  ASSERT_TRUE(spawner.wait_all());
  EXPECT_TRUE(o->status.setup_failure);
  EXPECT_EQ(o->status.code, 255);
  EXPECT_EQ(o->status.error, "batch on 127.0.0.1: ssh: connect to host 127.0.0.1 port " +
                                 std::to_string(settings.ssh.port) + ": Connection refused");
  EXPECT_EQ(o->out, "");
  BatchStats st = batch_stats(ex());
  EXPECT_EQ(st.batches, 3u);
  EXPECT_EQ(st.retried, 2u);
}

TEST_F(BatchSshTest, ABatchThatTimesOutFailsItsUnfinishedRequestsAndKillsThem) {
  // The limit covers the whole batch (connecting, shipping, the quick command) and then the
  // retried batch: 2 s was too short on a loaded CI machine, where both batches timed out.
  settings.batch_timeout = 10;
  settings.parallelism = 1;
  FakeTest a, b, c;
  ASSERT_EQ(testing::run_command({"/bin/cp", probe("native"), a.t() + ".exe"}), 0);
  ASSERT_EQ(testing::run_command({"/bin/cp", probe("native"), b.t() + ".exe"}), 0);
  ASSERT_EQ(testing::run_command({"/bin/cp", probe("native"), c.t() + ".exe"}), 0);
  auto quick = spawner.spawn(open(a), request({a.t() + ".exe", "out", "quick"}));
  auto slow = spawner.spawn(open(b), request({b.t() + ".exe", "sleep", "600"}));
  auto after = spawner.spawn(open(c), request({c.t() + ".exe", "out", "after"}));
  ASSERT_TRUE(spawner.wait_for([&] { return slow->done(); }));
  std::string run = run_dir();
  EXPECT_EQ(quick->out, "quick\n");
  EXPECT_TRUE(slow->status.setup_failure);
  EXPECT_EQ(slow->status.error, "batch on 127.0.0.1: the batch timed out after 10 s (the command had started)");
  EXPECT_EQ(processes_mentioning_settled({run}), 0) << "the cleanup killed the command on the target";
  // The request that never started is shipped again, in a batch of its own.
  ASSERT_TRUE(spawner.wait_all());
  EXPECT_EQ(after->out, "after\n") << after->status.error;
  BatchStats st = batch_stats(ex());
  EXPECT_EQ(st.failed_batches, 1u);
  EXPECT_EQ(st.retried, 1u);
}

TEST_F(BatchSshTest, TerminateKillsARunningRequestOnTheTargetAndTheBatchGoesOn) {
  settings.parallelism = 2;
  settings.request_timeout = 600;
  FakeTest a, b;
  ASSERT_EQ(testing::run_command({"/bin/cp", probe("native"), a.t() + ".exe"}), 0);
  auto& sa = open(a);
  // A command with a child of its own: the shell, and two copies of the program.
  auto doomed = spawner.spawn(sa, request({"/bin/sh", "-c", "\"$0\" sleep 600 & \"$0\" sleep 600", a.t() + ".exe"}));
  auto other = spawner.spawn(open(b), request({probe("native"), "out", "other"}));
  ASSERT_TRUE(spawner.wait_for([&] { return other->done(); }));
  std::string run = run_dir();
  // The shell (setsid(1) became it: a process group the kill takes whole) and both sleepers
  // mention the shipped program.
  ASSERT_TRUE(spawner.wait_for([&] { return processes_mentioning({run + "/s1/t.c.tmp.exe"}) == 3; }));
  sa.terminate();
  ASSERT_TRUE(spawner.wait_all());
  EXPECT_EQ(doomed->status.signal, SIGKILL);
  EXPECT_FALSE(doomed->status.setup_failure);
  EXPECT_EQ(processes_mentioning_settled({run + "/s1/t.c.tmp.exe"}), 0);
  // The batch ended normally once its last request was gone.
  ASSERT_TRUE(
      spawner.wait_for([&] { return batch_stats(ex()).results >= 1 && processes_mentioning({run + "/b1"}) == 0; }));
  EXPECT_EQ(batch_stats(ex()).failed_batches, 0u);
}

}  // namespace
}  // namespace litbox::emulation
