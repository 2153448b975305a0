// lit.local.yaml: plain keys replace, {add, remove} edits, nested maps merge.
#include <gtest/gtest.h>

#include "configs/loader.h"
#include "configs/test_support.h"
#include "support/testing/temp_dir.h"

namespace litbox::config {
namespace {

using testing::error_of;
using litbox::testing::TempDir;

class LocalConfigTest : public ::testing::Test {
 protected:
  LocalConfigTest() {
    std::string root = dir_.write("lit.yaml", R"(
name: S
params: {tools: /b/bin}
suffixes: [.ll, .test]
excludes: [Inputs]
features: [shell, asserts]
substitutions:
  - {match: '%clang_cc1', replace: 'clang -cc1'}
  - {match: '%clang', replace: clang}
  - {regex: '\bFileCheck\b', replace: '${tools}/FileCheck'}
environment: {set: {LC_ALL: C, TZ: UTC}, pass: [FILECHECK_OPTS]}
sandbox: {network: false, writable: [/var/tmp], limits: {memory: 1GiB, processes: 100}}
target_triple: x86_64-unknown-linux-gnu
)");
    auto c = load_suite_config(root, nullptr, {});
    EXPECT_TRUE(c.ok()) << c.error().str();
    if (c) parent_ = *c;
  }

  Expected<SuiteConfig> local(const std::string& yaml) {
    path_ = dir_.write("sub/lit.local.yaml", yaml);
    return apply_local_config(parent_, path_);
  }
  std::string error(const std::string& yaml) {
    std::string e = error_of(local(yaml));
    return e.rfind(path_, 0) == 0 ? "lit.local.yaml" + e.substr(path_.size()) : e;
  }
  static std::vector<std::string> patterns(const SuiteConfig& c) {
    std::vector<std::string> out;
    for (const Substitution& s : c.substitutions) out.push_back(s.pattern);
    return out;
  }

