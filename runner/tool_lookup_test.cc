// lit 15's use_llvm_tool order of preference, notes and fatal error (Inputs/use-llvm-tool of
// lit's own tests, case by case).
#include "runner/tool_lookup.h"

#include <gtest/gtest.h>

#include "support/testing/temp_dir.h"

namespace litbox::runner {
namespace {

using litbox::testing::TempDir;

class ToolLookupTest : public ::testing::Test {
 protected:
  ToolLookupTest() {
    for (const char* f : {"build/both", "build/built", "path/both", "path/installed", "search2/s", "search3/s"})
      dir_.write(f, "");
    std::filesystem::create_directories(dir_.path() + "/build/adir/x");
  }
  config::ToolLookup tool(const std::string& name) {
    config::ToolLookup t;
    t.name = name;
    t.search_paths = {dir_.path() + "/build"};
    t.where = "lit.yaml:" + std::to_string(++line_) + ":5";
    return t;
  }
  /// Looks up `tools` and returns what was printed on stderr.
  std::string look_up(std::vector<config::ToolLookup> tools, const std::map<std::string, std::string>& env = {}) {
    config::SuiteConfig c;
    c.tools = std::move(tools);
    std::map<std::string, std::string> e = env;
    e.emplace("PATH", dir_.path() + "/path:/nonexistent");
    ::testing::internal::CaptureStderr();
    found_ = look_up_tools(c, e, diag_);
    return ::testing::internal::GetCapturedStderr();
  }

  TempDir dir_;
  Diagnostics diag_;
  std::vector<FoundTool> found_;
  int line_ = 0;
};

TEST_F(ToolLookupTest, TheEnvironmentThenTheSearchPathsThenPathIfAsked) {
  auto env_tool = tool("both");
  env_tool.search_env = "BOTH";
  env_tool.use_installed = true;
  auto unset_env = tool("built");
  unset_env.search_env = "UNSET";
  auto installed = tool("installed");
  installed.use_installed = true;
  auto not_asked = tool("installed");  // on PATH, but not use_installed: nothing said
  auto build_first = tool("both");
  build_first.use_installed = true;
  std::string out = look_up({env_tool, unset_env, installed, not_asked, build_first}, {{"BOTH", "/env//both"}});
  const std::string d = dir_.path();
  EXPECT_EQ(out,
            "litbox: lit.yaml:1:5: note: using both: /env/both\n"
            "litbox: lit.yaml:2:5: note: using built: " + d + "/build/built\n"
            "litbox: lit.yaml:3:5: note: using installed: " + d + "/path/installed\n"
            "litbox: lit.yaml:5:5: note: using both: " + d + "/build/both\n");
  EXPECT_EQ(found_.size(), 4u);
  EXPECT_EQ(diag_.errors(), 0);
  EXPECT_FALSE(diag_.fatal());
}

TEST_F(ToolLookupTest, SearchPathsInOrderAndNeverADirectory) {
  auto s = tool("s");
  s.search_paths = {dir_.path() + "/search1", dir_.path() + "/search2", dir_.path() + "/search3"};
  auto a_dir = tool("adir");
  EXPECT_EQ(look_up({s, a_dir}), "litbox: lit.yaml:1:5: note: using s: " + dir_.path() + "/search2/s\n");
}

TEST_F(ToolLookupTest, QuietAndDiagnosticsQuietSayNothing) {
  auto q = tool("built");
  q.quiet = true;
  EXPECT_EQ(look_up({q}), "");
  ASSERT_EQ(found_.size(), 1u);
  EXPECT_EQ(found_[0].path, dir_.path() + "/build/built");
  diag_.quiet = true;
  EXPECT_EQ(look_up({tool("built")}), "");
}

TEST_F(ToolLookupTest, ARequiredToolNotFoundIsLitsFatalErrorAndStopsThere) {
  auto found = tool("built");
  found.required = true;
  auto missing = tool("missing");
  missing.required = true;
  missing.search_env = "MISSING";
  auto after = tool("both");
  EXPECT_EQ(look_up({found, missing, after}),
            "litbox: lit.yaml:1:5: note: using built: " + dir_.path() + "/build/built\n"
            "litbox: lit.yaml:2:5: fatal: couldn't find 'missing' program, try setting MISSING in your environment\n");
  EXPECT_TRUE(diag_.fatal());
  EXPECT_EQ(diag_.errors(), 1);
  // Not required: not found is fine, and nothing is said.
  Diagnostics quiet_diag;
  config::SuiteConfig c;
  c.tools = {tool("missing")};
  ::testing::internal::CaptureStderr();
  EXPECT_TRUE(look_up_tools(c, {}, quiet_diag).empty());
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  EXPECT_FALSE(quiet_diag.fatal());
}

}  // namespace
}  // namespace litbox::runner
