// `when:` blocks: conditions in lit's feature-expression language.
#include <gtest/gtest.h>

#include "configs/loader.h"
#include "configs/test_support.h"
#include "support/testing/temp_dir.h"

namespace litbox::config {
namespace {

using testing::error_of;
using litbox::testing::TempDir;

class WhenTest : public ::testing::Test {
 protected:
  Expected<SuiteConfig> load(const std::string& yaml) {
    path_ = dir_.write("lit.yaml", yaml);
    return load_suite_config(path_, nullptr, {});
  }
  std::string error(const std::string& yaml) {
    std::string e = error_of(load(yaml));
    return e.rfind(path_, 0) == 0 ? "lit.yaml" + e.substr(path_.size()) : e;
  }

  TempDir dir_;
  std::string path_;
};

TEST_F(WhenTest, ThenOrElseIsAppliedAfterThePlainKeys) {
  auto c = load(R"(
when:
  - if: 'asserts && !windows'
    then: {timeout: 10}
    else: {timeout: 20}
  - if: 'x86-registered-target'
    then: {unsupported: true}
    else: {features: {add: [no-x86]}}
features: [asserts]
)");
  ASSERT_TRUE(c.ok()) << c.error().str();
  EXPECT_DOUBLE_EQ(c->timeout, 10);
  EXPECT_FALSE(c->unsupported);
  EXPECT_EQ(c->features, (std::set<std::string>{"asserts", "no-x86"}));
}

TEST_F(WhenTest, LaterBlocksSeeFeaturesAddedByEarlierOnes) {
  auto c = load(R"(
features: [linux]
when:
  - if: linux
    then: {features: {add: [posix]}}
  - if: 'posix && {{li.*}}'
    then: {name: posix-suite}
)");
  ASSERT_TRUE(c.ok()) << c.error().str();
  EXPECT_EQ(c->name, "posix-suite");
}

TEST_F(WhenTest, BlocksNest) {
  auto c = load(R"(
features: [a, b]
when:
  - if: a
    then:
      when:
        - if: b
          then: {parallelism_group: ab}
)");
  ASSERT_TRUE(c.ok()) << c.error().str();
  EXPECT_EQ(c->parallelism_group, "ab");
}

TEST_F(WhenTest, WorksInLocalConfigs) {
  std::string root = dir_.write("lit.yaml", "features: [ARM-registered-target]\nsuffixes: [.ll]\n");
  auto parent = load_suite_config(root, nullptr, {});
  ASSERT_TRUE(parent.ok()) << parent.error().str();
  std::string local = dir_.write("ARM/lit.local.yaml", R"(
when:
  - if: '!ARM-registered-target'
    then: {unsupported: true}
  - if: ARM-registered-target
    then: {suffixes: {add: [.mir]}}
)");
  auto c = apply_local_config(*parent, local);
  ASSERT_TRUE(c.ok()) << c.error().str();
  EXPECT_FALSE(c->unsupported);
  EXPECT_EQ(c->suffixes, (std::vector<std::string>{".ll", ".mir"}));
}

TEST_F(WhenTest, BadFeatureExpressionIsLocated) {
  EXPECT_EQ(error("when:\n  - if: 'a &&'\n    then: {unsupported: true}\n"),
            "lit.yaml:2:9: invalid feature expression in 'if': expected: '!', '(', '{{', or identifier\n"
            "have: <end of expression>\nin expression: 'a &&'");
}

TEST_F(WhenTest, BlockShapeErrors) {
  EXPECT_EQ(error("when: {if: a}\n"), "lit.yaml:1:7: expected a list of {if, then, else} blocks for 'when'");
  EXPECT_EQ(error("when: [{iff: a, then: {}}]\n"), "lit.yaml:1:9: unknown key 'iff' in 'when' (did you mean 'if'?)");
  EXPECT_EQ(error("when: [{then: {}}]\n"), "lit.yaml:1:8: a 'when' block needs 'if'");
  EXPECT_EQ(error("when: [{if: a}]\n"), "lit.yaml:1:8: a 'when' block needs 'then' or 'else'");
}

TEST_F(WhenTest, KeysInsideBlocksAreChecked) {
  EXPECT_EQ(error("when: [{if: a, then: {sufixes: []}}]\n"),
            "lit.yaml:1:23: unknown key 'sufixes' in a 'when' block (did you mean 'suffixes'?)");
  EXPECT_EQ(error("when: [{if: a, then: {params: {x: y}}}]\n"),
            "lit.yaml:1:23: key 'params' is not allowed in a 'when' block");
  EXPECT_EQ(error("when: [{if: a, then: [x]}]\n"), "lit.yaml:1:22: expected a map of keys in a 'when' block");
}

TEST_F(WhenTest, TheBranchNotTakenIsCheckedToo) {
  EXPECT_EQ(error("when: [{if: never, then: {timeout: soon}}]\n"),
            "lit.yaml:1:36: expected a number for 'timeout'");
  EXPECT_EQ(error("features: [x]\nwhen: [{if: x, then: {}, else: {timout: 1}}]\n"),
            "lit.yaml:2:33: unknown key 'timout' in a 'when' block (did you mean 'timeout'?)");
}

TEST_F(WhenTest, TheNotTakenBranchChangesNothing) {
  auto c = load("when: [{if: never, then: {timeout: 5, features: [x]}}]\n");
  ASSERT_TRUE(c.ok()) << c.error().str();
  EXPECT_DOUBLE_EQ(c->timeout, 0);
  EXPECT_TRUE(c->features.empty());
}

}  // namespace
}  // namespace litbox::config
