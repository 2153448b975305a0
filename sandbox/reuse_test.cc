// A cell serves the next test of the same directory only after a clean reset: nothing of the
// previous test is left that the next one could see, and a cell that cannot be cleaned (or was
// terminated) is closed instead (docs/security.md, "Reused cells").
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>

#include <gtest/gtest.h>

#include "sandbox/cell_fixture.h"

namespace litbox::sandbox {
namespace {

using testing::read_file;
using testing::run;
using testing::RunOptions;
using testing::testcase;
using testing::write_file;

class ReuseTest : public CellTest {
 protected:
  // The runner's io_context runs all the time; here, run it until the closed cell is idle.
  bool wait_idle(exec::Executor& ex, size_t n = 1) {
    for (int i = 0; i < 500 && idle_cells(ex) < n; ++i) {
      io.restart();
      io.run_one_for(std::chrono::milliseconds(10));
    }
    return idle_cells(ex) >= n;
  }
  // The cell's identity while it lives: its pid namespace (a closed cell's inode number can
  // come back for a new one, so this only tells that a cell was reused).
  std::string cell_of(exec::Session& s) { return run(io, s, {"/bin/readlink", "/proc/self/ns/pid"}).out; }
  // As a session's first command: true if its cell is new (the first process of a pid
  // namespace after init is pid 2; a reset cell's pids go on counting).
  bool is_new(exec::Session& s) { return run(io, s, {"/bin/sh", "-c", "echo $$"}).out == "2\n"; }
  exec::SessionSpec sibling(const std::string& name) {
    exec::SessionSpec b = spec_;
    b.test_name = "suite :: " + name;
    b.source_path = dir / ("src/" + name);
    b.tmp_prefix = dir / ("build/Output/" + name);
    return b;
  }
  std::string sh(exec::Session& s, const std::string& script) {
    RunOptions o;
    o.env.push_back("HOME=/tmp/.litbox/home");
    o.wait_for_eof = false;
    return run(io, s, {"/bin/sh", "-c", script}, o).out;
  }
};

TEST_F(ReuseTest, TheNextTestFindsNothingOfThePreviousOne) {
  auto ex = executor();
  auto a = open(*ex);
  const std::string cell = cell_of(*a);
  ASSERT_FALSE(cell.empty());
  // What a new cell shows (with the build tree below the host's /tmp, /tmp also holds the
  // directories leading to its mounts).
  // One ls per directory: ls sorts its operands, and the build tree's path decides where
  // the Output dir would come among them.
  const std::string listing =
      "cd /tmp && for d in . .litbox .litbox/home .litbox/shm /dev/shm/ " + spec_.output_dir +
      "; do echo \"[$d]\"; ls -A $d; done";
  const std::string fresh = sh(*a, listing);
  EXPECT_NE(fresh.find("[.litbox]\nhome\nshm\ntmp\n[.litbox/home]\n[.litbox/shm]\n[/dev/shm/]\n[/"), std::string::npos)
      << fresh;
  sh(*a,
     "echo x > /tmp/x; mkdir -p /tmp/d/e; touch /tmp/d/e/f; chmod 0 /tmp/d/e /tmp/d; echo y > /dev/shm/y;"
     " echo h > $HOME/h; chmod 0500 $HOME; rm -rf /tmp/.litbox/shm; ln -s / /tmp/.litbox/shm;"
     " echo mine > " + t() + "; echo stray > " + spec_.output_dir + "/stray.o;"
     " setsid sleep 1000 </dev/null >/dev/null 2>&1 &");
  a->close();
  a.reset();
  ASSERT_TRUE(wait_idle(*ex));
  auto b = open(*ex, sibling("bar.test"));
  EXPECT_EQ(cell_of(*b), cell);  // the same cell, reset
  EXPECT_EQ(sh(*b, listing), fresh);
  EXPECT_EQ(sh(*b, "stat -c '%n %a' /tmp /tmp/.litbox /tmp/.litbox/home /tmp/.litbox/shm"),
            "/tmp 1777\n/tmp/.litbox 755\n/tmp/.litbox/home 700\n/tmp/.litbox/shm 1777\n");
  // No process of the previous test: only init and this shell.
  EXPECT_EQ(sh(*b, "for p in /proc/[0-9]*; do [ $p = /proc/$$ ] || cat $p/comm; done | grep -c sleep"), "0\n");
  // The previous test's outputs were published; the stray one kept for inspection.
  EXPECT_EQ(read_file(t()), "mine\n");
  EXPECT_EQ(read_file(spec_.output_dir + "/.litbox/leftovers/foo.test/stray.o"), "stray\n");
  EXPECT_FALSE(std::filesystem::exists(spec_.output_dir + "/stray.o"));
}

TEST_F(ReuseTest, TheLastProcessLetsTheCellResetWithoutBeingAsked) {
  auto ex = executor();
  auto a = open(*ex);
  const std::string cell = cell_of(*a);
  RunOptions last;
  last.last = true;
  last.wait_for_eof = false;
  // The test's last process leaves a daemon (holding its stdout) and a file in /tmp.
  EXPECT_EQ(run(io, *a, {"/bin/sh", "-c", "echo x > /tmp/x; sleep 4321.5 & echo started"}, last).out, "started\n");
  // Init resets as soon as it has ended: the daemon is gone before the test is over.
  bool gone = false;
  for (int i = 0; i < 500 && !gone; ++i) {
    gone = system("! pgrep -f '^sleep 4321[.]5$' >/dev/null") == 0;
    if (!gone) usleep(10000);
  }
  EXPECT_TRUE(gone);
  // Nothing may start after the last process.
  auto late = run(io, *a, {"/bin/true"});
  EXPECT_TRUE(late.status.setup_failure);
  EXPECT_EQ(late.status.error, "sandbox: a process was started after the test's last one");
  a->close();
  a.reset();
  ASSERT_TRUE(wait_idle(*ex));  // reused, without a reset request
  auto b = open(*ex, sibling("bar.test"));
  EXPECT_EQ(cell_of(*b), cell);
  EXPECT_EQ(sh(*b, "test -e /tmp/x && echo kept || echo gone"), "gone\n");  // /tmp was emptied
}

// A test cannot leave the cell's init (pid 1, which serves the next test) with other limits,
// priority or affinity: the next test's processes would inherit them or share its CPUs.
TEST_F(ReuseTest, ThePreviousTestCannotChangeInitForTheNext) {
  SandboxSpec spec;
  spec.limits.file_size = 1 << 20;
  auto ex = executor(spec);
  auto a = open(*ex);
  const std::string cell = cell_of(*a);
  const std::string init_state =
      "prlimit --pid 1 --fsize --noheadings --raw --output SOFT; cut -d' ' -f19 /proc/1/stat; taskset -p 1";
  const std::string before = sh(*a, init_state);
  EXPECT_EQ(before.substr(0, 10), "1048576\n0\n") << before;
  sh(*a, "prlimit --pid 1 --fsize=0; renice -n 19 -p 1; taskset -p 1 1");
  a->close();
  a.reset();
  ASSERT_TRUE(wait_idle(*ex));
  auto b = open(*ex, sibling("bar.test"));
  EXPECT_EQ(cell_of(*b), cell);
  EXPECT_EQ(sh(*b, init_state), before);
  EXPECT_EQ(sh(*b, "echo data > /tmp/f && cat /tmp/f && awk '/Max file size/ {print $4, $5}' /proc/self/limits"),
            "data\n1048576 1048576\n");
}

// With the seccomp rules lifted, the reset's own check is what stands: what an unprivileged
// process can put back (affinity) is put back and the cell serves on; what it cannot (a
// lowered hard limit, a raised nice value) retires the cell.
TEST_F(ReuseTest, AChangedInitIsPutBackOrRetiresTheCell) {
  SandboxSpec spec;
  spec.limits.file_size = 1 << 20;
  spec.allow_syscalls = {"prlimit64", "setpriority", "sched_setaffinity"};
  auto ex = executor(spec);
  auto a = open(*ex);
  const std::string cell = cell_of(*a);
  const std::string affinity = sh(*a, "taskset -p 1");
  EXPECT_EQ(sh(*a, "taskset -p 1 1 >/dev/null && echo changed"), "changed\n");
  a->close();
  a.reset();
  ASSERT_TRUE(wait_idle(*ex));
  auto b = open(*ex, sibling("bar.test"));
  EXPECT_EQ(cell_of(*b), cell);
  EXPECT_EQ(sh(*b, "taskset -p 1"), affinity);
  EXPECT_EQ(sh(*b, "prlimit --pid 1 --fsize=0:0 && echo lowered"), "lowered\n");
  b->close();
  b.reset();
  wait_idle(*ex);
  auto c = open(*ex, sibling("baz.test"));
  EXPECT_TRUE(is_new(*c));  // a new cell: init's hard limit could not be raised again
  EXPECT_EQ(sh(*c, "echo data > /tmp/f && cat /tmp/f"), "data\n");
}

TEST_F(ReuseTest, CellsServeOnlyTheirOwnDirectory) {
  auto ex = executor();
  auto a = open(*ex);
  EXPECT_TRUE(is_new(*a));
  a->close();
  a.reset();
  ASSERT_TRUE(wait_idle(*ex));
  std::filesystem::create_directories(dir / "build/other/Output");
  exec::SessionSpec elsewhere = spec_;
  elsewhere.output_dir = dir / "build/other/Output";
  elsewhere.tmp_prefix = dir / "build/other/Output/foo.test";
  auto b = open(*ex, elsewhere);
  EXPECT_TRUE(is_new(*b));
}

TEST_F(ReuseTest, LeftoverIpcObjectsRetireTheCell) {
  auto ex = executor();
  auto a = open(*ex);
  EXPECT_TRUE(is_new(*a));
  EXPECT_EQ(run(io, *a, {"/usr/bin/ipcmk", "-M", "4096"}).status.code, 0);
  a->close();
  a.reset();
  auto m = open(*ex, sibling("mq.test"));
  EXPECT_TRUE(is_new(*m));  // not reused: a new cell, without the segment
  EXPECT_EQ(sh(*m, "ipcs -m | grep -c '^0x' || true"), "0\n");
  EXPECT_EQ(run(io, *m, {testcase(), "mq-open", "/litbox-test"}).out, "mq-open: ok\n");
  m->close();
  m.reset();
  auto b = open(*ex, sibling("bar.test"));
  EXPECT_TRUE(is_new(*b));
  EXPECT_EQ(idle_cells(*ex), 0u);
}

TEST_F(ReuseTest, TerminatedCellsAreNotReused) {
  auto ex = executor();
  auto a = open(*ex);
  EXPECT_TRUE(is_new(*a));
  a->terminate();
  a->close();
  a.reset();
  auto b = open(*ex, sibling("bar.test"));
  EXPECT_TRUE(is_new(*b));
}

// A suite below the host's /tmp is bound into the cell's own /tmp: reset keeps those mounts
// and the directories leading to them, and retires the cell if a test moved them.
TEST_F(ReuseTest, MountsBelowTmpSurviveAndAreChecked) {
  char tmpl[] = "/tmp/litbox-reuse-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string root = tmpl;
  std::filesystem::create_directories(root + "/src");
  std::filesystem::create_directories(root + "/build/Output");
  spec_.source_dir = root + "/src";
  spec_.source_path = root + "/src/foo.test";
  spec_.output_dir = root + "/build/Output";
  spec_.tmp_prefix = root + "/build/Output/foo.test";
  write_file(spec_.source_path, "RUN: true\n");
  auto ex = executor();
  auto a = open(*ex);
  const std::string cell = cell_of(*a);
  const std::string fresh_tmp = sh(*a, "ls -A /tmp");
  EXPECT_NE(fresh_tmp.find(root.substr(strlen("/tmp/")) + "\n"), std::string::npos) << fresh_tmp;
  sh(*a, "echo x > " + root + "/litter; mkdir " + root + "/build/junk; chmod 0 " + root + " " + root + "/build; echo y > /tmp/y");
  a->close();
  a.reset();
  ASSERT_TRUE(wait_idle(*ex));
  auto b = open(*ex, sibling("bar.test"));
  EXPECT_EQ(cell_of(*b), cell);
  EXPECT_EQ(sh(*b, "ls -A " + root + " " + root + "/build; stat -c %a " + root + " " + root + "/build"),
            root + ":\nbuild\nsrc\n\n" + root + "/build:\nOutput\n755\n755\n");
  EXPECT_EQ(sh(*b, "ls -A /tmp"), fresh_tmp);  // y is gone
  // Only a mode changed, no entry: the reset's quick check sees that too.
  sh(*b, "chmod 0700 " + root + "/build");
  b->close();
  b.reset();
  ASSERT_TRUE(wait_idle(*ex));
  b = open(*ex, sibling("qux.test"));
  EXPECT_EQ(cell_of(*b), cell);
  EXPECT_EQ(sh(*b, "stat -c %a " + root + "/build"), "755\n");
  // Moving the suite's mounts away makes the cell unusable for the next test.
  sh(*b, "mv " + root + " /tmp/moved");
  b->close();
  b.reset();
  auto c = open(*ex, sibling("baz.test"));
  EXPECT_TRUE(is_new(*c));
  EXPECT_EQ(run(io, *c, {testcase(), "read", spec_.source_path}).out, "read: ok 10 bytes: RUN: true\n\n");
  c->close();
  c.reset();
  ex.reset();
  std::filesystem::remove_all(root);
}

TEST_F(ReuseTest, CanBeTurnedOff) {
  SandboxSpec spec;
  spec.reuse_cells = false;
  auto ex = executor(spec);
  auto a = open(*ex);
  EXPECT_TRUE(is_new(*a));
  a->close();
  a.reset();
  auto b = open(*ex, sibling("bar.test"));
  EXPECT_TRUE(is_new(*b));
  EXPECT_EQ(idle_cells(*ex), 0u);
}

}  // namespace
}  // namespace litbox::sandbox
