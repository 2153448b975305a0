// Measures what emulation costs: the QEMU decorator against bare qemu-<arch>, ELF sniffing
// alone, and ssh executor round trips against a private loopback sshd (with and without
// connection sharing). Usage: litbox_emulation_bench [iterations]
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>

#include "emulation/elf.h"
#include "emulation/qemu.h"
#include "emulation/ssh_executor.h"
#include "emulation/test_sshd.h"
#include "emulation/test_util.h"
#include "executor/local_executor.h"
#include "executor/process.h"

using namespace litbox;
using namespace litbox::emulation;
using Clock = std::chrono::steady_clock;

namespace {

double ms_per_run(int n, const std::function<void()>& run) {
  run();  // warm the page cache and, for ssh, the shared connection
  auto t0 = Clock::now();
  for (int i = 0; i < n; ++i) run();
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count() / n;
}

void bare(const std::vector<std::string>& argv) {
  exec::SpawnRequest req;
  req.argv = argv;
  req.env = emulation::testing::test_env();
  auto pid = exec::spawn_local(req);
  int ws;
  if (pid) waitpid(*pid, &ws, 0);
}

void through(boost::asio::io_context& io, exec::Executor& ex, const exec::SessionSpec& spec,
             const std::vector<std::string>& argv) {
  auto s = ex.open(spec);
  exec::SpawnRequest req;
  req.argv = argv;
  req.env = emulation::testing::test_env();
  auto c = emulation::testing::run_captured(io, **s, req);
  if (c.status.code != 0 || c.status.signal || c.out.empty())
    fprintf(stderr, "run failed: %s %s\n", c.status.error.c_str(), c.err.c_str());
  (*s)->close();
}

}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 20;
  boost::asio::io_context io;
  std::string qemu = find_qemu(Arch::aarch64, getenv("PATH")).value_or("");
  std::string st = emulation::testing::probe("aarch64-static"), dyn = emulation::testing::probe("aarch64-dynamic");
  std::string native = emulation::testing::probe("native");

  auto t0 = Clock::now();
  const int sniffs = 100000;
  for (int i = 0; i < sniffs; ++i) (void)read_elf_header(st);
  printf("read_elf_header: %.2f us per call\n",
         std::chrono::duration<double, std::micro>(Clock::now() - t0).count() / sniffs);

  auto local = std::make_unique<exec::LocalExecutor>(io);
  exec::LocalExecutor plain(io);
  auto dec = make_qemu_executor(io, std::move(local), {});
  exec::SessionSpec spec;
  printf("%-44s %8s\n", "run (ms per command, mean of N)", "ms");
  printf("%-44s %8.2f\n", "native probe, spawn_local+waitpid", ms_per_run(10 * n, [&] { bare({native, "arch"}); }));
  printf("%-44s %8.2f\n", "native probe, LocalExecutor", ms_per_run(10 * n, [&] {
           through(io, plain, spec, {native, "arch"});
         }));
  printf("%-44s %8.2f\n", "native probe, qemu decorator (sniff only)", ms_per_run(10 * n, [&] {
           through(io, **dec, spec, {native, "arch"});
         }));
  if (!qemu.empty() && emulation::testing::have_probe("aarch64-static")) {
    printf("%-44s %8.2f\n", "aarch64 static, bare qemu-aarch64", ms_per_run(n, [&] { bare({qemu, st, "arch"}); }));
    printf("%-44s %8.2f\n", "aarch64 static, LocalExecutor + qemu argv", ms_per_run(n, [&] {
             through(io, plain, spec, {qemu, st, "arch"});
           }));
    printf("%-44s %8.2f\n", "aarch64 static, qemu decorator", ms_per_run(n, [&] {
             through(io, **dec, spec, {st, "arch"});
           }));
    printf("%-44s %8.2f\n", "aarch64 dynamic, bare qemu-aarch64 -L", ms_per_run(n, [&] {
             bare({qemu, "-L", "/usr/aarch64-linux-gnu", dyn, "arch"});
           }));
    printf("%-44s %8.2f\n", "aarch64 dynamic, qemu decorator", ms_per_run(n, [&] {
             through(io, **dec, spec, {dyn, "arch"});
           }));
  }

  emulation::testing::TestSshd sshd;
  auto r = sshd.start();
  if (r.outcome != emulation::testing::TestSshd::Outcome::started) {
    printf("ssh: skipped (%s)\n", r.message.c_str());
    return 0;
  }
  litbox::testing::TempDir t;
  std::string outdir = t / "Output";
  mkdir(outdir.c_str(), 0755);
  std::string exe = outdir + "/t.c.tmp.exe";
  emulation::testing::run_command({"/bin/cp", native, exe});
  exec::SessionSpec tspec;
  tspec.output_dir = outdir;
  tspec.source_dir = t.path();
  tspec.tmp_prefix = outdir + "/t.c";
  for (bool sharing : {true, false}) {
    SshSettings settings = sshd.settings();
    settings.connection_sharing = sharing;
    auto ex = make_ssh_executor(io, settings);
    const char* tag = sharing ? "shared connection" : "no sharing";
    // One session per test, one command each: upload + run + cleanup of the remote dir.
    printf("ssh %-40s %8.2f\n", (std::string("test (1 cmd, upload, close), ") + tag).c_str(), ms_per_run(n, [&] {
             through(io, **ex, tspec, {exe, "out", "x"});
             io.restart();
             io.run();  // the cleanup run
           }));
    // Commands within one session: the executable is already there.
    auto s = (*ex)->open(tspec);
    printf("ssh %-40s %8.2f\n", (std::string("command in a session (cached), ") + tag).c_str(), ms_per_run(n, [&] {
             exec::SpawnRequest req;
             req.argv = {exe, "out", "x"};
             req.env = emulation::testing::test_env();
             emulation::testing::run_captured(io, **s, req);
           }));
    (*s)->close();
    io.restart();
    io.run();
  }
  return 0;
}
