#include "support/feature_expr.h"

#include <gtest/gtest.h>

namespace litbox {
namespace {

bool eval(const char* text, const std::set<std::string>& features, const char* triple = "") {
  auto e = FeatureExpr::parse(text);
  EXPECT_TRUE(e.ok()) << (e.ok() ? "" : e.error().message);
  return e.ok() && e->evaluate(features, triple);
}

std::string parse_error(const char* text) {
  auto e = FeatureExpr::parse(text);
  EXPECT_FALSE(e.ok());
  return e.ok() ? "" : e.error().message;
}

// The cases of lit 15's own BooleanExpression unit tests.
TEST(FeatureExpr, Variables) {
  std::set<std::string> v = {"its-true", "false-lol-true", "under_score", "e=quals", "d1g1ts"};
  EXPECT_TRUE(eval("true", v));
  EXPECT_TRUE(eval("its-true", v));
  EXPECT_TRUE(eval("e=quals", v));
  EXPECT_TRUE(eval("{{its.+}}", v));
  EXPECT_TRUE(eval("{{false-[lo]+-true}}", v));
  EXPECT_TRUE(eval("{{(true|false)-lol-(true|false)}}", v));
  EXPECT_TRUE(eval("d1g{{[0-9]}}ts", v));
  EXPECT_TRUE(eval("d1g{{[0-9]}}t{{[a-z]}}", v));
  EXPECT_TRUE(eval("{{d}}1g{{[0-9]}}t{{[a-z]}}", v));
  EXPECT_TRUE(eval("d1{{(g|1)+}}ts", v));
  EXPECT_FALSE(eval("false", v));
  EXPECT_FALSE(eval("True", v));
  EXPECT_FALSE(eval("true-ish", v));
  EXPECT_FALSE(eval("tru", v));
  EXPECT_FALSE(eval("{{its-true.+}}", v));
}

TEST(FeatureExpr, Triple) {
  EXPECT_TRUE(eval("arch-", {}, "arch-vendor-os"));
  EXPECT_TRUE(eval("ch-vend", {}, "arch-vendor-os"));
  EXPECT_FALSE(eval("arch-os", {}, "arch-vendor-os"));
  EXPECT_FALSE(eval("arch-", {}, ""));
}

TEST(FeatureExpr, Operators) {
  std::set<std::string> v = {"a", "b"};
  EXPECT_TRUE(eval("a && b", v));
  EXPECT_FALSE(eval("a && c", v));
  EXPECT_TRUE(eval("c || b", v));
  EXPECT_TRUE(eval("!c", v));
  EXPECT_FALSE(eval("!(a || c)", v));
  EXPECT_TRUE(eval("(a || c) && !(c && a)", v));
  EXPECT_TRUE(eval("target={{x86_64-.*}}", {"target=x86_64-pc-linux-gnu"}));
  EXPECT_FALSE(eval("target={{aarch64-.*}}", {"target=x86_64-pc-linux-gnu"}));
}

TEST(FeatureExpr, Errors) {
  EXPECT_EQ(parse_error("ba#d"), "couldn't parse text: '#d'\nin expression: 'ba#d'");
  EXPECT_EQ(parse_error("true and true"), "expected: <end of expression>\nhave: 'and'\nin expression: 'true and true'");
  EXPECT_EQ(parse_error("|| true"), "expected: '!', '(', '{{', or identifier\nhave: '||'\nin expression: '|| true'");
  EXPECT_EQ(parse_error("true &&"), "expected: '!', '(', '{{', or identifier\nhave: <end of expression>\nin expression: 'true &&'");
  EXPECT_EQ(parse_error(""), "expected: '!', '(', '{{', or identifier\nhave: <end of expression>\nin expression: ''");
  EXPECT_EQ(parse_error("*"), "couldn't parse text: '*'\nin expression: '*'");
  EXPECT_EQ(parse_error("no wait stop"), "expected: <end of expression>\nhave: 'wait'\nin expression: 'no wait stop'");
  EXPECT_EQ(parse_error("no-$-please"), "couldn't parse text: '$-please'\nin expression: 'no-$-please'");
  EXPECT_EQ(parse_error("(((true && true) || true)"), "expected: ')'\nhave: <end of expression>\nin expression: '(((true && true) || true)'");
  EXPECT_EQ(parse_error("true (true)"), "expected: <end of expression>\nhave: '('\nin expression: 'true (true)'");
  EXPECT_EQ(parse_error("( )"), "expected: '!', '(', '{{', or identifier\nhave: ')'\nin expression: '( )'");
  EXPECT_EQ(parse_error("abc{{def"), "couldn't parse text: '{{def'\nin expression: 'abc{{def'");
  EXPECT_EQ(parse_error("{{}}"), "couldn't parse text: '{{}}'\nin expression: '{{}}'");
}

TEST(FeatureExpr, Terms) {
  auto e = FeatureExpr::parse("a && !(b || {{c.*}}) && d{{x}}");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->terms(), (std::vector<std::string>{"a", "b", "{{c.*}}", "d{{x}}"}));
  EXPECT_EQ(e->plain_terms(), (std::vector<std::string>{"a", "b"}));
}

}  // namespace
}  // namespace litbox
