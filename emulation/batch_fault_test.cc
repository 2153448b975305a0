// The batch executor against the simulated aarch64 device (an sshd in its own user, mount and
// pid namespaces, with a private binfmt_misc entry for qemu-aarch64; see test_sshd.h), and
// what happens when the device fails: its sshd killed mid-batch, a binary that hangs, a work
// directory that runs out of space.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include "emulation/batch_executor.h"
#include "emulation/batch_test_harness.h"
#include "emulation/test_sshd.h"
#include "emulation/test_util.h"
#include "support/strings.h"

namespace litbox::emulation {
namespace {

using testing::list_dir;
using testing::Outcome;
using testing::probe;
using testing::read_file;
using testing::Spawner;
using litbox::testing::TempDir;

class BatchDeviceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::have_probe("aarch64-static")) GTEST_SKIP() << "aarch64-linux-gnu-gcc was not installed";
    auto r = sshd.start(/*device=*/true);
    if (r.outcome == testing::TestSshd::Outcome::skipped) GTEST_SKIP() << r.message;
    ASSERT_EQ(r.outcome, testing::TestSshd::Outcome::started) << r.message;
    settings.ssh = sshd.settings();
    settings.ssh.env = {"QEMU_LD_PREFIX"};
    settings.idle_flush_ms = 50;
    mkdir(out.path().c_str(), 0755);
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
  // Test number i: its own %T under `out`, an aarch64 program at %t.exe.
  exec::Session& test(int i, const std::string& program = probe("aarch64-static")) {
    exec::SessionSpec spec;
    std::string dir = out / ("t" + std::to_string(i));
    mkdir(dir.c_str(), 0755);
    spec.test_name = "device :: t" + std::to_string(i);
    spec.source_dir = dir;
    spec.output_dir = dir;
    spec.tmp_prefix = dir + "/t";
    testing::run_command({"/bin/cp", program, exe(i)});
    auto s = ex().open(spec);
    EXPECT_TRUE(s.ok());
    sessions.push_back(std::move(*s));
    return *sessions.back();
  }
  std::string exe(int i) const { return out / ("t" + std::to_string(i) + "/t.tmp.exe"); }
  exec::SpawnRequest request(std::vector<std::string> argv) {
    exec::SpawnRequest req;
    req.argv = std::move(argv);
    req.env = testing::test_env();
    req.env.push_back("QEMU_LD_PREFIX=/usr/aarch64-linux-gnu");
    req.cwd = out.path();
    return req;
  }
  // Runs `command` on the device with a plain ssh.
  int on_device(const std::string& command, std::string* output = nullptr) {
    return testing::run_command(ssh_argv("/usr/bin/ssh", settings.ssh, "", command), output);
  }
  std::string run_dir() const {
    for (const auto& d : list_dir(settings.ssh.work_dir))
      if (starts_with(d, "litbox-batch-")) return settings.ssh.work_dir + "/" + d;
    return "";
  }

  testing::TestSshd sshd;
  TempDir out;
  boost::asio::io_context io;
  BatchSettings settings;
  std::unique_ptr<exec::Executor> executor;
  std::vector<std::unique_ptr<exec::Session>> sessions;
  Spawner spawner{io};
};

TEST_F(BatchDeviceTest, Aarch64ProgramsRunOnTheDevice) {
  auto st = spawner.spawn(test(0), request({exe(0), "arch", "exit", "7"}));
  auto dyn = spawner.spawn(test(1, probe("aarch64-dynamic")), request({exe(1), "arch", "segv"}));
  ASSERT_TRUE(spawner.wait_all());
  EXPECT_EQ(st->out, "aarch64\n") << st->status.error << st->err;
  EXPECT_EQ(st->status.code, 7);
  EXPECT_EQ(dyn->out, "aarch64\n") << dyn->status.error << dyn->err;
  EXPECT_EQ(dyn->status.signal, SIGSEGV);
  sessions.clear();
  executor.reset();
  EXPECT_TRUE(list_dir(settings.ssh.work_dir).empty());
}

TEST_F(BatchDeviceTest, KillingTheDevicesSshdMidBatchFailsExactlyTheUnfinishedRequests) {
  settings.batch_size = 20;
  settings.parallelism = 4;
  settings.retries = 1;
  std::vector<std::shared_ptr<Outcome>> quick, slow;
  for (int i = 0; i < 8; ++i)
    quick.push_back(spawner.spawn(test(i), request({exe(i), "out", "quick " + std::to_string(i)})));
  for (int i = 8; i < 20; ++i) slow.push_back(spawner.spawn(test(i), request({exe(i), "sleep", "60", "out", "late"})));
  // Once the quick ones are back, the slow ones hold the driver's four slots or wait for one.
  ASSERT_TRUE(spawner.wait_for(
      [&] { return std::all_of(quick.begin(), quick.end(), [](const auto& o) { return o->exited; }); }));
  // On a loaded machine the driver may still be starting the fourth: wait until the four run.
  std::string run = run_dir();
  ASSERT_TRUE(spawner.wait_for(
      [&] { return testing::processes_mentioning({run + "/", std::string("/t.tmp.exe\0sleep\0", 17)}) == 4; }))
      << testing::processes_mentioning({run + "/", std::string("/t.tmp.exe\0sleep\0", 17)});
  sshd.stop();
  ASSERT_TRUE(spawner.wait_all());
  for (int i = 0; i < 8; ++i) {
    EXPECT_FALSE(quick[i]->status.setup_failure);
    EXPECT_EQ(quick[i]->status.code, 0);
    EXPECT_EQ(quick[i]->out, "quick " + std::to_string(i) + "\n");
  }
  int had_started = 0, never_started = 0;
  for (const auto& o : slow) {
    EXPECT_TRUE(o->status.setup_failure) << o->status.code << " " << o->out;
    EXPECT_EQ(o->out, "");
    EXPECT_TRUE(starts_with(o->status.error, "batch on 127.0.0.1: ")) << o->status.error;
    if (ends_with(o->status.error, "(the command had started)")) {
      ++had_started;
    } else {
      // Queued again once, and then the device was gone.
      EXPECT_TRUE(ends_with(o->status.error, "Connection refused")) << o->status.error;
      ++never_started;
    }
  }
  EXPECT_EQ(had_started, 4);
  EXPECT_EQ(never_started, 8);
  BatchStats st = batch_stats(ex());
  EXPECT_EQ(st.failed_batches, 2u);
  EXPECT_EQ(st.retried, 8u);
}

