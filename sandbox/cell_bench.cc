// litbox_cell_bench [N] [--private-netns] [--no-hidden] [--no-output] [--heap MB] [--sandbox-only|--fresh-only]: what a sandbox cell costs
// per test. Runs N "tests" (open a session, run /bin/true, close) with the local executor, with
// the sandbox executor reusing cells (the default: a cell is reset between tests) and with a new
// cell for every test, alternating one of each so all see the same machine state, and prints
// wall and CPU milliseconds per test for each and the difference to the local executor.
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "executor/local_executor.h"
#include "sandbox/sandbox_executor.h"

using namespace litbox;

namespace {

double cpu_ms() {
  struct rusage self, children;
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  auto ms = [](const struct timeval& t) { return t.tv_sec * 1e3 + t.tv_usec / 1e3; };
  return ms(self.ru_utime) + ms(self.ru_stime) + ms(children.ru_utime) + ms(children.ru_stime);
}

// One "test": a session, one /bin/true, close. Returns false on any failure.
double phase_ms[3];  // open, run, close of the last test

bool one_test(boost::asio::io_context& io, exec::Executor& ex, const exec::SessionSpec& spec, int null_fd) {
  auto p0 = std::chrono::steady_clock::now();
  auto s = ex.open(spec);
  auto p1 = std::chrono::steady_clock::now();
  if (!s) {
    fprintf(stderr, "open: %s\n", s.error().message.c_str());
    return false;
  }
  exec::SpawnRequest req;
  req.argv = {"/bin/true"};
  req.env = {"PATH=/usr/bin:/bin"};
  req.cwd = spec.output_dir.empty() ? "/" : spec.output_dir;
  req.stdin_fd = req.stdout_fd = req.stderr_fd = null_fd;
  exec::ExitStatus status;
  bool done = false;
  (*s)->spawn(req, [&](exec::ExitStatus st) {
    status = st;
    done = true;
  });
  io.restart();
  while (!done) io.run_one();
  auto p2 = std::chrono::steady_clock::now();
  (*s)->close();
  auto p3 = std::chrono::steady_clock::now();
  phase_ms[0] = std::chrono::duration<double, std::milli>(p1 - p0).count();
  phase_ms[1] = std::chrono::duration<double, std::milli>(p2 - p1).count();
  phase_ms[2] = std::chrono::duration<double, std::milli>(p3 - p2).count();
  if (status.code != 0 || status.signal != 0) {
    fprintf(stderr, "/bin/true failed: code %d signal %d %s\n", status.code, status.signal, status.error.c_str());
    return false;
  }
  return true;
}

struct Stats {
  std::vector<double> wall;
  double phases[3] = {};
  double percentile(double p) {
    std::sort(wall.begin(), wall.end());
    return wall.empty() ? 0 : wall[static_cast<size_t>(p * static_cast<double>(wall.size() - 1))];
  }
  double median() { return percentile(0.5); }
  double mean() const {
    double sum = 0;
    for (double w : wall) sum += w;
    return wall.empty() ? 0 : sum / static_cast<double>(wall.size());
  }
};

}  // namespace

