// A test's private Output view: what it owns goes back to the real Output dir, made safe for
// the runner; nothing else does; staging dirs and their recovery are out of every test's reach.
#include "sandbox/output_view.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>

#include <gtest/gtest.h>

#include "sandbox/test_util.h"
#include "support/testing/temp_dir.h"

namespace litbox::sandbox {
namespace {

namespace fs = std::filesystem;
using testing::read_file;
using litbox::testing::TempDir;
using testing::write_file;

TEST(OutputView, OwnsOnlyNamesStartingWithItsTmp) {
  OutputView v;
  v.prefix = "foo.test";
  EXPECT_TRUE(v.owns("foo.test.tmp"));
  EXPECT_TRUE(v.owns("foo.test.tmp1"));
  EXPECT_TRUE(v.owns("foo.test.tmp.o"));
  EXPECT_TRUE(v.owns("foo.test.tmpx.test.tmp"));  // discovery refuses a test of that name
  EXPECT_TRUE(v.owns("foo.test.script"));  // the external shell's script, written by the runner
  EXPECT_FALSE(v.owns("foo.test.script2"));
  EXPECT_FALSE(v.owns("foo.test"));
  EXPECT_FALSE(v.owns("foo.test.bar.test.tmp"));  // test foo.test.bar.test's %t
  EXPECT_FALSE(v.owns("foo.test2.tmp"));
  EXPECT_FALSE(v.owns("foo.tes"));
  EXPECT_FALSE(v.owns("shared.o"));
  EXPECT_FALSE(v.owns("foo.test.dir"));
  // libc++'s layout: the test's own %T, Output/<name>.dir, exactly that name.
  v.owns_dir = true;
  EXPECT_TRUE(v.owns("foo.test.dir"));
  EXPECT_FALSE(v.owns("foo.test.dir2"));
  EXPECT_FALSE(v.owns("foo.test.di"));
  EXPECT_FALSE(v.owns("bar.test.dir"));
  v.owns_dir = false;
  v.publish_all = true;
  EXPECT_TRUE(v.owns("shared.o"));
  EXPECT_TRUE(v.owns("bar.test.tmp"));
  EXPECT_FALSE(v.owns(".litbox"));
}

// What the executor passes: an existing, canonical Output dir.
std::string output_dir(const TempDir& d) {
  fs::create_directories(d / "Output");
  return fs::canonical(d / "Output").string();
}

struct stat lstat_of(const std::string& p) {
  struct stat st{};
  EXPECT_EQ(lstat(p.c_str(), &st), 0) << p;
  return st;
}
mode_t mode_of(const std::string& p) { return lstat_of(p).st_mode & 07777; }

// The view of Output/foo.test in a staging dir of `dirs` (a failure ends the test binary: the
// caller would write to "/" otherwise).
OutputView view_of(const TempDir& d, StagingDirs& dirs, const std::string& name = "foo.test", bool all = false) {
  const std::string out = output_dir(d);
  auto staging = dirs.take(out);
  auto v = staging ? make_output_view(out, d / ("Output/" + name), *staging, all) : Expected<OutputView>(staging.error());
  if (!v || !dirs.record_test(*v)) {
    fprintf(stderr, "view: %s\n", v ? "record" : v.error().message.c_str());
    abort();
  }
  return *v;
}
OutputView foo_view(const TempDir& d, StagingDirs& dirs) { return view_of(d, dirs); }

TEST(StagingDirs, LiveInARunDirOfTheRunnersThatNoTestCanName) {
  TempDir d;
  const std::string out = output_dir(d);
  StagingDirs dirs;
  ASSERT_EQ(dirs.run_id().size(), 16u);
  auto a = dirs.take(out);
  ASSERT_TRUE(a) << a.error().message;
  const std::string run = out + "/.litbox/staging/" + dirs.run_id();
  EXPECT_EQ(*a, run + "/0");
  for (const std::string& p : std::vector<std::string>{out + "/.litbox", out + "/.litbox/staging", run}) {
    EXPECT_EQ(mode_of(p), 0711u) << p;
    EXPECT_EQ(lstat_of(p).st_uid, geteuid()) << p;
  }
  EXPECT_EQ(mode_of(*a), 0755u);
  // The run's record: its pid, start time and boot.
  const std::string record = read_file(run + "/run");
  EXPECT_EQ(record.substr(0, record.find(' ')), std::to_string(getpid()));
  auto b = dirs.take(out);
  ASSERT_TRUE(b);
  EXPECT_EQ(*b, run + "/1");
  dirs.give_back(out, *a);
  EXPECT_EQ(*dirs.take(out), *a);  // empty: reused
  write_file(*b + "/foo.test.tmp", "x");
  dirs.give_back(out, *b);  // not empty: never handed out again, left for the next run
  EXPECT_NE(*dirs.take(out), *b);
  EXPECT_EQ(read_file(*b + "/foo.test.tmp"), "x");
}

TEST(StagingDirs, RecordWhichTestEachServes) {
  TempDir d;
  StagingDirs dirs;
  const OutputView v = foo_view(d, dirs);
  EXPECT_EQ(read_file(v.private_dir + ".test"), "o foo.test\n");
  OutputView w = v;
  w.prefix = "b.test";
  w.publish_all = true;
  ASSERT_TRUE(dirs.record_test(w));
  EXPECT_EQ(read_file(v.private_dir + ".test"), "a b.test\n");
}

TEST(StagingDirs, FreeOnesAndTheRunDirGoWithTheRun) {
  TempDir d;
  const std::string out = output_dir(d);
  std::string dir;
  {
    StagingDirs dirs;
    dir = *dirs.take(out);
    dirs.give_back(out, dir);
  }
  EXPECT_FALSE(fs::exists(dir));
  EXPECT_TRUE(fs::is_empty(out + "/.litbox/staging"));
}

// What a test or an older run left at Output/.litbox decides nothing: a symlink, a file, a
// directory of another user or one others can write is refused, with the reason.
TEST(StagingDirs, RefuseALitboxDirTheRunnerDoesNotControl) {
  TempDir d;
  const std::string out = output_dir(d);
  fs::create_directories(d / "elsewhere");
  fs::create_directory_symlink(d / "elsewhere", out + "/.litbox");
  StagingDirs dirs;
  auto a = dirs.take(out);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().message, "sandbox: " + out + "/.litbox is not a directory (a symlink or a file); litbox keeps "
                               "its own files there and will not use it: remove it");
  EXPECT_TRUE(fs::is_empty(d / "elsewhere"));
  fs::remove(out + "/.litbox");
  fs::create_directories(out + "/.litbox");
  chmod((out + "/.litbox").c_str(), 0777);
  a = dirs.take(out);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().message, "sandbox: " + out + "/.litbox: it is writable by group or others; litbox keeps its "
                               "own files there and will not use it: remove it");
  // Its own, with another safe mode (an older litbox's 0755): made 0711.
  chmod((out + "/.litbox").c_str(), 0755);
  ASSERT_TRUE(dirs.take(out));
  EXPECT_EQ(mode_of(out + "/.litbox"), 0711u);
}

