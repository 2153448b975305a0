#include "runner/substitutions.h"

#include <gtest/gtest.h>

namespace litbox::runner {
namespace {

std::vector<ScriptEntry> runs(std::initializer_list<std::string> lines) {
  std::vector<ScriptEntry> v;
  for (const auto& l : lines) v.push_back({ScriptEntry::kRun, l, "", 1, 1});
  return v;
}

std::vector<std::string> expand(std::vector<ScriptEntry> script, std::vector<config::Substitution> subs = {},
                                std::set<std::string> features = {}, std::optional<int> limit = std::nullopt) {
  config::SuiteConfig cfg;
  cfg.substitutions = std::move(subs);
  auto all = test_substitutions(cfg, test_paths("/src/dir/a.test", "/build/dir/a.test"));
  auto r = apply_substitutions(script, all, features, limit);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : std::vector<std::string>(script.size());
}

TEST(Substitutions, BuiltIns) {
  auto out = expand(runs({"%s %S %p %t %T %basename_t %/t %{pathsep} %:s %{s:basename} %{s:stem} %{t:stem}"}));
  EXPECT_EQ(out[0],
            "/src/dir/a.test /src/dir /src/dir /build/dir/Output/a.test.tmp /build/dir/Output a.test "
            "/build/dir/Output/a.test.tmp : src/dir/a.test a.test a a.test");
}

TEST(Substitutions, RegexReplacementForm) {
  auto out = expand(runs({"sed 's@%{/t:regex_replacement}@x@'"}));
  EXPECT_EQ(out[0], "sed 's@/build/dir/Output/a.test.tmp@x@'");
}

TEST(Substitutions, PercentEscapeAndStrip) {
  EXPECT_EQ(expand(runs({"  echo %%s 100%% %s  "}))[0], "echo %s 100% /src/dir/a.test");
}

TEST(Substitutions, ConfigEntriesComeFirstAndAreRegexes) {
  auto out = expand(runs({"%clang_cc1 %clang FileCheck FileCheck.x"}),
                    {{"%clang_cc1", "clang -cc1", false},
                     {"%clang", "clang", false},
                     {"(?<![\\w/.-])\\bFileCheck\\b(?![\\w.-])", "/bin/FileCheck", false},
                     {"%(x)", "\\1y", false}});
  EXPECT_EQ(out[0], "clang -cc1 clang /bin/FileCheck FileCheck.x");
  EXPECT_EQ(expand(runs({"%x"}), {{"%(x)", "\\1y", false}})[0], "xy");
  // A config pattern shadows a built-in: it runs first.
  EXPECT_EQ(expand(runs({"%t"}), {{"%t", "mine", false}})[0], "mine");
}

TEST(Substitutions, IfElse) {
  EXPECT_EQ(expand(runs({"a %if foo %{ YES %} b"}), {}, {"foo"})[0], "a  YES  b");
  EXPECT_EQ(expand(runs({"a %if bar %{ YES %} %else %{NO%} b"}), {}, {"foo"})[0], "a NO b");
  EXPECT_EQ(expand(runs({"%if foo %{ %if bar %{x%} %else %{y%} %}"}), {}, {"foo"})[0], "y");
  auto r = substitute_if_else("%if foo %{ a", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "ValueError: '%}' is missing for %if substitution");
  EXPECT_EQ(substitute_if_else("%if foo a", {}).error().message, "ValueError: '%{' is missing for %if substitution");
  EXPECT_EQ(substitute_if_else("%if foo %{a%} %else b", {}).error().message, "ValueError: '%{' is missing for %else substitution");
}

TEST(Substitutions, RecursionLimit) {
  std::vector<config::Substitution> subs = {{"%{a}", "%{b}", true}, {"%{b}", "done", true}};
  // lit: with a limit, the line must reach a fixed point within `limit` extra passes; a limit
  // of 0 allows none, so any change at all is an error.
  EXPECT_EQ(expand(runs({"%{b} %{a}"}), subs, {}, 1)[0], "done done");
  EXPECT_FALSE(apply_substitutions(runs({"%{b}"}), subs, {}, 0).ok());
  std::vector<config::Substitution> loop = {{"%{b}", "x", true}, {"%{a}", "%{b}", true}};
  EXPECT_EQ(expand(runs({"%{a}"}), loop)[0], "%{b}");
  EXPECT_EQ(expand(runs({"%{a}"}), loop, {}, 2)[0], "x");
  config::SuiteConfig cfg;
  cfg.substitutions = {{"%{a}", "%{a}%{a}", true}};
  auto r = apply_substitutions(runs({"%{a}"}), cfg.substitutions, {}, 2);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "ValueError: Recursive substitution of '%{a}' did not complete in the provided recursion limit (2)");
}

TEST(Substitutions, DefineRedefineInFileOrder) {
  std::vector<ScriptEntry> script = {{ScriptEntry::kDefine, "one", "%{x}", 1, 1},
                                     {ScriptEntry::kRun, "echo %{x}", "", 2, 2},
                                     {ScriptEntry::kRedefine, "two\\1", "%{x}", 3, 3},
                                     {ScriptEntry::kRun, "echo %{x}", "", 4, 4}};
  auto out = expand(script);
  EXPECT_EQ(out, (std::vector<std::string>{"echo one", "echo two\\1"}));
}

TEST(Substitutions, DefineErrors) {
  config::SuiteConfig cfg;
  cfg.substitutions = {{"%{x}", "1", true}, {"<%{y}>", "2", true}};
  auto all = cfg.substitutions;
  auto r = apply_substitutions({{ScriptEntry::kDefine, "v", "%{x}", 3, 3}}, all, {}, std::nullopt);
  EXPECT_EQ(r.error().message,
            "Substitution whose pattern contains '%{x}' is already defined before 'DEFINE:' directive at line 3\n"
            "Existing pattern: %{x}");
  r = apply_substitutions({{ScriptEntry::kRedefine, "v", "%{z}", 3, 4}}, all, {}, std::nullopt);
  EXPECT_EQ(r.error().message, "No substitution for '%{z}' is defined before 'REDEFINE:' directive from line 3 to 4");
  r = apply_substitutions({{ScriptEntry::kRedefine, "v", "%{y}", 5, 5}}, all, {}, std::nullopt);
  EXPECT_EQ(r.error().message,
            "Existing substitution whose pattern contains '%{y}' does not have the pattern specified by "
            "'REDEFINE:' directive at line 5\nExpected pattern: %{y}\nExisting pattern: <%{y}>");
}

}  // namespace
}  // namespace litbox::runner
