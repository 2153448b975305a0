// The executor choice (runner/executors.h) with a recording ExecutorFactory: which executors a
// directory's config gets, which directories share one, and what each was made from.
#include "runner/executors.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace litbox::runner {
namespace {

/// An executor that is never run: it has a name and counts flushes.
class NamedExecutor : public exec::Executor {
 public:
  explicit NamedExecutor(std::string name) : name_(std::move(name)) {}
  Expected<std::unique_ptr<exec::Session>> open(const exec::SessionSpec&) override { return Error("not run"); }
  std::string name() const override { return name_; }
  void flush() override { ++flushes; }
  int flushes = 0;

 private:
  std::string name_;
};

/// One executor the factory made, and what from.
struct Made {
  std::string kind;  ///< local, sandbox, qemu, ssh, batch
  exec::Executor* executor = nullptr;
  sandbox::SandboxSpec sandbox;
  emulation::QemuOptions qemu;
  std::string inner;  ///< qemu: the wrapped executor's kind
  emulation::SshSettings ssh;
  emulation::BatchSettings batch;
};

Made made(std::string kind) {
  Made m;
  m.kind = std::move(kind);
  return m;
}

class RecordingFactory : public ExecutorFactory {
 public:
  explicit RecordingFactory(std::vector<Made>& made, std::string& sandbox_error)
      : made_(made), sandbox_error_(sandbox_error) {}
  std::unique_ptr<exec::Executor> local() override { return record(made("local")); }
  Expected<std::unique_ptr<exec::Executor>> sandbox(const sandbox::SandboxSpec& spec) override {
    if (!sandbox_error_.empty()) return Error(sandbox_error_);
    Made m = made("sandbox");
    m.sandbox = spec;
    return record(std::move(m));
  }
  Expected<std::unique_ptr<exec::Executor>> qemu(std::unique_ptr<exec::Executor> inner,
                                                 emulation::QemuOptions options) override {
    Made m = made("qemu");
    m.inner = inner->name();
    m.qemu = std::move(options);
    return record(std::move(m));
  }
  Expected<std::unique_ptr<exec::Executor>> ssh(emulation::SshSettings settings) override {
    Made m = made("ssh");
    m.ssh = std::move(settings);
    return record(std::move(m));
  }
  Expected<std::unique_ptr<exec::Executor>> batch(emulation::BatchSettings settings) override {
    Made m = made("batch");
    m.batch = std::move(settings);
    return record(std::move(m));
  }

 private:
  std::unique_ptr<exec::Executor> record(Made m) {
    auto e = std::make_unique<NamedExecutor>(m.kind);
    m.executor = e.get();
    made_.push_back(std::move(m));
    return e;
  }
  std::vector<Made>& made_;
  std::string& sandbox_error_;
};

class ExecutorChoiceTest : public ::testing::Test {
 protected:
  /// The provider under test (made on first use, after the test set options_).
  Executors& provider() {
    if (!provider_)
      provider_ = make_executors(options_, sandbox_usable_, std::make_unique<RecordingFactory>(made_, sandbox_error_));
    return *provider_;
  }
  /// A directory's config: sandboxed, run here (no emulation).
  static config::SuiteConfig dir_config() {
    config::SuiteConfig c;
    c.name = "S";
    c.source_root = "/src/test";
    c.exec_root = "/build/test";
    c.target.executor = "local";
    return c;
  }
  exec::Executor* executor_for(const config::SuiteConfig& c) {
    auto e = provider().executor_for(c);
    EXPECT_TRUE(e.ok()) << e.error().message;
    return e ? *e : nullptr;
  }
  exec::Executor* target_for(const config::SuiteConfig& c) {
    auto e = provider().target_executor_for(c);
    EXPECT_TRUE(e.ok()) << e.error().message;
    return e ? *e : nullptr;
  }
  std::vector<std::string> kinds() const {
    std::vector<std::string> out;
    for (const auto& m : made_) out.push_back(m.kind);
    return out;
  }

