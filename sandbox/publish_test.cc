// Publishing must not fail silently: a read-only older directory takes the new entries, a deep
// tree is published with a few descriptors, and what cannot be published is reported and
// removed, never left in a staging dir.
#include "sandbox/publish.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "sandbox/output_view.h"
#include "sandbox/test_util.h"
#include "support/testing/temp_dir.h"

namespace litbox::sandbox {
namespace {

namespace fs = std::filesystem;
using testing::read_file;
using litbox::testing::TempDir;
using testing::write_file;

std::string output_dir(const TempDir& d) {
  fs::create_directories(d / "Output");
  return fs::canonical(d / "Output").string();
}

OutputView foo_view(const TempDir& d, StagingDirs& dirs) {
  const std::string out = output_dir(d);
  auto staging = dirs.take(out);
  auto v = staging ? make_output_view(out, d / "Output/foo.test", *staging) : Expected<OutputView>(staging.error());
  if (!v || !dirs.record_test(*v)) {
    fprintf(stderr, "view: %s\n", v ? "record" : v.error().message.c_str());
    abort();
  }
  return *v;
}

mode_t mode_of(const std::string& p) {
  struct stat st{};
  EXPECT_EQ(lstat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

bool is_empty_dir(const std::string& p) { return fs::is_directory(p) && fs::is_empty(p); }

// Removes what a test left read-only (TempDir's remove_all would not, as a non-root runner).
void remove_tree(const std::string& parent, const std::string& name) {
  int dir = open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(dir, 0);
  Status st = remove_entry(dir, name);
  close(dir);
  ASSERT_TRUE(st) << st.error().message;
}

// `mkdir %t.d && touch %t.d/f && chmod 500 %t.d`, common in LLVM's permission tests, in a rerun
// over what an unsandboxed run (or lit) left: the same tree, read-only at every level.
TEST(Publish, AReadOnlyOlderDirectoryTakesTheNewEntries) {
  TempDir d;
  StagingDirs dirs;
  const OutputView v = foo_view(d, dirs);
  const std::string old = d / "Output/foo.test.tmp.d";
  fs::create_directories(old + "/sub");
  write_file(old + "/old", "old");
  write_file(old + "/sub/old", "old");
  write_file(old + "/same", "old");
  ASSERT_EQ(chmod((old + "/sub").c_str(), 0500), 0);
  ASSERT_EQ(chmod(old.c_str(), 0500), 0);
  const std::string now = v.private_dir + "/foo.test.tmp.d";
  fs::create_directories(now + "/sub");
  write_file(now + "/new", "new");
  write_file(now + "/sub/new", "new");
  write_file(now + "/same", "new");
  ASSERT_EQ(chmod((now + "/sub").c_str(), 0500), 0);
  ASSERT_EQ(chmod(now.c_str(), 0500), 0);

  Status st = finish_output_view(v);
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_EQ(read_file(old + "/new"), "new");
  EXPECT_EQ(read_file(old + "/sub/new"), "new");
  EXPECT_EQ(read_file(old + "/same"), "new");
  EXPECT_FALSE(fs::exists(old + "/old"));
  EXPECT_FALSE(fs::exists(old + "/sub/old"));
  EXPECT_EQ(mode_of(old), 0700u);  // published_mode: the runner can always enter it
  EXPECT_EQ(mode_of(old + "/sub"), 0700u);
  EXPECT_TRUE(is_empty_dir(v.private_dir));
  remove_tree(d / "Output", "foo.test.tmp.d");
}

// What cannot be published makes the test UNRESOLVED (an error) and is removed: no staging dir
// is left behind holding it, and the run's staging dir goes with the run.
TEST(Publish, WhatCannotBePublishedIsReportedAndNotLeftInAStagingDir) {
  TempDir d;
  const std::string staging = d / "Output/.litbox/staging";
  {
    StagingDirs dirs;
    const OutputView v = foo_view(d, dirs);
    fs::create_directories(d / "elsewhere");
    fs::create_directory_symlink(d / "elsewhere", d / "Output/.litbox/leftovers");
    write_file(v.private_dir + "/stray", "not foo's");
    fs::create_directories(v.private_dir + "/stray-dir/sub");
    ASSERT_EQ(chmod((v.private_dir + "/stray-dir").c_str(), 0500), 0);
    write_file(v.private_dir + "/foo.test.tmp", "mine");
    Status st = finish_output_view(v);
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message.find(".litbox/leftovers is not a directory"), std::string::npos)
        << st.error().message;
    EXPECT_EQ(read_file(d / "Output/foo.test.tmp"), "mine");
    EXPECT_TRUE(is_empty_dir(v.private_dir));
    EXPECT_TRUE(is_empty_dir(d / "elsewhere"));
    dirs.give_back(v.output_dir, v.private_dir);
  }
  EXPECT_TRUE(is_empty_dir(staging)) << "a staging dir was left behind";
}

// A tree deeper than any descriptor limit: publishing it, and publishing it again over the
// older one (merged, then replaced below the merge depth), needs a few descriptors, not one per
// level. Run in a child with RLIMIT_NOFILE at 64.
TEST(Publish, ADeepTreeIsPublishedAndRepublishedWithFewDescriptors) {
  TempDir d;
  StagingDirs dirs;
  const OutputView v = foo_view(d, dirs);
  constexpr int kDepth = 3000;
  pid_t pid = fork();
  if (pid == 0) {
    struct rlimit rl = {64, 64};
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0) _exit(2);
    for (int run = 0; run < 2; ++run) {
      int cur = open(v.private_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (cur < 0 || mkdirat(cur, "foo.test.tmp.d", 0755) < 0) _exit(3);
      const char* name = "foo.test.tmp.d";
      for (int i = 0; i <= kDepth; ++i) {
        int next = openat(cur, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        close(cur);
        cur = next;
        if (cur < 0 || (i < kDepth && mkdirat(cur, "a", 0755) < 0)) _exit(4);
        name = "a";
      }
      int f = openat(cur, "f", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (f < 0 || write(f, run ? "2" : "1", 1) != 1) _exit(5);
      close(f);
      close(cur);
      Status st = finish_output_view(v);
      if (!st) {
        fprintf(stderr, "run %d: %s\n", run, st.error().message.c_str());
        _exit(6 + run);
      }
    }
    // The deepest file is the second run's.
    int cur = open((v.output_dir + "/foo.test.tmp.d").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    for (int i = 0; cur >= 0 && i < kDepth; ++i) {
      int next = openat(cur, "a", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      close(cur);
      cur = next;
    }
    char c = 0;
    int f = cur < 0 ? -1 : openat(cur, "f", O_RDONLY | O_CLOEXEC);
    if (f < 0 || read(f, &c, 1) != 1 || c != '2') _exit(8);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
  EXPECT_TRUE(is_empty_dir(v.private_dir));
  remove_tree(v.output_dir, "foo.test.tmp.d");
}

}  // namespace
}  // namespace litbox::sandbox
