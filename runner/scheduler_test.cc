// run_tests with a fake executor: every test is an ExecutableTest whose one process the fake
// "runs" for a set time, so the tests see what the scheduler started, when, and alongside what.
#include "runner/scheduler.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <utility>  // before Asio (Boost 1.74)
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "executor/executor.h"
#include "runner/run_context.h"
#include "runner/test.h"
#include "support/testing/temp_dir.h"

namespace litbox::runner {
namespace {

namespace asio = boost::asio;
using litbox::testing::TempDir;
using Clock = std::chrono::steady_clock;

/// What the fake does with a test's process.
struct Behavior {
  int ms = 20;            ///< how long it runs
  int exit_code = 0;
  bool deferred = false;  ///< queued like a batch request: runs when the runner flushes (or after ms)
  bool interrupt = false; ///< sends the runner SIGINT once started
};

class FakeExecutor;

exec::ExitStatus exited(int code) {
  exec::ExitStatus st;
  st.code = code;
  return st;
}

/// One test's session: runs each spawned process as a timer.
class FakeSession : public exec::Session {
 public:
  FakeSession(FakeExecutor& ex, exec::SessionSpec spec) : ex_(ex), spec_(std::move(spec)) {}
  ~FakeSession() override;
  void spawn(exec::SpawnRequest req, exec::ExitHandler on_exit) override;
  void terminate() override;
  /// A deferred process: its batch leaves now.
  void flush();

 private:
  void finish(exec::ExitStatus st);

  FakeExecutor& ex_;
  exec::SessionSpec spec_;
  std::string name_;
  Behavior behavior_;
  std::unique_ptr<asio::steady_timer> timer_;
  exec::ExitHandler on_exit_;  // set while the process runs
};

/// The executor and provider of every test; records what ran when.
class FakeExecutor : public exec::Executor, public ExecutorProvider {
 public:
  explicit FakeExecutor(asio::io_context& io_context) : io(io_context) {}

  Expected<std::unique_ptr<exec::Session>> open(const exec::SessionSpec& spec) override {
    return std::unique_ptr<exec::Session>(std::make_unique<FakeSession>(*this, spec));
  }
  std::string name() const override { return "fake"; }

  Expected<exec::Executor*> executor_for(const config::SuiteConfig&) override { return this; }
  Expected<exec::Executor*> target_executor_for(const config::SuiteConfig&) override {
    return static_cast<exec::Executor*>(nullptr);
  }
  bool sandboxed(const config::SuiteConfig&) const override { return false; }
  void flush_deferred() override {
    ++flushes;
    for (FakeSession* s : std::set<FakeSession*>(waiting)) s->flush();
  }

  /// The largest number of processes that ran at once among the tests `pick` selects.
  int max_running(const std::function<bool(const std::string&)>& pick = {}) const {
    int most = 0;
    for (const auto& now : snapshots) {
      int n = 0;
      for (const auto& name : now) n += !pick || pick(name);
      most = std::max(most, n);
    }
    return most;
  }

