#include "runner/scheduler.h"

#include <signal.h>

#include <utility>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <exception>
#include <map>
#include <memory>
#include <set>

#include "runner/test_formats.h"

namespace litbox::runner {

namespace asio = boost::asio;

namespace {

using Clock = std::chrono::steady_clock;

// How many tests may be in flight at once, counting the ones waiting for a batch: enough to
// fill large batches, bounded so a huge suite does not hold every test's state at once.
constexpr int kMaxInFlightPerWorker = 256;

struct EnvironmentLess {
  using is_transparent = void;
  bool operator()(const std::shared_ptr<const std::map<std::string, std::string>>& a,
                  const std::shared_ptr<const std::map<std::string, std::string>>& b) const {
    return *a < *b;
  }
};

struct RunState {
  std::vector<Test*> queue;  // tests not started yet; taken entries become null
  size_t next = 0;
  int active = 0;     // started, not finished, not waiting for a batch: these use a slot
  int in_flight = 0;  // started, not finished
  int failures = 0;
  StopReason stop = StopReason::kNone;
  std::map<std::string, int> group_running;
  std::map<const Test*, int> deferred;  // pending deferred requests per test
  Clock::time_point start;
  // One copy of each distinct test environment of the run (TestResult::environment).
  std::set<std::shared_ptr<const std::map<std::string, std::string>>, EnvironmentLess> environments;
};

// Stops the run: no new tests start, and every running test's processes are killed so its
// coroutine finishes promptly.
void stop_run(RunState& s, RunContext& ctx, StopReason why) {
  if (s.stop != StopReason::kNone) {
    if (why == StopReason::kInterrupted) ctx.io.stop();  // a second Ctrl-C: give up waiting
    return;
  }
  s.stop = why;
  for (exec::Session* session : ctx.live_sessions) session->terminate();
}

// Takes the next test whose parallelism group has room, or null.
Test* take_next(RunState& s) {
  for (size_t i = s.next; i < s.queue.size(); ++i) {
    Test* t = s.queue[i];
    if (!t) continue;
    const std::string& g = t->config->parallelism_group;
    if (!g.empty()) {
      int limit = 0;
      if (auto it = t->config->parallelism_groups.find(g); it != t->config->parallelism_groups.end()) limit = it->second;
      if (limit > 0 && s.group_running[g] >= limit) continue;
    }
    s.queue[i] = nullptr;
    while (s.next < s.queue.size() && !s.queue[s.next]) ++s.next;
    return t;
  }
  return nullptr;
}

class Runner {
 public:
  Runner(RunState& s, RunContext& ctx, const ScheduleOptions& o, const std::function<void(Test&)>& on_result)
      : s_(s), ctx_(ctx), o_(o), on_result_(on_result) {}

  // Starts tests while a slot is free.
  void pump() {
    const int max_in_flight = o_.workers * kMaxInFlightPerWorker;
    while (s_.stop == StopReason::kNone && s_.active < o_.workers && s_.in_flight < max_in_flight) {
      Test* t = take_next(s_);
      if (!t) break;
      ++s_.active;
      ++s_.in_flight;
      const std::string& g = t->config->parallelism_group;
      if (!g.empty()) ++s_.group_running[g];
      asio::co_spawn(ctx_.io, run_one(t), asio::detached);
    }
    if (s_.in_flight == 0 && done_) done_();
    // No test can start and every one in flight waits for a batch: nothing will add to the
    // batches now, so they leave at once (not after the executor's idle timer).
    if (s_.active == 0 && s_.in_flight > 0 && ctx_.executors) ctx_.executors->flush_deferred();
  }

  // A test's executor queued (+1) or delivered (-1) a deferred request.
  void deferred(Test& t, int delta) {
    int& n = s_.deferred[&t];
    int before = n;
    n += delta;
    if (before == 0 && n > 0) {
      --s_.active;  // waiting for a batch: its slot can run another test
      if (deferred_display_) deferred_display_(t);
      pump();
    } else if (before > 0 && n == 0) {
      ++s_.active;
    }
  }

