#include "runner/executors.h"

#include "runner/prefix_executor.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <map>
#include <optional>
#include <tuple>
#include <utility>

#include "configs/interpolate.h"
#include "emulation/arch.h"
#include "emulation/batch_executor.h"
#include "emulation/qemu.h"
#include "emulation/ssh_executor.h"
#include "executor/local_executor.h"
#include "runner/environment.h"
#include "sandbox/sandbox_executor.h"
#include "support/strings.h"

namespace litbox::runner {

namespace {

std::string host_triple() {
  struct utsname u;
  if (uname(&u) != 0) return "";
  return std::string(u.machine) + "-unknown-linux-gnu";
}

std::string find_in_path(const std::string& name) {
  const char* p = std::getenv("PATH");
  for (const auto& dir : split(p ? p : "/usr/bin:/bin", ':')) {
    std::string c = (dir.empty() ? "." : dir) + "/" + name;
    if (access(c.c_str(), X_OK) == 0) return c;
  }
  return "";
}

std::string host_path() {
  const char* p = std::getenv("PATH");
  return p ? p : "/usr/local/bin:/usr/bin:/bin";
}

bool emulates(const config::SuiteConfig& cfg) {
  const std::string& e = cfg.target.executor;
  return e == "auto" || e == "qemu" || e == "ssh" || e == "batch";
}

// Everything an executor is made from: directory configs with equal keys share one. (A
// comparable tuple of the options themselves, not a string that could leave one out.)
auto executor_key(const config::SuiteConfig& cfg) {
  const auto& s = cfg.sandbox;
  const auto& t = cfg.target;
  auto path = cfg.environment.set.find("PATH");
  return std::make_tuple(s.enabled, s.network, s.readonly, s.writable, s.hidden, s.deny_syscalls, s.allow_syscalls,
                         s.seccomp_action, s.hostname, s.reuse_cells, s.publish_all_outputs, s.limits.memory,
                         s.limits.processes, s.limits.cpu_seconds, s.limits.file_size, s.limits.open_files,
                         s.limits.tmp_size, t.executor, t.sysroot, t.emulator_args, cfg.target_triple, cfg.source_root,
                         cfg.exec_root, path == cfg.environment.set.end() ? std::string() : path->second);
}
using ExecutorKey = decltype(executor_key(std::declval<const config::SuiteConfig&>()));

// Everything a target executor (ssh, batch) is made from.
auto target_key(const config::SuiteConfig& cfg, double timeout, const std::string& sysroot) {
  const auto& t = cfg.target;
  const auto& s = t.ssh;
  return std::make_tuple(t.executor, s.host, s.port, s.user, s.identity, s.work_dir, s.env, s.options,
                         s.connection_sharing, t.batch_size, t.batch_parallelism, t.batch_idle_flush_ms, t.batch_timeout,
                         t.batch_retries, timeout, sysroot, t.emulator_args);
}
using TargetKey = decltype(target_key(std::declval<const config::SuiteConfig&>(), 0.0, std::string()));

class RealExecutorFactory : public ExecutorFactory {
 public:
  explicit RealExecutorFactory(boost::asio::io_context& io) : io_(io) {}
  std::unique_ptr<exec::Executor> local() override { return std::make_unique<exec::LocalExecutor>(io_); }
  Expected<std::unique_ptr<exec::Executor>> sandbox(const sandbox::SandboxSpec& spec) override {
    return sandbox::make_executor(io_, spec);
  }
  Expected<std::unique_ptr<exec::Executor>> qemu(std::unique_ptr<exec::Executor> inner,
                                                 emulation::QemuOptions options) override {
    return emulation::make_qemu_executor(io_, std::move(inner), std::move(options));
  }
  Expected<std::unique_ptr<exec::Executor>> ssh(emulation::SshSettings settings) override {
    return emulation::make_ssh_executor(io_, std::move(settings));
  }
  Expected<std::unique_ptr<exec::Executor>> batch(emulation::BatchSettings settings) override {
    return emulation::make_batch_executor(io_, std::move(settings));
  }

