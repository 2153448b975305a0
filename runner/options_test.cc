#include "runner/options.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace litbox::runner {
namespace {

ParseOutcome parse(std::vector<std::string> args, std::string prog = "litbox") {
  std::vector<char*> argv;
  argv.push_back(prog.data());
  for (auto& a : args) argv.push_back(a.data());
  return parse_options(static_cast<int>(argv.size()), argv.data());
}

TEST(Options, LitDefaultsAndFlags) {
  unsetenv("LIT_OPTS");
  auto r = parse({"-sv", "-j", "3", "-D", "a=b", "--param", "c", "--timeout=5", "dir"});
  ASSERT_EQ(r.exit_code, -1);
  EXPECT_TRUE(r.options.succinct);
  EXPECT_TRUE(r.options.show_output);
  EXPECT_EQ(r.options.workers, 3);
  EXPECT_EQ(r.options.params.at("a"), "b");
  EXPECT_EQ(r.options.params.at("c"), "");
  EXPECT_EQ(r.options.timeout, 5);
  EXPECT_EQ(r.options.test_paths, (std::vector<std::string>{"dir"}));
}

TEST(Options, DoubleVIsEchoAllCommands) {
  auto r = parse({"-vv", "x"});
  EXPECT_TRUE(r.options.echo_all_commands);
  EXPECT_TRUE(r.options.show_output);
}

TEST(Options, UsageErrorsExitTwo) {
  EXPECT_EQ(parse({"-j", "0", "x"}).exit_code, 2);
  EXPECT_EQ(parse({"--num-shards", "2", "x"}).exit_code, 2);
  EXPECT_EQ(parse({"--num-shards", "2", "--run-shard", "3", "x"}).exit_code, 2);
  EXPECT_EQ(parse({}).exit_code, 2);
  EXPECT_EQ(parse({"--filter", "(", "x"}).exit_code, 2);
}

// A site config that is not there is an error, not a run without it (issue 11).
TEST(Options, AMissingSiteConfigIsAUsageError) {
  unsetenv("LIT_OPTS");
  EXPECT_EQ(parse({"--site", "/nonexistent/lit.site.yaml", "x"}).exit_code, 2);
  setenv("LITBOX_SITE_CONFIG", "/nonexistent/lit.site.yaml", 1);
  EXPECT_EQ(parse({"x"}).exit_code, 2);
  unsetenv("LITBOX_SITE_CONFIG");
  auto ok = parse({"--site", "/dev/null", "x"});
  EXPECT_EQ(ok.exit_code, -1);
  EXPECT_EQ(ok.options.site_config, "/dev/null");
}

TEST(Options, LitOptsAppendedAfterArgv) {
  setenv("LIT_OPTS", "--max-tests 4 'a b'", 1);
  auto r = parse({"x"});
  unsetenv("LIT_OPTS");
  EXPECT_EQ(r.options.max_tests, 4);
  EXPECT_EQ(r.options.test_paths, (std::vector<std::string>{"x", "a b"}));
}

TEST(Options, LastOfARepeatedOptionWins) {
  auto r = parse({"-j1", "--order=lexical", "--timeout", "3", "-j2", "--order=random", "--timeout=4", "x"});
  ASSERT_EQ(r.exit_code, -1);
  EXPECT_EQ(r.options.workers, 2);
  EXPECT_EQ(r.options.order, Order::kRandom);
  EXPECT_EQ(r.options.timeout, 4);
  setenv("LIT_OPTS", "--max-tests=7 --filter b", 1);
  r = parse({"--max-tests", "4", "--filter=a", "x"});
  unsetenv("LIT_OPTS");
  EXPECT_EQ(r.options.max_tests, 7);
  EXPECT_EQ(r.options.filter, "b");
}

TEST(Options, RepeatedListOptionsAccumulate) {
  auto r = parse({"-D", "a=1", "x", "--path", "/p", "-Db=2", "y", "--path=/q"});
  ASSERT_EQ(r.exit_code, -1);
  EXPECT_EQ(r.options.params.size(), 2u);
  EXPECT_EQ(r.options.path, (std::vector<std::string>{"/p", "/q"}));
  EXPECT_EQ(r.options.test_paths, (std::vector<std::string>{"x", "y"}));
}

TEST(Options, PassEnvIsRepeatableAndTakesOnlyNames) {
  auto r = parse({"--pass-env", "FILECHECK_OPTS", "x", "--pass-env=ASAN_OPTIONS"});
  ASSERT_EQ(r.exit_code, -1);
  EXPECT_EQ(r.options.pass_env, (std::vector<std::string>{"FILECHECK_OPTS", "ASAN_OPTIONS"}));
  EXPECT_EQ(r.options.test_paths, (std::vector<std::string>{"x"}));
  EXPECT_EQ(parse({"--pass-env", "A=b", "x"}).exit_code, 2);
  EXPECT_EQ(parse({"--pass-env=", "x"}).exit_code, 2);
}

TEST(Options, StartedAsLitItPresentsItselfAsLit) {
  EXPECT_EQ(program_name("/usr/bin/lit"), "lit");
  EXPECT_EQ(program_name("lit"), "lit");
  EXPECT_EQ(program_name("build/bin/litbox"), "litbox");
  EXPECT_EQ(program_name("/x/lit.py"), "litbox");
  testing::internal::CaptureStdout();
  EXPECT_EQ(parse({"--version"}, "/tmp/bin/lit").exit_code, 0);
  EXPECT_EQ(testing::internal::GetCapturedStdout(), "lit 15.0.6 (litbox 0.1.0)\n");
  testing::internal::CaptureStdout();
  EXPECT_EQ(parse({"--help"}, "/tmp/bin/lit").exit_code, 0);
  EXPECT_EQ(testing::internal::GetCapturedStdout().rfind("usage: lit [-h] [--version] [options] TEST_PATH", 0), 0u);
  testing::internal::CaptureStderr();
  EXPECT_EQ(parse({"--order=sideways", "x"}, "lit").exit_code, 2);
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(err.rfind("usage: lit [-h]", 0), 0u) << err;
  EXPECT_NE(err.find("\nlit: error: "), std::string::npos) << err;
  testing::internal::CaptureStdout();
  EXPECT_EQ(parse({"--version"}).exit_code, 0);
  EXPECT_EQ(testing::internal::GetCapturedStdout(), "litbox 0.1.0 (compatible with lit 15.0.6)\n");
}

TEST(Options, ShardIOfN) {
  unsetenv("LIT_OPTS");
  auto r = parse({"--shard=2/3", "x"});
  ASSERT_EQ(r.exit_code, -1);
  EXPECT_EQ(r.options.shard_index, 2);
  EXPECT_EQ(r.options.shard_count, 3);
  EXPECT_EQ(r.options.shard_note, "");
  EXPECT_EQ(parse({"x"}).options.shard_count, 0);
  EXPECT_EQ(parse({"--shard=4/3", "x"}).exit_code, 2);
  EXPECT_EQ(parse({"--shard=two", "x"}).exit_code, 2);
  // lit's sharding and litbox's do not mix, from the command line or the environment.
  EXPECT_EQ(parse({"--shard=1/3", "--num-shards=3", "--run-shard=1", "x"}).exit_code, 2);
  setenv("LIT_NUM_SHARDS", "3", 1);
  setenv("LIT_RUN_SHARD", "1", 1);
  EXPECT_EQ(parse({"--shard=1/3", "x"}).exit_code, 2);
  unsetenv("LIT_NUM_SHARDS");
  unsetenv("LIT_RUN_SHARD");
}

TEST(Options, ShellSplit) {
  EXPECT_EQ(shell_split(R"(a "b c" 'd e' f\ g)"), (std::vector<std::string>{"a", "b c", "d e", "f g"}));
}

}  // namespace
}  // namespace litbox::runner
