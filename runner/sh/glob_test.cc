#include "runner/sh/glob.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "runner/sh/test_util.h"

namespace litbox::runner::sh {
namespace {

using litbox::testing::TempDir;

TEST(GlobTest, FnmatchLikePython) {
  EXPECT_TRUE(py_fnmatch("a.c", "*.c"));
  EXPECT_TRUE(py_fnmatch(".c", "*.c"));  // fnmatch itself has no hidden-file rule
  EXPECT_TRUE(py_fnmatch("ab", "a?"));
  EXPECT_FALSE(py_fnmatch("abc", "a?"));
  EXPECT_TRUE(py_fnmatch("b", "[abc]"));
  EXPECT_FALSE(py_fnmatch("d", "[abc]"));
  EXPECT_TRUE(py_fnmatch("d", "[!abc]"));
  EXPECT_TRUE(py_fnmatch("q", "[a-z]"));
  EXPECT_TRUE(py_fnmatch("-", "[a-]"));
  EXPECT_TRUE(py_fnmatch("]", "[]]"));
  EXPECT_TRUE(py_fnmatch("[", "["));     // an unclosed bracket is literal
  EXPECT_FALSE(py_fnmatch("a", "[z-a]"));  // a reversed range matches nothing
  EXPECT_TRUE(py_fnmatch("\xc3\xa9", "?"));  // one code point
  EXPECT_TRUE(py_fnmatch("aXbXc", "a*b*c"));
}

TEST(GlobTest, ExpandGlobIsSortedAbsoluteAndSkipsHiddenFiles) {
  TempDir dir;
  for (const char* f : {"b.txt", "a.txt", ".h.txt", "c.dat"}) testing::write_file(dir / f, "");
  std::filesystem::create_directories(dir / "sub");
  testing::write_file(dir / "sub/x.txt", "");
  EXPECT_EQ(expand_glob(exec::host_filesystem(), Word{"*.txt", true}, dir.path()), (std::vector<std::string>{dir / "a.txt", dir / "b.txt"}));
  EXPECT_EQ(expand_glob(exec::host_filesystem(), Word{".*.txt", true}, dir.path()), (std::vector<std::string>{dir / ".h.txt"}));
  EXPECT_EQ(expand_glob(exec::host_filesystem(), Word{"*/x.txt", true}, dir.path()), (std::vector<std::string>{dir / "sub/x.txt"}));
  EXPECT_EQ(expand_glob(exec::host_filesystem(), Word{dir / "?.dat", true}, "/elsewhere"), (std::vector<std::string>{dir / "c.dat"}));
  // No match: the pattern itself, not joined to the cwd.
  EXPECT_EQ(expand_glob(exec::host_filesystem(), Word{"*.none", true}, dir.path()), (std::vector<std::string>{"*.none"}));
  // A quoted word is never expanded.
  EXPECT_EQ(expand_glob(exec::host_filesystem(), Word{"*.txt", false}, dir.path()), (std::vector<std::string>{"*.txt"}));
}

TEST(GlobTest, TheCommandNameIsNeverExpanded) {
  TempDir dir;
  testing::write_file(dir / "a.txt", "");
  auto out = expand_glob_expressions(exec::host_filesystem(), {Word{"*.txt", true}, Word{"*.txt", true}}, dir.path());
  EXPECT_EQ(out, (std::vector<std::string>{"*.txt", dir / "a.txt"}));
}

}  // namespace
}  // namespace litbox::runner::sh
