#include "runner/batch_summary.h"

#include <cstdio>

namespace litbox::runner {

namespace {

std::string fixed(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string bytes(uint64_t n) {
  if (n < 1024) return std::to_string(n) + " B";
  if (n < (1u << 20)) return fixed("%.1f KiB", n / 1024.0);
  return fixed("%.1f MiB", n / (1024.0 * 1024.0));
}

std::string seconds(double s) { return s < 1 ? fixed("%.0f ms", s * 1000) : fixed("%.2f s", s); }

std::string plural(uint64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

std::vector<std::string> describe_batch_target(const std::string& host, const emulation::BatchStats& s) {
  if (s.batches == 0) return {};
  std::vector<std::string> out;
  std::string head = "batch target " + host + ": " + plural(s.batches, "batch", "batches");
  if (s.failed_batches) head += " (" + std::to_string(s.failed_batches) + " failed)";
  head += ", " + plural(s.results, "result", "results") + ", " + fixed("%.1f", double(s.shipped) / s.batches) +
          " requests per batch (at most " + std::to_string(s.largest_batch) + ")";
  if (s.retried) head += ", " + std::to_string(s.retried) + " retried";
  out.push_back(head);
  std::string left = "  batches left: " + std::to_string(s.left_full) + " full, " + std::to_string(s.left_idle) +
                     " when the queue went idle, " + std::to_string(s.left_flush) + " when the runner waited";
  if (s.left_retry) left += ", " + std::to_string(s.left_retry) + " to retry";
  out.push_back(left);
  out.push_back("  shipped " + bytes(s.archive_bytes) + " (" + plural(s.store_files, "file", "files") + ", " +
                bytes(s.store_bytes) + ", into the target's store; " + plural(s.links, "link", "links") +
                " into tests' directories; " + plural(s.files_hashed, "local file", "local files") + " hashed)");
  if (s.shipped)
    out.push_back("  a request waited " + seconds(s.queue_wait / s.shipped) + " in the queue on average (at most " +
                  seconds(s.queue_wait_max) + "); due batches waited " + seconds(s.blocked) +
                  " in all for the in-flight limit");
  size_t ended = s.spans.size();
  if (ended)
    out.push_back("  a batch took " + seconds(s.batch_time / ended) + " from start to end on average (at most " +
                  seconds(s.batch_time_max) + "), " + seconds(s.unpack_time / ended) + " of it to arrive and unpack");
  return out;
}

std::vector<report::TraceSpan> batch_trace_spans(const std::string& host, const emulation::BatchStats& stats,
                                                 std::chrono::steady_clock::time_point run_start, int lane) {
  std::vector<report::TraceSpan> out;
  auto since = [&](std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(t - run_start).count();
  };
  for (const auto& b : stats.spans) {
    report::TraceSpan span;
    span.name = "batch " + std::to_string(b.number) + " (" + host + ")";
    span.start = since(b.start);
    span.duration = since(b.end) - span.start;
    span.lane = lane;
    span.args = {{"requests", std::to_string(b.requests)},
                 {"bytes", std::to_string(b.bytes)},
                 {"unpacked_after_s", fixed("%.3f", since(b.ready) - span.start)},
                 {"ok", b.ok ? "true" : "false"}};
    out.push_back(std::move(span));
  }
  return out;
}

}  // namespace litbox::runner
