#include "runner/diff_runs.h"

#include <gtest/gtest.h>

namespace litbox::runner {
namespace {

ShardReport report(std::string file, std::vector<std::pair<std::string, ResultCode>> tests) {
  ShardReport r;
  r.file = std::move(file);
  for (auto& [name, code] : tests) r.tests.push_back({name, code, "", 1.0, {}});
  r.has_run = true;
  r.run.litbox_version = "0.1.0";
  r.run.configs = {{"/s/lit.yaml", "sha256:c1"}};
  r.run.tools = {{"/usr/bin/FileCheck", "sha256:f1"}};
  r.run.environment = {{"PATH", "/usr/bin"}};
  return r;
}

constexpr ResultCode kPass = ResultCode::kPass, kFail = ResultCode::kFail;

TEST(DiffRuns, SameRunsSayTheSame) {
  ShardReport a = report("a.json", {{"s :: x.test", kPass}, {"s :: y.test", kFail}});
  ShardReport b = a;
  b.file = "b.json";
  auto d = diff_runs(a, b);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->same, 2u);
  EXPECT_TRUE(d->changed.empty());
  EXPECT_TRUE(d->inputs.empty());
  EXPECT_EQ(format_run_diff(*d, a, b),
            "Tests: 0 changed result codes, 0 only in b.json, 0 only in a.json, 2 the same\n"
            "Inputs: the same (litbox 0.1.0, 1 config file, 1 tool, 1 environment variable)\n");
}

TEST(DiffRuns, NamesChangedNewAndGoneTestsAndChangedInputs) {
  ShardReport a = report("a.json", {{"s :: x.test", kPass}, {"s :: y.test", kFail}, {"s :: gone.test", kPass}});
  ShardReport b = report("b.json", {{"s :: x.test", kFail}, {"s :: y.test", kFail}, {"s :: new.test", kPass}});
  b.run.litbox_version = "0.2.0";
  b.run.tools["/usr/bin/FileCheck"] = "sha256:f2";
  b.run.tools["/usr/bin/not"] = "sha256:n1";
  b.run.environment.erase("PATH");
  auto d = diff_runs(a, b);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(format_run_diff(*d, a, b),
            "Tests: 1 changed result code, 1 only in b.json, 1 only in a.json, 1 the same\n"
            "  PASS -> FAIL: s :: x.test\n"
            "  only in b.json (PASS): s :: new.test\n"
            "  only in a.json (PASS): s :: gone.test\n"
            "Inputs: 4 differences\n"
            "  litbox version: 0.1.0 -> 0.2.0\n"
            "  tool /usr/bin/FileCheck: sha256:f1 -> sha256:f2\n"
            "  tool /usr/bin/not: only in b.json (sha256:n1)\n"
            "  environment PATH: only in a.json (/usr/bin)\n");
}

TEST(DiffRuns, AReportOfAnotherSuiteIsAnError) {
  ShardReport a = report("a.json", {{"s :: x.test", kPass}});
  ShardReport b = report("b.json", {{"other :: x.test", kPass}});
  auto d = diff_runs(a, b);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().message, "b.json: a report of another suite: its tests are in other, those of a.json in s");
}

TEST(DiffRuns, WithoutARunRecordInputsAreNotCompared) {
  ShardReport a = report("a.json", {{"s :: x.test", kPass}});
  ShardReport b = a;
  b.file = "lit.json";
  b.has_run = false;
  auto d = diff_runs(a, b);
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->inputs_compared);
  EXPECT_NE(format_run_diff(*d, a, b).find("Inputs: not compared: lit.json has no run record"), std::string::npos);
}

}  // namespace
}  // namespace litbox::runner
