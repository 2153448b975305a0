#include "runner/test_file.h"

#include <gtest/gtest.h>

namespace litbox::runner {
namespace {

std::string error_of(std::string_view data, bool require_script = true) {
  auto r = parse_test_file(data, require_script);
  EXPECT_FALSE(r.ok());
  return r.ok() ? "" : r.error().message;
}

TEST(TestFile, RunLinesGetDbgPrefixAndContinuations) {
  auto r = parse_test_file("; RUN: echo a \\\n; RUN:   b\n// RUN: true\n", true);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->script.size(), 2u);
  EXPECT_EQ(r->script[0].text, "%dbg(RUN: at line 1)  echo a    b");
  EXPECT_EQ(r->script[0].end_line, 2);
  EXPECT_EQ(r->script[1].text, "%dbg(RUN: at line 3)  true");
}

TEST(TestFile, KeywordAnywhereOnlyFirstPerLine) {
  auto r = parse_test_file("CHECK: foo RUN: no\nx RUN: yes XFAIL: *\n", true);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->script.size(), 2u);
  EXPECT_EQ(r->script[0].text, "%dbg(RUN: at line 1)  no");
  EXPECT_EQ(r->script[1].text, "%dbg(RUN: at line 2)  yes XFAIL: *");
  EXPECT_TRUE(r->xfails.empty());
}

// libc++'s FILE_DEPENDENCIES:/ADDITIONAL_COMPILE_FLAGS: are lit LIST keywords: every line's
// text split at ',' and stripped, empty items kept; a built-in keyword earlier on a line wins.
TEST(TestFile, ListKeywordsOfAFormat) {
  ParseOptions o;
  o.require_script = false;
  o.list_keywords = {"FILE_DEPENDENCIES:", "ADDITIONAL_COMPILE_FLAGS:"};
  auto r = parse_test_file(
      "// FILE_DEPENDENCIES: a.dat,  dir/b ,\n"
      "// ADDITIONAL_COMPILE_FLAGS: -DX=1 -Wno-y\n"
      "// RUN: true ADDITIONAL_COMPILE_FLAGS: -not-this\n"
      "// FILE_DEPENDENCIES: c\n",
      o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->lists["FILE_DEPENDENCIES:"], (std::vector<std::string>{"a.dat", "dir/b", "", "c"}));
  EXPECT_EQ(r->lists["ADDITIONAL_COMPILE_FLAGS:"], (std::vector<std::string>{"-DX=1 -Wno-y"}));
  ASSERT_EQ(r->script.size(), 1u);
  // Without the options, they are plain text.
  auto plain = parse_test_file("// FILE_DEPENDENCIES: a\n", false);
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->lists.empty());
  // A .sh.cpp test needs RUN lines even so.
  o.require_script = true;
  auto none = parse_test_file("// FILE_DEPENDENCIES: a\n", o);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().message, "Test has no 'RUN:' line");
}

TEST(TestFile, LineNumberSubstitutions) {
  // An offset past any integer type stays as written instead of throwing.
  auto huge = parse_test_file("RUN: echo %(line+99999999999999999999999)\n", true);
  ASSERT_TRUE(huge.ok());
  EXPECT_EQ(huge->script[0].text.find("%(line+99999999999999999999999)") != std::string::npos, true);
  auto r = parse_test_file("\n\nRUN: echo %(line) %(line+2) %(line - 1)\n", true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->script[0].text, "%dbg(RUN: at line 3)  echo 3 5 2");
}

TEST(TestFile, BooleanDirectives) {
  auto r = parse_test_file("RUN: true\nREQUIRES: a, b && c,\nREQUIRES: d\nUNSUPPORTED: x \\\nUNSUPPORTED: || y\nXFAIL: *\n", true);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->requires_, (std::vector<std::string>{"a", "b && c", "d"}));
  EXPECT_EQ(r->unsupported, (std::vector<std::string>{"x || y"}));
  EXPECT_EQ(r->xfails, (std::vector<std::string>{"*"}));
  EXPECT_EQ(r->requires_lines, (std::vector<int>{2, 2, 3}));
}