// A runner that dies leaves its staging dirs; a run made by a child that exits without
// cleaning up stands for it.
std::string run_and_die(const std::string& out, const std::function<void(StagingDirs&)>& body) {
  int p[2];
  if (pipe(p) < 0) abort();
  pid_t pid = fork();
  if (pid == 0) {
    auto* dirs = new StagingDirs;  // never destroyed: as if killed
    body(*dirs);
    (void)!write(p[1], dirs->run_id().data(), dirs->run_id().size());
    _exit(0);
  }
  close(p[1]);
  char id[17] = {};
  (void)!read(p[0], id, 16);
  close(p[0]);
  waitpid(pid, nullptr, 0);
  return out + "/.litbox/staging/" + id;
}

TEST(StagingDirs, WhatADeadRunLeftIsPublishedForTheTestItServed) {
  TempDir d;
  const std::string out = output_dir(d);
  write_file(out + "/bar.test.tmp", "bar's own");
  const std::string run = run_and_die(out, [&](StagingDirs& dirs) {
    const OutputView v = foo_view(d, dirs);
    write_file(v.private_dir + "/foo.test.tmp", "from the killed run");
    write_file(v.private_dir + "/bar.test.tmp", "not foo's");
    auto unrecorded = dirs.take(out);  // its test's name unknown: dropped
    write_file(*unrecorded + "/baz.test.tmp", "whose?");
  });
  ASSERT_TRUE(fs::exists(run + "/0/foo.test.tmp"));
  StagingDirs dirs;
  ASSERT_TRUE(dirs.take(out));
  EXPECT_EQ(read_file(out + "/foo.test.tmp"), "from the killed run");
  EXPECT_EQ(read_file(out + "/bar.test.tmp"), "bar's own");
  EXPECT_EQ(read_file(out + "/.litbox/leftovers/foo.test/bar.test.tmp"), "not foo's");
  EXPECT_FALSE(fs::exists(out + "/baz.test.tmp"));
  EXPECT_FALSE(fs::exists(run));
}

