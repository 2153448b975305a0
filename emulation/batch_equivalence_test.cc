// 200 tests deferred to one target: every result (exit status or signal, stdout, stderr, files
// copied back) is the one the per-test ssh executor gives for the same request, and each
// distinct file content travels once.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "emulation/batch_executor.h"
#include "emulation/batch_test_harness.h"
#include "emulation/qemu.h"
#include "emulation/ssh_executor.h"
#include "emulation/test_sshd.h"
#include "emulation/test_util.h"
#include "executor/local_executor.h"
#include "support/strings.h"

namespace litbox::emulation {
namespace {

using testing::Outcome;
using testing::probe;
using testing::read_file;
using testing::Spawner;
using testing::StdinKind;
using litbox::testing::TempDir;
using testing::write_file;

constexpr int kTests = 200;
constexpr int kVariants = 5;  // distinct program contents

// One suite of kTests tests on disk, each with its own %S, %T and files.
struct Suite {
  TempDir root;
  std::vector<exec::SessionSpec> specs;

  explicit Suite(const std::string& program = probe("native")) {
    std::vector<std::string> variants;
    for (int v = 0; v < kVariants; ++v) {
      // The same program with different bytes after it: a different file to ship.
      std::string exe = *read_file(program) + "variant " + std::to_string(v);
      variants.push_back(exe);
    }
    for (int i = 0; i < kTests; ++i) {
      std::string dir = root / ("t" + std::to_string(i));
      mkdir(dir.c_str(), 0755);
      mkdir((dir + "/Output").c_str(), 0755);
      exec::SessionSpec s;
      s.test_name = "suite :: t" + std::to_string(i) + "/test.c";
      s.source_path = dir + "/test.c";
      s.source_dir = dir;
      s.output_dir = dir + "/Output";
      s.tmp_prefix = dir + "/Output/test.c";
      write_file(s.tmp_prefix + ".tmp.exe", variants[i % kVariants], 0755);
      write_file(s.tmp_prefix + ".tmp.in", "input of test " + std::to_string(i) + "\n");
      write_file(dir + "/input.txt", "the same input everywhere\n");
      specs.push_back(s);
    }
  }

  std::string t(int i) const { return specs[i].tmp_prefix + ".tmp"; }