  asio::io_context& io;
  std::map<std::string, Behavior> behaviors;  // by test file name
  std::set<std::string> running;              // names of the processes running now
  std::vector<std::set<std::string>> snapshots;  // `running` after each start
  std::set<FakeSession*> waiting;             // deferred, not flushed yet
  std::vector<std::string> started;
  int flushes = 0;
  int terminated = 0;
};

FakeSession::~FakeSession() { ex_.waiting.erase(this); }

void FakeSession::spawn(exec::SpawnRequest req, exec::ExitHandler on_exit) {
  name_ = req.argv[0].substr(req.argv[0].rfind('/') + 1);
  behavior_ = ex_.behaviors[name_];
  on_exit_ = std::move(on_exit);
  ex_.started.push_back(name_);
  if (behavior_.deferred) {
    ex_.waiting.insert(this);
    if (spec_.deferred) spec_.deferred(+1);
  } else {
    ex_.running.insert(name_);
    ex_.snapshots.push_back(ex_.running);
  }
  if (behavior_.interrupt) asio::post(ex_.io, [] { raise(SIGINT); });
  timer_ = std::make_unique<asio::steady_timer>(ex_.io, std::chrono::milliseconds(behavior_.ms));
  timer_->async_wait([this](const boost::system::error_code& ec) {
    if (!ec) finish(exited(behavior_.exit_code));
  });
}

void FakeSession::flush() { finish(exited(behavior_.exit_code)); }

void FakeSession::terminate() {
  if (!on_exit_) return;
  ++ex_.terminated;
  exec::ExitStatus killed;
  killed.signal = SIGKILL;
  finish(std::move(killed));
}

void FakeSession::finish(exec::ExitStatus st) {
  if (!on_exit_) return;  // a timer and a flush (or terminate) raced: the first one wins
  timer_->cancel();
  ex_.running.erase(name_);
  if (behavior_.deferred) {
    ex_.waiting.erase(this);
    if (spec_.deferred) spec_.deferred(-1);
  }
  auto done = std::move(on_exit_);
  on_exit_ = nullptr;
  asio::post(ex_.io, [done = std::move(done), st = std::move(st)]() mutable { done(std::move(st)); });
}

class SchedulerTest : public ::testing::Test {
 protected:
  SchedulerTest() : ctx_(io_), fake_(io_) {
    ctx_.executors = &fake_;
    suite_.name = "S";
    suite_.source_root = dir_.path();
    suite_.exec_root = dir_.path() + "/build";
    config_ = make_config();
  }

  std::shared_ptr<config::SuiteConfig> make_config() {
    auto c = std::make_shared<config::SuiteConfig>();
    c->name = "S";
    c->format = "executable";
    c->source_root = suite_.source_root;
    c->exec_root = suite_.exec_root;
    return c;
  }

  /// Adds the test `name` that behaves as `b`, with `config` (default: the suite's).
  runner::Test& add(const std::string& name, Behavior b = {}, std::shared_ptr<const config::SuiteConfig> config = nullptr) {
    fake_.behaviors[name] = b;
    auto t = std::make_unique<runner::Test>();
    t->suite = &suite_;
    t->path_in_suite = {name};
    t->config = config ? std::move(config) : config_;
    t->source_path = dir_.write(name, "");
    t->exec_path = suite_.exec_root + "/" + name;
    tests_.push_back(std::move(t));
    return *tests_.back();
  }

  /// Runs every test added; returns why the run stopped.
  StopReason run(ScheduleOptions options) {
    std::vector<runner::Test*> tests;
    for (auto& t : tests_) tests.push_back(t.get());
    auto begin = Clock::now();
    StopReason why = run_tests(tests, ctx_, options, [this](runner::Test& t) { reported_.push_back(t.path_string()); });
    seconds_ = std::chrono::duration<double>(Clock::now() - begin).count();
    return why;
  }

  ResultCode code(size_t i) const { return tests_[i]->result.code; }
  std::vector<ResultCode> codes() const {
    std::vector<ResultCode> out;
    for (const auto& t : tests_) out.push_back(t->result.code);
    return out;
  }

