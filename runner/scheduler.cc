#include "runner/scheduler.h"

#include <signal.h>

#include <utility>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <deque>
#include <exception>

#include "runner/test_formats.h"

namespace litbox::runner {

namespace asio = boost::asio;

namespace {

using Clock = std::chrono::steady_clock;

struct RunState {
  std::vector<Test*>* tests = nullptr;
  size_t next = 0;
  int failures = 0;
  StopReason stop = StopReason::kNone;
  std::map<std::string, int> group_running;
  Clock::time_point start;
};

RunState* g_state = nullptr;
RunContext* g_ctx = nullptr;

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

bool stopping(const RunState& s) { return s.stop != StopReason::kNone; }

// Takes the next test whose parallelism group has room. Returns null when none can start now.
Test* take_next(RunState& s, const ScheduleOptions& o, bool& blocked) {
  blocked = false;
  auto& tests = *s.tests;
  for (size_t i = s.next; i < tests.size(); ++i) {
    Test* t = tests[i];
    if (!t) continue;
    const std::string& g = t->config->parallelism_group;
    auto lim = o.parallelism_groups.find(g);
    if (!g.empty() && lim != o.parallelism_groups.end() && s.group_running[g] >= lim->second) {
      blocked = true;
      continue;
    }
    tests[i] = nullptr;  // taken
    while (s.next < tests.size() && !tests[s.next]) ++s.next;
    return t;
  }
  return nullptr;
}

asio::awaitable<void> slot(RunState& s, RunContext& ctx, const ScheduleOptions& o,
                           const std::function<void(Test&)>& on_result) {
  asio::steady_timer wait(ctx.io);
  while (!stopping(s)) {
    bool blocked;
    Test* t = take_next(s, o, blocked);
    if (!t) {
      if (!blocked) break;
      // Another slot holds this group's capacity; look again shortly.
      wait.expires_after(std::chrono::milliseconds(5));
      co_await wait.async_wait(asio::use_awaitable);
      continue;
    }
    const std::string& g = t->config->parallelism_group;
    if (!g.empty()) ++s.group_running[g];
    auto begin = Clock::now();
    TestResult r;
    if (t->has_result) {
      r = t->result;  // decided at discovery (e.g. a broken config)
    } else {
      try {
        r = co_await execute_test(*t, ctx);
      } catch (const std::exception& e) {
        r = TestResult{ResultCode::kUnresolved, std::string("Exception during script execution:\n") + e.what()};
      }
    }
    if (!g.empty()) --s.group_running[g];
    // Killed by an interrupt or the --max-time deadline: the test stays SKIPPED, as in lit.
    if (s.stop == StopReason::kInterrupted || s.stop == StopReason::kMaxTime) break;
    r.elapsed = std::chrono::duration<double>(Clock::now() - begin).count();
    r.start = std::chrono::duration<double>(begin - s.start).count();
    t->result = std::move(r);
    t->has_result = true;
    on_result(*t);
    if (is_failure(t->result.code)) {
      ++s.failures;
      if (o.max_failures > 0 && s.failures == o.max_failures && !stopping(s)) s.stop = StopReason::kMaxFailures;
    }
  }
}

}  // namespace

void request_interrupt() {
  if (g_state && g_ctx) stop_run(*g_state, *g_ctx, StopReason::kInterrupted);
}

StopReason run_tests(std::vector<Test*>& tests, RunContext& ctx, const ScheduleOptions& options,
                     const std::function<void(Test&)>& on_result) {
  std::vector<Test*> queue = tests;  // slots null out taken entries
  RunState s;
  s.tests = &queue;
  s.start = Clock::now();
  g_state = &s;
  g_ctx = &ctx;

  // Ctrl-C / SIGTERM: stop taking tests and kill the running ones (their sessions are
  // terminated by the executors' close() as the coroutines unwind); the summary still prints.
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

  int slots = std::max(1, std::min<int>(options.workers, static_cast<int>(tests.size())));
  int running = slots;
  for (int i = 0; i < slots; ++i) {
    asio::co_spawn(ctx.io, slot(s, ctx, options, on_result), [&](std::exception_ptr) {
      if (--running == 0) {
        signals.cancel();
        deadline.cancel();
      }
    });
  }
  ctx.io.run();
  ctx.io.restart();
  g_state = nullptr;
  g_ctx = nullptr;

  for (Test* t : tests) {
    if (!t->has_result) {
      t->result = TestResult{ResultCode::kSkipped, "", 0, 0};
      t->has_result = true;
    }
  }
  return s.stop;
}

}  // namespace litbox::runner
