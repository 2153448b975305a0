// lit.site.yaml: loading it, how it combines with lit.yaml, and site_config_candidates.
#include <gtest/gtest.h>
#include <stdlib.h>

#include "configs/loader.h"
#include "configs/test_support.h"
#include "support/testing/temp_dir.h"

namespace litbox::config {
namespace {

using testing::error_of;
using litbox::testing::TempDir;

class SiteConfigTest : public ::testing::Test {
 protected:
  SiteConfigTest() { suite_yaml_ = dir_.write("src/test/lit.yaml", "name: S\n"); }

  std::string site(const std::string& yaml) { return dir_.write("build/test/lit.site.yaml", yaml); }

  /// Loads the site config, then the suite it names.
  Expected<SuiteConfig> load_both(const std::string& site_yaml, const std::string& suite_yaml,
                                  const Params& cli = {}) {
    dir_.write("src/test/lit.yaml", suite_yaml);
    auto s = load_site_config(site(site_yaml), cli);
    if (!s) return s.error();
    return load_suite_config(s->suite_dir + "/lit.yaml", &*s, cli);
  }

  TempDir dir_;
  std::string suite_yaml_;
};

TEST_F(SiteConfigTest, ReadsSuiteParamsAndFeatures) {
  setenv("LITBOX_SITE_TEST", "/opt", 1);
  auto s = load_site_config(site(R"(
suite: ../../src/test
params:
  build: /b
  tools: '${build}/bin'
  prefix: '${env:LITBOX_SITE_TEST}'
features: [x86-registered-target, asserts]
)"),
                            {{"build", "/cli-build"}});
  ASSERT_TRUE(s.ok()) << s.error().str();
  EXPECT_EQ(s->path, dir_.path() + "/build/test/lit.site.yaml");
  EXPECT_EQ(s->suite_dir, dir_.path() + "/src/test");
  EXPECT_EQ(s->params,
            (std::map<std::string, std::string>{{"build", "/cli-build"}, {"prefix", "/opt"}, {"tools", "/cli-build/bin"}}));
  EXPECT_EQ(s->features, (std::vector<std::string>{"asserts", "x86-registered-target"}));
}

TEST_F(SiteConfigTest, SuiteMayNameTheLitYamlItself) {
  auto s = load_site_config(site("suite: ../../src/test/lit.yaml\n"), {});
  ASSERT_TRUE(s.ok()) << s.error().str();
  EXPECT_EQ(s->suite_dir, dir_.path() + "/src/test");
}

TEST_F(SiteConfigTest, Errors) {
  std::string path = site("params: {a: b}\n");
  EXPECT_EQ(error_of(load_site_config(path, {})), path + ": missing key 'suite' (the directory of the suite's lit.yaml)");
  path = site("suite: ../nowhere\n");
  EXPECT_EQ(error_of(load_site_config(path, {})),
            path + ":1:8: suite directory '" + dir_.path() + "/build/nowhere' does not exist");
  dir_.mkdir("empty");
  path = site("suite: ../../empty\n");
  EXPECT_EQ(error_of(load_site_config(path, {})),
            path + ":1:8: no lit.yaml in suite directory '" + dir_.path() + "/empty'");
  path = site("suite: ../../src/test\nsite_configs: [x]\n");
  EXPECT_EQ(error_of(load_site_config(path, {})),
            path + ":2:1: key 'site_configs' is not allowed in lit.site.yaml (only in lit.yaml, outside 'when' blocks)");
  path = site("suite: ../../src/test\nfeaturs: [x]\n");
  EXPECT_EQ(error_of(load_site_config(path, {})),
            path + ":2:1: unknown key 'featurs' in lit.site.yaml (did you mean 'features'?)");
}

TEST_F(SiteConfigTest, ExecRootIsTheSiteDirectoryAndFilesListBoth) {
  auto c = load_both("suite: ../../src/test\n", "name: S\nexec_root: elsewhere\n");
  ASSERT_TRUE(c.ok()) << c.error().str();
  EXPECT_EQ(c->source_root, dir_.path() + "/src/test");
  EXPECT_EQ(c->exec_root, dir_.path() + "/build/test");
  EXPECT_EQ(c->files, (std::vector<std::string>{dir_.path() + "/build/test/lit.site.yaml",
                                                dir_.path() + "/src/test/lit.yaml"}));
}

TEST_F(SiteConfigTest, SiteExecRootKeyWins) {
  auto c = load_both("suite: ../../src/test\nexec_root: out\n", "name: S\n");
  ASSERT_TRUE(c.ok()) << c.error().str();
  EXPECT_EQ(c->exec_root, dir_.path() + "/build/test/out");
}

TEST_F(SiteConfigTest, SiteFeaturesAndSubstitutionsComeFirstAndLitYamlAddsToThem) {
  auto c = load_both(R"(
suite: ../../src/test
features: [x86-registered-target]
substitutions: [{match: '%exec', replace: qemu-x86_64}, {match: '%tool', replace: site-tool}]
)",
                     R"(
features: [shell]
substitutions: [{match: '%python', replace: python3}, {match: '%tool', replace: suite-tool}]
when:
  - if: x86-registered-target
    then: {features: {add: [saw-site-feature]}}
)");
  ASSERT_TRUE(c.ok()) << c.error().str();
  EXPECT_EQ(c->features, (std::set<std::string>{"saw-site-feature", "shell", "x86-registered-target"}));
  ASSERT_EQ(c->substitutions.size(), 3u);
  EXPECT_EQ(c->substitutions[0].pattern, "%exec");
  // A pattern both files define stays in the site's place; the suite's value replaced it
  // while lit.yaml was applied, and the site's other keys do not touch substitutions again.
  EXPECT_EQ(c->substitutions[1].pattern, "%tool");
  EXPECT_EQ(c->substitutions[1].replacement, "suite-tool");
  EXPECT_EQ(c->substitutions[2].pattern, "%python");
}

TEST_F(SiteConfigTest, LitYamlCanRemoveASiteFeature) {
  auto c = load_both("suite: ../../src/test\nfeatures: [a, b]\n", "features: {remove: [a]}\n");
  ASSERT_TRUE(c.ok()) << c.error().str();
  EXPECT_EQ(c->features, std::set<std::string>{"b"});
}

TEST_F(SiteConfigTest, OtherSiteKeysOverrideLitYaml) {
  auto c = load_both(R"(
suite: ../../src/test
timeout: 600
suffixes: {add: [.site]}
target_triple: aarch64-unknown-linux-gnu
sandbox: {limits: {memory: 8GiB}}
)",
                     R"(
timeout: 60
suffixes: [.ll]
target_triple: x86_64-unknown-linux-gnu
sandbox: {network: true, limits: {memory: 1GiB, processes: 10}}
)");
  ASSERT_TRUE(c.ok()) << c.error().str();
  EXPECT_DOUBLE_EQ(c->timeout, 600);
  EXPECT_EQ(c->suffixes, (std::vector<std::string>{".ll", ".site"}));
  EXPECT_EQ(c->target_triple, "aarch64-unknown-linux-gnu");
  EXPECT_TRUE(c->features.count("target=aarch64-unknown-linux-gnu"));
  EXPECT_FALSE(c->features.count("target=x86_64-unknown-linux-gnu"));
  EXPECT_TRUE(c->sandbox.network);
  EXPECT_EQ(c->sandbox.limits.memory, 8ull << 30);
  EXPECT_EQ(c->sandbox.limits.processes, 10u);
}

