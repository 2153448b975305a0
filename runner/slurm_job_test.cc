#include "runner/slurm_job.h"

#include <gtest/gtest.h>

#include "support/testing/temp_dir.h"

namespace litbox::runner {
namespace {

SlurmJobSpec spec() {
  SlurmJobSpec s;
  s.litbox = "/opt/litbox/bin/litbox";
  s.shards = 4;
  s.dir = "/shared/run 1";
  s.suites = {"/shared/src/test"};
  s.litbox_args = {"-sv", "--param", "x=a b"};
  s.sbatch_args = {"--time=10", "--partition=test"};
  return s;
}

TEST(SlurmJob, BatchScriptRunsOneShardPerTask) {
  EXPECT_EQ(slurm_batch_script(spec()),
            "#!/bin/sh\n"
            "# litbox slurm: each task of the job array runs one shard of the tests (--shard=auto reads\n"
            "# SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT) and writes its JSON report here.\n"
            "exec /opt/litbox/bin/litbox --shard=auto -o '/shared/run 1/shard-'\"$SLURM_ARRAY_TASK_ID\".json "
            "-sv --param 'x=a b' /shared/src/test\n");
  EXPECT_EQ(slurm_task_report("/d", 2), "/d/shard-2.json");
}

TEST(SlurmJob, SbatchSubmitsOneArray) {
  EXPECT_EQ(slurm_sbatch_argv(spec(), "/d/job.sh"),
            (std::vector<std::string>{"sbatch", "--parsable", "--array=0-3", "--job-name=litbox",
                                      "--output=/shared/run 1/task-%a.out", "--time=10", "--partition=test",
                                      "/d/job.sh"}));
}

TEST(SlurmJob, ParsesSbatchsJobId) {
  EXPECT_EQ(*parse_sbatch_job_id("1234\n"), "1234");
  EXPECT_EQ(*parse_sbatch_job_id("1234;cluster\n"), "1234");
  auto bad = parse_sbatch_job_id("sbatch: error: Batch job submission failed\n");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "sbatch printed no job id: 'sbatch: error: Batch job submission failed'");
}

TEST(SlurmJob, ParsesEachTasksStateFromScontrol) {
  const std::string out =
      "JobId=12 ArrayJobId=9 ArrayTaskId=3 JobName=litbox JobState=COMPLETED Reason=None ExitCode=0:0\n"
      "JobId=11 ArrayJobId=9 ArrayTaskId=2 JobName=litbox JobState=CANCELLED Reason=None ExitCode=0:15\n"
      "JobId=10 ArrayJobId=9 ArrayTaskId=1 JobName=litbox JobState=TIMEOUT Reason=TimeLimit ExitCode=0:0\n"
      "JobId=9 ArrayJobId=9 ArrayTaskId=0 JobName=litbox JobState=FAILED Reason=NonZeroExitCode ExitCode=1:0\n"
      "JobId=20 ArrayJobId=19 ArrayTaskId=0 JobState=COMPLETED\n";
  auto states = parse_slurm_task_states(out, "9");
  EXPECT_EQ(states, (std::map<int, std::string>{{0, "FAILED"}, {1, "TIMEOUT"}, {2, "CANCELLED"}, {3, "COMPLETED"}}));
  auto pending = parse_slurm_task_states("JobId=30 ArrayJobId=30 ArrayTaskId=1,3-4%2 JobState=PENDING Reason=None\n", "30");
  EXPECT_EQ(pending, (std::map<int, std::string>{{1, "PENDING"}, {3, "PENDING"}, {4, "PENDING"}}));
}

TEST(SlurmJob, JobRecordRoundTripAndErrorsNameTheFile) {
  litbox::testing::TempDir tmp;
  const std::string& dir = tmp.path();
  auto missing = read_slurm_job_record(dir);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message,
            dir + "/litbox-slurm.json: cannot read: No such file or directory (not a directory of litbox slurm?)");
  ASSERT_TRUE(write_slurm_job_record(dir, {"77", 3, {"litbox", "--no-execute"}}));
  auto r = read_slurm_job_record(dir);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->job, "77");
  EXPECT_EQ(r->shards, 3);
  EXPECT_EQ(r->listing_argv, (std::vector<std::string>{"litbox", "--no-execute"}));
}

}  // namespace
}  // namespace litbox::runner