  TempDir dir_;
  asio::io_context io_;
  RunContext ctx_;
  FakeExecutor fake_;
  TestSuite suite_;
  std::shared_ptr<config::SuiteConfig> config_;
  std::vector<std::unique_ptr<runner::Test>> tests_;
  std::vector<std::string> reported_;  // on_result, in call order
  double seconds_ = 0;
};

TEST_F(SchedulerTest, RunsAtMostWorkersTestsAtOnceAndAllOfThem) {
  // Long enough that a loaded machine still starts the third before the first ends.
  for (int i = 0; i < 9; ++i) add("t" + std::to_string(i), {.ms = 150});
  EXPECT_EQ(run({.workers = 3}), StopReason::kNone);
  EXPECT_EQ(fake_.started.size(), 9u);
  EXPECT_EQ(fake_.max_running(), 3);
  EXPECT_EQ(reported_.size(), 9u);
  for (size_t i = 0; i < tests_.size(); ++i) EXPECT_EQ(code(i), ResultCode::kPass) << i;
}

TEST_F(SchedulerTest, StartsTestsInOrderAndReportsThemInCompletionOrder) {
  add("slow", {.ms = 300});
  add("fast", {.ms = 20});
  add("middle", {.ms = 150});
  EXPECT_EQ(run({.workers = 3}), StopReason::kNone);
  EXPECT_EQ(fake_.started, (std::vector<std::string>{"slow", "fast", "middle"}));
  EXPECT_EQ(reported_, (std::vector<std::string>{"fast", "middle", "slow"}));
  // Each result has its own timing: `start` from the run's start, `elapsed` its own.
  EXPECT_GE(tests_[0]->result.elapsed, 0.25);
  EXPECT_LT(tests_[1]->result.elapsed, tests_[0]->result.elapsed);
}

TEST_F(SchedulerTest, OneWorkerRunsOneTestAtATime) {
  add("a", {.ms = 30, .exit_code = 1});
  add("b", {.ms = 10});
  EXPECT_EQ(run({.workers = 1}), StopReason::kNone);
  EXPECT_EQ(fake_.max_running(), 1);
  EXPECT_EQ(reported_, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(codes(), (std::vector<ResultCode>{ResultCode::kFail, ResultCode::kPass}));
}

TEST_F(SchedulerTest, AParallelismGroupLimitsItsTestsButNotTheOthers) {
  auto grouped = make_config();
  grouped->parallelism_group = "g";
  grouped->parallelism_groups = {{"g", 1}};
  for (int i = 0; i < 4; ++i) add("g" + std::to_string(i), {.ms = 50}, grouped);
  add("free1", {.ms = 300});
  add("free2", {.ms = 300});
  EXPECT_EQ(run({.workers = 4}), StopReason::kNone);
  auto in_group = [](const std::string& n) { return n[0] == 'g'; };
  EXPECT_EQ(fake_.max_running(in_group), 1);
  // The free tests did not wait behind the group's queue: they ran beside it.
  EXPECT_GE(fake_.max_running(), 3);
  EXPECT_EQ(fake_.started.size(), 6u);
}

TEST_F(SchedulerTest, AGroupWithoutASizeHasNoLimit) {
  auto grouped = make_config();
  grouped->parallelism_group = "unsized";
  for (int i = 0; i < 3; ++i) add("u" + std::to_string(i), {.ms = 150}, grouped);
  EXPECT_EQ(run({.workers = 3}), StopReason::kNone);
  EXPECT_EQ(fake_.max_running(), 3);
}

TEST_F(SchedulerTest, MaxFailuresStopsTheRunAndLeavesTheRestSkipped) {
  for (int i = 0; i < 5; ++i) add("f" + std::to_string(i), {.ms = 10, .exit_code = 1});
  EXPECT_EQ(run({.workers = 1, .max_failures = 2}), StopReason::kMaxFailures);
  EXPECT_EQ(reported_, (std::vector<std::string>{"f0", "f1"}));
  EXPECT_EQ(codes(), (std::vector<ResultCode>{ResultCode::kFail, ResultCode::kFail, ResultCode::kSkipped,
                                              ResultCode::kSkipped, ResultCode::kSkipped}));
  EXPECT_EQ(fake_.started.size(), 2u);
}

TEST_F(SchedulerTest, PassesDoNotCountTowardsMaxFailures) {
  add("pass1");
  add("fail", {.exit_code = 1});
  add("pass2");
  add("after");
  EXPECT_EQ(run({.workers = 1, .max_failures = 2}), StopReason::kNone);
  EXPECT_EQ(fake_.started.size(), 4u);
}

TEST_F(SchedulerTest, MaxTimeKillsTheRunningTestsAndLeavesEverythingUnfinishedSkipped) {
  add("quick", {.ms = 10});
  for (int i = 0; i < 4; ++i) add("long" + std::to_string(i), {.ms = 20000});
  EXPECT_EQ(run({.workers = 2, .max_time = 0.3}), StopReason::kMaxTime);
  EXPECT_LT(seconds_, 5);  // the long tests were killed, not waited for
  EXPECT_EQ(fake_.terminated, 2);
  EXPECT_EQ(reported_, std::vector<std::string>{"quick"});
  EXPECT_EQ(codes(), (std::vector<ResultCode>{ResultCode::kPass, ResultCode::kSkipped, ResultCode::kSkipped,
                                              ResultCode::kSkipped, ResultCode::kSkipped}));
}

TEST_F(SchedulerTest, AnInterruptKillsTheRunningTestsAndReportsNoneOfThem) {
  add("interrupts", {.ms = 20000, .interrupt = true});
  add("running", {.ms = 20000});
  add("queued", {.ms = 10});
  EXPECT_EQ(run({.workers = 2}), StopReason::kInterrupted);
  EXPECT_LT(seconds_, 5);
  EXPECT_EQ(fake_.started, (std::vector<std::string>{"interrupts", "running"}));
  EXPECT_EQ(fake_.terminated, 2);
  EXPECT_TRUE(reported_.empty());
  EXPECT_EQ(codes(), std::vector<ResultCode>(3, ResultCode::kSkipped));
}

TEST_F(SchedulerTest, ATestWaitingForABatchGivesItsSlotToTheNext) {
  // Unflushed, the batch test would end after 5 s; with its slot held, "a" and "b" after it.
  add("batched", {.ms = 5000, .deferred = true});
  add("a", {.ms = 30});
  add("b", {.ms = 30});
  EXPECT_EQ(run({.workers = 1}), StopReason::kNone);
  EXPECT_EQ(fake_.started, (std::vector<std::string>{"batched", "a", "b"}));
  // Once nothing but the batch was left, the runner shipped it rather than wait.
  EXPECT_EQ(reported_, (std::vector<std::string>{"a", "b", "batched"}));
  EXPECT_EQ(fake_.flushes, 1);
  EXPECT_LT(seconds_, 3);
  EXPECT_EQ(codes(), std::vector<ResultCode>(3, ResultCode::kPass));
}

TEST_F(SchedulerTest, TheRunnerCallsOnDeferredWhenATestStartsWaiting) {
  add("batched", {.deferred = true});
  add("local");
  std::vector<runner::Test*> tests{tests_[0].get(), tests_[1].get()};
  std::vector<std::string> deferred;
  run_tests(
      tests, ctx_, {.workers = 1}, [](runner::Test&) {}, [&](runner::Test& t) { deferred.push_back(t.path_string()); });
  EXPECT_EQ(deferred, std::vector<std::string>{"batched"});
  EXPECT_FALSE(ctx_.on_deferred);  // restored: no dangling callback into the finished run
}

TEST_F(SchedulerTest, AResultDecidedAtDiscoveryIsReportedWithoutRunning) {
  runner::Test& broken = add("broken");
  broken.result = {ResultCode::kUnresolved, "invalid configuration: x"};
  broken.has_result = true;
  add("fine");
  EXPECT_EQ(run({.workers = 2}), StopReason::kNone);
  EXPECT_EQ(fake_.started, std::vector<std::string>{"fine"});
  EXPECT_EQ(code(0), ResultCode::kUnresolved);
  EXPECT_EQ(tests_[0]->result.output, "invalid configuration: x");
  EXPECT_EQ(reported_.size(), 2u);
}

}  // namespace
}  // namespace litbox::runner
