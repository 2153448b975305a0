// The sandbox executor: one cell (user, mount, pid, net, ipc, uts and cgroup namespaces, a
// private /tmp, a minimal /dev, seccomp, limits) per test at a time, new or reset. See docs/security.md for what it
// promises and what it does not.
#pragma once

#include <utility>  // Boost 1.74's Asio needs it before its headers
#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "executor/executor.h"
#include "support/error.h"

namespace litbox::sandbox {

/// The policy of every cell an executor makes. Plain data; the runner fills it from the YAML.
struct SandboxSpec {
  /// false: the cell is in an empty network namespace with only `lo` up (one namespace shared
  /// by all cells of the run). true: the host's network.
  bool network = false;
  /// Extra host paths: visible read-only (even below a hidden path), read-write, or masked
  /// (empty read-only dir; /dev/null for a file). The caller applies the default hidden list
  /// ($HOME, /root, /home).
  std::vector<std::string> readonly, writable, hidden;
  /// true: the cell sees only an allow-listed host: of the top level of "/", /usr, /etc, /bin,
  /// /sbin, /lib*, /opt (and its own /dev, /proc, /tmp); every other top-level directory or
  /// file (/run, /var, /home, /root, /srv, /mnt, /sys, ...) is hidden, unless `readonly` or
  /// `writable` names it or something below it (the suite and build tree, for instance).
  bool allow_listed_host = true;
  /// Edits of the default seccomp deny list, by syscall name.
  std::vector<std::string> deny_syscalls, allow_syscalls;
  /// false: a denied syscall fails with EPERM. true: the process is killed with SIGSYS and the
  /// syscall's name is written to its stderr and put in ExitStatus::error.
  bool seccomp_kill = false;
  std::string hostname = "litbox";
  uint64_t tmp_size = 64 << 20;  ///< bytes of the private /tmp (tmpfs)
  exec::Limits limits;           ///< rlimits of every process of the cell (requests can lower them)
  /// Whole-cell process cap: RLIMIT_NPROC, which counts per cell because every cell has its
  /// own user namespace (and applies because the cell user is never host root), plus cgroup
  /// pids.max where a cgroup can be made. 0: no cap.
  uint64_t max_processes = 0;
  /// binfmt_misc rules (":qemu-aarch64:M::...:F") registered in the cell's own binfmt_misc
  /// instance (Linux >= 6.7); an unsupported kernel makes every cell a setup failure.
  std::vector<std::string> binfmt_rules;
  /// true: each test sees a private Output dir whose owned entries are published to the real
  /// one at close (see output_view.h). false: the shared Output dir is bound writable, so a
  /// test can modify its siblings' outputs, but the runner may keep using host paths.
  bool isolate_outputs = true;
  /// true: a new network namespace per cell instead of the shared one (slower; for comparison).
  bool private_network_namespace = false;
  /// true: a cell whose test ended normally is reset (every process killed, /tmp emptied, no
  /// IPC object left, Output view emptied) and serves the next test of the same directory;
  /// a cell that is not clean is closed. false: a brand-new cell for every test.
  bool reuse_cells = true;
  /// With isolate_outputs: false, a test's outputs are the names starting with "<test file
  /// name>.tmp" (its %t), and only those are published to the Output dir; anything else it
  /// wrote in %T is kept apart, for inspection. true: every name it wrote is published (for
  /// legacy suites that expect them in %T afterwards), with the same checks.
  bool publish_all_outputs = false;
};

/// A sandbox session, for runners that need more than exec::Session.
class CellSession : public exec::Session {
 public:
  /// An O_PATH fd of the cell's "/", owned by the session; fs() (an exec::RootedFileSystem
  /// over it) resolves every path the way the test sees it. The runner must do its own file
  /// work on the test's paths through fs(): through host paths it would miss the per-test
  /// Output view and follow symlinks the test planted. Blocks until the cell is set up; the
  /// error is the setup failure ("sandbox: mount tmpfs on /tmp: ..."), and then every fs()
  /// call fails with EIO.
  virtual Expected<int> root_fd() = 0;
  /// Calls `on_ready` on the io_context once the cell is set up (ok) or has failed (the setup
  /// error). A runner that awaits this before its first fs() call never blocks its thread on
  /// a cell being made (root_fd() and fs() block until then).
  void async_wait_ready(std::function<void(Status)> on_ready) override = 0;
};

/// The top-level entries of "/" an allow-listed host hides (real directories and files; a
/// symlink such as /lib -> usr/lib leads to a path decided on its own).
std::vector<std::string> hidden_host_roots();

/// How many idle cells `ex` (from make_executor) keeps for reuse; 0 for any other executor.
/// For tests and diagnostics: a cell gets there once its reset has been answered.
size_t idle_cells(const exec::Executor& ex);

/// Can cells be made here? Builds one and waits for it to be ready. The error names the failed
/// step and errno, e.g. "unshare(user, mount, pid, ipc, uts, cgroup): Operation not permitted".
Status probe();

/// Makes an executor whose sessions are cells with `spec`'s policy. Compiles the seccomp filter
/// and creates the run's shared namespaces once, here.
Expected<std::unique_ptr<exec::Executor>> make_executor(boost::asio::io_context& io, const SandboxSpec& spec);

}  // namespace litbox::sandbox