  TempDir dir_;
  SuiteConfig parent_;
  std::string path_;
};

TEST_F(LocalConfigTest, AnEmptyFileChangesNothingButTheFileList) {
  auto c = local("");
  ASSERT_TRUE(c.ok()) << c.error().str();
  EXPECT_EQ(c->suffixes, parent_.suffixes);
  EXPECT_EQ(c->features, parent_.features);
  EXPECT_EQ(c->files.size(), parent_.files.size() + 1);
  EXPECT_EQ(c->files.back(), path_);
}

TEST_F(LocalConfigTest, ToolsAreOnlyTheFilesOwn) {
  // Each file's tools are looked up when it is loaded: a directory below does not repeat its
  // parent's (lit runs a config's use_llvm_tool calls once).
  parent_.tools.push_back(ToolLookup{.name = "clang"});
  auto c = local("tools: [{name: opt}]\n");
  ASSERT_TRUE(c.ok()) << c.error().str();
  ASSERT_EQ(c->tools.size(), 1u);
  EXPECT_EQ(c->tools[0].name, "opt");
  auto none = local("");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->tools.empty());
}

TEST_F(LocalConfigTest, APlainListReplacesAndTheParentIsUntouched) {
  auto c = local("suffixes: [.mir]\nfeatures: [only]\n");
  ASSERT_TRUE(c.ok()) << c.error().str();
  EXPECT_EQ(c->suffixes, std::vector<std::string>{".mir"});
  // target=<triple> follows the triple, whatever the file did to the list.
  EXPECT_EQ(c->features, (std::set<std::string>{"only", "target=x86_64-unknown-linux-gnu"}));
  EXPECT_EQ(parent_.suffixes, (std::vector<std::string>{".ll", ".test"}));
}

TEST_F(LocalConfigTest, AddAndRemoveEditLists) {
  auto c = local("suffixes: {add: [.mir, .ll], remove: [.test]}\nfeatures: {add: [arm], remove: [asserts]}\n"
                 "excludes: {add: [big.ll]}\n");
  ASSERT_TRUE(c.ok()) << c.error().str();
  EXPECT_EQ(c->suffixes, (std::vector<std::string>{".ll", ".mir"}));
  EXPECT_EQ(c->features, (std::set<std::string>{"arm", "shell", "target=x86_64-unknown-linux-gnu"}));
  EXPECT_EQ(c->excludes, (std::vector<std::string>{"Inputs", "big.ll"}));
}

TEST_F(LocalConfigTest, SubstitutionAddAppendsOrReplacesInPlace) {
  auto c = local(R"(
substitutions:
  add:
    - {match: '%clang', replace: clang-arm}
    - {match: '%llc', replace: llc}
)");
  ASSERT_TRUE(c.ok()) << c.error().str();
  EXPECT_EQ(patterns(*c), (std::vector<std::string>{"%clang_cc1", "%clang", "\\bFileCheck\\b", "%llc"}));
  EXPECT_EQ(c->substitutions[1].replacement, "clang-arm");
}

TEST_F(LocalConfigTest, SubstitutionPrependPutsEntriesFirst) {
  auto c = local("substitutions: {prepend: [{match: '%llc', replace: llc}, {match: '%clang', replace: c2}]}\n");
  ASSERT_TRUE(c.ok()) << c.error().str();
  EXPECT_EQ(patterns(*c), (std::vector<std::string>{"%llc", "%clang", "%clang_cc1", "\\bFileCheck\\b"}));
  EXPECT_EQ(c->substitutions[1].replacement, "c2");
}

TEST_F(LocalConfigTest, SubstitutionRemoveNamesPatternsAsWritten) {
  auto c = local("substitutions: {remove: ['%clang', {regex: '\\bFileCheck\\b'}]}\n");
  ASSERT_TRUE(c.ok()) << c.error().str();
  EXPECT_EQ(patterns(*c), std::vector<std::string>{"%clang_cc1"});
  c = local("substitutions: {remove: [{match: '%clang_cc1'}, '\\bFileCheck\\b', '%nothing']}\n");
  ASSERT_TRUE(c.ok()) << c.error().str();
  EXPECT_EQ(patterns(*c), std::vector<std::string>{"%clang"});
}

TEST_F(LocalConfigTest, APlainSubstitutionListReplaces) {
  auto c = local("substitutions: [{match: '%x', replace: y}]\n");
  ASSERT_TRUE(c.ok()) << c.error().str();
  EXPECT_EQ(patterns(*c), std::vector<std::string>{"%x"});
}

TEST_F(LocalConfigTest, NestedMapsMergeKeyByKey) {
  auto c = local(R"(
environment: {set: {TZ: ~, HOME: /nonexistent}, pass: {add: [DISPLAY]}}
sandbox: {network: true, writable: {add: [out]}, limits: {memory: 2GiB}}
)");
  ASSERT_TRUE(c.ok()) << c.error().str();
  EXPECT_EQ(c->environment.set, (std::map<std::string, std::string>{{"HOME", "/nonexistent"}, {"LC_ALL", "C"}}));
  EXPECT_EQ(c->environment.pass, (std::vector<std::string>{"FILECHECK_OPTS", "DISPLAY"}));
  EXPECT_TRUE(c->sandbox.network);
  EXPECT_EQ(c->sandbox.writable, (std::vector<std::string>{"/var/tmp", dir_.path() + "/sub/out"}));
  EXPECT_EQ(c->sandbox.limits.memory, 2ull << 30);
  EXPECT_EQ(c->sandbox.limits.processes, 100u);
}

TEST_F(LocalConfigTest, ParamsComeFromTheParent) {
  auto c = local("substitutions: {add: [{match: '%opt', replace: '${tools}/opt'}]}\n");
  ASSERT_TRUE(c.ok()) << c.error().str();
  EXPECT_EQ(c->substitutions.back().replacement, "/b/bin/opt");
  EXPECT_EQ(error("name2: x\n"), "lit.local.yaml:1:1: unknown key 'name2' in lit.local.yaml");
  EXPECT_EQ(error("parallelism_group: '${tool}'\n"),
            "lit.local.yaml:1:20: unknown parameter 'tool' in '${tool}' (did you mean 'tools'?)");
}

TEST_F(LocalConfigTest, ChangingTheTripleMovesTheTargetFeature) {
  auto c = local("target: {triple: armv7-unknown-linux-gnueabihf}\n");
  ASSERT_TRUE(c.ok()) << c.error().str();
  EXPECT_EQ(c->target_triple, "armv7-unknown-linux-gnueabihf");
  EXPECT_TRUE(c->features.count("target=armv7-unknown-linux-gnueabihf"));
  EXPECT_FALSE(c->features.count("target=x86_64-unknown-linux-gnu"));
}

TEST_F(LocalConfigTest, RootOnlyKeysAreRefused) {
  EXPECT_EQ(error("exec_root: /tmp\n"),
            "lit.local.yaml:1:1: key 'exec_root' is not allowed in lit.local.yaml (only in lit.yaml and lit.site.yaml, "
            "outside 'when' blocks)");
  EXPECT_EQ(error("name: other\n"),
            "lit.local.yaml:1:1: key 'name' is not allowed in lit.local.yaml (only in lit.yaml and lit.site.yaml)");
  EXPECT_EQ(error("params: {a: b}\n"),
            "lit.local.yaml:1:1: key 'params' is not allowed in lit.local.yaml (only in lit.yaml and lit.site.yaml, "
            "outside 'when' blocks)");
}

TEST_F(LocalConfigTest, EditMapErrors) {
  EXPECT_EQ(error("suffixes: {ad: [.x]}\n"), "lit.local.yaml:1:12: unknown key 'ad' in 'suffixes' (did you mean 'add'?)");
  EXPECT_EQ(error("features: {add: arm}\n"), "lit.local.yaml:1:17: expected a list of strings for 'features'");
  EXPECT_EQ(error("substitutions: {remove: '%clang'}\n"),
            "lit.local.yaml:1:25: expected a list of patterns for 'substitutions.remove'");
  EXPECT_EQ(error("substitutions: {remove: [{match: a, regex: b}]}\n"),
            "lit.local.yaml:1:26: expected one of 'match' or 'regex' in 'substitutions.remove'");
  EXPECT_EQ(error("substitutions: {add: {match: a, replace: b}}\n"),
            "lit.local.yaml:1:22: expected a list of substitutions for 'substitutions.add'");
}

TEST_F(LocalConfigTest, MalformedLocalYamlIsLocated) {
  EXPECT_EQ(error("features: [a\n"), "lit.local.yaml:2:1: malformed YAML: end of sequence flow not found");
}

}  // namespace
}  // namespace litbox::config
