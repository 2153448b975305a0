// Discovery over real trees of lit.yaml / lit.local.yaml / test files in a TempDir: what
// becomes a test, with which directory's config, and what is reported about broken configs.
#include "runner/discovery.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "support/testing/temp_dir.h"

namespace litbox::runner {
namespace {

using litbox::testing::TempDir;

class DiscoveryTest : public ::testing::Test {
 protected:
  /// Discovers `inputs` (absolute, or relative to the temp dir) in one Discovery; keeps the
  /// tests in tests_ and what was printed in stderr_.
  std::vector<std::string> discover_all(const std::vector<std::string>& inputs) {
    discovery_ = std::make_unique<Discovery>(options_, diag_);
    ::testing::internal::CaptureStderr();
    for (const auto& in : inputs) discovery_->discover(in[0] == '/' ? in : dir_ / in, tests_);
    stderr_ = ::testing::internal::GetCapturedStderr();
    return names();
  }
  std::vector<std::string> discover(const std::string& input) { return discover_all({input}); }

  /// "<suite> :: <path>" of every test found, in discovery order.
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& t : tests_) out.push_back(t->full_name());
    return out;
  }
  const runner::Test& test(const std::string& full_name) const {
    for (const auto& t : tests_)
      if (t->full_name() == full_name) return *t;
    ADD_FAILURE() << "no test " << full_name;
    return *tests_.at(0);
  }

  TempDir dir_;
  DiscoveryOptions options_;
  Diagnostics diag_;
  std::unique_ptr<Discovery> discovery_;
  std::vector<std::unique_ptr<runner::Test>> tests_;
  std::string stderr_;
};

TEST_F(DiscoveryTest, TakesFilesWithTheSuffixesInSortedOrderThenSubdirectories) {
  dir_.write("lit.yaml", "name: S\nsuffixes: [.test, .ll]\n");
  for (const char* f : {"b.test", "a.ll", "c.txt", "noext", ".hidden.test", "sub/z.test", "sub/deeper/y.ll"})
    dir_.write(f, "");
  EXPECT_EQ(discover(dir_.path()),
            (std::vector<std::string>{"S :: a.ll", "S :: b.test", "S :: sub/z.test", "S :: sub/deeper/y.ll"}));
  EXPECT_EQ(diag_.errors(), 0);
  const runner::Test& t = test("S :: sub/z.test");
  EXPECT_EQ(t.source_path, dir_ / "sub/z.test");
  EXPECT_EQ(t.exec_path, dir_ / "sub/z.test");
  EXPECT_EQ(t.path_in_suite, (std::vector<std::string>{"sub", "z.test"}));
  EXPECT_EQ(t.config.get(), discovery_->suites().at(0)->config.get());  // no lit.local.yaml: the root's
}

TEST_F(DiscoveryTest, ExcludesNameFilesAndDirectoriesAndOutputIsNeverSearched) {
  dir_.write("lit.yaml", "name: S\nsuffixes: [.test]\nexcludes: [Inputs, skip.test]\n");
  for (const char* f : {"ok.test", "skip.test", "Inputs/helper.test", "Output/old.test", "sub/skip.test", "sub/ok.test"})
    dir_.write(f, "");
  // An exclude is a name at any depth, as in lit.
  EXPECT_EQ(discover(dir_.path()), (std::vector<std::string>{"S :: ok.test", "S :: sub/ok.test"}));
}

TEST_F(DiscoveryTest, ConfigFilesAreNeverTestsWhateverTheSuffixes) {
  dir_.write("lit.yaml", "name: S\nsuffixes: [.yaml]\n");
  dir_.write("sub/lit.local.yaml", "");
  dir_.write("sub/input.yaml", "");
  EXPECT_EQ(discover(dir_.path()), std::vector<std::string>{"S :: sub/input.yaml"});
}

