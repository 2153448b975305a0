// run_script() on real processes: what lit 15 cannot show (post-15 builtins, sessions,
// timeouts) and the contracts of ScriptResult.
#include "runner/sh/interpreter.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <boost/asio/steady_timer.hpp>
#include <filesystem>

#include "runner/sh/script_harness_for_tests.h"
#include "runner/sh/test_util.h"

namespace litbox::runner::sh {
namespace {

using testing::ScriptHarness;
using litbox::testing::TempDir;

// Wraps a real session, records what it was asked to run, and can force failures.
class RecordingSession : public exec::Session {
 public:
  explicit RecordingSession(exec::Session& real) : real_(real) {}
  void spawn(exec::SpawnRequest req, exec::ExitHandler on_exit) override {
    spawned.push_back(req.argv);
    envs.push_back(req.env);
    if (!fail_with.empty()) {
      exec::ExitStatus s;
      s.code = 127;
      s.error = fail_with;
      s.setup_failure = setup_failure;
      on_exit(s);
      return;
    }
    real_.spawn(std::move(req), std::move(on_exit));
  }
  void terminate() override { real_.terminate(); }
  std::map<std::string, std::string> environment_overrides() const override { return overrides; }

  std::vector<std::vector<std::string>> spawned;
  std::vector<std::vector<std::string>> envs;
  std::string fail_with;
  bool setup_failure = false;
  std::map<std::string, std::string> overrides;