TEST(StagingDirs, ALiveRunsDirsAreLeftAlone) {
  TempDir d;
  const std::string out = output_dir(d);
  StagingDirs live;  // this process: alive (the same pid and start time)
  const OutputView v = foo_view(d, live);
  write_file(v.private_dir + "/foo.test.tmp", "in use");
  StagingDirs other;
  ASSERT_TRUE(other.take(out));
  EXPECT_EQ(read_file(v.private_dir + "/foo.test.tmp"), "in use");
  EXPECT_FALSE(fs::exists(out + "/foo.test.tmp"));
}

TEST(StagingDirs, AReusedPidIsADeadRun) {
  TempDir d;
  const std::string out = output_dir(d);
  const std::string run = run_and_die(out, [&](StagingDirs& dirs) {
    write_file(foo_view(d, dirs).private_dir + "/foo.test.tmp", "from the killed run");
  });
  // The record now names a live process (this one), but one that started at another time.
  write_file(run + "/run", std::to_string(getpid()) + " 1\n");
  StagingDirs dirs;
  ASSERT_TRUE(dirs.take(out));
  EXPECT_EQ(read_file(out + "/foo.test.tmp"), "from the killed run");
}

TEST(StagingDirs, AKilledRunnerNotYetReapedIsADeadRun) {
  TempDir d;
  const std::string out = output_dir(d);
  int go[2];
  ASSERT_EQ(pipe(go), 0);
  pid_t zombie = fork();
  if (zombie == 0) {
    auto* dirs = new StagingDirs;
    write_file(foo_view(d, *dirs).private_dir + "/foo.test.tmp", "from the killed run");
    _exit(0);
  }
  // Not reaped yet: kill(pid, 0) still succeeds on it.
  for (int i = 0; i < 1000; ++i) {
    std::string stat = read_file("/proc/" + std::to_string(zombie) + "/stat");
    if (stat.find(") Z ") != std::string::npos) break;
    usleep(1000);
  }
  StagingDirs dirs;
  ASSERT_TRUE(dirs.take(out));
  EXPECT_EQ(read_file(out + "/foo.test.tmp"), "from the killed run");
  waitpid(zombie, nullptr, 0);
}