TEST_F(BatchDeviceTest, AHangingProgramTimesOutAloneAndIsKilled) {
  settings.request_timeout = 2;
  auto hang = spawner.spawn(test(0), request({exe(0), "out", "started", "sleep", "600"}));
  std::vector<std::shared_ptr<Outcome>> others;
  for (int i = 1; i < 6; ++i)
    others.push_back(spawner.spawn(test(i), request({exe(i), "out", std::to_string(i), "exit", "1"})));
  ASSERT_TRUE(spawner.wait_all());
  EXPECT_TRUE(hang->status.target_timeout) << hang->status.signal << " " << hang->status.error;
  EXPECT_EQ(hang->status.error, "timed out on the target after 2 s");
  EXPECT_EQ(hang->out, "started\n");
  for (int i = 1; i < 6; ++i) {
    EXPECT_FALSE(others[i - 1]->status.target_timeout);
    EXPECT_EQ(others[i - 1]->status.code, 1);
    EXPECT_EQ(others[i - 1]->out, std::to_string(i) + "\n");
  }
  // Nothing of the run is still running on the device.
  std::string ps;
  on_device("ps -eo args", &ps);
  EXPECT_EQ(ps.find(run_dir()), std::string::npos) << ps;
  sessions.clear();
  executor.reset();
  EXPECT_TRUE(list_dir(settings.ssh.work_dir).empty());
}

// The device's work directory: a tmpfs of `kib` KiB mounted inside the device only.
class BatchFullDeviceTest : public BatchDeviceTest {
 protected:
  bool small_disk(int kib) {
    std::string dir = sshd.work() / "small";
    mkdir(dir.c_str(), 0777);
    std::string output;
    int rc = on_device("mount -t tmpfs -o size=" + std::to_string(kib) + "k tmpfs " + dir, &output);
    EXPECT_EQ(rc, 0) << output;
    settings.ssh.work_dir = dir;
    return rc == 0;
  }
};

TEST_F(BatchFullDeviceTest, NoRoomForTheProgramsFailsTheBatchWithTheReason) {
  ASSERT_TRUE(small_disk(256));  // the aarch64 program alone is ~700 KiB
  std::vector<std::shared_ptr<Outcome>> o;
  for (int i = 0; i < 3; ++i) o.push_back(spawner.spawn(test(i), request({exe(i), "out", "never"})));
  ASSERT_TRUE(spawner.wait_all());
  for (const auto& r : o) {
    EXPECT_TRUE(r->status.setup_failure);
    EXPECT_EQ(r->out, "");
    EXPECT_TRUE(starts_with(r->status.error, "batch on 127.0.0.1: the batch could not start: tar: "))
        << r->status.error;
    EXPECT_TRUE(ends_with(r->status.error, "No space left on device")) << r->status.error;
  }
  // The driver removed what it had unpacked (the tmpfs is visible on the device only).
  std::string listing;
  on_device("cd " + settings.ssh.work_dir + "/litbox-batch-* && ls -A . cas", &listing);
  EXPECT_EQ(listing, ".:\ncas\ns1\ns2\ns3\n\ncas:\n") << "an empty store and no batch directory";
}

TEST_F(BatchFullDeviceTest, ACommandThatFillsTheDiskFailsItselfAndTheNextBatchRuns) {
  ASSERT_TRUE(small_disk(4096));
  settings.parallelism = 1;
  settings.batch_size = 4;
  std::vector<std::shared_ptr<Outcome>> fine;
  for (int i = 0; i < 3; ++i) fine.push_back(spawner.spawn(test(i), request({exe(i), "out", std::to_string(i)})));
  auto filler = spawner.spawn(test(3), request({"/bin/sh", "-c", "head -c 8000000 /dev/zero"}));
  ASSERT_TRUE(spawner.wait_all());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(fine[i]->out, std::to_string(i) + "\n") << fine[i]->status.error;
  EXPECT_TRUE(filler->status.setup_failure) << filler->status.code << " " << filler->err;
  EXPECT_EQ(filler->out.size(), 0u);
  EXPECT_TRUE(starts_with(filler->status.error, "batch on 127.0.0.1: cannot record the result: "))
      << filler->status.error;
  EXPECT_TRUE(ends_with(filler->status.error, "No space left on device")) << filler->status.error;
  // The batch's directory went with it, and with it the space.
  auto again = spawner.spawn(*sessions[0], request({exe(0), "out", "again"}));
  ASSERT_TRUE(spawner.wait_all());
  EXPECT_EQ(again->out, "again\n") << again->status.error;
}

}  // namespace
}  // namespace litbox::emulation