 private:
  exec::Session& real_;
};

std::string line(int n, const std::string& cmd) { return ": 'RUN: at line " + std::to_string(n) + "';   " + cmd; }

TEST(InterpreterTest, PipefailTakesTheLastFailure) {
  TempDir dir;
  ScriptHarness h(dir.path());
  EXPECT_EQ(h.run({"sh -c 'exit 3' | sh -c 'exit 4' | true"}).exit_code, 4);
  h.opts.pipefail = false;
  EXPECT_EQ(h.run({"sh -c 'exit 3' | sh -c 'exit 4' | true"}).exit_code, 0);
  EXPECT_EQ(h.run({"true | sh -c 'exit 5'"}).exit_code, 5);
}

TEST(InterpreterTest, EveryLineIsParsedBeforeAnythingRuns) {
  TempDir dir;
  ScriptHarness h(dir.path());
  ScriptResult r = h.run({line(1, "echo ran > marker"), line(2, "echo 'oops")});
  EXPECT_TRUE(r.parse_error);
  EXPECT_EQ(r.out, "shell parser error on: \": 'RUN: at line 2';   echo 'oops\"");
  EXPECT_FALSE(std::filesystem::exists(dir / "marker"));
}

TEST(InterpreterTest, StatePersistsAcrossScripts) {
  TempDir dir;
  std::filesystem::create_directories(dir / "sub");
  ScriptHarness h(dir.path());
  h.run({"cd sub", "export GREETING=hi", "pushd .."});
  EXPECT_EQ(h.state.cwd, dir.path());
  EXPECT_EQ(h.state.dir_stack, std::vector<std::string>{dir / "sub"});
  ScriptResult r = h.run({"popd", "sh -c 'echo $GREETING; pwd'"});
  EXPECT_EQ(r.out, "$ \"popd\"\n$ \"sh\" \"-c\" \"echo $GREETING; pwd\"\n# command output:\nhi\n" + (dir / "sub") + "\n\n");
}

TEST(InterpreterTest, ReadfileIsExpandedWhenTheCommandRuns) {
  TempDir dir;
  std::filesystem::create_directories(dir / "sub");
  ScriptHarness h(dir.path());
  ScriptResult r = h.run({"printf hello > sub/f", "cd sub", "echo %{readfile:f} %{readfile:" + (dir / "sub/f") + "}-x",
                          "env V=%{readfile:f} sh -c 'echo $V'"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("$ \"echo\" \"%{readfile:f}\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("# command output:\nhello hello-x\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("$ \"env\" \"V=%{readfile:f}\" \"sh\" \"-c\" \"echo $V\"\n# command output:\nhello\n"),
            std::string::npos)
      << r.out;
}

TEST(InterpreterTest, ReadfileOfAMissingFileFailsTheCommand) {
  TempDir dir;
  ScriptHarness h(dir.path());
  ScriptResult r = h.run({"echo %{readfile:nope}"});
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_EQ(r.out, "$ \"echo\" \"%{readfile:nope}\"\n# command stderr:\nFile specified in readfile substitution does not exist: " +
                       (dir / "nope") + "\nerror: command failed with exit status: 127\n");
}

TEST(InterpreterTest, UmaskAppliesToLaterProcesses) {
  TempDir dir;
  ScriptHarness h(dir.path());
  ScriptResult r = h.run({"umask 027", "sh -c umask"});
  EXPECT_EQ(r.out, "$ \"umask\" \"027\"\n$ \"sh\" \"-c\" \"umask\"\n# command output:\n0027\n\n");
  EXPECT_EQ(h.state.umask, 027);
}

TEST(InterpreterTest, UmaskErrors) {
  TempDir dir;
  ScriptHarness h(dir.path());
  EXPECT_NE(h.run({"umask 9"}).out.find("# command stderr:\nError: 'umask': invalid literal for int() with base 8: '9'\n"),
            std::string::npos);
  EXPECT_NE(h.run({"umask"}).out.find("'umask' supports only one argument"), std::string::npos);
  EXPECT_NE(h.run({"umask 022 | cat"}).out.find("Unsupported: 'umask' cannot be part of a pipeline"), std::string::npos);
  EXPECT_NE(h.run({"env A=1 umask 022"}).out.find("Error: 'env' cannot call 'umask'"), std::string::npos);
}

TEST(InterpreterTest, UlimitAppliesToLaterProcesses) {
  TempDir dir;
  ScriptHarness h(dir.path());
  ScriptResult r = h.run({"ulimit -n 50", "ulimit -s 4096", "sh -c 'ulimit -n; ulimit -s'", "ulimit -v unlimited"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("# command output:\n50\n4096\n"), std::string::npos) << r.out;
  EXPECT_EQ(h.state.limits.open_files, 50u);
  EXPECT_EQ(h.state.limits.stack, 4096u * 1024);
  EXPECT_EQ(h.state.limits.address_space, static_cast<uint64_t>(RLIM_INFINITY));
}

TEST(InterpreterTest, UlimitErrors) {
  TempDir dir;
  ScriptHarness h(dir.path());
  EXPECT_NE(h.run({"ulimit -n"}).out.find("# command stderr:\n'ulimit' requires two arguments\n"), std::string::npos);
  EXPECT_NE(h.run({"ulimit -x 1"}).out.find("'ulimit' does not support option: -x"), std::string::npos);
  EXPECT_NE(h.run({"ulimit -n abc"}).out.find("Error: 'ulimit': invalid literal for int() with base 10: 'abc'"),
            std::string::npos);
}

TEST(InterpreterTest, LitboxExecRunsOnTheTargetSession) {
  TempDir dir;
  ScriptHarness h(dir.path());
  RecordingSession target(h.session());
  h.opts.target_session = &target;
  ScriptResult r = h.run({"litbox-exec sh -c 'echo remote'", "not litbox-exec false", "true"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  ASSERT_EQ(target.spawned.size(), 2u);
  EXPECT_EQ(target.spawned[0][1], "-c");
  EXPECT_NE(target.spawned[1][0].find("false"), std::string::npos);
  // The log shows the words as written.
  EXPECT_NE(r.out.find("$ \"litbox-exec\" \"sh\" \"-c\" \"echo remote\"\n# command output:\nremote\n"), std::string::npos);
}

TEST(InterpreterTest, OutOfProcessBuiltinsRunAsTheLitboxBinary) {
  TempDir dir;
  ScriptHarness h(dir.path());
  RecordingSession rec(h.session());
  h.opts.session = &rec;
  testing::write_file(dir / "f", "x\n");
  ScriptResult r = h.run({"cat f | diff f -"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  ASSERT_EQ(rec.spawned.size(), 2u);
  EXPECT_EQ(rec.spawned[0], (std::vector<std::string>{LITBOX_SH_BUILTIN_EXE, "--litbox-builtin", "cat", "f"}));
  EXPECT_EQ(rec.spawned[1], (std::vector<std::string>{LITBOX_SH_BUILTIN_EXE, "--litbox-builtin", "diff", "f", "-"}));
}

// A process that could not be started: the executor's errno (ExitStatus::exec_errno), shown as
// lit's OSError, not parsed back out of a message.
TEST(InterpreterTest, ExecFailureIsLitsOsErrorFromTheExecutorsErrno) {
  TempDir dir;
  ScriptHarness h(dir.path());
  testing::write_file(dir / "bad.bin", "\x01\x02 not a program");
  chmod((dir / "bad.bin").c_str(), 0755);
  ScriptResult r = h.run({"./bad.bin"});
  EXPECT_EQ(r.exit_code, 127);
  const std::string path = dir / "./bad.bin";  // as lit joins cwd and the word
  EXPECT_NE(r.out.find("Could not create process (" + path + ") due to [Errno 8] Exec format error: '" + path + "'"),
            std::string::npos)
      << r.out;
}

// output_limit keeps the first bytes of each command's stdout and stderr (last command or
// not) and notes how many more there were; a file a failed command wrote shows its head.
TEST(InterpreterTest, OutputBeyondTheLimitIsCountedNotKept) {
  TempDir dir;
  ScriptHarness h(dir.path());
  h.opts.output_limit = 10;
  ScriptResult r = h.run({"sh -c 'printf 0123456789abcdef; printf ABCDEFGHIJKL >&2' | sh -c 'cat; printf xyz >&2'"});
  EXPECT_NE(r.out.find("# command stderr:\nABCDEFGHIJ\nnote: 2 more bytes of this output were not kept (output_limit)\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("# command output:\n0123456789\nnote: 6 more bytes of this output were not kept (output_limit)\n"
                       "# command stderr:\nxyz\n"),
            std::string::npos)
      << r.out;
  r = h.run({"sh -c 'head -c 20000 /dev/zero | tr \"\\\\0\" a; exit 1' > out.txt"});
  EXPECT_NE(r.out.find("# redirected output from 'out.txt':\n" + std::string(1024, 'a') + "\n...\nnote: data was truncated\n"),
            std::string::npos)
      << r.out;
  h.opts.output_limit = 0;  // as lit: everything
  r = h.run({"sh -c 'head -c 3000000 /dev/zero | tr \"\\\\0\" b'"});
  EXPECT_NE(r.out.find(std::string(3000000, 'b')), std::string::npos);
  EXPECT_EQ(r.out.find("not kept"), std::string::npos);
}

// A session's variables are where the test starts (test_environment puts them there); the
// test's own `env` and `export` change them as they would under lit (a compiler test writing
// its crash reproducer under `env TMPDIR=%t`).
TEST(InterpreterTest, TheTestsEnvAndExportWinOverTheSessionsVariables) {
  TempDir dir;
  ScriptHarness h(dir.path());
  RecordingSession rec(h.session());
  rec.overrides = {{"TMPDIR", "/forced"}, {"HOME", "/cell-home"}};
  h.opts.session = &rec;
  ScriptResult r = h.run({"env TMPDIR=/mine sh -c 'echo $TMPDIR'", "export HOME=/elsewhere", "sh -c 'echo $HOME'"});
  EXPECT_NE(r.out.find("# command output:\n/mine\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("# command output:\n/elsewhere\n"), std::string::npos) << r.out;
}

TEST(InterpreterTest, SetupFailureMakesTheTestUnresolved) {
  TempDir dir;
  ScriptHarness h(dir.path());
  RecordingSession rec(h.session());
  rec.fail_with = "sandbox: mount /proc: Operation not permitted";
  rec.setup_failure = true;
  h.opts.session = &rec;
  ScriptResult r = h.run({"true", "true"});
  EXPECT_EQ(r.setup_error, "sandbox: mount /proc: Operation not permitted");
  EXPECT_EQ(rec.spawned.size(), 1u);
}

TEST(InterpreterTest, ProcessThatNeverRanIsAnInternalShellError) {
  TempDir dir;
  ScriptHarness h(dir.path());
  RecordingSession rec(h.session());
  rec.fail_with = "qemu-aarch64 not found";
  h.opts.session = &rec;
  ScriptResult r = h.run({"true"});
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_EQ(r.out, "$ \"true\"\n# command stderr:\nCould not create process (/usr/bin/true) due to qemu-aarch64 not found\n"
                   "error: command failed with exit status: 127\n");
}

TEST(InterpreterTest, SigintInterruptsLikeKeyboardInterrupt) {
  TempDir dir;
  ScriptHarness h(dir.path());
  ScriptResult r = h.run({"sh -c 'kill -INT $$'", "echo never"});
  EXPECT_TRUE(r.interrupted);
  EXPECT_EQ(r.exit_code, -2);
  EXPECT_EQ(r.out.find("never"), std::string::npos);
}

TEST(InterpreterTest, TimeoutStopsTheScriptAsLitDoes) {
  TempDir dir;
  ScriptHarness h(dir.path());
  bool fired = false;
  h.opts.timed_out = &fired;
  h.opts.timeout_active = true;
  // The caller's job, simulated: on timeout, set the flag and kill the session's processes.
  boost::asio::steady_timer timer(h.io(), std::chrono::milliseconds(200));
  timer.async_wait([&](const boost::system::error_code&) {
    fired = true;
    h.session().terminate();
  });
  ScriptResult r = h.run({line(1, "echo hi"), line(2, "sleep 60 | true"), line(3, "echo never")});
  EXPECT_EQ(r.exit_code, -9);
  EXPECT_EQ(r.out,
            "$ \":\" \"RUN: at line 1\"\nnote: command had no output on stdout or stderr\n"
            "$ \"echo\" \"hi\"\n# command output:\nhi\n\n"
            "$ \":\" \"RUN: at line 2\"\nnote: command had no output on stdout or stderr\n"
            "$ \"sleep\" \"60\"\nnote: command had no output on stdout or stderr\n"
            "error: command failed with exit status: -9\nerror: command reached timeout: True\n"
            "$ \"true\"\nnote: command had no output on stdout or stderr\nerror: command reached timeout: True\n");
}

TEST(InterpreterTest, NothingStartsOnceTheTimeoutFired) {
  TempDir dir;
  ScriptHarness h(dir.path());
  bool fired = true;
  h.opts.timed_out = &fired;
  ScriptResult r = h.run({"echo x > marker ; true"});
  EXPECT_TRUE(r.exit_code_none);
  EXPECT_EQ(r.out, "");
  EXPECT_FALSE(std::filesystem::exists(dir / "marker"));
}

TEST(InterpreterTest, NonLastStderrGoesToATemporaryFile) {
  TempDir dir;
  ScriptHarness h(dir.path());
  // Far more than a pipe holds: with a pipe nobody reads, the writer would block forever.
  ScriptResult r = h.run({"sh -c 'head -c 300000 /dev/zero >&2; echo done' | cat -v"});
  EXPECT_EQ(r.exit_code, 0);
  // lit 15's cat ignores stdin, so "done" stays in the pipe: lit reads it back as the output
  // of the first command.
  EXPECT_EQ(r.out, "$ \"sh\" \"-c\" \"head -c 300000 /dev/zero >&2; echo done\"\n# command output:\ndone\n\n"
                   "# command stderr:\n" +
                       std::string(300000, '\0') + "\n$ \"cat\" \"-v\"\n");
}

TEST(InterpreterTest, FirstCommandReadsAnEmptyPipe) {
  TempDir dir;
  ScriptHarness h(dir.path());
  ScriptResult r = h.run({"sh -c 'test -p /dev/stdin && wc -c'"});
  EXPECT_EQ(r.out, "$ \"sh\" \"-c\" \"test -p /dev/stdin && wc -c\"\n# command output:\n0\n\n");
}

size_t open_fds() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

TEST(InterpreterTest, NoDescriptorOutlivesItsScript) {
  TempDir dir;
  ScriptHarness h(dir.path());
  h.run({"true"});  // let the io_context open what it keeps (its reactor)
  size_t before = open_fds();
  for (int i = 0; i < 20; ++i) {
    // Each script stops at its first error, so one line each.
    for (const char* l : {"echo a > f 2>&1 | sh -c 'echo e >&2' | cat f | diff f - | not sh -c 'cat; exit 1' < f",
                          "sh -c 'exit 1' > g 2> h", "true < nope", "cd x y", "true | nonexistent_cmd_xyz"})
      h.run({l});
  }
  EXPECT_EQ(open_fds(), before);
}

}  // namespace
}  // namespace litbox::runner::sh
