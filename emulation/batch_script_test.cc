// The shell side of batch execution: job files and prologue as text, and the embedded driver
// run for real by several POSIX shells with several tool sets (GNU coreutils, without
// setsid(1), busybox alone), parsed by the executor's own stream parser.
#include "emulation/batch_script.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>

#include "emulation/batch_run.h"
#include "emulation/tar.h"
#include "emulation/test_util.h"
#include "support/strings.h"

namespace litbox::emulation {
namespace {

using testing::probe;
using litbox::testing::TempDir;

TEST(BatchScriptTest, JobFileSetsEverythingAndReportsSetupErrorsThroughZ) {
  JobSpec j;
  j.dir = "/run/s1/sub dir";
  j.output_dir = "/run/s1";
  j.copy_back_prefix = "t.c.tmp";
  j.timeout_seconds = 10;
  j.stdin_file = "/run/cas/abc";
  j.copies = {{"/run/cas/def", "/run/s1/t.c.tmp.in"}};
  j.umask = 027;
  j.limits.cpu_seconds = 5;
  j.limits.stack = 8 << 20;
  j.env = {{"FOO", "it's"}, {"BAD-NAME", "x"}};
  j.argv = {"/run/s1/t.c.tmp.exe", "a b", "$HOME"};
  EXPECT_EQ(job_script(j),
            "D='/run/s1/sub dir'\n"
            "O=/run/s1\n"
            "C=t.c.tmp\n"
            "T=10\n"
            "I=/run/cas/abc\n"
            "cd \"$D\" 2>/dev/null || Z=\"cannot enter $D\"\n"
            "[ -n \"$Z\" ] || { Z=$(cp -p /run/cas/def /run/s1/t.c.tmp.in 2>&1) || Z=${Z:-cp failed}; }\n"
            "umask 027\n"
            "ulimit -t 5 2>/dev/null\n"
            "ulimit -s 8192 2>/dev/null\n"
            "export FOO='it'\\''s'\n"
            "set -- /run/s1/t.c.tmp.exe 'a b' '$HOME'\n");
}

TEST(BatchScriptTest, PrologueQuotesAndListsThenTheDriverFollows) {
  BatchScriptSpec s;
  s.run_dir = "/w/litbox-batch-1";
  s.batch_dir = "/w/litbox-batch-1/b3";
  s.parallelism = 0;
  s.token = "abcd";
  s.ids = {4, 5, 9};
  s.gc = {"s1", "s2"};
  std::string text = batch_command_script(s);
  EXPECT_TRUE(starts_with(text,
                          "R=/w/litbox-batch-1\nB=/w/litbox-batch-1/b3\nP=1\nW=0\nK=abcd\nIDS='4 5 9'\nGC='s1 s2'\nNEW=''\n"
                          "# litbox batch driver"))
      << text.substr(0, 200);
  EXPECT_TRUE(ends_with(text, batch_driver_text()));
}

TEST(BatchScriptTest, KillScriptsSkipRequestsThatAreOver) {
  EXPECT_EQ(batch_kill_script("/r/b1", {3, 4}, false),
            "B=/r/b1\n[ -d \"$B\" ] || exit 0\n"
            "for f in  \"$B/3.p\" \"$B/4.p\"; do [ -f \"$f\" ] && [ ! -f \"${f%.p}.h\" ] && read -r p <\"$f\" && "
            "[ -n \"$p\" ] && { kill -9 -\"$p\" 2>/dev/null; kill -9 \"$p\" 2>/dev/null; }; done\nexit 0\n");
}

// A directory of tools for a PATH: each name a symlink to `target` (busybox) or to the
// program of that name found in /usr/bin or /bin.
std::string toolbox(const TempDir& dir, const std::vector<std::string>& names, const std::string& target = "") {
  for (const auto& n : names) {
    std::string to = target;
    if (to.empty()) to = access(("/usr/bin/" + n).c_str(), X_OK) == 0 ? "/usr/bin/" + n : "/bin/" + n;
    EXPECT_EQ(symlink(to.c_str(), (dir / n).c_str()), 0) << n;
  }
  return dir.path();
}

const std::vector<std::string> kTools = {"sh",    "wc", "find",   "tar", "touch", "cat", "sleep",
                                         "mkdir", "rm", "mkfifo", "cp",  "date",  "kill"};

struct DriverRun {
  std::vector<BatchEvent> events;
  BatchRunEnd end;
  std::map<int, BatchEvent> by_id;  // the result or failure of each request
  int started = 0;
  bool ready = false, ended = false;
};

// Runs the driver with `shell` and PATH=`path` on `jobs` in the run directory `run`.
DriverRun run_driver(const std::vector<std::string>& shell, const std::string& path, const std::string& run,
                     const std::map<int, JobSpec>& jobs, TarWriter& ar, int parallelism = 2) {
  BatchScriptSpec s;
  s.run_dir = run;
  s.batch_dir = run + "/b1";
  s.parallelism = parallelism;
  s.token = "tok";
  for (const auto& [id, job] : jobs)
    if (job.timeout_seconds > 0 && (s.timeout_seconds == 0 || job.timeout_seconds < s.timeout_seconds))
      s.timeout_seconds = job.timeout_seconds;
  for (const auto& [id, job] : jobs) {
    s.ids.push_back(id);
    ar.add_file("b1/" + std::to_string(id) + ".j", 0600, job_script(job), 1);
  }
  boost::asio::io_context io;
  BatchRunSpec spec;
  spec.argv = shell;
  spec.argv.push_back("-c");
  spec.argv.push_back(batch_command_script(s));
  spec.env = {"PATH=" + path};
  spec.payload = ar.finish_chunks();
  spec.token = "tok";
  DriverRun out;
  bool done = false;
  BatchRun::start(
      io, std::move(spec), [&](BatchEvent e) { out.events.push_back(std::move(e)); },
      [&](BatchRunEnd end) {
        out.end = std::move(end);
        done = true;
      });
  io.run_for(std::chrono::seconds(60));
  EXPECT_TRUE(done);
  for (auto& e : out.events) {
    if (e.kind == BatchEvent::Kind::started) ++out.started;
    if (e.kind == BatchEvent::Kind::ready) out.ready = true;
    if (e.kind == BatchEvent::Kind::end) out.ended = true;
    if (e.kind == BatchEvent::Kind::result || e.kind == BatchEvent::Kind::failed) out.by_id[e.id] = e;
  }
  return out;
}

struct Toolset {
  const char* name;
  std::vector<std::string> shell;
  bool busybox;
  bool with_setsid;
};

class DriverTest : public ::testing::TestWithParam<Toolset> {
 protected:
  // The PATH of the parameter's tool set, made in `tools`: busybox's applets or the system's
  // programs, with setsid(1) or without.
  std::string tool_path(const TempDir& tools) {
    const Toolset& ts = GetParam();
    std::vector<std::string> names = kTools;
    if (ts.with_setsid) names.push_back("setsid");
    return toolbox(tools, names, ts.busybox ? "/usr/bin/busybox" : "");
  }
};

TEST_P(DriverTest, RunsEveryKindOfRequest) {
  const Toolset& ts = GetParam();
  if (ts.busybox && access("/usr/bin/busybox", X_OK) != 0) GTEST_SKIP() << "busybox is not installed";
  TempDir tools, run;
  std::string path = tool_path(tools);
  std::string exe = probe("native"), s1 = run.path() + "/s1";

  TarWriter ar;
  ar.add_file("cas/in", 0644, "from stdin\n", 1);
  ar.add_directory("s1", 0700, 1);
  ar.add_directory("s1/.litbox", 0700, 1);
  ar.add_file("s1/.litbox/stamp", 0600, "", 2);
  ar.add_file("s1/t.tmp.old", 0644, "shipped\n", 1);
  auto job = [&](std::vector<std::string> argv) {
    JobSpec j;
    j.dir = j.output_dir = s1;
    j.copy_back_prefix = "t.tmp";
    j.argv = std::move(argv);
    return j;
  };
  std::map<int, JobSpec> jobs;
  jobs[1] = job({exe, "out", "hello", "err", "oops", "exit", "3"});
  jobs[2] = job({exe, "out", "x", "segv"});
  jobs[3] = job({exe, "out", "slow", "sleep", "30"});
  jobs[3].timeout_seconds = 1;
  jobs[4] = job({exe, "cat"});
  jobs[4].stdin_file = run.path() + "/no-such-file";
  jobs[5] = job({exe, "write", s1 + "/t.tmp.out", "copied back", "read", s1 + "/t.tmp.old"});
  jobs[6] = job({exe, "cat"});
  jobs[6].stdin_file = run.path() + "/cas/in";
  jobs[7] = job({"no-such-program"});
  DriverRun r = run_driver(ts.shell, path, run.path(), jobs, ar);

  EXPECT_TRUE(r.ready);
  EXPECT_TRUE(r.ended) << r.end.stderr_tail;
  EXPECT_EQ(r.started, 7);
  EXPECT_EQ(r.end.local.code, 0) << r.end.stderr_tail;
  ASSERT_EQ(r.by_id.size(), 7u);
  EXPECT_EQ(r.by_id[1].status, 3);
  EXPECT_EQ(r.by_id[1].out, "hello\n");
  EXPECT_EQ(r.by_id[1].err, "oops\n");
  EXPECT_FALSE(r.by_id[1].timed_out);
  EXPECT_EQ(r.by_id[2].status, 128 + SIGSEGV);
  EXPECT_EQ(r.by_id[2].out, "x\n");
  EXPECT_TRUE(r.by_id[3].timed_out) << r.by_id[3].status;
  EXPECT_GE(r.by_id[3].elapsed_ms, 950);
  EXPECT_EQ(r.by_id[3].out, "slow\n");
  EXPECT_EQ(r.by_id[4].kind, BatchEvent::Kind::failed);
  EXPECT_EQ(r.by_id[4].message, "cannot read stdin file " + run.path() + "/no-such-file");
  EXPECT_EQ(r.by_id[5].status, 0) << r.by_id[5].err;
  EXPECT_EQ(r.by_id[5].out, "shipped\n");
  auto back = read_tar(r.by_id[5].archive);
  ASSERT_TRUE(back.ok()) << back.error().message;
  ASSERT_EQ(back->size(), 1u) << "only what the command wrote";
  EXPECT_EQ((*back)[0].name, "t.tmp.out");
  EXPECT_EQ((*back)[0].data, "copied back\n");
  EXPECT_EQ(r.by_id[6].out, "from stdin\n");
  EXPECT_EQ(r.by_id[7].status, 127);
  EXPECT_NE(r.by_id[7].err.find("no-such-program"), std::string::npos) << r.by_id[7].err;
  // The batch directory is gone; the store and the test's directory stay for later batches.
  struct stat st;
  EXPECT_NE(stat((run.path() + "/b1").c_str(), &st), 0);
  EXPECT_EQ(stat((run.path() + "/cas/in").c_str(), &st), 0);
}

TEST(BatchScriptTest, ResultsWithOutputGoOutInGroupsAndArriveWhole) {
  // wc and cat log each run: while requests are still to start, finished ones with output
  // wait for others (up to P of them) and go out with one wc and one cat, not one of each
  // per result.
  TempDir tools, run;
  std::string path = toolbox(tools, {"sh", "find", "tar", "touch", "sleep", "mkdir", "rm", "mkfifo", "cp", "kill"});
  for (const char* tool : {"wc", "cat"})
    testing::write_file(tools / tool, std::string("#!/bin/sh\necho run >>") + (tools / tool) + ".log\nexec /usr/bin/" +
                                          tool + " \"$@\"\n");
  for (const char* tool : {"wc", "cat"}) ASSERT_EQ(chmod((tools / tool).c_str(), 0755), 0);
  std::string s1 = run.path() + "/s1";
  TarWriter ar;
  ar.add_directory("s1", 0700, 1);
  std::map<int, JobSpec> jobs;
  for (int id = 1; id <= 12; ++id) {
    jobs[id].dir = jobs[id].output_dir = s1;
    jobs[id].argv = {probe("native"), "out", "result " + std::to_string(id), "err", std::string(id * 100, 'e')};
  }
  DriverRun r = run_driver({"/bin/dash"}, path, run.path(), jobs, ar, /*parallelism=*/3);
  EXPECT_TRUE(r.ended) << r.end.stderr_tail;
  ASSERT_EQ(r.by_id.size(), 12u);
  for (int id = 1; id <= 12; ++id) {
    EXPECT_EQ(r.by_id[id].status, 0);
    EXPECT_EQ(r.by_id[id].out, "result " + std::to_string(id) + "\n");
    EXPECT_EQ(r.by_id[id].err, std::string(id * 100, 'e') + "\n");
  }
  auto runs = [&](const char* tool) {
    std::string log = testing::read_file(tools / (std::string(tool) + ".log")).value_or("");
    return std::count(log.begin(), log.end(), '\n');
  };
  // Nine results wait in groups of three while requests are left to start, the last three go
  // out one by one: six of each in the usual case, twelve only if every group timed out.
  EXPECT_LT(runs("wc"), 12);
  EXPECT_LT(runs("cat"), 12);
  EXPECT_GE(runs("cat"), 4);
}

TEST_P(DriverTest, TheWatchdogKillsATimedOutCommandWholeAndLeavesNothingBehind) {
  // A command with a child of its own that outlives it unless the whole group is killed; a
  // second request that is quick. The batch must end with nothing of it left: not the
  // command's child, not the watchdog or its sleep.
  const Toolset& ts = GetParam();
  if (ts.busybox && access("/usr/bin/busybox", X_OK) != 0) GTEST_SKIP() << "busybox is not installed";
  TempDir tools, run;
  std::string path = tool_path(tools);
  std::string s1 = run.path() + "/s1", exe = s1 + "/t.tmp.exe";
  TarWriter ar;
  ar.add_directory("s1", 0700, 1);
  ar.add_file("s1/t.tmp.exe", 0755, testing::read_file(probe("native")).value_or(""), 1);
  std::map<int, JobSpec> jobs;
  jobs[1].dir = jobs[1].output_dir = s1;
  jobs[1].timeout_seconds = 1;
  jobs[1].argv = {"/bin/sh", "-c", "\"$0\" sleep 30 & exec \"$0\" out started sleep 30", exe};
  jobs[2] = jobs[1];
  jobs[2].argv = {exe, "out", "quick"};
  DriverRun r = run_driver(ts.shell, path, run.path(), jobs, ar);
  EXPECT_TRUE(r.ended) << r.end.stderr_tail;
  EXPECT_TRUE(r.by_id[1].timed_out) << r.by_id[1].status;
  EXPECT_GE(r.by_id[1].elapsed_ms, 950);
  EXPECT_EQ(r.by_id[1].out, "started\n");
  EXPECT_FALSE(r.by_id[2].timed_out);
  EXPECT_EQ(r.by_id[2].out, "quick\n");
  if (ts.with_setsid) {
    EXPECT_EQ(testing::processes_mentioning_settled({exe}), 0) << "setsid: the command's group goes whole";
  } else {
    // Without setsid(1) the command shares the driver's process group: the watchdog kills
    // the command alone, and the batch's cleanup, which kills the driver's group, the rest.
    EXPECT_LE(testing::processes_mentioning({exe}), 1);
    testing::run_command({"/usr/bin/pkill", "-9", "-f", exe});
  }
  // The driver's children inherit its PATH.
  EXPECT_EQ(testing::settled([&] { return testing::processes_with_environment({"PATH=" + path + '\0'}); }), 0)
      << "the watchdog and its sleep are gone";
}

INSTANTIATE_TEST_SUITE_P(Shells, DriverTest,
                         ::testing::Values(Toolset{"dash", {"/bin/dash"}, false, true},
                                           Toolset{"dash_without_setsid", {"/bin/dash"}, false, false},
                                           Toolset{"bash_posix", {"/bin/bash", "--posix", "--norc"}, false, true},
                                           Toolset{"busybox", {"/usr/bin/busybox", "sh"}, true, true},
                                           Toolset{"busybox_without_setsid", {"/usr/bin/busybox", "sh"}, true, false}),
                         [](const auto& p) { return std::string(p.param.name); });

TEST(BatchScriptTest, AnArchiveThatCannotBeUnpackedIsAStartError) {
  TempDir run;
  TarWriter ar;
  ar.add_hardlink("s1/x", "cas/missing");
  DriverRun r = run_driver({"/bin/sh"}, "/usr/bin:/bin", run.path(), {}, ar);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].kind, BatchEvent::Kind::error);
  EXPECT_TRUE(starts_with(r.events[0].message, "tar: s1/x: Cannot hard link to 'cas/missing'")) << r.events[0].message;
  struct stat st;
  EXPECT_NE(stat((run.path() + "/b1").c_str(), &st), 0);
}

}  // namespace
}  // namespace litbox::emulation