 private:
  boost::asio::io_context& io_;
};

class RunExecutors : public Executors {
 public:
  RunExecutors(const Options& options, bool sandbox_usable, std::unique_ptr<ExecutorFactory> factory)
      : options_(options), sandbox_usable_(sandbox_usable), factory_(std::move(factory)) {
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n > 0) self_exe_ = std::string(buf, static_cast<size_t>(n));
  }

  void flush_deferred() override {
    for (auto& [key, e] : targets_)
      if (e) e->flush();
  }

  void finish_suite_config(config::SuiteConfig& cfg) override {
    if (cfg.target_triple.empty()) cfg.target_triple = cfg.target.triple;
    if (cfg.host_triple.empty()) cfg.host_triple = host_triple();
    if (!cfg.target_triple.empty()) cfg.features.insert("target=" + cfg.target_triple);
    if (!cfg.host_triple.empty()) cfg.features.insert("host=" + cfg.host_triple);
    // A directory's config starts from its parent's facts: replace them, since its `target:`
    // or `sandbox:` may differ.
    auto& facts = cfg.machine_facts;
    for (const auto& f : facts.features) cfg.features.erase(f);
    facts.features.clear();
    if (facts.exec) {
      auto& subs = cfg.substitutions;
      for (auto it = subs.rbegin(); it != subs.rend(); ++it)
        if (it->pattern == facts.exec->pattern && it->replacement == facts.exec->replacement) {
          subs.erase(std::next(it).base());
          break;
        }
      facts.exec.reset();
    }
    auto add = [&](std::string f) {
      if (cfg.features.insert(f).second) facts.features.push_back(std::move(f));
    };
    if (emulates(cfg)) {
      for (const auto& f : runnable_arch_features()) add(f);
    } else {
      add("can-run=" + std::string(emulation::arch_name(emulation::host_arch())));
    }
    if (sandboxed(cfg)) add("sandbox");
    // %{exec}: the marker word that sends a command to the target executor (ssh, batch),
    // or nothing for local targets. A config's own %{exec} comes first and wins. libc++'s
    // format runs programs in %T, as its run.py and ssh.py do with --execdir.
    bool remote = cfg.target.executor == "ssh" || cfg.target.executor == "batch";
    std::string exec = cfg.format == "libcxx" ? "litbox-exec --execdir %T --" : remote ? "litbox-exec" : "";
    facts.exec = config::Substitution{"%\\{exec\\}", std::move(exec), true};
    cfg.substitutions.push_back(*facts.exec);
  }

  bool sandboxed(const config::SuiteConfig& cfg) const override {
    return cfg.sandbox.enabled && options_.sandbox != SandboxMode::kOff && sandbox_usable_;
  }

  Expected<exec::Executor*> executor_for(const config::SuiteConfig& cfg) override {
    // Per test: most tests share their directory's config object, so look it up first.
    if (auto hit = by_config_.find(&cfg); hit != by_config_.end()) return hit->second;
    ExecutorKey key = executor_key(cfg);
    auto it = executors_.find(key);
    if (it != executors_.end()) return by_config_[&cfg] = it->second.get();
    std::unique_ptr<exec::Executor> e;
    if (sandboxed(cfg)) {
      sandbox::SandboxSpec spec = sandbox_spec(cfg);
      if (emulates(cfg) && binfmt_works()) {
        spec.binfmt_rules = emulation::binfmt_rules(emulation::host_arch(), host_path());
      }
      auto s = factory_->sandbox(spec);
      if (!s) return Error("sandbox: " + s.error().message);
      e = std::move(*s);
    } else {
      e = factory_->local();
    }
    if (emulates(cfg)) {
      // Foreign binaries named directly run via QEMU; the decorator also exports
      // QEMU_LD_PREFIX, which the QEMUs the cell's binfmt_misc starts for binaries run
      // indirectly (sh -c, make, a harness) need to find a dynamic binary's loader.
      emulation::QemuOptions q;
      q.sysroot = cfg.target.sysroot;
      if (q.sysroot.empty() && !cfg.target_triple.empty())
        q.sysroot = emulation::default_sysroot(emulation::arch_from_triple(cfg.target_triple));
      q.extra_args = cfg.target.emulator_args;
      auto w = factory_->qemu(std::move(e), std::move(q));
      if (!w) return Error("qemu: " + w.error().message);
      e = std::move(*w);
    }
    if (options_.use_valgrind || options_.valgrind_leak_check) {
      // lit's --vg: every command runs under memcheck; an error exits 123.
      std::string valgrind = find_in_path("valgrind");
      if (valgrind.empty()) return Error("--vg: valgrind not found on PATH");
      e = make_prefix_executor(std::move(e), valgrind_prefix(valgrind, options_.valgrind_leak_check, options_.valgrind_args));
    }
    exec::Executor* raw = e.get();
    executors_[key] = std::move(e);
    return by_config_[&cfg] = raw;
  }