  // Test i's (first) request and its stdin.
  exec::SpawnRequest request(int i, StdinKind* kind, std::string* in) const {
    exec::SpawnRequest req;
    req.env = testing::test_env();
    req.env.push_back("FOO=foo of " + std::to_string(i));
    req.cwd = specs[i].source_dir;
    std::string exe = t(i) + ".exe", n = std::to_string(i);
    *kind = StdinKind::none;
    switch (i % 8) {
      case 0:
        req.argv = {exe, "out", "test " + n, "exit", std::to_string(i % 7)};
        break;
      case 1:
        req.argv = {exe, "err", "to stderr " + n, "out", "to stdout"};
        break;
      case 2:
        req.argv = {exe, "out", "crash " + n, "segv"};
        break;
      case 3:
        req.argv = {exe, "read", t(i) + ".in"};
        break;
      case 4:
        req.argv = {exe, "cat", "out", "end"};
        *kind = (i / 8) % 2 ? StdinKind::pipe : StdinKind::file;
        *in = "stdin data\n";
        break;
      case 5:
        req.argv = {exe, "write", t(i) + ".out", "written by " + n};
        break;
      case 6:
        req.argv = {exe, "read", specs[i].source_dir + "/input.txt", "abort"};
        break;
      case 7:
        req.argv = {exe, "env", "FOO", "exit", "255"};
        break;
    }
    return req;
  }
  // The second deferral of the tests that wrote a file: read it back on the target.
  exec::SpawnRequest second(int i) const {
    exec::SpawnRequest req;
    req.env = testing::test_env();
    req.cwd = specs[i].source_dir;
    req.argv = {t(i) + ".exe", "read", t(i) + ".out", "err", "again"};
    return req;
  }
};

// The ssh executor relays everything on the channel's stderr as the command's: also ssh's own
// notes on the shared connection. The batch driver keeps the command's stderr apart from those;
// they are not part of the comparison. (The test sshd keeps the account's start-up files out.)
std::string without_login_noise(const std::string& err) {
  std::string out;
  for (const auto& line : split(err, '\n')) {
    if (starts_with(line, "ControlSocket ")) continue;
    out += line + "\n";
  }
  return out.substr(0, out.size() - 1);  // split() gave one more part than there were newlines
}

struct Result {
  std::shared_ptr<Outcome> first, second;
};

// Compares every outcome and copied-back file; returns how many outcomes were compared.
int compare(const std::vector<Result>& got, const Suite& got_suite, const std::vector<Result>& want,
            const Suite& want_suite) {
  int compared = 0;
  for (int i = 0; i < kTests; ++i) {
    SCOPED_TRACE("test " + std::to_string(i));
    for (auto [g, w] : {std::pair{got[i].first, want[i].first}, std::pair{got[i].second, want[i].second}}) {
      if (!w) continue;
      EXPECT_TRUE(g && g->done() && w->done());
      if (!(g && g->done() && w->done())) continue;
      EXPECT_FALSE(g->status.setup_failure) << g->status.error;
      EXPECT_EQ(g->status.code, w->status.code);
      EXPECT_EQ(g->status.signal, w->status.signal);
      EXPECT_EQ(g->status.error, w->status.error);
      EXPECT_EQ(g->out, w->out);
      EXPECT_EQ(g->err, without_login_noise(w->err));
      ++compared;
    }
    EXPECT_EQ(read_file(got_suite.t(i) + ".out"), read_file(want_suite.t(i) + ".out"));
  }
  return compared;
}

// Runs every test of `suite` on `ex`, at most `at_once` sessions at a time (0: all at once).
std::vector<Result> run_suite(boost::asio::io_context& io, exec::Executor& ex, const Suite& suite, int at_once) {
  Spawner spawner(io);
  std::vector<Result> results(kTests);
  std::vector<std::unique_ptr<exec::Session>> sessions(kTests);
  int step = at_once > 0 ? at_once : kTests;
  for (int start = 0; start < kTests; start += step) {
    int end = std::min(kTests, start + step);
    for (int i = start; i < end; ++i) {
      sessions[i] = std::move(*ex.open(suite.specs[i]));
      StdinKind kind;
      std::string in;
      auto req = suite.request(i, &kind, &in);
      results[i].first = spawner.spawn(*sessions[i], req, kind, in);
    }
    EXPECT_TRUE(spawner.wait_all(300));
    for (int i = start; i < end; ++i)
      if (i % 8 == 5) results[i].second = spawner.spawn(*sessions[i], suite.second(i));
    EXPECT_TRUE(spawner.wait_all(300));
    for (int i = start; i < end; ++i) sessions[i]->close();
  }
  return results;
}

TEST(BatchEquivalenceTest, TwoHundredTestsGiveThePerTestSshResultsAndShipEachContentOnce) {
  testing::TestSshd sshd;
  auto r = sshd.start();
  if (r.outcome == testing::TestSshd::Outcome::skipped) GTEST_SKIP() << r.message;
  ASSERT_EQ(r.outcome, testing::TestSshd::Outcome::started) << r.message;
  boost::asio::io_context io;
  Suite batch_suite, ssh_suite;

  BatchSettings bs;
  bs.ssh = sshd.settings();
  bs.ssh.env = {"FOO"};
  bs.batch_size = 64;
  bs.parallelism = 4;
  bs.idle_flush_ms = 50;
  auto batch = make_batch_executor(io, bs);
  ASSERT_TRUE(batch.ok()) << batch.error().message;
  std::vector<Result> got = run_suite(io, **batch, batch_suite, 0);

  SshSettings ss = sshd.settings();
  ss.env = {"FOO"};
  auto ssh = make_ssh_executor(io, ss);
  ASSERT_TRUE(ssh.ok());
  std::vector<Result> want = run_suite(io, **ssh, ssh_suite, 4);

  EXPECT_EQ(compare(got, batch_suite, want, ssh_suite), kTests + kTests / 8);
  // Spot checks that the comparison compares something.
  EXPECT_EQ(got[2].first->status.signal, SIGSEGV);
  EXPECT_EQ(got[12].first->out, "stdin data\nend\n");
  EXPECT_EQ(got[5].second->out, "written by 5\n");
  EXPECT_EQ(got[7].first->out, "foo of 7\n");

  BatchStats st = batch_stats(**batch);
  // 5 programs, 25 distinct %t.in, one input.txt, one stdin content; the 25 copied-back
  // %t.out are on the target already when the second deferral names them.
  EXPECT_EQ(st.store_files, 5u + 25u + 1u + 1u);
  EXPECT_EQ(st.links, static_cast<uint64_t>(kTests));
  EXPECT_EQ(st.results, static_cast<uint64_t>(kTests + kTests / 8));
  EXPECT_EQ(st.failed_batches, 0u);
  EXPECT_GE(st.batches, 4u);  // 200 requests at most 64 a batch, then the second deferrals
  uint64_t exe_size = read_file(probe("native"))->size();
  EXPECT_LT(st.store_bytes, 6 * exe_size) << "each program content once";

  batch->reset();
  ssh->reset();
  EXPECT_TRUE(testing::list_dir(sshd.work().path()).empty());
}

TEST(BatchEquivalenceTest, TwoHundredAarch64TestsOnTheDeviceGiveTheLocalQemuResults) {
  if (!testing::have_probe("aarch64-static")) GTEST_SKIP() << "aarch64-linux-gnu-gcc was not installed";
  if (!find_qemu(Arch::aarch64, getenv("PATH"))) GTEST_SKIP() << "no qemu-aarch64";
  testing::TestSshd sshd;
  auto r = sshd.start(/*device=*/true);
  if (r.outcome == testing::TestSshd::Outcome::skipped) GTEST_SKIP() << r.message;
  ASSERT_EQ(r.outcome, testing::TestSshd::Outcome::started) << r.message;
  boost::asio::io_context io;
  Suite device_suite(probe("aarch64-static")), qemu_suite(probe("aarch64-static"));

  BatchSettings bs;
  bs.ssh = sshd.settings();
  bs.ssh.env = {"FOO"};
  bs.idle_flush_ms = 50;
  auto batch = make_batch_executor(io, bs);
  ASSERT_TRUE(batch.ok()) << batch.error().message;
  std::vector<Result> got = run_suite(io, **batch, device_suite, 0);

  auto qemu = make_qemu_executor(io, std::make_unique<exec::LocalExecutor>(io), {});
  ASSERT_TRUE(qemu.ok()) << qemu.error().message;
  std::vector<Result> want = run_suite(io, **qemu, qemu_suite, 8);

  EXPECT_EQ(compare(got, device_suite, want, qemu_suite), kTests + kTests / 8);
  EXPECT_EQ(got[2].first->status.signal, SIGSEGV);
  EXPECT_EQ(got[6].first->status.signal, SIGABRT);
  EXPECT_EQ(got[5].second->out, "written by 5\n");
  EXPECT_EQ(batch_stats(**batch).store_files, 5u + 25u + 1u + 1u);
  batch->reset();
  EXPECT_TRUE(testing::list_dir(sshd.work().path()).empty());
}

}  // namespace
}  // namespace litbox::emulation
