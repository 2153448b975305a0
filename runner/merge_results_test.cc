#include "runner/merge_results.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "runner/shard.h"

namespace litbox::runner {
namespace {

// A shard's report as litbox writes it: `selected` is what all shards were to run.
ShardReport shard(std::string file, int index, int count, std::vector<std::string> selected,
                  std::vector<std::pair<std::string, ResultCode>> tests) {
  ShardReport r;
  r.file = std::move(file);
  r.has_shard = true;
  r.index = index;
  r.count = count;
  std::sort(selected.begin(), selected.end());
  r.selected = std::move(selected);
  for (auto& [name, code] : tests) r.tests.push_back({name, code, "", 1.0, {}});
  return r;
}

const std::vector<std::string> kAll = {"s :: a.test", "s :: b.test", "s :: c.test", "s :: d.test"};
constexpr ResultCode kPass = ResultCode::kPass;

std::vector<ShardReport> complete() {
  return {shard("1.json", 1, 2, kAll, {{"s :: a.test", kPass}, {"s :: c.test", kPass}}),
          shard("2.json", 2, 2, kAll, {{"s :: b.test", kPass}, {"s :: d.test", ResultCode::kUnsupported}})};
}

TEST(MergeResults, CompleteShardsMergeInOrder) {
  auto reports = complete();
  reports[1].elapsed = 7;
  reports[0].elapsed = 3;
  MergeOutcome m = merge_reports(reports);
  EXPECT_EQ(m.problems, std::vector<std::string>{});
  ASSERT_EQ(m.tests.size(), 4u);
  EXPECT_EQ(m.tests[0]->name, "s :: a.test");
  EXPECT_EQ(m.tests[2]->name, "s :: b.test");
  EXPECT_EQ(m.elapsed, 7);  // the longest shard
  EXPECT_EQ(m.selected, kAll);
  EXPECT_FALSE(m.failed);
}

TEST(MergeResults, FailuresAreARunsFailures) {
  for (ResultCode c : {ResultCode::kFail, ResultCode::kXPass, ResultCode::kUnresolved, ResultCode::kTimeout}) {
    auto reports = complete();
    reports[0].tests[0].code = c;
    EXPECT_TRUE(merge_reports(reports).failed);
  }
  auto reports = complete();
  reports[0].tests[0].code = ResultCode::kXFail;
  EXPECT_FALSE(merge_reports(reports).failed);
}

TEST(MergeResults, NamesEachMissingTestAndShard) {
  auto reports = complete();
  reports.pop_back();
  MergeOutcome m = merge_reports(reports);
  EXPECT_EQ(m.problems, (std::vector<std::string>{
                            "shard 2/2 is missing (no report)",
                            "missing test: s :: b.test (in the shards' list of tests to run, in no report)",
                            "missing test: s :: d.test (in the shards' list of tests to run, in no report)",
                        }));
}

TEST(MergeResults, NamesEachDuplicatedTest) {
  auto reports = complete();
  reports.push_back(reports[0]);
  reports.back().file = "1-again.json";
  MergeOutcome m = merge_reports(reports);
  EXPECT_EQ(m.problems, (std::vector<std::string>{
                            "shard 1/2 is given twice: 1.json and 1-again.json",
                            "duplicated test: s :: a.test (in 1.json and 1-again.json)",
                            "duplicated test: s :: c.test (in 1.json and 1-again.json)",
                        }));
  EXPECT_EQ(m.tests.size(), 4u);  // each once
}

TEST(MergeResults, DuplicateAcrossDifferentShards) {
  auto reports = complete();
  reports[1].tests.push_back({"s :: a.test", kPass, "", 0, {}});
  MergeOutcome m = merge_reports(reports);
  EXPECT_EQ(m.problems, std::vector<std::string>{"duplicated test: s :: a.test (in 1.json and 2.json)"});
}

TEST(MergeResults, MismatchingCountsAndLists) {
  auto reports = complete();
  reports[1].count = 3;
  reports[1].selected.push_back("s :: e.test");
  MergeOutcome m = merge_reports(reports);
  ASSERT_FALSE(m.problems.empty());
  EXPECT_EQ(m.problems[0], "shard counts differ: 1.json is shard 1/2, 2.json is shard 2/3");
  EXPECT_EQ(m.problems[1],
            "the shards' lists of tests to run differ (other --filter, another tree?): 1.json and 2.json: only in "
            "2.json: s :: e.test");
  EXPECT_NE(std::find(m.problems.begin(), m.problems.end(),
                      "missing test: s :: e.test (in the shards' list of tests to run, in no report)"),
            m.problems.end());
}

TEST(MergeResults, ReportWithoutShardRecordOrUnexpectedTest) {
  auto reports = complete();
  reports[0].tests.push_back({"s :: z.test", kPass, "", 0, {}});
  reports.push_back(ShardReport{"lit.json", 0, false, 1, 1, {}, {}, false, {}});
  MergeOutcome m = merge_reports(reports);
  EXPECT_EQ(m.problems, (std::vector<std::string>{
                            "lit.json: no \"__litbox_shard__\" record (not written by litbox -o), so its tests cannot be checked",
                            "unexpected test: s :: z.test (in 1.json) is in no shard's list of tests to run",
                        }));
}

TEST(MergeResults, GtestCasesCoverTheirBinary) {
  std::vector<std::string> all = {"u :: sub/FooTests", "u :: x.test"};
  auto reports = std::vector<ShardReport>{
      shard("1.json", 1, 1, all,
            {{"u :: sub/FooTests/Suite/One", kPass}, {"u :: sub/FooTests/Suite/Two", kPass}, {"u :: x.test", kPass}})};
  EXPECT_EQ(merge_reports(reports).problems, std::vector<std::string>{});
  reports[0].tests.pop_back();
  EXPECT_EQ(merge_reports(reports).problems,
            std::vector<std::string>{"missing test: u :: x.test (in the shards' list of tests to run, in no report)"});
}

TEST(MergeResults, ParsesAReport) {
  auto r = parse_report("a.json", R"({"__version__": [15, 0, 6], "elapsed": 2.5,
    "__litbox_shard__": {"count": 3, "index": 2, "selected": ["s :: b.test", "s :: a.test"]},
    "tests": [{"code": "FAIL", "elapsed": 0.1, "name": "s :: a.test", "output": "x",
               "environment": {"PATH": "/bin"}}]})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->elapsed, 2.5);
  EXPECT_TRUE(r->has_shard);
  EXPECT_EQ(r->index, 2);
  EXPECT_EQ(r->count, 3);
  EXPECT_EQ(r->selected, (std::vector<std::string>{"s :: a.test", "s :: b.test"}));
  ASSERT_EQ(r->tests.size(), 1u);
  EXPECT_EQ(r->tests[0].code, ResultCode::kFail);
  EXPECT_EQ(r->tests[0].environment.at("PATH"), "/bin");
}

