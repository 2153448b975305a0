#include "runner/environment.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "configs/interpolate.h"

namespace litbox::runner {
namespace {

// build_environment reads the host's environment once: set it up before any test runs.
const bool kHostSetUp = [] {
  setenv("FILECHECK_OPTS", "-dump-input=always", 1);
  setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
  setenv("TERM", "xterm-256color", 1);
  setenv("TZ", "Europe/Paris", 1);
  setenv("LANG", "fr_FR.UTF-8", 1);
  setenv("LITBOX_TEST_JUNK", "junk", 1);
  setenv("LITBOX_TEST_PASSED", "passed", 1);
  setenv("PATH", "/host/only/bin:/usr/bin:/bin", 1);
  return true;
}();

TEST(Environment, UnsandboxedPassesLitsDefaultList) {
  ASSERT_TRUE(kHostSetUp);
  config::SuiteConfig cfg;
  auto env = build_environment(cfg, EnvironmentOptions{});
  EXPECT_EQ(env["FILECHECK_OPTS"], "-dump-input=always");
  EXPECT_EQ(env["ASAN_OPTIONS"], "detect_leaks=0");
  EXPECT_EQ(env["TERM"], "xterm-256color");
  EXPECT_EQ(env.count("LITBOX_TEST_JUNK"), 0u);
  EXPECT_EQ(env["LLVM_DISABLE_CRASH_REPORT"], "1");
}

TEST(Environment, HermeticPassesOnlyWhatIsNamed) {
  config::SuiteConfig cfg;
  cfg.environment.pass = {"LITBOX_TEST_PASSED", "LITBOX_TEST_UNSET"};
  cfg.environment.set = {{"FOO", "bar"}};
  EnvironmentOptions eo;
  eo.hermetic = true;
  eo.path_prepend = {"/opt/x/bin"};
  auto env = build_environment(cfg, eo);
  std::map<std::string, std::string> expected = {
      {"PATH", "/opt/x/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
      {"LLVM_DISABLE_CRASH_REPORT", "1"},
      {"TZ", "UTC"},
      {"LANG", "C.UTF-8"},
      {"LC_ALL", "C.UTF-8"},
      {"LITBOX_TEST_PASSED", "passed"},
      {"FOO", "bar"},
  };
  EXPECT_EQ(env, expected);
}

// `${env:PATH}` in environment.set is the base PATH: the host's as lit has it, or the fixed
// one of a sandboxed test; never the host's inside the sandbox.
TEST(Environment, ConfigPathExtendsTheBasePathOfEachMode) {
  config::SuiteConfig cfg;
  cfg.environment.set = {{"PATH", "/tools/bin:" + std::string(config::kBasePathMarker)}};
  EnvironmentOptions eo;
  eo.path_prepend = {"/opt/x/bin"};
  EXPECT_EQ(build_environment(cfg, eo)["PATH"], "/tools/bin:/opt/x/bin:/host/only/bin:/usr/bin:/bin");
  eo.hermetic = true;
  EXPECT_EQ(build_environment(cfg, eo)["PATH"],
            "/tools/bin:/opt/x/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
}

TEST(Environment, PassEnvWinsOverTheConfigInBothModes) {
  config::SuiteConfig cfg;
  cfg.environment.set = {{"FILECHECK_OPTS", "from-config"}};
  cfg.environment.unset = {"ASAN_OPTIONS"};
  for (bool hermetic : {false, true}) {
    EnvironmentOptions eo;
    eo.hermetic = hermetic;
    eo.pass_env = {"FILECHECK_OPTS", "ASAN_OPTIONS", "LITBOX_TEST_UNSET"};
    auto env = build_environment(cfg, eo);
    EXPECT_EQ(env["FILECHECK_OPTS"], "-dump-input=always") << hermetic;
    EXPECT_EQ(env["ASAN_OPTIONS"], "detect_leaks=0") << hermetic;
    EXPECT_EQ(env.count("LITBOX_TEST_UNSET"), 0u) << hermetic;
    EXPECT_EQ(env.count("LITBOX_TEST_JUNK"), 0u) << hermetic;
  }
}

}  // namespace
}  // namespace litbox::runner
