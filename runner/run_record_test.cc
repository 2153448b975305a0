#include "runner/run_record.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace litbox::runner {
namespace {

RunRecord record(std::string version, std::map<std::string, std::string> tools, int index) {
  RunRecord r;
  r.litbox_version = std::move(version);
  r.configs = {{"/s/lit.yaml", "sha256:c1"}};
  r.tools = std::move(tools);
  r.environment = {{"PATH", "/usr/bin"}};
  r.shards = {{index, 2, "node" + std::to_string(index)}};
  return r;
}

TEST(RunRecord, JsonRoundTrip) {
  RunRecord r = record("0.1.0", {{"/usr/bin/FileCheck", "sha256:f1"}}, 1);
  nlohmann::json j = run_record_json(r);
  EXPECT_EQ(j["tools"]["/usr/bin/FileCheck"], "sha256:f1");
  EXPECT_EQ(j["shards"][0]["host"], "node1");
  auto back = run_record_from_json(j);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->litbox_version, "0.1.0");
  EXPECT_EQ(back->configs, r.configs);
  EXPECT_EQ(back->tools, r.tools);
  EXPECT_EQ(back->environment, r.environment);
  ASSERT_EQ(back->shards.size(), 1u);
  EXPECT_EQ(back->shards[0].index, 1);
  EXPECT_EQ(back->shards[0].count, 2);
}

TEST(RunRecord, MalformedFieldsAreNamed) {
  auto bad = run_record_from_json(nlohmann::json{{"tools", {{"/bin/x", 3}}}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "\"__litbox_run__\".\"tools\".\"/bin/x\" is not a string");
  auto shards = run_record_from_json(nlohmann::json{{"shards", {{{"index", 1}}}}});
  ASSERT_FALSE(shards);
  EXPECT_EQ(shards.error().message, "\"__litbox_run__\".\"shards\" holds an entry without integer \"index\" and \"count\"");
}

TEST(RunRecord, CommonEnvironmentKeepsSharedValuesAndHidesTheRunTempDir) {
  std::map<std::string, std::string> a = {{"PATH", "/bin"}, {"TMPDIR", "/tmp/lit-tmp-ab"}, {"X", "1"}};
  std::map<std::string, std::string> b = {{"PATH", "/bin"}, {"TMPDIR", "/tmp/lit-tmp-ab"}, {"X", "2"}};
  std::map<std::string, std::string> none;  // a test that ran no command
  auto env = common_environment({&a, &none, &b}, "/tmp/lit-tmp-ab");
  EXPECT_EQ(env, (std::map<std::string, std::string>{{"PATH", "/bin"}, {"TMPDIR", "${run_tmp_dir}"}}));
}

TEST(RunRecord, MergeUnitesAndNamesEachDifference) {
  RunRecord a = record("0.1.0", {{"/bin/cc", "sha256:aa"}, {"/bin/ld", "sha256:11"}}, 2);
  RunRecord b = record("0.1.0", {{"/bin/cc", "sha256:bb"}, {"/bin/as", "sha256:22"}}, 1);
  MergedRunRecord m = merge_run_records({{"1.json", &a}, {"2.json", &b}});
  EXPECT_EQ(m.record.litbox_version, "0.1.0");
  EXPECT_EQ(m.record.tools, (std::map<std::string, std::string>{
                                {"/bin/as", "sha256:22"}, {"/bin/cc", "sha256:aa | sha256:bb"}, {"/bin/ld", "sha256:11"}}));
  EXPECT_EQ(m.differences,
            std::vector<std::string>{"tool /bin/cc differs between the reports: 1.json has sha256:aa, 2.json has sha256:bb"});
  ASSERT_EQ(m.record.shards.size(), 2u);
  EXPECT_EQ(m.record.shards[0].host, "node1");  // by index
  RunRecord c = record("0.2.0", {}, 1);
  EXPECT_EQ(merge_run_records({{"1.json", &a}, {"3.json", &c}}).record.litbox_version, "0.1.0 | 0.2.0");
}

}  // namespace
}  // namespace litbox::runner
