// diff and cat, run as the out-of-process builtins they are, against what lit 15's diff.py
// and cat.py print for the same inputs (testdata/gen_tool_cases.py).
#include "runner/sh/builtin_tool.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "runner/sh/test_util.h"

namespace litbox::runner::sh {
namespace {

using litbox::testing::TempDir;

struct ToolCase {
  const char* tool;
  std::vector<std::pair<const char*, std::optional<std::string>>> files;  // nullopt: a directory
  std::vector<std::string> args;
  const char* stdin_data;
  const char* out;  // {DIR} stands for the directory the tool ran in
  const char* err;
  int code;
};

const ToolCase kCases[] = {
#include "runner/sh/testdata/tool_cases.inc"
};

TEST(BuiltinToolTest, MatchesLit15DiffAndCat) {
  int n = 0;
  for (const ToolCase& c : kCases) {
    SCOPED_TRACE(std::string(c.tool) + " case " + std::to_string(n++));
    TempDir dir;
    for (const auto& [name, content] : c.files) {
      if (!content) {
        std::filesystem::create_directories(dir / name);
      } else {
        testing::write_file(dir / name, *content);
      }
    }
    std::vector<std::string> argv = {LITBOX_SH_BUILTIN_EXE, "--litbox-builtin", c.tool};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    auto r = testing::run_process(argv, dir.path(), c.stdin_data);
    EXPECT_EQ(testing::replace_all_in(r.out, dir.path(), "{DIR}"), c.out);
    EXPECT_EQ(testing::replace_all_in(r.err, dir.path(), "{DIR}"), c.err);
    EXPECT_EQ(r.code, c.code);
  }
}

TEST(BuiltinToolTest, UnknownToolIsAnError) {
  TempDir dir;
  auto r = testing::run_process({LITBOX_SH_BUILTIN_EXE, "--litbox-builtin", "grep"}, dir.path());
  EXPECT_EQ(r.err, "litbox: unknown builtin 'grep'\n");
  EXPECT_EQ(r.code, 2);
}

}  // namespace
}  // namespace litbox::runner::sh
