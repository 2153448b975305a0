// What a test costs on an ssh target: N tests (default 200), each with its own program
// (%t.exe, distinct bytes) run once with its output checked, through the batch executor and
// through the per-test ssh executor with connection sharing, against a private loopback sshd
// (or the simulated aarch64 device). The two are measured alternately in the same run; each
// figure is wall time / N, including opening and closing the executor (connection set-up,
// final cleanup). Usage: litbox_batch_bench [--tests N] [--rounds R] [--device]
//                                            [--batch-size B] [--parallelism P] [--batch-only]
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "emulation/batch_executor.h"
#include "emulation/batch_test_harness.h"
#include "emulation/ssh_executor.h"
#include "emulation/test_sshd.h"
#include "emulation/test_util.h"

using namespace litbox;
using namespace litbox::emulation;
using Clock = std::chrono::steady_clock;

namespace {

struct Tests {
  litbox::testing::TempDir root;
  std::vector<exec::SessionSpec> specs;
  Tests(int n, const std::string& program) {
    std::string bytes = *emulation::testing::read_file(program);
    for (int i = 0; i < n; ++i) {
      std::string dir = root / ("t" + std::to_string(i));
      mkdir(dir.c_str(), 0755);
      exec::SessionSpec s;
      s.test_name = "bench :: t" + std::to_string(i);
      s.source_dir = dir;
      s.output_dir = dir;
      s.tmp_prefix = dir + "/test.cpp";
      // Every test builds its own program: different bytes, shipped separately.
      emulation::testing::write_file(s.tmp_prefix + ".tmp.exe", bytes + "test " + std::to_string(i), 0755);
      specs.push_back(s);
    }
  }
};

exec::SpawnRequest request(const exec::SessionSpec& s, int i) {
  exec::SpawnRequest req;
  req.argv = {s.tmp_prefix + ".tmp.exe", "out", "hello " + std::to_string(i)};
  req.env = emulation::testing::test_env();
  req.env.push_back("QEMU_LD_PREFIX=/usr/aarch64-linux-gnu");
  req.cwd = s.source_dir;
  return req;
}

int check(const std::vector<std::shared_ptr<emulation::testing::Outcome>>& o) {
  int bad = 0;
  for (size_t i = 0; i < o.size(); ++i)
    if (!o[i]->done() || o[i]->status.code != 0 || o[i]->out != "hello " + std::to_string(i) + "\n") {
      if (bad++ < 3)
        fprintf(stderr, "test %zu: code %d signal %d error '%s' out '%s' err '%s'\n", i, o[i]->status.code,
                o[i]->status.signal, o[i]->status.error.c_str(), o[i]->out.c_str(), o[i]->err.c_str());
    }
  return bad;
}

// All tests at once: the runner defers each and goes on; the executor batches them.
double run_batch(const Tests& t, const BatchSettings& settings, BatchStats* stats) {
  boost::asio::io_context io;
  auto t0 = Clock::now();
  auto ex = make_batch_executor(io, settings);
  if (!ex) {
    fprintf(stderr, "%s\n", ex.error().message.c_str());
    exit(1);
  }
  emulation::testing::Spawner sp(io);
  std::vector<std::unique_ptr<exec::Session>> sessions;
  std::vector<std::shared_ptr<emulation::testing::Outcome>> o;
  for (size_t i = 0; i < t.specs.size(); ++i) {
    sessions.push_back(std::move(*(*ex)->open(t.specs[i])));
    o.push_back(sp.spawn(*sessions.back(), request(t.specs[i], static_cast<int>(i))));
  }
  sp.wait_all(600);
  for (auto& s : sessions) s->close();
  *stats = batch_stats(**ex);
  sessions.clear();
  ex->reset();
  double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  if (int bad = check(o)) fprintf(stderr, "batch: %d tests failed\n", bad);
  return ms / static_cast<double>(t.specs.size());
}

// One test after the other, each command one ssh run (plus the test's cleanup run).
double run_ssh(const Tests& t, const SshSettings& settings) {
  boost::asio::io_context io;
  auto t0 = Clock::now();
  auto ex = make_ssh_executor(io, settings);
  if (!ex) {
    fprintf(stderr, "%s\n", ex.error().message.c_str());
    exit(1);
  }
  emulation::testing::Spawner sp(io);
  std::vector<std::shared_ptr<emulation::testing::Outcome>> o;
  for (size_t i = 0; i < t.specs.size(); ++i) {
    auto s = std::move(*(*ex)->open(t.specs[i]));
    o.push_back(sp.spawn(*s, request(t.specs[i], static_cast<int>(i))));
    sp.wait_all(600);
    s->close();
  }
  ex->reset();  // waits for the tests' cleanup runs
  double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  if (int bad = check(o)) fprintf(stderr, "ssh: %d tests failed\n", bad);
  return ms / static_cast<double>(t.specs.size());
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  int n = 200, rounds = 2, batch_size = 64, parallelism = 4;
  bool device = false, batch_only = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? atoi(argv[++i]) : 0; };
    if (a == "--tests")
      n = next();
    else if (a == "--rounds")
      rounds = next();
    else if (a == "--batch-size")
      batch_size = next();
    else if (a == "--parallelism")
      parallelism = next();
    else if (a == "--device")
      device = true;
    else if (a == "--batch-only")
      batch_only = true;
    else {
      fprintf(stderr,
              "usage: %s [--tests N] [--rounds R] [--device] [--batch-size B] [--parallelism P] [--batch-only]\n",
              argv[0]);
      return 2;
    }
  }
  emulation::testing::TestSshd sshd;
  auto r = sshd.start(device);
  if (r.outcome != emulation::testing::TestSshd::Outcome::started) {
    fprintf(stderr, "cannot start %s: %s\n", device ? "the simulated device" : "sshd", r.message.c_str());
    return 1;
  }
  std::string program = emulation::testing::probe(device ? "aarch64-static" : "native");
  Tests tests(n, program);
  SshSettings ssh = sshd.settings();
  ssh.env = {"QEMU_LD_PREFIX"};
  BatchSettings bs;
  bs.ssh = ssh;
  bs.batch_size = batch_size;
  bs.parallelism = parallelism;
  bs.idle_flush_ms = 50;

  printf("%d tests, %s programs on %s, batch_size %d, parallelism %d, %d rounds alternating\n", n,
         device ? "aarch64" : "native", device ? "the simulated aarch64 device" : "a loopback sshd", batch_size,
         parallelism, rounds);
  std::vector<double> batch, per_test;
  BatchStats st;
  for (int k = 0; k < rounds; ++k) {
    batch.push_back(run_batch(tests, bs, &st));
    if (batch_only) {
      printf("round %d: batch %.2f ms/test\n", k + 1, batch.back());
      continue;
    }
    per_test.push_back(run_ssh(tests, ssh));
    printf("round %d: batch %.2f ms/test, per-test ssh %.2f ms/test, ratio %.1fx\n", k + 1, batch.back(),
           per_test.back(), per_test.back() / batch.back());
    fflush(stdout);
  }
  printf("batch: %llu batches, %llu files (%.1f MiB) into the store, %llu links, %.1f MiB of tar\n",
         static_cast<unsigned long long>(st.batches), static_cast<unsigned long long>(st.store_files),
         static_cast<double>(st.store_bytes) / (1 << 20), static_cast<unsigned long long>(st.links),
         static_cast<double>(st.archive_bytes) / (1 << 20));
  if (batch_only) {
    printf("batch executor, median: %.2f ms/test (target <= 15)\n", median(batch));
    return 0;
  }
  double b = median(batch), p = median(per_test);
  printf("batch executor, median: %.2f ms/test (target <= 15)\n", b);
  printf("per-test ssh with a shared connection, median: %.2f ms/test\n", p);
  printf("per-test ssh / batch: %.1fx (target >= 15x)\n", p / b);
  return 0;
}