  Options options_;
  bool sandbox_usable_ = true;
  std::string sandbox_error_;
  std::vector<Made> made_;
  std::unique_ptr<Executors> provider_;
};

TEST_F(ExecutorChoiceTest, DirectoriesWithEqualOptionsShareOneExecutor) {
  const config::SuiteConfig a = dir_config(), b = dir_config();  // two directories' config objects
  exec::Executor* ea = executor_for(a);
  EXPECT_EQ(executor_for(b), ea);
  EXPECT_EQ(executor_for(a), ea);
  EXPECT_EQ(kinds(), std::vector<std::string>{"sandbox"});
}

TEST_F(ExecutorChoiceTest, DirectoriesWithDifferentTargetTriplesGetDifferentExecutors) {
  config::SuiteConfig arm = dir_config(), riscv = dir_config();
  arm.target_triple = "aarch64-unknown-linux-gnu";
  riscv.target_triple = "riscv64-unknown-linux-gnu";
  EXPECT_NE(executor_for(arm), executor_for(riscv));
  EXPECT_EQ(made_.size(), 2u);
}

TEST_F(ExecutorChoiceTest, EachSandboxAndTargetOptionSeparatesExecutors) {
  const std::vector<std::pair<std::string, std::function<void(config::SuiteConfig&)>>> changes = {
      {"network", [](auto& c) { c.sandbox.network = true; }},
      {"readonly", [](auto& c) { c.sandbox.readonly = {"/opt"}; }},
      {"writable", [](auto& c) { c.sandbox.writable = {"/var/tmp"}; }},
      {"hidden", [](auto& c) { c.sandbox.hidden = {"/srv"}; }},
      {"deny_syscalls", [](auto& c) { c.sandbox.deny_syscalls = {"ptrace"}; }},
      {"seccomp_action", [](auto& c) { c.sandbox.seccomp_action = "kill"; }},
      {"hostname", [](auto& c) { c.sandbox.hostname = "other"; }},
      {"reuse_cells", [](auto& c) { c.sandbox.reuse_cells = false; }},
      {"memory", [](auto& c) { c.sandbox.limits.memory = 1 << 30; }},
      {"tmp_size", [](auto& c) { c.sandbox.limits.tmp_size = 1 << 20; }},
      {"sysroot", [](auto& c) { c.target.sysroot = "/sysroot"; }},
      {"source_root", [](auto& c) { c.source_root = "/src/other"; }},
      {"PATH", [](auto& c) { c.environment.set["PATH"] = "/opt/bin:/usr/bin"; }},
  };
  const config::SuiteConfig base = dir_config();
  exec::Executor* shared = executor_for(base);
  std::vector<config::SuiteConfig> configs;
  configs.reserve(changes.size());
  for (const auto& [what, change] : changes) {
    configs.push_back(dir_config());
    change(configs.back());
    EXPECT_NE(executor_for(configs.back()), shared) << what;
  }
  EXPECT_EQ(made_.size(), changes.size() + 1);
  // Options the executor is not made from do not: a feature, a substitution.
  config::SuiteConfig other = dir_config();
  other.features.insert("asserts");
  other.substitutions.push_back({"%foo", "bar"});
  EXPECT_EQ(executor_for(other), shared);
}

TEST_F(ExecutorChoiceTest, TheSandboxSpecComesFromTheDirectorysConfig) {
  const char* home = getenv("HOME");
  const std::string saved_home = home ? home : "";
  setenv("HOME", "/home/someone", 1);
  options_.path = {"/opt/tools"};
  config::SuiteConfig c = dir_config();
  c.sandbox.network = true;
  c.sandbox.writable = {"/var/cache/x"};
  c.sandbox.hidden = {"/srv/secret"};
  c.sandbox.hostname = "cell";
  c.sandbox.limits.memory = 1 << 30;
  c.sandbox.limits.processes = 7;
  c.sandbox.seccomp_action = "kill";
  executor_for(c);
  ASSERT_EQ(kinds(), std::vector<std::string>{"sandbox"});
  if (home) {
    setenv("HOME", saved_home.c_str(), 1);
  } else {
    unsetenv("HOME");
  }
  const sandbox::SandboxSpec& s = made_[0].sandbox;
  EXPECT_TRUE(s.network);
  EXPECT_EQ(s.writable, std::vector<std::string>{"/var/cache/x"});
  EXPECT_EQ(s.hidden, (std::vector<std::string>{"/home/someone", "/srv/secret"}));
  for (const char* visible : {"/src/test", "/build/test", "/opt/tools"})
    EXPECT_NE(std::find(s.readonly.begin(), s.readonly.end(), visible), s.readonly.end()) << visible;
  EXPECT_EQ(s.hostname, "cell");
  EXPECT_EQ(s.limits.address_space, 1u << 30);
  EXPECT_EQ(s.max_processes, 7u);
  EXPECT_TRUE(s.seccomp_kill);
  EXPECT_TRUE(s.isolate_outputs);
}

TEST_F(ExecutorChoiceTest, ABatchOrSshTargetSharesItsOutputsLive) {
  config::SuiteConfig c = dir_config();
  c.target.executor = "batch";
  executor_for(c);
  ASSERT_EQ(kinds(), (std::vector<std::string>{"sandbox", "qemu"}));  // batch emulates what runs here
  EXPECT_FALSE(made_[0].sandbox.isolate_outputs);
}

TEST_F(ExecutorChoiceTest, TestsRunLocallyWhenTheSandboxIsOffUnusableOrDisabled) {
  config::SuiteConfig disabled = dir_config();
  disabled.sandbox.enabled = false;
  EXPECT_FALSE(provider().sandboxed(disabled));
  EXPECT_EQ(executor_for(disabled)->name(), "local");
  EXPECT_TRUE(provider().sandboxed(dir_config()));

  provider_.reset();
  options_.sandbox = SandboxMode::kOff;
  EXPECT_FALSE(provider().sandboxed(dir_config()));
  EXPECT_EQ(executor_for(dir_config())->name(), "local");

  provider_.reset();
  options_.sandbox = SandboxMode::kAuto;
  sandbox_usable_ = false;
  EXPECT_FALSE(provider().sandboxed(dir_config()));
  EXPECT_EQ(executor_for(dir_config())->name(), "local");
  EXPECT_EQ(kinds(), (std::vector<std::string>{"local", "local", "local"}));
}

TEST_F(ExecutorChoiceTest, AnEmulatingTargetWrapsTheDirectorysExecutorInQemu) {
  config::SuiteConfig c = dir_config();
  c.target.executor = "qemu";
  c.target.sysroot = "/sysroots/arm";
  c.target.emulator_args = {"-cpu", "max"};
  EXPECT_EQ(executor_for(c)->name(), "qemu");
  ASSERT_EQ(kinds(), (std::vector<std::string>{"sandbox", "qemu"}));
  EXPECT_EQ(made_[1].inner, "sandbox");
  EXPECT_EQ(made_[1].qemu.sysroot, "/sysroots/arm");
  EXPECT_EQ(made_[1].qemu.extra_args, (std::vector<std::string>{"-cpu", "max"}));

  // Unsandboxed, QEMU wraps the local executor; without a sysroot, the triple's default.
  config::SuiteConfig plain = dir_config();
  plain.sandbox.enabled = false;
  plain.target.executor = "auto";
  plain.target_triple = "aarch64-linux-gnu";
  executor_for(plain);
  ASSERT_EQ(made_.size(), 4u);
  EXPECT_EQ(made_[3].inner, "local");
  EXPECT_EQ(made_[3].qemu.sysroot, emulation::default_sysroot(emulation::arch_from_triple("aarch64-linux-gnu")));
}

TEST_F(ExecutorChoiceTest, AFailureToMakeTheExecutorNamesIt) {
  sandbox_error_ = "no user namespaces";
  auto e = provider().executor_for(dir_config());
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().message, "sandbox: no user namespaces");
}

