#include "runner/sh/lexer.h"

#include <gtest/gtest.h>

namespace litbox::runner::sh {
namespace {

std::string tokens(std::string_view line) {
  auto r = lex(line);
  if (!r) return "error: " + r.error().message;
  std::string s;
  for (const Token& t : *r) {
    if (!s.empty()) s += " ";
    s += repr(t);
  }
  return s;
}

TEST(LexerTest, OperatorsAndWords) {
  EXPECT_EQ(tokens("a;b|c||d&e&&f"), "'a' (';',) 'b' ('|',) 'c' ('||',) 'd' ('&',) 'e' ('&&',) 'f'");
  EXPECT_EQ(tokens("a > b >> c >& d &> e < f <& g <> h"),
            "'a' ('>',) 'b' ('>>',) 'c' ('>&',) 'd' ('&>',) 'e' ('<',) 'f' ('<&',) 'g' ('<<',) 'h'");
}

TEST(LexerTest, FdRedirectionsAreSingleTokens) {
  EXPECT_EQ(tokens("a 2>&1 2>>x 1<y 10>z"), "'a' ('>&', 2) '1' ('>>', 2) 'x' ('<', 1) 'y' ('>', 10) 'z'");
  // Only a word made entirely of digits turns into an fd.
  EXPECT_EQ(tokens("a2>x"), "'a2' ('>',) 'x'");
}

TEST(LexerTest, Quoting) {
  EXPECT_EQ(tokens(R"('a\b' "a\"b\\c\d" a\ b)"), R"('a\\b' 'a"b\\c\\d' 'a b')");
  EXPECT_EQ(tokens(R"(x"y"'z'w)"), "'xyzw'");
}

TEST(LexerTest, GlobsAreUnquotedStarOrQuestionMark) {
  EXPECT_EQ(tokens("*.c a?b '*.c' \"?\""), "*.c a?b '*.c' '?'");
  // lit's slow path never marks its first character: a leading * before a quote is literal.
  EXPECT_EQ(tokens("*'x'"), "'*x'");
  // ...and a leading backslash is kept literally.
  EXPECT_EQ(tokens("\\$x"), "'\\\\$x'");
}

TEST(LexerTest, WhereLitMeantToWarnItFails) {
  // lit 15 calls lit.util.warning(), which does not exist.
  EXPECT_EQ(tokens("echo 'abc"), "error: module 'lit.util' has no attribute 'warning'");
  EXPECT_EQ(tokens("echo \"a\\"), "error: module 'lit.util' has no attribute 'warning'");
  EXPECT_EQ(tokens("echo a\\"), "error: module 'lit.util' has no attribute 'warning'");
  // A lone backslash starting a word is taken literally, so it is fine.
  EXPECT_EQ(tokens("echo \\"), "'echo' '\\\\'");
}

TEST(LexerTest, OperatorAtEndOfLineIsPythonIndexError) {
  EXPECT_EQ(tokens("a |"), "error: string index out of range");
  EXPECT_EQ(tokens("a 2>"), "error: string index out of range");
  EXPECT_EQ(tokens("a ;"), "'a' (';',)");
}

TEST(LexerTest, UnicodeWhitespaceSeparatesWords) {
  EXPECT_EQ(tokens("a\xc2\xa0" "b\xe3\x80\x80" "c"), "'a' 'b' 'c'");
}

}  // namespace
}  // namespace litbox::runner::sh
