// TempDir: where it is made, what it offers, and that it leaves nothing behind.
#include "support/testing/temp_dir.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <optional>
#include <string>

namespace litbox::testing {
namespace {

namespace fs = std::filesystem;

// Sets an environment variable for one test and restores it after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = getenv(name)) old_ = old;
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(TempDir, IsMadeUnderTmpdirWithACanonicalPath) {
  TempDir outer;
  // TMPDIR spelled through a symlink: the path TempDir gives has none.
  fs::create_directory_symlink(outer.path(), outer / "link");
  ScopedEnv tmpdir("TMPDIR", outer / "link");
  TempDir d("probe");
  EXPECT_EQ(fs::path(d.path()).parent_path().string(), outer.path());
  EXPECT_EQ(fs::path(d.path()).filename().string().rfind("probe-", 0), 0u) << d.path();
  EXPECT_EQ(fs::canonical(d.path()).string(), d.path());
  struct stat st;
  ASSERT_EQ(stat(d.path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755u);
}

TEST(TempDir, WritesFilesWithTheirParentsAndReadsThemBack) {
  TempDir d;
  std::string p = d.write("a/b/c.txt", "hello\n");
  EXPECT_EQ(p, d.path() + "/a/b/c.txt");
  EXPECT_EQ(d.read("a/b/c.txt"), "hello\n");
  EXPECT_EQ(d.read("missing"), "");
  d.write("a/b/c.txt", "x");  // truncates
  EXPECT_EQ(d.read("a/b/c.txt"), "x");
  d.write("run.sh", "#!/bin/sh\n", 0700);
  struct stat st;
  ASSERT_EQ(stat((d / "run.sh").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  EXPECT_EQ(d.mkdir("x/y"), d.path() + "/x/y");
  EXPECT_TRUE(fs::is_directory(d / "x/y"));
}

TEST(TempDir, RemovesItsTreeEvenWithReadOnlyDirectories) {
  std::string path;
  TempDir outside;
  outside.write("keep", "k");
  chmod(outside.path().c_str(), 0555);
  {
    TempDir d;
    path = d.path();
    d.write("ro/f", "x");
    chmod((d / "ro").c_str(), 0555);
    // A symlink to a read-only directory outside: its target is neither changed nor removed.
    fs::create_directory_symlink(outside.path(), d / "out");
  }
  EXPECT_FALSE(fs::exists(path));
  struct stat st;
  ASSERT_EQ(stat(outside.path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0555u);
  EXPECT_EQ(outside.read("keep"), "k");
}

}  // namespace
}  // namespace litbox::testing