  Expected<exec::Executor*> target_executor_for(const config::SuiteConfig& cfg) override {
    const std::string& kind = cfg.target.executor;
    if (kind != "ssh" && kind != "batch") return static_cast<exec::Executor*>(nullptr);
    const auto& s = cfg.target.ssh;
    emulation::SshSettings settings;
    settings.host = s.host;
    settings.port = s.port;
    settings.user = s.user;
    settings.identity = s.identity;
    settings.work_dir = s.work_dir;
    settings.env = s.env;
    settings.options = s.options;
    settings.connection_sharing = s.connection_sharing;
    const double timeout = options_.timeout ? *options_.timeout : cfg.timeout;
    std::string sysroot = cfg.target.sysroot;
    if (sysroot.empty() && !cfg.target_triple.empty())
      sysroot = emulation::default_sysroot(emulation::arch_from_triple(cfg.target_triple));
    // One executor per target, shared by every directory, so that their tests batch together.
    TargetKey key = target_key(cfg, timeout, sysroot);
    auto it = targets_.find(key);
    if (it != targets_.end()) return it->second.get();
    Expected<std::unique_ptr<exec::Executor>> e = Error("no target executor");
    if (kind == "ssh") {
      e = factory_->ssh(settings);
    } else {
      emulation::BatchSettings b;
      if (!s.host.empty()) {
        b.transport = emulation::BatchSettings::Transport::ssh;
        b.ssh = settings;
      } else {
        // No host: the batch runs here, foreign binaries through QEMU.
        b.transport = emulation::BatchSettings::Transport::local;
        b.local_qemu = true;
        b.qemu.sysroot = sysroot;
        b.qemu.extra_args = cfg.target.emulator_args;
      }
      b.batch_size = cfg.target.batch_size;
      b.parallelism = cfg.target.batch_parallelism;
      b.idle_flush_ms = cfg.target.batch_idle_flush_ms;
      b.batch_timeout = cfg.target.batch_timeout;
      b.retries = cfg.target.batch_retries;
      b.request_timeout = timeout;
      b.libraries.sysroot = sysroot;
      e = factory_->batch(std::move(b));
    }
    if (!e) return Error(kind + " target: " + e.error().message);
    exec::Executor* raw = e->get();
    targets_[key] = std::move(*e);
    return raw;
  }

  bool target_enforces_timeout(const config::SuiteConfig& cfg) const override { return cfg.target.executor == "batch"; }

  std::vector<BatchTarget> batch_targets() const override {
    std::vector<BatchTarget> out;
    for (const auto& [key, e] : targets_) {
      if (e->name() != "batch") continue;
      const std::string& host = std::get<1>(key);  // target.ssh.host
      out.push_back({host.empty() ? "local" : host, emulation::batch_stats(*e)});
    }
    return out;
  }

  size_t batches_in_flight() const override {
    size_t n = 0;
    for (const auto& [key, e] : targets_) n += emulation::batches_in_flight(*e);
    return n;
  }