  std::function<void()> done_;
  std::function<void(Test&)> deferred_display_;

 private:
  asio::awaitable<void> run_one(Test* t) {
    auto begin = Clock::now();
    TestResult r;
    if (t->has_result) {
      r = t->result;  // decided at discovery (e.g. a broken config)
    } else {
      try {
        r = co_await execute_test(*t, ctx_);
      } catch (const std::exception& e) {
        r = TestResult{ResultCode::kUnresolved, std::string("Exception during script execution:\n") + e.what()};
      }
    }
    const std::string& g = t->config->parallelism_group;
    if (!g.empty()) --s_.group_running[g];
    auto it = s_.deferred.find(t);
    if (it != s_.deferred.end()) {
      if (it->second == 0) --s_.active;
      s_.deferred.erase(it);
    } else {
      --s_.active;
    }
    --s_.in_flight;
    // Killed by an interrupt or the --max-time deadline: the test stays SKIPPED, as in lit.
    if (s_.stop != StopReason::kInterrupted && s_.stop != StopReason::kMaxTime) {
      r.elapsed = std::chrono::duration<double>(Clock::now() - begin).count();
      r.start = std::chrono::duration<double>(begin - s_.start).count();
      if (r.environment) r.environment = *s_.environments.insert(std::move(r.environment)).first;
      t->result = std::move(r);
      t->has_result = true;
      on_result_(*t);
      if (is_failure(t->result.code)) {
        ++s_.failures;
        if (o_.max_failures > 0 && s_.failures == o_.max_failures && s_.stop == StopReason::kNone)
          s_.stop = StopReason::kMaxFailures;
      }
    }
    pump();
  }

  RunState& s_;
  RunContext& ctx_;
  const ScheduleOptions& o_;
  const std::function<void(Test&)>& on_result_;
};

}  // namespace

StopReason run_tests(std::vector<Test*>& tests, RunContext& ctx, const ScheduleOptions& options,
                     const std::function<void(Test&)>& on_result, const std::function<void(Test&)>& on_deferred) {
  RunState s;
  s.queue = tests;
  s.start = Clock::now();
  Runner runner(s, ctx, options, on_result);
  runner.deferred_display_ = on_deferred;
  auto previous_deferred = ctx.on_deferred;
  ctx.on_deferred = [&runner](Test& t, int delta) { runner.deferred(t, delta); };

  // Ctrl-C / SIGTERM: stop taking tests and kill the running ones; the summary still prints.
  asio::signal_set signals(ctx.io, SIGINT, SIGTERM);
  std::function<void(const boost::system::error_code&, int)> on_signal = [&](const boost::system::error_code& ec, int) {
    if (ec) return;
    stop_run(s, ctx, StopReason::kInterrupted);
    signals.async_wait(on_signal);
  };
  signals.async_wait(on_signal);

  asio::steady_timer deadline(ctx.io);
  if (options.max_time > 0) {
    deadline.expires_after(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.max_time)));
    deadline.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      stop_run(s, ctx, StopReason::kMaxTime);
    });
  }
  bool finished = false;
  runner.done_ = [&] {
    finished = true;
    signals.cancel();
    deadline.cancel();
  };
  asio::post(ctx.io, [&] { runner.pump(); });
  // Executors may keep watchers of their own on the io_context (a sandbox zygote, shared ssh
  // connections): run until the tests are done, not until the io_context is idle.
  while (!finished && ctx.io.run_one() > 0) {
  }
  ctx.io.poll();  // let the cancelled signal and timer handlers finish
  ctx.io.restart();
  ctx.on_deferred = previous_deferred;

  for (Test* t : tests) {
    if (!t->has_result) {
      t->result = TestResult{ResultCode::kSkipped, "", 0, 0, {}};
      t->has_result = true;
    }
  }
  return s.stop;
}

}  // namespace litbox::runner
