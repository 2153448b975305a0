// A test's private Output view: what it owns goes back to the real Output dir, nothing else.
#include "sandbox/output_view.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>

#include "sandbox/test_util.h"

namespace litbox::sandbox {
namespace {

namespace fs = std::filesystem;
using testing::read_file;
using testing::TempDir;
using testing::write_file;

TEST(OutputView, OwnsItsNameAndDottedExtensionsOnly) {
  OutputView v;
  v.prefix = "foo.test";
  EXPECT_TRUE(v.owns("foo.test"));
  EXPECT_TRUE(v.owns("foo.test.tmp"));
  EXPECT_TRUE(v.owns("foo.test.tmp1"));
  EXPECT_TRUE(v.owns("foo.test.script"));
  EXPECT_FALSE(v.owns("foo.test2.tmp"));  // another test's
  EXPECT_FALSE(v.owns("foo.tes"));
  EXPECT_FALSE(v.owns("shared.o"));
}

// What the executor passes: an existing, canonical Output dir.
std::string output_dir(const TempDir& d) {
  fs::create_directories(d / "Output");
  return fs::canonical(d / "Output").string();
}

TEST(OutputView, StagingDirsAreMadeOnceAndReusedWhenEmpty) {
  TempDir d;
  const std::string out = output_dir(d);
  StagingDirs dirs;
  auto a = dirs.take(out);
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(*a, out + "/.litbox/cell." + std::to_string(getpid()) + ".0");
  EXPECT_TRUE(fs::is_directory(*a));
  auto b = dirs.take(out);
  ASSERT_TRUE(b);
  EXPECT_NE(*a, *b);
  dirs.give_back(out, *a);
  EXPECT_EQ(*dirs.take(out), *a);  // empty: reused
  write_file(*b + "/foo.test.tmp", "x");
  dirs.give_back(out, *b);  // not empty: never handed out again, left for the next run
  EXPECT_NE(*dirs.take(out), *b);
  EXPECT_EQ(read_file(*b + "/foo.test.tmp"), "x");
}

TEST(OutputView, FreeStagingDirsGoWithTheRun) {
  TempDir d;
  const std::string out = output_dir(d);
  std::string dir;
  {
    StagingDirs dirs;
    dir = *dirs.take(out);
    dirs.give_back(out, dir);
  }
  EXPECT_FALSE(fs::exists(dir));
}

TEST(OutputView, WhatAKilledRunLeftIsPublished) {
  TempDir d;
  const std::string out = output_dir(d);
  // A dead runner's (pid_max is at most 2^22) and one of ours from an earlier run with our pid.
  const std::string dead = out + "/.litbox/cell.99999999.3", mine = out + "/.litbox/cell." + std::to_string(getpid()) + ".9";
  fs::create_directories(dead);
  fs::create_directories(mine);
  write_file(dead + "/foo.test.tmp", "from the killed run");
  write_file(mine + "/bar.test.tmp", "from another killed run");
  // A live runner's (pid 1 always exists) is left alone.
  const std::string live = out + "/.litbox/cell.1.0";
  fs::create_directories(live);
  write_file(live + "/baz.test.tmp", "in use");
  StagingDirs dirs;
  ASSERT_TRUE(dirs.take(out));
  EXPECT_EQ(read_file(d / "Output/foo.test.tmp"), "from the killed run");
  EXPECT_EQ(read_file(d / "Output/bar.test.tmp"), "from another killed run");
  EXPECT_FALSE(fs::exists(dead));
  EXPECT_FALSE(fs::exists(mine));
  EXPECT_TRUE(fs::exists(live + "/baz.test.tmp"));
}

TEST(OutputView, AKilledRunnerNotYetReapedCountsAsDead) {
  TempDir d;
  const std::string out = output_dir(d);
  pid_t zombie = fork();
  if (zombie == 0) _exit(0);
  // Not reaped yet: kill(pid, 0) still succeeds on it.
  for (int i = 0; i < 1000; ++i) {
    std::string stat = read_file("/proc/" + std::to_string(zombie) + "/stat");
    if (stat.find(") Z ") != std::string::npos) break;
    usleep(1000);
  }
  const std::string dir = out + "/.litbox/cell." + std::to_string(zombie) + ".0";
  fs::create_directories(dir);
  write_file(dir + "/foo.test.tmp", "from the killed run");
  StagingDirs dirs;
  ASSERT_TRUE(dirs.take(out));
  EXPECT_EQ(read_file(d / "Output/foo.test.tmp"), "from the killed run");
  EXPECT_FALSE(fs::exists(dir));
  waitpid(zombie, nullptr, 0);
}

TEST(OutputView, FinishPublishesOwnedEntriesWhateverTheyReplace) {
  TempDir d;
  const std::string out = output_dir(d);
  StagingDirs dirs;
  auto v = make_output_view(out, d / "Output/foo.test", *dirs.take(out));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->prefix, "foo.test");
  fs::create_directories(d / "Output/foo.test.tmp/old");     // was a dir, becomes a file
  write_file(d / "Output/foo.test.tmp.d", "was a file");      // was a file, becomes a dir
  fs::create_directories(d / "Output/foo.test.tmp2/old");     // non-empty dir replaced by dir
  write_file(v->private_dir + "/foo.test.tmp", "new");
  fs::create_directories(v->private_dir + "/foo.test.tmp.d");
  fs::create_directories(v->private_dir + "/foo.test.tmp2/new");
  write_file(v->private_dir + "/bar.test.tmp", "not mine");
  ASSERT_TRUE(finish_output_view(*v));
  EXPECT_EQ(read_file(d / "Output/foo.test.tmp"), "new");
  EXPECT_TRUE(fs::is_directory(d / "Output/foo.test.tmp.d"));
  EXPECT_TRUE(fs::exists(d / "Output/foo.test.tmp2/new"));
  EXPECT_FALSE(fs::exists(d / "Output/foo.test.tmp2/old"));
  // Not the test's: kept for inspection, away from the Output dir and the next test's view.
  EXPECT_FALSE(fs::exists(d / "Output/bar.test.tmp"));
  EXPECT_EQ(read_file(d / "Output/.litbox/foo.test/bar.test.tmp"), "not mine");
  EXPECT_TRUE(fs::is_empty(v->private_dir));
}

// The view of Output/foo.test in a staging dir of `dirs` (a failure ends the test binary: the
// caller would write to "/" otherwise).
OutputView foo_view(const TempDir& d, StagingDirs& dirs) {
  const std::string out = output_dir(d);
  auto v = make_output_view(out, d / "Output/foo.test", *dirs.take(out));
  if (!v) {
    fprintf(stderr, "make_output_view: %s\n", v.error().message.c_str());
    abort();
  }
  return *v;
}

// The inode of a path (not following a symlink).
ino_t inode(const fs::path& p) {
  struct stat st;
  return lstat(p.c_str(), &st) == 0 ? st.st_ino : 0;
}

TEST(OutputView, ARerunWritesIntoTheOlderFilesAndMergesTheOlderDirs) {
  TempDir d;
  StagingDirs dirs;
  const OutputView v = foo_view(d, dirs);
  write_file(d / "Output/foo.test.tmp", "an older, longer content");
  fs::permissions(d / "Output/foo.test.tmp", fs::perms(0644));
  fs::create_directories(d / "Output/foo.test.tmp.d/sub");
  write_file(d / "Output/foo.test.tmp.d/a", "old a");
  write_file(d / "Output/foo.test.tmp.d/gone", "only in the older run");
  write_file(d / "Output/foo.test.tmp.d/sub/b", "old b");
  const ino_t file = inode(d / "Output/foo.test.tmp"), a = inode(d / "Output/foo.test.tmp.d/a");
  const ino_t dir = inode(d / "Output/foo.test.tmp.d");

  write_file(v.private_dir + "/foo.test.tmp", "new");
  fs::permissions(v.private_dir + "/foo.test.tmp", fs::perms(0755));
  struct timespec mtime[2] = {{1000000000, 0}, {1000000000, 5}};
  ASSERT_EQ(utimensat(AT_FDCWD, (v.private_dir + "/foo.test.tmp").c_str(), mtime, 0), 0);
  fs::create_directories(v.private_dir + "/foo.test.tmp.d/sub");
  write_file(v.private_dir + "/foo.test.tmp.d/a", "new a");
  write_file(v.private_dir + "/foo.test.tmp.d/sub/c", "new c");
  ASSERT_TRUE(finish_output_view(v));

  // The same files and directories, with exactly the new content, mode and modification time.
  EXPECT_EQ(inode(d / "Output/foo.test.tmp"), file);
  EXPECT_EQ(read_file(d / "Output/foo.test.tmp"), "new");
  struct stat st;
  ASSERT_EQ(stat((d / "Output/foo.test.tmp").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755u);
  EXPECT_EQ(st.st_mtim.tv_sec, 1000000000);
  EXPECT_EQ(st.st_mtim.tv_nsec, 5);
  EXPECT_EQ(inode(d / "Output/foo.test.tmp.d"), dir);
  EXPECT_EQ(inode(d / "Output/foo.test.tmp.d/a"), a);
  EXPECT_EQ(read_file(d / "Output/foo.test.tmp.d/a"), "new a");
  EXPECT_EQ(read_file(d / "Output/foo.test.tmp.d/sub/c"), "new c");
  EXPECT_FALSE(fs::exists(d / "Output/foo.test.tmp.d/gone"));
  EXPECT_FALSE(fs::exists(d / "Output/foo.test.tmp.d/sub/b"));
  EXPECT_TRUE(fs::is_empty(v.private_dir));
}

TEST(OutputView, ARerunNeverWritesThroughLinks) {
  TempDir d;
  StagingDirs dirs;
  const OutputView v = foo_view(d, dirs);
  // What an older run published may be links to files outside (a test's own doing).
  write_file(d / "victim", "host file");
  write_file(d / "linked", "hard-linked");
  fs::create_symlink(d / "victim", d / "Output/foo.test.tmp");
  fs::create_hard_link(d / "linked", d / "Output/foo.test.tmp.o");
  fs::create_directories(d / "elsewhere");
  fs::create_directory_symlink(d / "elsewhere", d / "Output/foo.test.tmp.d");
  write_file(v.private_dir + "/foo.test.tmp", "new");
  write_file(v.private_dir + "/foo.test.tmp.o", "new o");
  fs::create_directories(v.private_dir + "/foo.test.tmp.d");
  write_file(v.private_dir + "/foo.test.tmp.d/x", "new x");
  ASSERT_TRUE(finish_output_view(v));
  EXPECT_EQ(read_file(d / "victim"), "host file");
  EXPECT_EQ(read_file(d / "linked"), "hard-linked");
  EXPECT_FALSE(fs::exists(d / "elsewhere/x"));
  EXPECT_FALSE(fs::is_symlink(d / "Output/foo.test.tmp"));
  EXPECT_EQ(read_file(d / "Output/foo.test.tmp"), "new");
  EXPECT_EQ(read_file(d / "Output/foo.test.tmp.o"), "new o");
  EXPECT_FALSE(fs::is_symlink(d / "Output/foo.test.tmp.d"));
  EXPECT_EQ(read_file(d / "Output/foo.test.tmp.d/x"), "new x");
}

TEST(OutputView, AnOlderRunsLeftoversGoWhenTheTestRunsAgain) {
  TempDir d;
  StagingDirs dirs;
  const OutputView v = foo_view(d, dirs);
  write_file(d / "Output/.litbox/foo.test/old-stray", "x");
  write_file(v.private_dir + "/new-stray", "y");
  ASSERT_TRUE(finish_output_view(v));
  EXPECT_FALSE(fs::exists(d / "Output/.litbox/foo.test/old-stray"));
  EXPECT_TRUE(fs::exists(d / "Output/.litbox/foo.test/new-stray"));
  ASSERT_TRUE(finish_output_view(v));  // a run without strays
  EXPECT_FALSE(fs::exists(d / "Output/.litbox/foo.test"));
}

TEST(OutputView, NeedsATestFileName) {
  TempDir d;
  auto v = make_output_view(output_dir(d), "", d / "Output/.litbox/cell.1.0");
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().message, "sandbox: no test file name in ''");
}

}  // namespace
}  // namespace litbox::sandbox