 private:
  sandbox::SandboxSpec sandbox_spec(const config::SuiteConfig& cfg) const {
    const auto& s = cfg.sandbox;
    sandbox::SandboxSpec spec;
    spec.network = s.network;
    spec.readonly = s.readonly;
    spec.writable = s.writable;
    // The cell sees an allow-listed host (SandboxSpec::allow_listed_host); $HOME and `hidden:`
    // are hidden too.
    const char* home = std::getenv("HOME");
    if (home && *home && std::string(home) != "/") spec.hidden.push_back(home);
    spec.hidden.insert(spec.hidden.end(), s.hidden.begin(), s.hidden.end());
    // What the tests need stays visible even below a hidden path: the suite, its build
    // tree, the litbox binary itself (out-of-process builtins; the file, not its directory,
    // which may be /tmp or a home's bin), the --path directories and those of the config's
    // PATH; `readonly:` names more. (Not every path a param names: params also name what tests
    // must not see, e.g. the hostile suite's host dirs.)
    for (const auto& p : {cfg.source_root, cfg.exec_root, self_exe_})
      if (!p.empty()) spec.readonly.push_back(p);
    for (const auto& p : options_.path) spec.readonly.push_back(p);
    if (auto path = cfg.environment.set.find("PATH"); path != cfg.environment.set.end())
      for (const auto& p : split(config::expand_base_path(path->second, kHermeticPath), ':'))
        if (!p.empty() && p[0] == '/') spec.readonly.push_back(p);
    // ssh and batch targets read the test's files (%t.exe, inputs) from the host while the
    // test runs, so the test's outputs must be live at their host paths: the Output dir is
    // bound writable instead of a private per-test view (see docs/security.md).
    if (cfg.target.executor == "ssh" || cfg.target.executor == "batch") spec.isolate_outputs = false;
    spec.deny_syscalls = s.deny_syscalls;
    spec.allow_syscalls = s.allow_syscalls;
    spec.seccomp_kill = s.seccomp_action == "kill";
    spec.hostname = s.hostname;
    spec.reuse_cells = s.reuse_cells;
    spec.publish_all_outputs = s.publish_all_outputs;
    spec.tmp_size = s.limits.tmp_size;
    spec.limits.address_space = s.limits.memory;
    spec.limits.cpu_seconds = s.limits.cpu_seconds;
    spec.limits.file_size = s.limits.file_size;
    spec.limits.open_files = s.limits.open_files;
    spec.max_processes = s.limits.processes;
    return spec;
  }

  // binfmt_misc inside a user namespace needs Linux >= 6.7.
  static bool binfmt_works() {
    struct utsname u;
    if (uname(&u) != 0) return false;
    int major = 0, minor = 0;
    if (sscanf(u.release, "%d.%d", &major, &minor) != 2) return false;
    return major > 6 || (major == 6 && minor >= 7);
  }

  // The can-run= features of the emulators on PATH: looked up once per run.
  const std::vector<std::string>& runnable_arch_features() {
    if (!runnable_) runnable_ = emulation::runnable_arch_features(emulation::host_arch(), host_path());
    return *runnable_;
  }

  const Options& options_;
  bool sandbox_usable_;
  std::unique_ptr<ExecutorFactory> factory_;
  std::optional<std::vector<std::string>> runnable_;
  std::string self_exe_;
  std::map<ExecutorKey, std::unique_ptr<exec::Executor>> executors_;
  std::map<const config::SuiteConfig*, exec::Executor*> by_config_;  // configs live for the run
  std::map<TargetKey, std::unique_ptr<exec::Executor>> targets_;
};

}  // namespace

Expected<std::unique_ptr<Executors>> make_executor_provider(boost::asio::io_context& io, const Options& options,
                                                            Diagnostics& diag) {
  bool usable = false;
  if (options.sandbox != SandboxMode::kOff) {
    Status probe = sandbox::probe();
    usable = probe.ok();
    if (!usable) {
      if (options.sandbox == SandboxMode::kRequire)
        return Error("--sandbox=require, but no sandbox can be made here: " + probe.error().message);
      diag.warning("running tests WITHOUT a sandbox: " + probe.error().message +
                   " (use --sandbox=require to make this an error, --sandbox=off to silence it)");
    }
  }
  return make_executors(options, usable, make_executor_factory(io));
}

std::unique_ptr<ExecutorFactory> make_executor_factory(boost::asio::io_context& io) {
  return std::make_unique<RealExecutorFactory>(io);
}

std::unique_ptr<Executors> make_executors(const Options& options, bool sandbox_usable,
                                          std::unique_ptr<ExecutorFactory> factory) {
  return std::make_unique<RunExecutors>(options, sandbox_usable, std::move(factory));
}

}  // namespace litbox::runner
