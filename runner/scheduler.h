// Runs tests concurrently on one io_context: N slots, each a coroutine that takes the next
// test, awaits it (no thread blocks), and reports it. Parallelism groups, --max-failures,
// --max-time and interruption stop the run early; tests not run become SKIPPED.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "runner/run_context.h"
#include "runner/test.h"

namespace litbox::runner {

struct ScheduleOptions {
  int workers = 1;
  int max_failures = 0;    ///< 0: no limit
  double max_time = 0;     ///< seconds; 0: no limit
};

/// Why a run stopped early.
enum class StopReason { kNone, kMaxFailures, kMaxTime, kInterrupted };

/// Runs `tests` in order of the vector, at most `workers` at a time; a test waiting for a
/// deferred (batched) command does not hold a slot. `on_result` is called on the io_context
/// thread as each test completes, in completion order; `on_deferred` when a test starts
/// waiting for a batch.
StopReason run_tests(std::vector<Test*>& tests, RunContext& ctx, const ScheduleOptions& options,
                     const std::function<void(Test&)>& on_result, const std::function<void(Test&)>& on_deferred = {});

}  // namespace litbox::runner