TEST(MergeResults, MalformedReportsNameFileAndPosition) {
  auto r = parse_report("bad.json", "{\n  \"tests\": [,\n");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("bad.json: invalid JSON: "), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("line 2, column"), std::string::npos) << r.error().message;
  EXPECT_EQ(parse_report("x.json", "[]").error().message, "x.json: not a lit JSON report (-o): the top level is not an object");
  EXPECT_EQ(parse_report("x.json", R"({"tests": [{"name": "s :: a", "code": "WEIRD"}]})").error().message,
            "x.json: not a lit JSON report (-o): tests[0]: unknown result code 'WEIRD'");
  EXPECT_FALSE(parse_report("x.json", R"({"tests": [], "__litbox_shard__": {"index": 4, "count": 3, "selected": []}})"));
}

TEST(MergeResults, UnreportedTestsOfALostShardBecomeUnresolvedWithTheReason) {
  auto reports = complete();
  // Shard 2 of 2 ("2.json") never reported: its tests are computed from the shard function.
  std::vector<std::string> lost;
  for (const auto& name : kAll)
    if (shard_of(name, 2) == 2) lost.push_back(name);
  ASSERT_FALSE(lost.empty());  // the hash puts some of kAll in shard 2
  std::vector<ShardReport> one = {shard("1.json", 1, 2, kAll, {})};
  for (const auto& name : kAll)
    if (shard_of(name, 2) == 1) one[0].tests.push_back({name, kPass, "", 1.0, {}});
  size_t added = fill_unreported(
      one, 2, [](int i) { return "slurm task " + std::to_string(i - 1) + " of job 7 ended FAILED without a report"; },
      [](int i) { return "(slurm task " + std::to_string(i - 1) + ")"; });
  EXPECT_EQ(added, lost.size());
  MergeOutcome m = merge_reports(one);
  EXPECT_EQ(m.problems, std::vector<std::string>{});
  EXPECT_TRUE(m.failed);
  size_t unresolved = 0;
  for (const ReportedTest* t : m.tests)
    if (t->code == ResultCode::kUnresolved) {
      ++unresolved;
      EXPECT_EQ(t->output, "slurm task 1 of job 7 ended FAILED without a report");
      EXPECT_EQ(shard_of(t->name, 2), 2) << t->name;
    }
  EXPECT_EQ(unresolved, lost.size());
  EXPECT_EQ(m.tests.size(), kAll.size());
  EXPECT_EQ(one.back().file, "(slurm task 1)");
}

TEST(MergeResults, ATestMissingFromAPartialReportIsFilledIntoThatReport) {
  auto reports = complete();
  reports[1].tests.pop_back();  // d.test: its shard was killed after writing... nothing more
  size_t added = fill_unreported(reports, 2, [](int i) { return "shard " + std::to_string(i) + " was cut short"; },
                                 [](int) { return std::string("unused"); });
  EXPECT_EQ(added, 1u);
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[shard_of("s :: d.test", 2) == 2 ? 1 : 0].tests.back().name, "s :: d.test");
}

TEST(MergeResults, RunRecordsAreReadAndMerged) {
  auto r = parse_report("a.json", R"({"tests": [], "__litbox_run__": {"litbox_version": "0.1.0",
    "configs": {"/s/lit.yaml": "sha256:c1"}, "tools": {}, "environment": {"PATH": "/bin"},
    "shards": [{"index": 1, "count": 1, "host": "h"}]}})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->has_run);
  EXPECT_EQ(r->run.configs.at("/s/lit.yaml"), "sha256:c1");
  EXPECT_EQ(parse_report("x.json", R"({"tests": [], "__litbox_run__": []})").error().message,
            "x.json: not a lit JSON report (-o): \"__litbox_run__\" is not an object");
  auto reports = complete();
  reports[0].has_run = reports[1].has_run = true;
  reports[0].run.tools = {{"/bin/cc", "sha256:a"}};
  reports[1].run.tools = {{"/bin/cc", "sha256:b"}};
  MergeOutcome m = merge_reports(reports);
  EXPECT_TRUE(m.has_run);
  EXPECT_EQ(m.run.record.tools.at("/bin/cc"), "sha256:a | sha256:b");
  EXPECT_EQ(m.run.differences.size(), 1u);
  EXPECT_TRUE(m.problems.empty());  // a difference is a warning, not an incomplete merge
}

}  // namespace
}  // namespace litbox::runner
