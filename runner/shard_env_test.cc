#include "runner/shard_env.h"

#include <gtest/gtest.h>

namespace litbox::runner {
namespace {

using Env = std::map<std::string, std::string>;

ShardSpec found(const Env& env) {
  auto r = shard_from_environment(env);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return r ? r->spec : ShardSpec{0, 0};
}

std::string error(const Env& env) {
  auto r = shard_from_environment(env);
  EXPECT_FALSE(r);
  return r ? "" : r.error().message;
}

bool same(ShardSpec a, ShardSpec b) { return a.index == b.index && a.count == b.count; }

TEST(ShardEnv, EachSystemsConvention) {
  EXPECT_TRUE(same(found({{"TEST_TOTAL_SHARDS", "4"}, {"TEST_SHARD_INDEX", "0"}}), {1, 4}));
  EXPECT_TRUE(same(found({{"SLURM_ARRAY_TASK_ID", "12"}, {"SLURM_ARRAY_TASK_MIN", "10"}, {"SLURM_ARRAY_TASK_COUNT", "3"}}),
                   {3, 3}));
  EXPECT_TRUE(same(found({{"JOB_COMPLETION_INDEX", "4"}, {"LITBOX_SHARD_COUNT", "5"}}), {5, 5}));
  EXPECT_TRUE(same(found({{"CI_NODE_INDEX", "2"}, {"CI_NODE_TOTAL", "3"}}), {2, 3}));
  EXPECT_TRUE(same(found({{"BUILDKITE_PARALLEL_JOB", "0"}, {"BUILDKITE_PARALLEL_JOB_COUNT", "2"}}), {1, 2}));
  EXPECT_TRUE(same(found({{"CIRCLE_NODE_INDEX", "1"}, {"CIRCLE_NODE_TOTAL", "2"}}), {2, 2}));
}

TEST(ShardEnv, SaysWhereItFoundTheShard) {
  auto r = shard_from_environment({{"CI_NODE_INDEX", "2"}, {"CI_NODE_TOTAL", "3"}, {"HOME", "/root"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->source, "GitLab");
  EXPECT_EQ(r->variables, "CI_NODE_INDEX=2, CI_NODE_TOTAL=3");
  EXPECT_EQ(r->status_file, "");
}

TEST(ShardEnv, BazelStatusFile) {
  auto r = shard_from_environment(
      {{"TEST_TOTAL_SHARDS", "2"}, {"TEST_SHARD_INDEX", "1"}, {"TEST_SHARD_STATUS_FILE", "/tmp/status"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->source, "Bazel");
  EXPECT_EQ(r->status_file, "/tmp/status");
}

TEST(ShardEnv, FixedOrderFirstSystemWins) {
  // A GitLab job that runs Bazel: Bazel's variables are the test's own.
  EXPECT_TRUE(same(found({{"CI_NODE_INDEX", "1"}, {"CI_NODE_TOTAL", "2"}, {"TEST_TOTAL_SHARDS", "5"},
                          {"TEST_SHARD_INDEX", "4"}}),
                   {5, 5}));
  EXPECT_TRUE(same(found({{"CI_NODE_INDEX", "1"}, {"CI_NODE_TOTAL", "2"}, {"CIRCLE_NODE_INDEX", "0"},
                          {"CIRCLE_NODE_TOTAL", "1"}}),
                   {1, 2}));
}

TEST(ShardEnv, MalformedAndOutOfRangeValuesNameTheVariable) {
  EXPECT_EQ(error({{"CI_NODE_INDEX", "0"}, {"CI_NODE_TOTAL", "3"}}),
            "--shard=auto (GitLab): CI_NODE_INDEX='0' is out of range: 1-based, it must be between 1 and 3 "
            "(CI_NODE_TOTAL=3)");
  EXPECT_EQ(error({{"CIRCLE_NODE_INDEX", "2"}, {"CIRCLE_NODE_TOTAL", "2"}}),
            "--shard=auto (CircleCI): CIRCLE_NODE_INDEX='2' is out of range: 0-based, it must be between 0 and 1 "
            "(CIRCLE_NODE_TOTAL=2)");
  EXPECT_EQ(error({{"BUILDKITE_PARALLEL_JOB", "x1"}, {"BUILDKITE_PARALLEL_JOB_COUNT", "2"}}),
            "--shard=auto (Buildkite): BUILDKITE_PARALLEL_JOB='x1' is not a non-negative decimal number");
  EXPECT_EQ(error({{"CI_NODE_INDEX", "1"}, {"CI_NODE_TOTAL", "0"}}),
            "--shard=auto (GitLab): CI_NODE_TOTAL='0': the number of shards must be at least 1");
  EXPECT_NE(error({{"CI_NODE_INDEX", "-1"}, {"CI_NODE_TOTAL", "2"}}).find("CI_NODE_INDEX='-1'"), std::string::npos);
  EXPECT_NE(error({{"CI_NODE_INDEX", ""}, {"CI_NODE_TOTAL", "2"}}).find("CI_NODE_INDEX=''"), std::string::npos);
  EXPECT_NE(error({{"SLURM_ARRAY_TASK_ID", "9"}, {"SLURM_ARRAY_TASK_MIN", "10"}, {"SLURM_ARRAY_TASK_COUNT", "3"}})
                .find("SLURM_ARRAY_TASK_ID='9' is out of range"),
            std::string::npos);
}

TEST(ShardEnv, MissingPartnerVariable) {
  EXPECT_EQ(error({{"CI_NODE_INDEX", "1"}}), "--shard=auto (GitLab): CI_NODE_INDEX is set but CI_NODE_TOTAL is not");
  EXPECT_EQ(error({{"TEST_TOTAL_SHARDS", "3"}}), "--shard=auto (Bazel): TEST_TOTAL_SHARDS is set but TEST_SHARD_INDEX is not");
  EXPECT_NE(error({{"JOB_COMPLETION_INDEX", "1"}}).find("set LITBOX_SHARD_COUNT to the Job's .spec.completions"),
            std::string::npos);
  EXPECT_EQ(error({{"SLURM_ARRAY_TASK_ID", "1"}, {"SLURM_ARRAY_TASK_COUNT", "3"}}),
            "--shard=auto (Slurm job array): SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_MIN is not");
}

TEST(ShardEnv, NoneListsWhatWasLookedFor) {
  std::string e = error({{"CI_NODE_TOTAL", "1"}, {"HOME", "/root"}});
  EXPECT_EQ(e.rfind("--shard=auto: no shard variables in the environment; looked for ", 0), 0u);
  for (const char* v : {"TEST_SHARD_INDEX", "SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX", "LITBOX_SHARD_COUNT",
                        "CI_NODE_INDEX", "BUILDKITE_PARALLEL_JOB", "CIRCLE_NODE_INDEX"})
    EXPECT_NE(e.find(v), std::string::npos) << v;
}

}  // namespace
}  // namespace litbox::runner