TEST(TestFile, EndStopsParsing) {
  auto r = parse_test_file("RUN: a\nEND.\nRUN: b\n", true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->script.size(), 1u);
  auto r2 = parse_test_file("RUN: a\nEND. not really\nRUN: b\n", true);
  EXPECT_EQ(r2->script.size(), 2u);
}

TEST(TestFile, ErrorsMatchLit) {
  EXPECT_EQ(error_of("nothing here\n"), "Test has no 'RUN:' line");
  EXPECT_TRUE(parse_test_file("nothing\n", false).ok());
  EXPECT_EQ(error_of("RUN: echo \\\n"), "Test has unterminated 'RUN:' lines (with '\\')");
  EXPECT_EQ(error_of("RUN: true\nREQUIRES: a \\\n"), "Test has unterminated 'REQUIRES:' lines (with '\\')");
  EXPECT_EQ(error_of("RUN: true\nXFAIL: &&\n"),
            "expected: '!', '(', '{{', or identifier\nhave: '&&'\nin expression: '&&'\nin XFAIL: directive on test line 2");
  EXPECT_EQ(error_of("RUN: true\nALLOW_RETRIES: x\n"),
            "INTEGER parser requires the input to be an integer (got  x)\nin ALLOW_RETRIES: directive on test line 2");
  EXPECT_EQ(error_of("RUN: true\nALLOW_RETRIES: 1\nALLOW_RETRIES: 2\n"), "Test has more than one ALLOW_RETRIES lines");
  EXPECT_EQ(error_of("RUN: true\nRUN: \xff\xfe\n"), "directive 'RUN:' on test line 2 is not valid UTF-8 (is this a binary file?)");
}

TEST(TestFile, AllowRetries) {
  auto r = parse_test_file("RUN: true\nALLOW_RETRIES: +3 \n", true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->allowed_retries, 3);
}

TEST(TestFile, DefineAndRedefine) {
  auto r = parse_test_file("DEFINE: %{x} = a b \nRUN: %{x}\nREDEFINE: %{x} = \\\nREDEFINE:   c  \\\nREDEFINE: d\n", true);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->script.size(), 3u);
  EXPECT_EQ(r->script[0].kind, ScriptEntry::kDefine);
  EXPECT_EQ(r->script[0].name, "%{x}");
  EXPECT_EQ(r->script[0].text, "a b");
  EXPECT_EQ(r->script[2].kind, ScriptEntry::kRedefine);
  EXPECT_EQ(r->script[2].text, "c d");
  EXPECT_EQ(r->script[2].location(), "from line 3 to 5");
}

TEST(TestFile, Lit15HasNoDefineDirectives) {
  // LLVM 15's tests use REDEFINE: as a FileCheck prefix; lit 15 reads it as text.
  auto r = parse_test_file("RUN: true\n# REDEFINE: something else\n", true, /*define_directives=*/false);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->script.size(), 1u);
}

TEST(TestFile, DefineErrors) {
  EXPECT_EQ(error_of("DEFINE: %{x}\nRUN: true\n"),
            "Substitution's definition does not contain '='\nin DEFINE: directive on test line 1");
  EXPECT_EQ(error_of("DEFINE: %{1x} = y\nRUN: true\n"),
            "Substitution name '%{1x}' is malformed as it must start with '%{', it must end with '}', and the rest "
            "must start with a letter or underscore and contain only alphanumeric characters, hyphens, underscores, "
            "and colons\nin DEFINE: directive on test line 1");
  EXPECT_EQ(error_of("DEFINE: %{x} = \\\nDEFINE:   \nRUN: true\n"),
            "Substitution's continuation is empty\nin DEFINE: directive on test line 2");
}

}  // namespace
}  // namespace litbox::runner