int main(int argc, char** argv) {
  int n = 500;
  sandbox::SandboxSpec spec;
  bool hidden = true, output = true;
  int first_kind = 0;
  int heap_mb = 0;
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--private-netns")) spec.private_network_namespace = true;
    else if (!strcmp(argv[i], "--no-hidden")) hidden = false;
    else if (!strcmp(argv[i], "--no-output")) output = false;
    else if (!strcmp(argv[i], "--shared-output")) spec.isolate_outputs = false;
    else if (!strcmp(argv[i], "--sandbox-only")) first_kind = 1;  // for profiling
    else if (!strcmp(argv[i], "--fresh-only")) first_kind = 2;    // for profiling
    else if (!strcmp(argv[i], "--heap") && i + 1 < argc) heap_mb = atoi(argv[++i]);  // a big runner
    else n = atoi(argv[i]);
  }
  if (hidden) {
    if (const char* home = getenv("HOME")) spec.hidden.push_back(home);
    spec.hidden.push_back("/root");
    spec.hidden.push_back("/home");
  }
  std::string dir = std::filesystem::current_path().string() + "/cell-bench." + std::to_string(getpid());
  exec::SessionSpec session;
  session.test_name = "bench :: t.test";
  if (output) {
    std::filesystem::create_directories(dir + "/Output");
    session.source_dir = dir;
    session.source_path = dir + "/t.test";
    session.output_dir = dir + "/Output";
    session.tmp_prefix = dir + "/Output/t.test";
  }

  // A runner that has parsed many tests has a big heap of small objects; clones copy its page
  // tables.
  std::vector<std::string> heap;
  heap.reserve(static_cast<size_t>(heap_mb) * 4096);
  for (int i = 0; i < heap_mb * 4096; ++i) heap.emplace_back(200, 'x');
  boost::asio::io_context io;
  exec::LocalExecutor local(io);
  auto t0 = std::chrono::steady_clock::now();
  auto reused = sandbox::make_executor(io, spec);
  double setup_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  sandbox::SandboxSpec fresh_spec = spec;
  fresh_spec.reuse_cells = false;
  auto fresh = sandbox::make_executor(io, fresh_spec);
  if (!reused || !fresh) {
    fprintf(stderr, "%s\n", (reused ? fresh : reused).error().message.c_str());
    return 1;
  }
  int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  constexpr int kKinds = 3;
  Stats stats[kKinds];
  exec::Executor* executors[kKinds] = {&local, reused->get(), fresh->get()};
  const sandbox::SandboxSpec* specs[kKinds] = {nullptr, &spec, &fresh_spec};
  // Warm up all (page cache, first-use costs), then alternate.
  for (int w = 0; w < 10; ++w)
    for (int k = first_kind; k < kKinds; ++k)
      if (!one_test(io, *executors[k], session, null_fd)) return 1;
  for (int i = 0; i < n; ++i) {
    for (int k = first_kind; k < kKinds; ++k) {
      auto start = std::chrono::steady_clock::now();
      if (!one_test(io, *executors[k], session, null_fd)) return 1;
      stats[k].wall.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
      for (int p = 0; p < 3; ++p) stats[k].phases[p] += phase_ms[p];
    }
  }
  reused->reset();
  fresh->reset();
  // CPU in separate blocks, each ending when everything it started has been reaped (cells are
  // reaped asynchronously, and the zygote's own clones are counted only when it exits).
  double block_cpu[kKinds] = {};
  for (int k = first_kind; k < kKinds; ++k) {
    double c0 = cpu_ms();
    std::unique_ptr<exec::Executor> owned;
    exec::Executor* ex = &local;
    if (specs[k]) {
      auto made = sandbox::make_executor(io, *specs[k]);
      if (!made) return 1;
      owned = std::move(*made);
      ex = owned.get();
    }
    for (int i = 0; i < n; ++i)
      if (!one_test(io, *ex, session, null_fd)) return 1;
    owned.reset();
    block_cpu[k] = (cpu_ms() - c0) / n;
  }
  std::filesystem::remove_all(dir);
  printf("tests: %d each, alternating; executor setup (seccomp, zygote): %.2f ms once\n", n, setup_ms);
  printf("%-14s %10s %10s %10s %10s %10s\n", "", "wall mean", "median", "p90", "p99", "cpu");
  const char* names[kKinds] = {"local", "sandbox", "sandbox-fresh"};
  for (int k = 0; k < kKinds; ++k)
    printf("%-14s %7.3f ms %7.3f ms %7.3f ms %7.3f ms %7.3f ms\n", names[k], stats[k].mean(), stats[k].median(),
           stats[k].percentile(0.9), stats[k].percentile(0.99), block_cpu[k]);
  for (int k = 0; k < kKinds; ++k)
    printf("%-14s phases: open %.3f ms, run %.3f ms, close %.3f ms\n", names[k], stats[k].phases[0] / n,
           stats[k].phases[1] / n, stats[k].phases[2] / n);
  const char* costs[kKinds] = {"", "cost (reused)", "cost (fresh)"};
  for (int k = 1; k < kKinds; ++k)
    printf("%-14s %7.3f ms %7.3f ms %7.3f ms %7.3f ms %7.3f ms   (target: <= 1.5 ms)\n", costs[k],
           stats[k].mean() - stats[0].mean(), stats[k].median() - stats[0].median(),
           stats[k].percentile(0.9) - stats[0].percentile(0.9), stats[k].percentile(0.99) - stats[0].percentile(0.99),
           block_cpu[k] - block_cpu[0]);
  return 0;
}