TEST_F(DiscoveryTest, ALocalConfigChangesItsDirectoryAndEverythingBelow) {
  dir_.write("lit.yaml", "name: S\nsuffixes: [.test]\nfeatures: [root]\n");
  dir_.write("arm/lit.local.yaml", "suffixes: [.ll]\nfeatures: {add: [arm]}\n");
  for (const char* f : {"top.test", "top.ll", "arm/x.ll", "arm/x.test", "arm/deep/y.ll", "other/z.test"}) dir_.write(f, "");
  EXPECT_EQ(discover(dir_.path()), (std::vector<std::string>{"S :: top.test", "S :: arm/x.ll", "S :: arm/deep/y.ll",
                                                             "S :: other/z.test"}));
  const auto& root = discovery_->suites().at(0)->config;
  const auto& arm = test("S :: arm/x.ll").config;
  EXPECT_EQ(arm->features, (std::set<std::string>{"root", "arm"}));
  EXPECT_EQ(arm->files.back(), dir_ / "arm/lit.local.yaml");
  EXPECT_EQ(root->features, std::set<std::string>{"root"});  // the parent is untouched
  // One config per directory, shared by its tests and inherited below it.
  EXPECT_EQ(test("S :: arm/deep/y.ll").config.get(), arm.get());
  EXPECT_EQ(test("S :: other/z.test").config.get(), root.get());
  EXPECT_EQ(discovery_->config_files(), (std::vector<std::string>{dir_ / "lit.yaml", dir_ / "arm/lit.local.yaml"}));
}

TEST_F(DiscoveryTest, FinishSuiteConfigSeesTheRootAndEachLocalConfig) {
  dir_.write("lit.yaml", "name: S\nsuffixes: [.test]\n");
  dir_.write("a/lit.local.yaml", "");
  dir_.write("a/b/lit.local.yaml", "");
  dir_.write("a/b/t.test", "");
  int calls = 0;
  options_.finish_suite_config = [&](config::SuiteConfig& c) {
    ++calls;
    c.features.insert("finished-" + std::to_string(calls));
  };
  EXPECT_EQ(discover(dir_.path()), std::vector<std::string>{"S :: a/b/t.test"});
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(test("S :: a/b/t.test").config->features,
            (std::set<std::string>{"finished-1", "finished-2", "finished-3"}));
}

TEST_F(DiscoveryTest, AnUnsupportedDirectoryStillHasItsTestsMarkedByItsConfig) {
  dir_.write("lit.yaml", "name: S\nsuffixes: [.test]\n");
  dir_.write("gpu/lit.local.yaml", "unsupported: true\n");
  dir_.write("gpu/a.test", "");
  dir_.write("gpu/sub/b.test", "");
  dir_.write("cpu.test", "");
  EXPECT_EQ(discover(dir_.path()), (std::vector<std::string>{"S :: cpu.test", "S :: gpu/a.test", "S :: gpu/sub/b.test"}));
  EXPECT_FALSE(test("S :: cpu.test").config->unsupported);
  EXPECT_TRUE(test("S :: gpu/a.test").config->unsupported);
  EXPECT_TRUE(test("S :: gpu/sub/b.test").config->unsupported);
  EXPECT_FALSE(test("S :: gpu/a.test").has_result);  // decided when it runs (UNSUPPORTED), as lit does
}

TEST_F(DiscoveryTest, ANestedSuiteOwnsItsTreeAndAnEmptyOneIsReported) {
  dir_.write("lit.yaml", "name: Outer\nsuffixes: [.test]\n");
  dir_.write("a.test", "");
  dir_.write("inner/lit.yaml", "name: Inner\nsuffixes: [.txt]\n");
  dir_.write("inner/b.txt", "");
  dir_.write("inner/c.test", "");
  dir_.write("empty/lit.yaml", "name: Empty\nsuffixes: [.test]\n");
  EXPECT_EQ(discover(dir_.path()), (std::vector<std::string>{"Outer :: a.test", "Inner :: b.txt"}));
  EXPECT_EQ(discovery_->suites().size(), 3u);
  EXPECT_EQ(test("Inner :: b.txt").path_in_suite, std::vector<std::string>{"b.txt"});
  EXPECT_NE(stderr_.find("warning: test suite 'Empty' contained no tests"), std::string::npos) << stderr_;
}

