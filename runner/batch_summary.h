// What the run's batch targets spent, for the `-v` summary and --time-trace-output: batches
// and why they left, bytes shipped, how long requests waited in the queue and batches for the
// in-flight limit, and each batch's time on its way.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "emulation/batch_executor.h"
#include "runner/report/files.h"

namespace litbox::runner {

/// The summary's lines for one batch target (`host`: its ssh host, or "local"); none when it
/// shipped nothing.
std::vector<std::string> describe_batch_target(const std::string& host, const emulation::BatchStats& stats);

/// One trace span per batch of `stats`, timed from `run_start`, on lane `lane`.
std::vector<report::TraceSpan> batch_trace_spans(const std::string& host, const emulation::BatchStats& stats,
                                                 std::chrono::steady_clock::time_point run_start, int lane);

}  // namespace litbox::runner
