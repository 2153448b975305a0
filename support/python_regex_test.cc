#include "support/python_regex.h"

#include <gtest/gtest.h>

namespace litbox {
namespace {

std::string sub(const char* pattern, const char* repl, const char* text) {
  auto re = PyRegex::compile(pattern);
  EXPECT_TRUE(re.ok());
  auto r = re->sub(repl, text);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : "";
}

TEST(PyRegex, SubstitutesLikePythonReSub) {
  EXPECT_EQ(sub("%s", "/a/b.ll", "opt %s -o %s.o"), "opt /a/b.ll -o /a/b.ll.o");
  EXPECT_EQ(sub("(a)(b)?", "[\\1\\2]", "ac ab"), "[a]c [ab]");
  EXPECT_EQ(sub("(?P<x>o+)", "<\\g<x>|\\g<0>>", "foo"), "f<oo|oo>");
  EXPECT_EQ(sub("x*", "-", "abc"), "-a-b-c-");
  EXPECT_EQ(sub("(?<![\\w/.-])\\bFileCheck\\b(?![\\w.-])", "/usr/bin/FileCheck", "FileCheck a | not FileCheck.x"),
            "/usr/bin/FileCheck a | not FileCheck.x");
}

TEST(PyRegex, PythonEndOfString) {
  auto re = PyRegex::compile("a\\Z");
  ASSERT_TRUE(re.ok());
  EXPECT_TRUE(re->search("ba"));
  EXPECT_FALSE(re->search("ba\n"));
}

TEST(PyRegex, BadTemplateAndPattern) {
  auto re = PyRegex::compile("(a)");
  ASSERT_TRUE(re.ok());
  EXPECT_FALSE(re->sub("\\2", "a").ok());
  EXPECT_FALSE(PyRegex::compile("(").ok());
  // A group number past any int (found by fuzz/fuzz_python_regex): an error, not a throw.
  auto big = re->sub("\\g<0022222222222222222222222>", "a");
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.error().message.find("invalid group reference 22222222222222222222222"), std::string::npos);
}

TEST(PyRegex, LiteralSub) {
  auto re = PyRegex::compile("%\\{x\\}");
  ASSERT_TRUE(re.ok());
  EXPECT_EQ(re->sub_literal("a\\1b", "[%{x}]"), "[a\\1b]");
}

TEST(PyRegex, Escape) {
  EXPECT_EQ(regex_escape("%{a.b}"), "%{a\\.b}");
  EXPECT_EQ(regex_escape("x{2}(y)"), "x\\{2}\\(y\\)");
  auto re = PyRegex::compile(regex_escape("a{2}.*+?[]|^$\\"));
  ASSERT_TRUE(re.ok());
  EXPECT_TRUE(re->full_match("a{2}.*+?[]|^$\\"));
}

}  // namespace
}  // namespace litbox