TEST_F(ExecutorChoiceTest, OnlySshAndBatchTargetsHaveATargetExecutor) {
  for (const char* kind : {"local", "auto", "qemu"}) {
    config::SuiteConfig c = dir_config();
    c.target.executor = kind;
    EXPECT_EQ(target_for(c), nullptr) << kind;
  }
  EXPECT_TRUE(made_.empty());
}

TEST_F(ExecutorChoiceTest, AnSshTargetIsMadeFromTheConfigsSshSettings) {
  config::SuiteConfig c = dir_config();
  c.target.executor = "ssh";
  c.target.ssh.host = "board";
  c.target.ssh.port = 2222;
  c.target.ssh.user = "ci";
  c.target.ssh.work_dir = "/data/tmp";
  c.target.ssh.options = {"StrictHostKeyChecking=no"};
  EXPECT_EQ(target_for(c)->name(), "ssh");
  ASSERT_EQ(kinds(), std::vector<std::string>{"ssh"});
  const emulation::SshSettings& s = made_[0].ssh;
  EXPECT_EQ(s.host, "board");
  EXPECT_EQ(s.port, 2222);
  EXPECT_EQ(s.user, "ci");
  EXPECT_EQ(s.work_dir, "/data/tmp");
  EXPECT_EQ(s.options, std::vector<std::string>{"StrictHostKeyChecking=no"});
}