TEST_F(DiscoveryTest, NamedFilesAndDirectoriesAreFoundFromBelowTheSuite) {
  dir_.write("lit.yaml", "name: S\nsuffixes: [.test]\n");
  dir_.write("sub/lit.local.yaml", "features: [sub]\n");
  dir_.write("sub/a.test", "");
  dir_.write("sub/b.test", "");
  dir_.write("c.test", "");
  // A file, a directory, and a spelling with ".." and "." (normalized, as lit does).
  EXPECT_EQ(discover_all({"sub/a.test", "sub", dir_.path() + "/sub/../c.test", dir_.path() + "/./sub/b.test"}),
            (std::vector<std::string>{"S :: sub/a.test", "S :: sub/a.test", "S :: sub/b.test", "S :: c.test",
                                      "S :: sub/b.test"}));
  // A file named directly gets its directory's config too.
  EXPECT_TRUE(test("S :: sub/a.test").config->features.count("sub"));
  EXPECT_EQ(discovery_->suites().size(), 1u);  // found once, from the first input
  EXPECT_EQ(diag_.errors(), 0);
}

TEST_F(DiscoveryTest, ANamedFileTheSuffixesWouldNotTakeIsAnError) {
  dir_.write("lit.yaml", "name: S\nsuffixes: [.test]\nexcludes: [skipped.test]\n");
  dir_.write("notes.txt", "");
  dir_.write("skipped.test", "");
  EXPECT_EQ(discover_all({"notes.txt", "skipped.test"}), (std::vector<std::string>{"S :: notes.txt", "S :: skipped.test"}));
  EXPECT_EQ(diag_.errors(), 2);
  EXPECT_NE(stderr_.find("error: 'S :: notes.txt' would not be run indirectly"), std::string::npos) << stderr_;
  // Unless the suite's tests are standalone, or the check is off (--no-indirectly-run-check).
  tests_.clear();
  options_.indirectly_run_check = false;
  diag_ = Diagnostics();
  EXPECT_EQ(discover("notes.txt"), std::vector<std::string>{"S :: notes.txt"});
  EXPECT_EQ(diag_.errors(), 0);
}

TEST_F(DiscoveryTest, StandaloneTestsAreOnlyRunWhenNamed) {
  dir_.write("lit.yaml", "name: S\nstandalone_tests: true\n");
  dir_.write("a.test", "");
  EXPECT_TRUE(discover(dir_.path()).empty());
  EXPECT_NE(stderr_.find("warning: input '" + dir_.path() + "' contained no tests"), std::string::npos) << stderr_;
  EXPECT_EQ(discover("a.test"), std::vector<std::string>{"S :: a.test"});
  EXPECT_EQ(diag_.errors(), 0);
}

TEST_F(DiscoveryTest, PathsThatFindNothingAreWarnings) {
  // Config names of its own (--config-prefix): a lit.yaml above the temp dir (even a stray
  // /lit.yaml) must not make "outside" part of a suite.
  options_.names = config::ConfigNames::with_prefix("discovery-test");
  dir_.write("suite/discovery-test.yaml", "name: S\nsuffixes: [.test]\n");
  dir_.write("outside/x.test", "");
  // A path inside a suite that does not exist (lit's "Binary/Suite.Case" form names a gtest
  // case this way; other formats find nothing) and a file outside every suite.
  EXPECT_TRUE(discover_all({"suite/missing.test", "outside/x.test"}).empty());
  EXPECT_NE(stderr_.find("warning: input '" + dir_.path() + "/suite/missing.test' contained no tests"), std::string::npos)
      << stderr_;
  EXPECT_NE(stderr_.find("warning: unable to find test suite for '" + dir_.path() + "/outside/x.test'"),
            std::string::npos)
      << stderr_;
  EXPECT_EQ(diag_.errors(), 0);
}

TEST_F(DiscoveryTest, ABrokenSuiteConfigIsAnErrorNamingFileLineAndColumn) {
  dir_.write("lit.yaml", "name: S\nsufixes: [.test]\n");
  dir_.write("a.test", "");
  EXPECT_TRUE(discover(dir_.path()).empty());
  EXPECT_EQ(diag_.errors(), 1);
  EXPECT_NE(stderr_.find("error: " + dir_.path() + "/lit.yaml:2:1: unknown key 'sufixes' in lit.yaml"), std::string::npos)
      << stderr_;
  EXPECT_EQ(stderr_.find("unable to find test suite"), std::string::npos) << stderr_;  // said once, not twice
}

