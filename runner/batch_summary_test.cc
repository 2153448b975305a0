#include "runner/batch_summary.h"

#include <gtest/gtest.h>

namespace litbox::runner {
namespace {

TEST(BatchSummaryTest, NothingForATargetThatShippedNothing) {
  EXPECT_TRUE(describe_batch_target("dev", {}).empty());
}

TEST(BatchSummaryTest, SaysWhereTheTimeWent) {
  emulation::BatchStats s;
  s.batches = 4;
  s.failed_batches = 1;
  s.results = 9;
  s.shipped = 10;
  s.retried = 1;
  s.largest_batch = 4;
  s.left_full = 1;
  s.left_idle = 1;
  s.left_flush = 1;
  s.left_retry = 1;
  s.archive_bytes = 3 << 20;
  s.store_files = 5;
  s.store_bytes = 2048;
  s.links = 12;
  s.files_hashed = 7;
  s.queue_wait = 2.5;
  s.queue_wait_max = 1.5;
  s.blocked = 0.25;
  s.batch_time = 6;
  s.batch_time_max = 3;
  s.unpack_time = 0.4;
  s.spans.resize(4);
  EXPECT_EQ(describe_batch_target("dev", s),
            (std::vector<std::string>{
                "batch target dev: 4 batches (1 failed), 9 results, 2.5 requests per batch (at most 4), 1 retried",
                "  batches left: 1 full, 1 when the queue went idle, 1 when the runner waited, 1 to retry",
                "  shipped 3.0 MiB (5 files, 2.0 KiB, into the target's store; 12 links into tests' directories; 7 local "
                "files hashed)",
                "  a request waited 250 ms in the queue on average (at most 1.50 s); due batches waited 250 ms in all "
                "for the in-flight limit",
                "  a batch took 1.50 s from start to end on average (at most 3.00 s), 100 ms of it to arrive and unpack",
            }));
}

TEST(BatchSummaryTest, OneSpanPerBatchFromTheRunStart) {
  auto t0 = std::chrono::steady_clock::now();
  emulation::BatchStats s;
  emulation::BatchSpan b;
  b.number = 3;
  b.start = t0 + std::chrono::milliseconds(500);
  b.ready = t0 + std::chrono::milliseconds(700);
  b.end = t0 + std::chrono::milliseconds(2000);
  b.requests = 6;
  b.bytes = 1234;
  b.ok = false;
  s.spans.push_back(b);
  auto spans = batch_trace_spans("local", s, t0, 3);
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].name, "batch 3 (local)");
  EXPECT_DOUBLE_EQ(spans[0].start, 0.5);
  EXPECT_DOUBLE_EQ(spans[0].duration, 1.5);
  EXPECT_EQ(spans[0].lane, 3);
  EXPECT_EQ(spans[0].args.at("requests"), "6");
  EXPECT_EQ(spans[0].args.at("bytes"), "1234");
  EXPECT_EQ(spans[0].args.at("unpacked_after_s"), "0.200");
  EXPECT_EQ(spans[0].args.at("ok"), "false");
}

}  // namespace
}  // namespace litbox::runner