// Recovery trusts only run dirs of the runner, with a record it wrote, and never follows a
// symlink: names a test could influence (its own name, or what it leaves in %T/.litbox) never
// reach a staging dir's place.
TEST(StagingDirs, RecoveryFollowsNoNameATestCouldMake) {
  TempDir d;
  const std::string out = output_dir(d);
  fs::create_directories(d / "host");
  write_file(d / "host/foo.test.tmp", "a host file");
  fs::create_directories(out + "/.litbox/staging");
  // A symlink where a run dir would be (and where an older litbox kept its staging dirs).
  fs::create_directory_symlink(d / "host", out + "/.litbox/staging/0123456789abcdef");
  fs::create_directory_symlink(d / "host", out + "/.litbox/cell.99999999.0");
  // A run dir others could have written, with a record of a dead run.
  fs::create_directories(out + "/.litbox/staging/fedcba9876543210/0");
  write_file(out + "/.litbox/staging/fedcba9876543210/run", "99999999 1\n");
  write_file(out + "/.litbox/staging/fedcba9876543210/0.test", "o foo.test\n");
  write_file(out + "/.litbox/staging/fedcba9876543210/0/foo.test.tmp", "planted");
  chmod((out + "/.litbox/staging/fedcba9876543210").c_str(), 0777);
  StagingDirs dirs;
  ASSERT_TRUE(dirs.take(out));
  EXPECT_EQ(read_file(d / "host/foo.test.tmp"), "a host file");
  EXPECT_FALSE(fs::exists(out + "/foo.test.tmp"));
  EXPECT_EQ(read_file(out + "/.litbox/staging/fedcba9876543210/0/foo.test.tmp"), "planted");
}

// An older litbox kept a test's leftovers in .litbox/<test name>/, next to its staging dirs
// .litbox/cell.<pid>.<n>/: a test named like a staging dir could have its leftovers
// "recovered" over a sibling's outputs, or have a live run's staging dir deleted as its older
// leftovers. Leftovers now have a place of their own.
TEST(StagingDirs, NoTestNameIsAStagingDir) {
  TempDir d;
  const std::string out = output_dir(d);
  write_file(out + "/bar.test.tmp", "bar's own");
  StagingDirs live;
  const OutputView busy = foo_view(d, live);
  write_file(busy.private_dir + "/foo.test.tmp", "in use");
  const std::string busy_name = fs::path(busy.private_dir).filename().string();
  for (const std::string& name : std::vector<std::string>{"cell.99999999.0.test", "cell." + std::to_string(getpid()) + ".0",
                                                        busy_name, live.run_id(), "staging", "run"}) {
    SCOPED_TRACE(name);
    StagingDirs dirs;
    const OutputView v = view_of(d, dirs, name);
    write_file(v.private_dir + "/bar.test.tmp", "pwned");
    ASSERT_TRUE(finish_output_view(v));
    EXPECT_EQ(read_file(out + "/.litbox/leftovers/" + name + "/bar.test.tmp"), "pwned");
  }
  StagingDirs later;
  ASSERT_TRUE(later.take(out));
  EXPECT_EQ(read_file(out + "/bar.test.tmp"), "bar's own");
  EXPECT_EQ(read_file(busy.private_dir + "/foo.test.tmp"), "in use");
}

TEST(OutputView, FinishPublishesOwnedEntriesWhateverTheyReplace) {
  TempDir d;
  StagingDirs dirs;
  const OutputView v = foo_view(d, dirs);
  EXPECT_EQ(v.prefix, "foo.test");
  fs::create_directories(d / "Output/foo.test.tmp/old");     // was a dir, becomes a file
  write_file(d / "Output/foo.test.tmp.d", "was a file");      // was a file, becomes a dir
  fs::create_directories(d / "Output/foo.test.tmp2/old");     // non-empty dir replaced by dir
  write_file(v.private_dir + "/foo.test.tmp", "new");
  fs::create_directories(v.private_dir + "/foo.test.tmp.d");
  fs::create_directories(v.private_dir + "/foo.test.tmp2/new");
  write_file(v.private_dir + "/bar.test.tmp", "not mine");
  write_file(v.private_dir + "/foo.test.bar.test.tmp", "not mine either");
  PublishReport report;
  ASSERT_TRUE(finish_output_view(v, &report));
  EXPECT_EQ(read_file(d / "Output/foo.test.tmp"), "new");
  EXPECT_TRUE(fs::is_directory(d / "Output/foo.test.tmp.d"));
  EXPECT_TRUE(fs::exists(d / "Output/foo.test.tmp2/new"));
  EXPECT_FALSE(fs::exists(d / "Output/foo.test.tmp2/old"));
  // Not the test's: kept for inspection, away from the Output dir and the next test's view.
  EXPECT_FALSE(fs::exists(d / "Output/bar.test.tmp"));
  EXPECT_FALSE(fs::exists(d / "Output/foo.test.bar.test.tmp"));
  EXPECT_EQ(read_file(d / "Output/.litbox/leftovers/foo.test/bar.test.tmp"), "not mine");
  EXPECT_EQ(read_file(d / "Output/.litbox/leftovers/foo.test/foo.test.bar.test.tmp"), "not mine either");
  std::sort(report.leftovers.begin(), report.leftovers.end());
  EXPECT_EQ(report.leftovers, (std::vector<std::string>{"bar.test.tmp", "foo.test.bar.test.tmp"}));
  EXPECT_TRUE(fs::is_empty(v.private_dir));
}