TEST_F(DiscoveryTest, ABrokenLocalConfigMakesItsDirectorysTestsUnresolved) {
  dir_.write("lit.yaml", "name: S\nsuffixes: [.test]\n");
  dir_.write("ok/a.test", "");
  dir_.write("bad/lit.local.yaml", "suffixes: [.test]\ntimeout: soon\n");
  dir_.write("bad/b.test", "");
  dir_.write("bad/below/c.test", "");
  EXPECT_EQ(discover(dir_.path()), (std::vector<std::string>{"S :: bad/b.test", "S :: bad/below/c.test", "S :: ok/a.test"}));
  EXPECT_EQ(diag_.errors(), 1);  // reported once for the directory
  const std::string where = dir_.path() + "/bad/lit.local.yaml:2:10: ";
  for (const char* name : {"S :: bad/b.test", "S :: bad/below/c.test"}) {
    const runner::Test& t = test(name);
    ASSERT_TRUE(t.has_result) << name;
    EXPECT_EQ(t.result.code, ResultCode::kUnresolved) << name;
    EXPECT_EQ(t.result.output.rfind("invalid configuration: " + where, 0), 0u) << t.result.output;
  }
  EXPECT_FALSE(test("S :: ok/a.test").has_result);
  EXPECT_NE(stderr_.find("error: " + where), std::string::npos) << stderr_;
  // Named directly, a test of that directory is UNRESOLVED the same way.
  tests_.clear();
  EXPECT_EQ(discover("bad/b.test"), std::vector<std::string>{"S :: bad/b.test"});
  EXPECT_EQ(test("S :: bad/b.test").result.code, ResultCode::kUnresolved);
}

TEST_F(DiscoveryTest, ABuildDirectorysSiteConfigMapsTestsToTheSourceTree) {
  dir_.write("src/lit.yaml", "name: S\nsuffixes: [.test]\n");
  dir_.write("src/sub/a.test", "");
  dir_.write("build/lit.site.yaml", "suite: ../src\nfeatures: [built]\n");
  dir_.mkdir("build/sub");
  EXPECT_EQ(discover("build/sub"), std::vector<std::string>{"S :: sub/a.test"});
  const runner::Test& t = test("S :: sub/a.test");
  EXPECT_EQ(t.source_path, dir_ / "src/sub/a.test");
  EXPECT_EQ(t.exec_path, dir_ / "build/sub/a.test");
  EXPECT_TRUE(t.config->features.count("built"));
  // Run from the source tree with --site naming the build's: the same test, the same Output.
  tests_.clear();
  options_.site_config = dir_ / "build/lit.site.yaml";
  EXPECT_EQ(discover("src/sub/a.test"), std::vector<std::string>{"S :: sub/a.test"});
  EXPECT_EQ(test("S :: sub/a.test").exec_path, dir_ / "build/sub/a.test");
  EXPECT_EQ(discovery_->unused_site_config(), "");
  EXPECT_EQ(discovery_->config_files(), (std::vector<std::string>{dir_ / "build/lit.site.yaml", dir_ / "src/lit.yaml"}));
}

TEST_F(DiscoveryTest, OutputNamesThatCollideMakeBothTestsUnresolved) {
  dir_.write("lit.yaml", "name: S\nsuffixes: [.test]\n");
  dir_.write("a.test", "");
  dir_.write("a.test.tmpx.test", "");
  dir_.write("b.test", "");
  discover(dir_.path());
  mark_output_collisions(tests_);
  EXPECT_EQ(test("S :: a.test").result.code, ResultCode::kUnresolved);
  EXPECT_EQ(test("S :: a.test.tmpx.test").result.code, ResultCode::kUnresolved);
  EXPECT_NE(test("S :: a.test").result.output.find("output names collide"), std::string::npos);
  EXPECT_FALSE(test("S :: b.test").has_result);
}

TEST(MatchesSuffixes, TakesTheLastExtensionAndNotALeadingDot) {
  EXPECT_TRUE(matches_suffixes("a.test", {".test"}));
  EXPECT_TRUE(matches_suffixes("a.b.ll", {".ll"}));
  EXPECT_FALSE(matches_suffixes("a.ll.txt", {".ll"}));
  EXPECT_FALSE(matches_suffixes(".test", {".test"}));
  EXPECT_FALSE(matches_suffixes("test", {".test", ""}));
}

}  // namespace
}  // namespace litbox::runner
