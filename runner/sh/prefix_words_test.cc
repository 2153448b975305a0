#include "runner/sh/prefix_words.h"

#include <gtest/gtest.h>

namespace litbox::runner::sh {
namespace {

std::vector<Word> words(std::initializer_list<const char*> list) {
  std::vector<Word> out;
  for (const char* w : list) out.push_back(Word{w, false});
  return out;
}

const std::map<std::string, std::string> kEnv = {{"PATH", "/bin"}, {"A", "1"}};

TEST(PrefixWordsTest, PlainCommandIsLeftAlone) {
  auto args = words({"FileCheck", "%s"});
  PrefixWords p;
  EXPECT_FALSE(strip_prefix_words(args, kEnv, "/w", &p));
  EXPECT_EQ(args, words({"FileCheck", "%s"}));
  EXPECT_FALSE(p.env);
  EXPECT_EQ(p.not_count, 0);
  EXPECT_FALSE(p.on_target);
}

TEST(PrefixWordsTest, EnvNotAndBangInAnyOrder) {
  auto args = words({"env", "-u", "A", "B=2", "not", "!", "env", "C=3", "cmd", "x"});
  PrefixWords p;
  EXPECT_FALSE(strip_prefix_words(args, kEnv, "/w", &p));
  EXPECT_EQ(args, words({"cmd", "x"}));
  ASSERT_TRUE(p.env);
  EXPECT_EQ(*p.env, (std::map<std::string, std::string>{{"PATH", "/bin"}, {"B", "2"}, {"C", "3"}}));
  EXPECT_EQ(p.not_count, 2);
  EXPECT_EQ(p.not_words, words({"not", "!"}));
  EXPECT_FALSE(p.not_crash);
}

TEST(PrefixWordsTest, NotCrashIsKeptWithItsWords) {
  auto args = words({"not", "--crash", "prog"});
  PrefixWords p;
  EXPECT_FALSE(strip_prefix_words(args, kEnv, "/w", &p));
  EXPECT_EQ(args, words({"prog"}));
  EXPECT_TRUE(p.not_crash);
  EXPECT_EQ(p.not_words, words({"not", "--crash"}));
  // `! --crash` is not LLVM's not: --crash is the command.
  args = words({"!", "--crash"});
  PrefixWords q;
  EXPECT_FALSE(strip_prefix_words(args, kEnv, "/w", &q));
  EXPECT_EQ(args, words({"--crash"}));
  EXPECT_FALSE(q.not_crash);
}

TEST(PrefixWordsTest, LitboxExecWithExecdir) {
  auto args = words({"litbox-exec", "--execdir", "sub/../d", "--", "not", "./a.out"});
  PrefixWords p;
  EXPECT_FALSE(strip_prefix_words(args, kEnv, "/w", &p));
  EXPECT_TRUE(p.on_target);
  EXPECT_EQ(p.exec_dir, "/w/d");
  EXPECT_EQ(args, words({"./a.out"}));
  EXPECT_EQ(p.not_count, 1);
}

TEST(PrefixWordsTest, PrefixWithoutCommandIsAShellError) {
  for (auto [line, message] : std::vector<std::pair<std::vector<Word>, std::string>>{
           {words({"env", "A=1"}), "Error: 'env' requires a subcommand"},
           {words({"not"}), "Error: 'not' requires a subcommand"},
           {words({"not", "--crash"}), "Error: 'not' requires a subcommand"},
           {words({"!"}), "Error: '!' requires a subcommand"},
           {words({"litbox-exec"}), "Error: 'litbox-exec' requires a subcommand"},
           {words({"litbox-exec", "--execdir"}), "Error: 'litbox-exec --execdir' requires a directory"},
       }) {
    PrefixWords p;
    auto e = strip_prefix_words(line, kEnv, "/w", &p);
    ASSERT_TRUE(e);
    EXPECT_FALSE(e->exception);
    EXPECT_EQ(e->message, message);
  }
}

TEST(PrefixWordsTest, GlobStopsTheWordsAndAGlobInEnvIsPythonsError) {
  std::vector<Word> args = {Word{"not", false}, Word{"*.c", true}};
  PrefixWords p;
  EXPECT_FALSE(strip_prefix_words(args, kEnv, "/w", &p));
  EXPECT_EQ(args, (std::vector<Word>{Word{"*.c", true}}));
  args = {Word{"env", false}, Word{"A=*", true}, Word{"cmd", false}};
  PrefixWords q;
  auto e = strip_prefix_words(args, kEnv, "/w", &q);
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->exception);
  EXPECT_EQ(e->message, "AttributeError: 'GlobItem' object has no attribute 'partition'");
}

}  // namespace
}  // namespace litbox::runner::sh