TEST_F(ExecutorChoiceTest, ABatchTargetRunsOverSshOrHereThroughQemu) {
  config::SuiteConfig remote = dir_config();
  remote.target.executor = "batch";
  remote.target.ssh.host = "board";
  remote.target.batch_size = 16;
  remote.target.batch_idle_flush_ms = 250;
  remote.timeout = 30;
  config::SuiteConfig here = remote;
  here.target.ssh.host.clear();
  here.target.sysroot = "/sysroots/arm";
  exec::Executor* first = target_for(remote);
  EXPECT_NE(target_for(here), first);
  ASSERT_EQ(kinds(), (std::vector<std::string>{"batch", "batch"}));
  const emulation::BatchSettings& r = made_[0].batch;
  EXPECT_EQ(r.transport, emulation::BatchSettings::Transport::ssh);
  EXPECT_EQ(r.ssh.host, "board");
  EXPECT_EQ(r.batch_size, 16);
  EXPECT_EQ(r.idle_flush_ms, 250);
  EXPECT_EQ(r.request_timeout, 30);
  const emulation::BatchSettings& h = made_[1].batch;
  EXPECT_EQ(h.transport, emulation::BatchSettings::Transport::local);
  EXPECT_TRUE(h.local_qemu);
  EXPECT_EQ(h.qemu.sysroot, "/sysroots/arm");
  EXPECT_EQ(h.libraries.sysroot, "/sysroots/arm");
  EXPECT_TRUE(provider().target_enforces_timeout(remote));
}

TEST_F(ExecutorChoiceTest, TheCommandLineTimeoutIsTheBatchsRequestTimeout) {
  options_.timeout = 5;
  config::SuiteConfig c = dir_config();
  c.target.executor = "batch";
  c.timeout = 30;
  target_for(c);
  ASSERT_EQ(made_.size(), 1u);
  EXPECT_EQ(made_[0].batch.request_timeout, 5);
}

TEST_F(ExecutorChoiceTest, DirectoriesWithTheSameTargetShareItsExecutorSoTheirTestsBatchTogether) {
  config::SuiteConfig a = dir_config(), b = dir_config(), other = dir_config();
  for (auto* c : {&a, &b, &other}) {
    c->target.executor = "batch";
    c->target.ssh.host = "board";
  }
  b.sandbox.network = true;  // another cell executor, the same target
  other.target.ssh.host = "other-board";
  exec::Executor* ta = target_for(a);
  EXPECT_EQ(target_for(b), ta);
  EXPECT_NE(executor_for(a), executor_for(b));
  EXPECT_NE(target_for(other), ta);
  const std::vector<std::string> made = kinds();
  EXPECT_EQ(std::count(made.begin(), made.end(), "batch"), 2);
}

TEST_F(ExecutorChoiceTest, FlushingDeferredWorkFlushesEveryTargetExecutor) {
  config::SuiteConfig a = dir_config(), b = dir_config();
  a.target.executor = b.target.executor = "batch";
  b.target.ssh.host = "board";
  auto* ta = static_cast<NamedExecutor*>(target_for(a));
  auto* tb = static_cast<NamedExecutor*>(target_for(b));
  provider().flush_deferred();
  EXPECT_EQ(ta->flushes, 1);
  EXPECT_EQ(tb->flushes, 1);
}

// The machine facts each directory's config gets: a lit.local.yaml that changes the target
// or the sandbox gets its own, replacing its parent's.
TEST_F(ExecutorChoiceTest, EachDirectoryGetsTheFactsOfItsOwnExecutor) {
  auto exec_substitutions = [](const config::SuiteConfig& c) {
    std::vector<std::string> out;
    for (const auto& s : c.substitutions)
      if (s.pattern == "%\\{exec\\}") out.push_back(s.replacement);
    return out;
  };
  config::SuiteConfig root = dir_config();
  root.target.triple = "x86_64-unknown-linux-gnu";
  provider().finish_suite_config(root);
  EXPECT_TRUE(root.features.count("sandbox"));
  EXPECT_TRUE(root.features.count("target=x86_64-unknown-linux-gnu"));
  EXPECT_EQ(exec_substitutions(root), std::vector<std::string>{""});

  config::SuiteConfig local = root;  // as apply_local_config starts a lit.local.yaml's config
  local.target.executor = "batch";
  local.sandbox.enabled = false;
  provider().finish_suite_config(local);
  EXPECT_FALSE(local.features.count("sandbox"));
  EXPECT_EQ(exec_substitutions(local), std::vector<std::string>{"litbox-exec"});

  config::SuiteConfig back = local;  // and a directory below that runs here again
  back.target.executor = "local";
  back.sandbox.enabled = true;
  provider().finish_suite_config(back);
  EXPECT_TRUE(back.features.count("sandbox"));
  EXPECT_EQ(exec_substitutions(back), std::vector<std::string>{""});
  EXPECT_EQ(back.features, root.features);
}

}  // namespace
}  // namespace litbox::runner
