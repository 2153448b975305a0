// The mount plan is a pure function of the layout and the host's paths: given a layout, we
// should get exactly these steps, in this order.
#include "sandbox/mount_plan.h"

#include <map>

#include <gtest/gtest.h>

namespace litbox::sandbox {
namespace {

// A fake host: every path not listed is missing.
struct FakeHost {
  std::map<std::string, PathKind> paths;
  PathProbe probe() const {
    return [this](const std::string& p) {
      auto it = paths.find(p);
      return it == paths.end() ? PathKind::kMissing : it->second;
    };
  }
};

// The /dev and /proc part of every plan; the device clones start at slot `first`.
std::string dev_and_proc(int first) {
  std::string out = "mount tmpfs on /dev (size=4k,nr_inodes=64,mode=0755)\n";
  int slot = first;
  for (const char* d : {"null", "zero", "full", "random", "urandom"})
    out += std::string("create /dev/") + d + "\nbind /dev/" + d + " on /dev/" + d + " from #" +
           std::to_string(slot++) + "\n";
  return out +
         "symlink /dev/fd -> /proc/self/fd\n"
         "symlink /dev/stdin -> /proc/self/fd/0\n"
         "symlink /dev/stdout -> /proc/self/fd/1\n"
         "symlink /dev/stderr -> /proc/self/fd/2\n"
         "symlink /dev/shm -> /tmp/.litbox/shm\n"
         "make /dev read-only (recursive, devices allowed)\n"
         "mount proc on /proc\n";
}

const char* kDevClones =
    "clone /dev/null as #0\n"
    "clone /dev/zero as #1\n"
    "clone /dev/full as #2\n"
    "clone /dev/random as #3\n"
    "clone /dev/urandom as #4\n";

const char* kTmp =
    "mount tmpfs on /tmp (size=67108864,nr_inodes=65536,mode=1777)\n"
    "mkdir /tmp/.litbox (0755)\n"
    "mkdir /tmp/.litbox/home (0700)\n"
    "mkdir /tmp/.litbox/shm (1777)\n"
    "mkdir /tmp/.litbox/tmp (1777)\n";

TEST(MountPlan, DefaultLayoutLocksTheRootAndAddsTmpDevAndProc) {
  FakeHost host;
  MountPlan plan = build_mount_plan(MountLayout{}, host.probe());
  EXPECT_EQ(plan.str(), std::string(kDevClones) + "make / read-only (recursive, nosuid, nodev, private)\n" + kTmp +
                            "allow writes beneath /tmp\n" + dev_and_proc(0));
  EXPECT_EQ(plan.tmp_dir, "/tmp");
  EXPECT_EQ(plan.slots, 5);
}

TEST(MountPlan, ReadOnlyPathsNothingCoversNeedNoMount) {
  FakeHost host;
  host.paths = {{"/src", PathKind::kDirectory}};
  MountLayout layout;
  layout.readonly = {"/src"};
  EXPECT_EQ(build_mount_plan(layout, host.probe()).str(), build_mount_plan(MountLayout{}, host.probe()).str());
}

TEST(MountPlan, PathsBelowAHiddenDirAreBoundOnTopOfItsMask) {
  FakeHost host;
  host.paths = {{"/home/u", PathKind::kDirectory},
                {"/home/u/src", PathKind::kDirectory},
                {"/home/u/build/Output/.litbox/t.test", PathKind::kDirectory},
                {"/home/u/.netrc", PathKind::kFile}};
  MountLayout layout;
  layout.hidden = {"/home/u", "/home/u/.netrc", "/home/nobody"};
  layout.readonly = {"/home/u/src"};
  layout.binds = {{"/home/u/build/Output/.litbox/t.test", "/home/u/build/Output", true}};
  EXPECT_EQ(build_mount_plan(layout, host.probe()).str(),
            "clone /dev/null as #0\n"                                    // for /home/u/.netrc
            "clone /home/u/src as #1 (recursive)\n"
            "clone /home/u/build/Output/.litbox/t.test as #2 (recursive)\n"
            "clone /dev/null as #3\n"
            "clone /dev/zero as #4\n"
            "clone /dev/full as #5\n"
            "clone /dev/random as #6\n"
            "clone /dev/urandom as #7\n"
            "make / read-only (recursive, nosuid, nodev, private)\n" +
                std::string(kTmp) +
                "mount tmpfs on /home/u (size=4k,nr_inodes=1024,mode=0755)\n"
                "create /home/u/.netrc\n"
                "bind /dev/null on /home/u/.netrc from #0\n"
                "make /home/u/.netrc read-only (nodev)\n"
                "mkdir /home/u/src (0755)\n"
                "bind /home/u/src on /home/u/src from #1\n"
                "make /home/u/src read-only (recursive, nodev)\n"
                "mkdir /home/u/build (0755)\n"
                "mkdir /home/u/build/Output (0755)\n"
                "bind /home/u/build/Output/.litbox/t.test on /home/u/build/Output from #2\n"
                "allow writes beneath /home/u/build/Output\n"
                "allow writes beneath /tmp\n" +
                dev_and_proc(3) +
                "make /home/u read-only (nodev)\n");
}

TEST(MountPlan, WritableWinsOverHiddenForTheSamePath) {
  FakeHost host;
  host.paths = {{"/data", PathKind::kDirectory}};
  MountLayout layout;
  layout.hidden = {"/data"};
  layout.writable = {"/data"};
  std::string plan = build_mount_plan(layout, host.probe()).str();
  EXPECT_NE(plan.find("bind /data on /data from #0\n"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("mount tmpfs on /data"), std::string::npos) << plan;
}

TEST(MountPlan, OutputsBelowTmpGetMountPointsInTheCellsTmp) {
  FakeHost host;
  host.paths = {{"/tmp/b/Output/.litbox/x", PathKind::kDirectory}};
  MountLayout layout;
  layout.binds = {{"/tmp/b/Output/.litbox/x", "/tmp/b/Output", true}};
  std::string plan = build_mount_plan(layout, host.probe()).str();
  EXPECT_NE(plan.find(std::string(kTmp) +
                      "mkdir /tmp/b (0755)\n"
                      "mkdir /tmp/b/Output (0755)\n"
                      "bind /tmp/b/Output/.litbox/x on /tmp/b/Output from #0\n"),
            std::string::npos)
      << plan;
}

// A suite or build tree under the host's /tmp is bound read-only inside the cell's /tmp. A
// Landlock rule on /tmp would cover it (rules reach across mounts), and with it the tree's
// FIFOs: then the cell may write only beneath its own directories there, and TMPDIR is one.
TEST(MountPlan, AReadOnlyTreeBelowTmpNarrowsWhereTheCellMayWrite) {
  FakeHost host;
  host.paths = {{"/tmp/work/suite", PathKind::kDirectory}, {"/tmp/work/suite/Output/.litbox/x", PathKind::kDirectory}};
  MountLayout layout;
  layout.readonly = {"/tmp/work/suite"};
  layout.binds = {{"/tmp/work/suite/Output/.litbox/x", "/tmp/work/suite/Output", true}};
  MountPlan plan = build_mount_plan(layout, host.probe());
  EXPECT_EQ(plan.tmp_dir, "/tmp/.litbox/tmp");
  std::string s = plan.str();
  EXPECT_NE(s.find("allow writes beneath /tmp/work/suite/Output\n"
                   "allow writes beneath /tmp/.litbox/tmp\n"
                   "allow writes beneath /tmp/.litbox/home\n"
                   "allow writes beneath /tmp/.litbox/shm\n"),
            std::string::npos)
      << s;
  EXPECT_EQ(s.find("allow writes beneath /tmp\n"), std::string::npos) << s;
  // Only an output dir below /tmp (writable, the test's own) keeps the whole /tmp writable.
  MountLayout outputs_only;
  outputs_only.binds = layout.binds;
  EXPECT_EQ(build_mount_plan(outputs_only, host.probe()).tmp_dir, "/tmp");
}

TEST(MountPlan, BinfmtRulesAreRegisteredInTheCellsOwnInstanceAndSealed) {
  FakeHost host;
  MountLayout layout;
  layout.binfmt_rules = {":qemu-aarch64:M::\\x7fELF:\\xff\\xff:/usr/bin/qemu-aarch64:F"};
  std::string plan = build_mount_plan(layout, host.probe()).str();
  EXPECT_NE(plan.find("mount proc on /proc\n"
                      "mount binfmt_misc on /proc/sys/fs/binfmt_misc\n"
                      "register binfmt_misc rule 'qemu-aarch64'\n"
                      "make /proc/sys/fs/binfmt_misc read-only (nodev)\n"),
            std::string::npos)
      << plan;
}

TEST(MountPlan, StepsDescribeThemselvesForErrorMessages) {
  MountStep s{MountStep::Op::kTmpfs, "/tmp", "size=1"};
  EXPECT_EQ(s.describe(), "mount tmpfs on /tmp");
  EXPECT_EQ((MountStep{MountStep::Op::kAttach, "/b", "/a"}).describe(), "bind /a on /b");
  EXPECT_EQ((MountStep{MountStep::Op::kRootLock, "/", ""}).describe(), "make / read-only");
  EXPECT_EQ((MountStep{MountStep::Op::kRegister, "/r", ":name:E::x::/bin/sh:"}).describe(),
            "register binfmt_misc rule 'name'");
}

TEST(PathWithin, ComparesWholeComponents) {
  EXPECT_TRUE(path_within("/a/b", "/a"));
  EXPECT_TRUE(path_within("/a", "/a"));
  EXPECT_FALSE(path_within("/ab", "/a"));
  EXPECT_TRUE(path_within("/x", "/"));
}

}  // namespace
}  // namespace litbox::sandbox
