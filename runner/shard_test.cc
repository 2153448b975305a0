#include "runner/shard.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <set>

#include "runner/gtest_format.h"

namespace litbox::runner {
namespace {

// Inside TEST bodies, plain `Test` is testing::Test.
using RunnerTest = litbox::runner::Test;

// A suite of `n` tests named "suite :: dir<k>/t<i>.test".
struct FakeSuite {
  TestSuite suite{"suite", "/src", "/obj", nullptr};
  std::vector<std::unique_ptr<RunnerTest>> owned;
  std::vector<RunnerTest*> tests;
  explicit FakeSuite(int n) {
    for (int i = 0; i < n; ++i) {
      auto t = std::make_unique<RunnerTest>();
      t->suite = &suite;
      t->path_in_suite = {"dir" + std::to_string(i % 7), "t" + std::to_string(i) + ".test"};
      tests.push_back(t.get());
      owned.push_back(std::move(t));
    }
  }
};

std::set<std::string> names(const std::vector<RunnerTest*>& tests) {
  std::set<std::string> out;
  for (const RunnerTest* t : tests) out.insert(t->full_name());
  return out;
}

TEST(Shard, ParsesIOfN) {
  auto s = parse_shard_spec("2/5");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->index, 2);
  EXPECT_EQ(s->count, 5);
  EXPECT_TRUE(parse_shard_spec("1/1"));
  for (const char* bad : {"", "2", "0/3", "4/3", "1/0", "-1/3", "+1/3", " 1/3", "1/3x", "a/b", "1//3", "1/99999999999"})
    EXPECT_FALSE(parse_shard_spec(bad)) << bad;
  EXPECT_EQ(parse_shard_spec("4/3").error().message,
            "invalid value '4/3': the shard I must be between 1 and N (inclusive)");
}

// The hash is part of the format: a report made by one build is merged by another, and a
// test must land in the same shard on every machine. These values must never change.
TEST(Shard, HashIsFixed) {
  EXPECT_EQ(stable_hash(""), 17280346270528514342ull);
  EXPECT_EQ(stable_hash("suite :: a.test"), 16316079102655883205ull);
  EXPECT_EQ(stable_hash("results :: pass.test"), 4453589726702146074ull);
  EXPECT_EQ(shard_of("results :: pass.test", 3), 1);
}

TEST(Shard, ShardsAreDisjointAndCoverEveryTest) {
  FakeSuite s(1000);
  for (int count : {1, 2, 3, 7, 16}) {
    std::set<std::string> all;
    size_t total = 0;
    for (int i = 1; i <= count; ++i) {
      auto shard = names(select_shard(s.tests, {i, count}));
      total += shard.size();
      all.insert(shard.begin(), shard.end());
      // Roughly even: a hash, not a round robin, but no shard is far off.
      EXPECT_GT(shard.size(), 1000u / count * 7 / 10) << i << "/" << count;
      EXPECT_LT(shard.size(), 1000u / count * 13 / 10 + 1) << i << "/" << count;
    }
    EXPECT_EQ(total, 1000u) << count;  // disjoint
    EXPECT_EQ(all, names(s.tests)) << count;  // complete
  }
}

TEST(Shard, SameTestSameShardWhateverTheOrder) {
  FakeSuite s(300);
  std::vector<RunnerTest*> shuffled = s.tests;
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(42));
  std::vector<RunnerTest*> some(shuffled.begin(), shuffled.begin() + 50);  // fewer tests around it
  for (int i = 1; i <= 4; ++i) {
    auto in_order = names(select_shard(s.tests, {i, 4}));
    EXPECT_EQ(names(select_shard(shuffled, {i, 4})), in_order);
    for (const auto& n : names(select_shard(some, {i, 4}))) EXPECT_TRUE(in_order.count(n)) << n;
  }
}

TEST(Shard, KeepsTheOrderOfItsInput) {
  FakeSuite s(100);
  std::vector<RunnerTest*> reversed(s.tests.rbegin(), s.tests.rend());
  auto shard = select_shard(reversed, {1, 2});
  for (size_t i = 1; i < shard.size(); ++i)
    EXPECT_LT(std::find(reversed.begin(), reversed.end(), shard[i - 1]),
              std::find(reversed.begin(), reversed.end(), shard[i]));
}

TEST(Shard, GtestShardsOfOneBinaryStayTogether) {
  TestSuite suite{"unit", "/src", "/obj", nullptr};
  std::vector<std::unique_ptr<RunnerTest>> owned;
  std::vector<RunnerTest*> tests;
  for (int i = 0; i < 8; ++i) {
    auto t = std::make_unique<RunnerTest>();
    t->suite = &suite;
    t->path_in_suite = {"sub", "FooTests", std::to_string(i), "8"};
    t->gtest = std::make_shared<GtestShard>();
    t->gtest->index = i;
    t->gtest->count = 8;
    tests.push_back(t.get());
    owned.push_back(std::move(t));
  }
  EXPECT_EQ(shard_unit(*tests[3]), "unit :: sub/FooTests");
  for (int i = 1; i <= 3; ++i) {
    size_t n = select_shard(tests, {i, 3}).size();
    EXPECT_TRUE(n == 0 || n == 8) << n;
  }
  RunnerTest plain;
  plain.suite = &suite;
  plain.path_in_suite = {"a", "b.test"};
  EXPECT_EQ(shard_unit(plain), "unit :: a/b.test");
}

}  // namespace
}  // namespace litbox::runner
