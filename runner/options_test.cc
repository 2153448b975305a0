#include "runner/options.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace litbox::runner {
namespace {

ParseOutcome parse(std::vector<std::string> args) {
  std::vector<char*> argv;
  static std::string prog = "litbox";
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

TEST(Options, LitOptsAppendedAfterArgv) {
  setenv("LIT_OPTS", "--max-tests 4 'a b'", 1);
  auto r = parse({"x"});
  unsetenv("LIT_OPTS");
  EXPECT_EQ(r.options.max_tests, 4);
  EXPECT_EQ(r.options.test_paths, (std::vector<std::string>{"x", "a b"}));
}

TEST(Options, ShellSplit) {
  EXPECT_EQ(shell_split(R"(a "b c" 'd e' f\ g)"), (std::vector<std::string>{"a", "b c", "d e", "f g"}));
}

}  // namespace
}  // namespace litbox::runner