TEST(OutputView, PublishAllPublishesEveryNameButLitbox) {
  TempDir d;
  StagingDirs dirs;
  const OutputView v = view_of(d, dirs, "foo.test", true);
  write_file(v.private_dir + "/shared.o", "for the next test");
  fs::create_directories(v.private_dir + "/.litbox/staging");
  write_file(v.private_dir + "/.litbox/staging/x", "x");
  ASSERT_TRUE(finish_output_view(v));
  EXPECT_EQ(read_file(d / "Output/shared.o"), "for the next test");
  EXPECT_EQ(read_file(d / "Output/.litbox/leftovers/foo.test/.litbox/staging/x"), "x");
  EXPECT_FALSE(fs::exists(d / "Output/.litbox/staging/x"));
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

// What a test leaves in its view, as the runner publishes it: only regular files, directories
// and symlinks (not followed), without setuid, setgid, sticky or group/other-write bits; a
// file with other links is copied, never changed.
void leave_hostile_outputs(const std::string& view, const std::string& outside) {
  auto fail = [](const char* what) {
    perror(what);
    _exit(1);
  };
  const std::string t = view + "/foo.test.tmp";
  write_file(t + ".sh", "#!/bin/sh\n");
  if (chmod((t + ".sh").c_str(), 06755) < 0) fail("chmod 6755");
  write_file(t + ".shared", "everyone writes");
  if (chmod((t + ".shared").c_str(), 0666) < 0) fail("chmod 666");
  if (mkfifo((t + ".fifo").c_str(), 0644) < 0) fail("mkfifo");
  if (mknod((t + ".sock").c_str(), S_IFSOCK | 0644, 0) < 0) fail("mknod socket");
  if (link(outside.c_str(), (t + ".o").c_str()) < 0) fail("link");
  if (symlink(outside.c_str(), (t + ".link").c_str()) < 0) fail("symlink");
  if (mkdir((t + ".d").c_str(), 0777) < 0 || chmod((t + ".d").c_str(), 01777) < 0) fail("mkdir");
  write_file(t + ".d/nested", "nested");
  if (chmod((t + ".d/nested").c_str(), 04777) < 0) fail("chmod nested");
  if (mkfifo((t + ".d/fifo").c_str(), 0644) < 0) fail("mkfifo nested");
  // Directories the test made unreadable, or read-only.
  if (mkdir((t + ".closed").c_str(), 0755) < 0 || mkdir((t + ".closed/ro").c_str(), 0755) < 0) fail("mkdir closed");
  write_file(t + ".closed/ro/kept", "kept");
  if (chmod((t + ".closed/ro").c_str(), 0500) < 0 || chmod((t + ".closed").c_str(), 0) < 0) fail("chmod closed");
  if (chmod(view.c_str(), 0500) < 0) fail("chmod view");  // its Output dir, read-only
}

void expect_published_safely(const TempDir& d, const OutputView& v, const std::string& outside, uid_t outside_uid,
                             const PublishReport& report) {
  const std::string t = d / "Output/foo.test.tmp";
  for (const std::string& p : std::vector<std::string>{t + ".sh", t + ".shared", t + ".o", t + ".link", t + ".d", t + ".d/nested",
                              t + ".closed", t + ".closed/ro", t + ".closed/ro/kept"}) {
    SCOPED_TRACE(p);
    struct stat st = lstat_of(p);
    EXPECT_EQ(st.st_uid, geteuid());
    EXPECT_EQ(st.st_gid, getegid());
    if (!S_ISLNK(st.st_mode)) {
      EXPECT_EQ(st.st_mode & (S_ISUID | S_ISGID | S_ISVTX | S_IWGRP | S_IWOTH), 0u);
    }
  }
  EXPECT_EQ(mode_of(t + ".sh"), 0755u);
  EXPECT_EQ(mode_of(t + ".shared"), 0644u);
  EXPECT_EQ(mode_of(t + ".d"), 0755u);
  EXPECT_EQ(mode_of(t + ".closed"), 0700u);
  EXPECT_EQ(mode_of(t + ".closed/ro"), 0700u);
  EXPECT_EQ(read_file(t + ".closed/ro/kept"), "kept");
  EXPECT_EQ(read_file(t + ".d/nested"), "nested");
  EXPECT_FALSE(fs::exists(fs::symlink_status(t + ".fifo")));
  EXPECT_FALSE(fs::exists(fs::symlink_status(t + ".sock")));
  EXPECT_FALSE(fs::exists(fs::symlink_status(t + ".d/fifo")));
  auto dropped = report.dropped;
  std::sort(dropped.begin(), dropped.end());
  EXPECT_EQ(dropped, (std::vector<std::string>{"foo.test.tmp.d/fifo", "foo.test.tmp.fifo", "foo.test.tmp.sock"}));
  // The hard link: published as a copy; the file it was linked to is as it was.
  struct stat o = lstat_of(outside), c = lstat_of(t + ".o");
  EXPECT_NE(o.st_ino, c.st_ino);
  EXPECT_EQ(o.st_nlink, 1u);
  EXPECT_EQ(o.st_uid, outside_uid);
  EXPECT_EQ(o.st_mode & 07777, 04666u);
  EXPECT_EQ(read_file(t + ".o"), "outside");
  EXPECT_EQ(c.st_mode & 07777, 0644u);
  // The symlink: stored as it is.
  EXPECT_TRUE(fs::is_symlink(t + ".link"));
  EXPECT_EQ(fs::read_symlink(t + ".link"), outside);
  // The staging dir: empty, and the mode a staging dir has.
  EXPECT_TRUE(fs::is_empty(v.private_dir));
  EXPECT_EQ(mode_of(v.private_dir), 0755u);
}

TEST(OutputView, PublishesOnlySafeFilesOfTheRunner) {
  TempDir d;
  StagingDirs dirs;
  const OutputView v = foo_view(d, dirs);
  const std::string outside = d / "outside";
  write_file(outside, "outside");
  ASSERT_EQ(chmod(outside.c_str(), 04666), 0);
  leave_hostile_outputs(v.private_dir, outside);
  PublishReport report;
  Status st = finish_output_view(v, &report);
  ASSERT_TRUE(st) << st.error().message;
  expect_published_safely(d, v, outside, geteuid(), report);
}

// A runner running as root gives its cells' processes a host uid of their own (the cell
// owner): its staging dirs are the cell owner's, everything around them root's, and what the
// cell owner leaves is published as root's, with the same care.
TEST(OutputView, StagingDirsOfACellOwnerArePublishedAsTheRunners) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to act as another uid";
  const uid_t nobody = 65534;
  TempDir d;
  ASSERT_EQ(chmod(d.path().c_str(), 0755), 0);  // traversable by the cell owner
  StagingDirs dirs(nobody, nobody);
  const OutputView v = foo_view(d, dirs);
  EXPECT_EQ(lstat_of(v.private_dir).st_uid, nobody);
  EXPECT_EQ(lstat_of(v.private_dir).st_gid, nobody);
  EXPECT_EQ(mode_of(v.private_dir), 0755u);
  const std::string run = fs::path(v.private_dir).parent_path().string();
  for (const std::string& p : std::vector<std::string>{d / "Output/.litbox", d / "Output/.litbox/staging", run}) {
    EXPECT_EQ(lstat_of(p).st_uid, 0u) << p;
    EXPECT_EQ(mode_of(p), 0711u) << p;
  }
  const std::string outside = d / "outside";  // the cell owner's, so that it can link it
  write_file(outside, "outside");
  ASSERT_EQ(chown(outside.c_str(), nobody, nobody), 0);
  ASSERT_EQ(chmod(outside.c_str(), 04666), 0);
  pid_t pid = fork();
  if (pid == 0) {
    if (setgroups(0, nullptr) < 0 || setgid(nobody) < 0 || setuid(nobody) < 0) _exit(2);
    // It can pass through the runner's dirs, not list them or make names there.
    if (opendir((d / "Output/.litbox").c_str()) || opendir(run.c_str())) _exit(3);
    if (mkdir((run + "/9").c_str(), 0755) == 0 || mkdir((d / "Output/.litbox/leftovers").c_str(), 0755) == 0) _exit(4);
    leave_hostile_outputs(v.private_dir, outside);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  // A device node, which only root could have made.
  ASSERT_EQ(mknod((v.private_dir + "/foo.test.tmp.dev").c_str(), S_IFCHR | 0666, makedev(1, 3)), 0);
  PublishReport report;
  Status st = finish_output_view(v, &report);
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_FALSE(fs::exists(fs::symlink_status(d / "Output/foo.test.tmp.dev")));
  auto dev = std::find(report.dropped.begin(), report.dropped.end(), "foo.test.tmp.dev");
  ASSERT_NE(dev, report.dropped.end());
  report.dropped.erase(dev);
  expect_published_safely(d, v, outside, nobody, report);
  EXPECT_EQ(lstat_of(v.private_dir).st_uid, nobody);  // ready for the next test
}

TEST(OutputView, AFailureToPublishIsReported) {
  TempDir d;
  StagingDirs dirs;
  const OutputView v = foo_view(d, dirs);
  fs::create_directories(d / "elsewhere");
  fs::create_directory_symlink(d / "elsewhere", d / "Output/.litbox/leftovers");
  write_file(v.private_dir + "/stray", "not foo's");
  Status st = finish_output_view(v);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message, "sandbox: " + (d / "Output/.litbox/leftovers") +
                                    " is not a directory (a symlink or a file); litbox keeps its own files there "
                                    "and will not use it: remove it");
  EXPECT_TRUE(fs::is_empty(d / "elsewhere"));
}