TEST_F(SiteConfigTest, ParamsPriorityIsLitYamlThenSiteThenCommandLine) {
  auto c = load_both("suite: ../../src/test\nparams: {b: site, c: site}\n",
                     "params: {a: suite, b: suite, c: suite, d: 'd-${b}'}\nname: '${a} ${b} ${c} ${d}'\n",
                     {{"c", "cli"}});
  ASSERT_TRUE(c.ok()) << c.error().str();
  EXPECT_EQ(c->name, "suite site cli d-site");
}

TEST_F(SiteConfigTest, SiteValuesAreCheckedWhenApplied) {
  std::string path = site("suite: ../../src/test\ntimeout: later\n");
  auto s = load_site_config(path, {});
  ASSERT_TRUE(s.ok()) << s.error().str();
  EXPECT_EQ(error_of(load_suite_config(s->suite_dir + "/lit.yaml", &*s, {})),
            path + ":2:10: expected a number for 'timeout'");
}

TEST_F(SiteConfigTest, AHandMadeSiteConfigContributesParamsAndFeatures) {
  SiteConfig s;
  s.path = dir_.path() + "/build/test/lit.site.yaml";
  s.suite_dir = dir_.path() + "/src/test";
  s.params = {{"p", "v"}};
  s.features = {"f"};
  dir_.write("src/test/lit.yaml", "name: '${p}'\n");
  auto c = load_suite_config(suite_yaml_, &s, {});
  ASSERT_TRUE(c.ok()) << c.error().str();
  EXPECT_EQ(c->name, "v");
  EXPECT_EQ(c->features, std::set<std::string>{"f"});
  EXPECT_EQ(c->exec_root, dir_.path() + "/build/test");  // not created: normalized path
}

// ---- site_config_candidates ---------------------------------------------------------------

TEST_F(SiteConfigTest, CandidatesAreExpandedAndAbsolute) {
  setenv("LITBOX_CANDIDATE_BUILD", "/env-build", 1);
  dir_.write("src/test/lit.yaml", R"(
params: {default_build: ../../build}
site_configs:
  - '${build_dir}/test/lit.site.yaml'
  - '${default_build}/test'
  - '${env:LITBOX_CANDIDATE_BUILD}/test/'
  - /abs/lit.site.yaml
)");
  auto c = site_config_candidates(suite_yaml_, {});
  ASSERT_TRUE(c.ok()) << c.error().str();
  EXPECT_EQ(*c, (std::vector<std::string>{dir_.path() + "/build/test/lit.site.yaml", "/env-build/test/lit.site.yaml",
                                          "/abs/lit.site.yaml"}));
  c = site_config_candidates(suite_yaml_, {{"build_dir", "/cli"}});
  ASSERT_TRUE(c.ok()) << c.error().str();
  EXPECT_EQ(c->front(), "/cli/test/lit.site.yaml");
  EXPECT_EQ(c->size(), 4u);
}

TEST_F(SiteConfigTest, NoCandidatesWithoutTheKey) {
  auto c = site_config_candidates(suite_yaml_, {});
  ASSERT_TRUE(c.ok()) << c.error().str();
  EXPECT_TRUE(c->empty());
}

TEST_F(SiteConfigTest, CandidateErrors) {
  dir_.write("src/test/lit.yaml", "site_configs: ../build\n");
  EXPECT_EQ(error_of(site_config_candidates(suite_yaml_, {})),
            suite_yaml_ + ":1:15: expected a list of strings for 'site_configs'");
  dir_.write("src/test/lit.yaml", "site_configs: ['${unterminated']\n");
  EXPECT_EQ(error_of(site_config_candidates(suite_yaml_, {})),
            suite_yaml_ + ":1:16: unterminated '${' in '${unterminated'");
}

}  // namespace
}  // namespace litbox::config