TEST(OutputView, AnOlderRunsLeftoversGoWhenTheTestRunsAgain) {
  TempDir d;
  StagingDirs dirs;
  const OutputView v = foo_view(d, dirs);
  fs::create_directories(d / "Output/.litbox/leftovers/foo.test");
  write_file(d / "Output/.litbox/leftovers/foo.test/old-stray", "x");
  write_file(v.private_dir + "/new-stray", "y");
  ASSERT_TRUE(finish_output_view(v));
  EXPECT_FALSE(fs::exists(d / "Output/.litbox/leftovers/foo.test/old-stray"));
  EXPECT_TRUE(fs::exists(d / "Output/.litbox/leftovers/foo.test/new-stray"));
  ASSERT_TRUE(finish_output_view(v));  // a run without strays
  EXPECT_FALSE(fs::exists(d / "Output/.litbox/leftovers/foo.test"));
}

TEST(OutputView, NeedsATestFileName) {
  TempDir d;
  for (const std::string& bad : std::vector<std::string>{"", "..", "Output/.."}) {
    auto v = make_output_view(output_dir(d), bad, d / "Output/.litbox/staging/x/0");
    ASSERT_FALSE(v);
    EXPECT_EQ(v.error().message, "sandbox: no test file name in '" + bad + "'");
  }
}

}  // namespace
}  // namespace litbox::sandbox
