#include "emulation/qemu.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>

#include "emulation/test_util.h"
#include "executor/local_executor.h"
#include "support/sandbox_skip.h"
#include "support/strings.h"

namespace litbox::emulation {
namespace {

using testing::Captured;
using testing::have_probe;
using testing::probe;
using testing::run_captured;
using testing::StdinKind;
using litbox::testing::TempDir;
using testing::write_file;

void fake_tool(const std::string& path) { write_file(path, "#!/bin/sh\nexit 0\n", 0755); }

TEST(FindQemu, SearchesPathForPlainThenStatic) {
  TempDir a, b;
  fake_tool(a / "qemu-aarch64-static");
  fake_tool(b / "qemu-aarch64");
  fake_tool(b / "qemu-riscv64");
  fake_tool(b / "qemu-riscv64-static");
  write_file(a / "qemu-s390x", "not executable", 0644);
  std::string path = ":" + a.path() + ":" + b.path();
  EXPECT_EQ(find_qemu(Arch::aarch64, path), a / "qemu-aarch64-static");  // first directory wins
  EXPECT_EQ(find_qemu(Arch::riscv64, path), b / "qemu-riscv64");         // plain beats -static
  EXPECT_EQ(find_qemu(Arch::s390x, path), std::nullopt);
  EXPECT_EQ(find_qemu(Arch::aarch64, ""), std::nullopt);
  EXPECT_EQ(find_qemu(Arch::unknown, path), std::nullopt);
}

TEST(BinfmtRule, MatchesQemusTable) {
  // The magic and mask strings of qemu's scripts/qemu-binfmt-conf.sh for these arches.
  EXPECT_EQ(binfmt_rule(Arch::aarch64, "/usr/bin/qemu-aarch64"),
            R"(:qemu-aarch64:M::\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00)"
            R"(:\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff)"
            R"(:/usr/bin/qemu-aarch64:PF)");
  EXPECT_EQ(binfmt_rule(Arch::riscv64, "/q/qemu-riscv64-static", {.preserve_argv0 = false}),
            R"(:qemu-riscv64:M::\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xf3\x00)"
            R"(:\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff)"
            R"(:/q/qemu-riscv64-static:F)");
  EXPECT_EQ(binfmt_rule(Arch::ppc64le, "/q"),
            R"(:qemu-ppc64le:M::\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x15\x00)"
            R"(:\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\x00:/q:PF)");
  EXPECT_EQ(binfmt_rule(Arch::s390x, "/q"),
            R"(:qemu-s390x:M::\x7fELF\x02\x02\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x16)"
            R"(:\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff:/q:PF)");
  EXPECT_EQ(binfmt_rule(Arch::i386, "/q"),
            R"(:qemu-i386:M::\x7fELF\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x03\x00)"
            R"(:\xff\xff\xff\xff\xff\xfe\xfe\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff:/q:PF)");
  EXPECT_EQ(binfmt_rule(Arch::m68k, "/q"),
            R"(:qemu-m68k:M::\x7fELF\x01\x02\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x04)"
            R"(:\xff\xff\xff\xff\xff\xff\xfe\x00\xff\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff:/q:PF)");
  EXPECT_EQ(binfmt_rule(Arch::arm, "/q"),
            R"(:qemu-arm:M::\x7fELF\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x28\x00)"
            R"(:\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff:/q:PF)");
  EXPECT_EQ(binfmt_rule(Arch::unknown, "/q"), "");
}

TEST(BinfmtRules, SkipTheHostAndArchesWithoutEmulator) {
  TempDir bin;
  for (const char* n : {"qemu-aarch64", "qemu-x86_64", "qemu-i386", "qemu-riscv64-static"}) fake_tool(bin / n);
  auto rules = binfmt_rules(Arch::x86_64, bin.path(), {.preserve_argv0 = false});
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_TRUE(starts_with(rules[0], ":qemu-aarch64:M::"));
  EXPECT_TRUE(ends_with(rules[0], ":" + (bin / "qemu-aarch64") + ":F"));
  EXPECT_TRUE(starts_with(rules[1], ":qemu-riscv64:M::"));
  EXPECT_TRUE(ends_with(rules[1], ":" + (bin / "qemu-riscv64-static") + ":F"));
  // On an aarch64 host, x86_64 and i386 are the foreign ones.
  auto on_arm = binfmt_rules(Arch::aarch64, bin.path());
  ASSERT_EQ(on_arm.size(), 3u);
  EXPECT_TRUE(starts_with(on_arm[0], ":qemu-x86_64:"));
  EXPECT_TRUE(starts_with(on_arm[1], ":qemu-i386:"));
  EXPECT_TRUE(starts_with(on_arm[2], ":qemu-riscv64:"));
}

TEST(RunnableArchFeatures, HostPlusEmulated) {
  TempDir bin;
  fake_tool(bin / "qemu-aarch64");
  fake_tool(bin / "qemu-ppc64le-static");
  EXPECT_EQ(runnable_arch_features(Arch::x86_64, bin.path()),
            (std::vector<std::string>{"can-run=aarch64", "can-run=i386", "can-run=ppc64le", "can-run=x86_64"}));
  EXPECT_EQ(runnable_arch_features(Arch::riscv64, ""), (std::vector<std::string>{"can-run=riscv64"}));
}

TEST(PlanQemuSpawn, RewritesForeignBinariesOnly) {
  if (!have_probe("aarch64-static")) GTEST_SKIP() << "aarch64-linux-gnu-gcc was not installed";
  TempDir bin, root;
  fake_tool(bin / "qemu-aarch64");
  QemuOptions opts;
  opts.path = bin.path();
  opts.sysroot = root.path();
  opts.extra_args = {"-cpu", "max"};
  opts.host = Arch::x86_64;
  exec::SpawnRequest req;
  req.argv = {probe("aarch64-static"), "arch"};
  req.env = {"A=1", "QEMU_LD_PREFIX=/old"};
  auto p = plan_qemu_spawn(req, opts);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->argv, (std::vector<std::string>{bin / "qemu-aarch64", "-L", root.path(), "-cpu", "max",
                                               probe("aarch64-static"), "arch"}));
  EXPECT_EQ(p->env, (std::vector<std::string>{"A=1", "QEMU_LD_PREFIX=" + root.path()}));

  // Native binaries, scripts and missing files are untouched.
  for (std::string prog : {probe("native"), std::string("/nonexistent"), bin / "qemu-aarch64"}) {
    req.argv = {prog};
    auto same = plan_qemu_spawn(req, opts);
    ASSERT_TRUE(same.ok());
    EXPECT_EQ(same->argv, req.argv);
    EXPECT_EQ(same->env, req.env);
  }
  // When the host is aarch64, the aarch64 binary is native.
  opts.host = Arch::aarch64;
  req.argv = {probe("aarch64-static")};
  EXPECT_EQ(plan_qemu_spawn(req, opts)->argv, req.argv);
}

TEST(PlanQemuSpawn, LooksBehindLaunchersLikeNot) {
  if (!have_probe("aarch64-static")) GTEST_SKIP() << "aarch64-linux-gnu-gcc was not installed";
  TempDir bin;
  fake_tool(bin / "qemu-aarch64");
  QemuOptions opts;
  opts.path = bin.path();
  opts.sysroot = bin.path();
  opts.host = Arch::x86_64;
  exec::SpawnRequest req;
  req.argv = {"/usr/bin/not", "--crash", "/x/not", probe("aarch64-static"), "abort"};
  // "/x/not" is a launcher too (by file name): not --crash not <foreign program>.
  auto p = plan_qemu_spawn(req, opts);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->argv, (std::vector<std::string>{"/usr/bin/not", "--crash", "/x/not", bin / "qemu-aarch64", "-L",
                                               bin.path(), probe("aarch64-static"), "abort"}));
  // A bare name is the launcher's to look up; a native program is left alone.
  for (std::vector<std::string> argv :
       {std::vector<std::string>{"/usr/bin/not", "a.out"}, std::vector<std::string>{"/usr/bin/not", probe("native")},
        std::vector<std::string>{"/usr/bin/not", "--crash"}}) {
    req.argv = argv;
    EXPECT_EQ(plan_qemu_spawn(req, opts)->argv, argv);
  }
  opts.launchers.clear();
  req.argv = {"/usr/bin/not", probe("aarch64-static")};
  EXPECT_EQ(plan_qemu_spawn(req, opts)->argv, req.argv);
}

class QemuExecutorTest : public ::testing::Test {
 protected:
  std::unique_ptr<exec::Executor> qemu(QemuOptions opts = {}) {
    auto ex = make_qemu_executor(io, std::make_unique<exec::LocalExecutor>(io), std::move(opts));
    EXPECT_TRUE(ex.ok());
    return std::move(*ex);
  }
  Captured run(exec::Executor& ex, std::vector<std::string> argv, StdinKind kind = StdinKind::none,
               const std::string& in = "") {
    auto session = ex.open(exec::SessionSpec{});
    EXPECT_TRUE(session.ok());
    exec::SpawnRequest req;
    req.argv = std::move(argv);
    req.env = testing::test_env();
    req.cwd = "/";
    Captured c = run_captured(io, **session, req, kind, in);
    EXPECT_TRUE(c.finished);
    (*session)->close();
    return c;
  }
  void SetUp() override {
    if (!have_probe("aarch64-static") || !find_qemu(Arch::aarch64, getenv("PATH")))
      GTEST_SKIP() << "needs aarch64-linux-gnu-gcc at build time and qemu-aarch64 on PATH";
  }
  boost::asio::io_context io;
};

TEST_F(QemuExecutorTest, StaticAarch64RunsWithItsArgv0) {
  auto ex = qemu();
  Captured c = run(*ex, {probe("aarch64-static"), "arch", "args"});
  EXPECT_EQ(c.status.code, 0) << c.err;
  EXPECT_EQ(c.out, "aarch64\nargv[0]=" + probe("aarch64-static") + "\nargv[1]=arch\nargv[2]=args\n");
}

TEST_F(QemuExecutorTest, DynamicAarch64WithSysroot) {
  QemuOptions opts;
  opts.sysroot = "/usr/aarch64-linux-gnu";
  auto ex = qemu(opts);
  Captured c = run(*ex, {probe("aarch64-dynamic"), "arch", "env", "QEMU_LD_PREFIX"});
  EXPECT_EQ(c.status.code, 0) << c.err;
  EXPECT_EQ(c.out, "aarch64\n/usr/aarch64-linux-gnu\n");
}

TEST_F(QemuExecutorTest, DynamicAarch64WithDefaultSysroot) {
  if (default_sysroot(Arch::aarch64).empty()) GTEST_SKIP() << "no /usr/aarch64-linux-gnu";
  auto ex = qemu();
  Captured c = run(*ex, {probe("aarch64-dynamic"), "arch"});
  EXPECT_EQ(c.status.code, 0) << c.err;
  EXPECT_EQ(c.out, "aarch64\n");
}

TEST_F(QemuExecutorTest, Riscv64) {
  if (!have_probe("riscv64-static") || !find_qemu(Arch::riscv64, getenv("PATH")))
    GTEST_SKIP() << "needs riscv64-linux-gnu-gcc and qemu-riscv64";
  auto ex = qemu();
  Captured c = run(*ex, {probe("riscv64-static"), "arch", "exit", "5"});
  EXPECT_EQ(c.status.code, 5) << c.err;
  EXPECT_EQ(c.out, "riscv64\n");
}

TEST_F(QemuExecutorTest, StdioAndExitCode) {
  auto ex = qemu();
  Captured c = run(*ex, {probe("aarch64-static"), "cat", "err", "to stderr", "exit", "42"}, StdinKind::pipe,
                   "line one\nline two\n");
  EXPECT_EQ(c.status.code, 42);
  EXPECT_EQ(c.status.signal, 0);
  EXPECT_EQ(c.out, "line one\nline two\n");
  EXPECT_EQ(c.err, "to stderr\n");
}

TEST_F(QemuExecutorTest, CrashesAreSignals) {
  auto ex = qemu();
  Captured segv = run(*ex, {probe("aarch64-static"), "out", "before", "segv"});
  EXPECT_EQ(segv.status.signal, SIGSEGV) << segv.err;
  EXPECT_EQ(segv.out, "before\n");
  Captured abrt = run(*ex, {probe("aarch64-static"), "abort"});
  EXPECT_EQ(abrt.status.signal, SIGABRT) << abrt.err;
  EXPECT_EQ(abrt.status.lit_code(), -SIGABRT);
}

TEST_F(QemuExecutorTest, NotCrashRunsTheEmulatedProgram) {
  const std::string not_tool = "/usr/lib/llvm-15/bin/not";
  if (access(not_tool.c_str(), X_OK) != 0) GTEST_SKIP() << "no LLVM not";
  auto ex = qemu();
  Captured crash = run(*ex, {not_tool, "--crash", probe("aarch64-static"), "abort"});
  EXPECT_EQ(crash.status.code, 0) << crash.err;
  Captured fails = run(*ex, {not_tool, probe("aarch64-static"), "exit", "1"});
  EXPECT_EQ(fails.status.code, 0) << fails.err;
  Captured passes = run(*ex, {not_tool, probe("aarch64-static"), "arch"});
  EXPECT_EQ(passes.status.code, 1);
  EXPECT_EQ(passes.out, "aarch64\n");
}

TEST_F(QemuExecutorTest, MissingEmulatorIsAClearError) {
  TempDir empty;
  QemuOptions opts;
  opts.path = empty.path();
  auto ex = qemu(opts);
  Captured c = run(*ex, {probe("aarch64-static"), "arch"});
  EXPECT_EQ(c.status.code, 127);
  EXPECT_EQ(c.status.error, "no emulator for aarch64 binary '" + probe("aarch64-static") +
                                "': install qemu-user (qemu-aarch64 not found on PATH)");
  EXPECT_EQ(c.out, "");
}

TEST_F(QemuExecutorTest, NativeAndScriptsReachTheInnerExecutorUnchanged) {
  TempDir d;
  write_file(d / "script.sh", "#!/bin/sh\necho hi\n", 0755);
  testing::FakeExecutor* fake;
  auto inner = std::make_unique<testing::FakeExecutor>(io);
  fake = inner.get();
  auto ex = make_qemu_executor(io, std::move(inner), {});
  ASSERT_TRUE(ex.ok());
  auto session = (*ex)->open({});
  ASSERT_TRUE(session.ok());
  for (std::string prog : {probe("native"), d / "script.sh", probe("aarch64-static")}) {
    exec::SpawnRequest req;
    req.argv = {prog, "x"};
    (*session)->spawn(req, [](exec::ExitStatus) {});
  }
  io.run();
  ASSERT_EQ(fake->requests.size(), 3u);
  EXPECT_EQ(fake->requests[0].argv, (std::vector<std::string>{probe("native"), "x"}));
  EXPECT_EQ(fake->requests[1].argv, (std::vector<std::string>{d / "script.sh", "x"}));
  EXPECT_TRUE(starts_with(fake->requests[2].argv[0], "/") && ends_with(fake->requests[2].argv[0], "qemu-aarch64"));
}

// Through a sandbox the decorator must see files as the test does (e.g. the cell's /tmp), and
// the shell must keep working on the cell's filesystem, not the host's.
TEST_F(QemuExecutorTest, SniffsThroughTheInnerSessionsFilesystem) {
  TempDir root;
  mkdir((root / "bin").c_str(), 0755);
  ASSERT_EQ(testing::run_command({"/bin/cp", probe("aarch64-static"), root / "bin/only-in-the-cell"}), 0);
  int root_fd = ::open(root.path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(root_fd, 0);
  auto inner = std::make_unique<testing::FakeExecutor>(io, root_fd);
  auto* fake = inner.get();
  auto ex = make_qemu_executor(io, std::move(inner), {});
  ASSERT_TRUE(ex.ok());
  auto session = (*ex)->open({});
  ASSERT_TRUE(session.ok());
  struct stat st;
  EXPECT_EQ((*session)->fs().stat("/bin/only-in-the-cell", &st), 0);
  exec::SpawnRequest req;
  req.argv = {"/bin/only-in-the-cell"};
  (*session)->spawn(req, [](exec::ExitStatus) {});
  io.run();
  ASSERT_EQ(fake->requests.size(), 1u);
  EXPECT_TRUE(ends_with(fake->requests[0].argv[0], "qemu-aarch64"));
  EXPECT_EQ(fake->requests[0].argv.back(), "/bin/only-in-the-cell");
  close(root_fd);
}

TEST_F(QemuExecutorTest, BadSysrootIsRejected) {
  QemuOptions opts;
  opts.sysroot = "/nonexistent/sysroot";
  auto ex = make_qemu_executor(io, std::make_unique<exec::LocalExecutor>(io), opts);
  EXPECT_EQ(ex.error().message, "qemu sysroot '/nonexistent/sysroot' is not a directory");
}

// The decorator only sees argv[0]: a foreign binary started by a native shell is not
// emulated unless binfmt_misc knows it (the sandbox's route).
TEST_F(QemuExecutorTest, IndirectExecutionNeedsBinfmt) {
  if (access("/proc/sys/fs/binfmt_misc/qemu-aarch64", F_OK) == 0)
    GTEST_SKIP() << "the host has a binfmt_misc entry for aarch64";
  auto ex = qemu();
  Captured c = run(*ex, {"/bin/sh", "-c", probe("aarch64-static") + " arch"});
  EXPECT_NE(c.status.code, 0);
  EXPECT_NE(c.out, "aarch64\n");
}

// The binfmt route itself: in a user namespace with its own binfmt_misc (Linux >= 6.7), the
// rules binfmt_rules() produces make foreign binaries run from any process.
TEST_F(QemuExecutorTest, BinfmtRulesWorkInAPrivateBinfmtMisc) {
  if (access("/usr/bin/unshare", X_OK) != 0) GTEST_SKIP() << "no unshare(1)";
  auto rules = binfmt_rules(host_arch(), getenv("PATH"));
  ASSERT_FALSE(rules.empty());
  std::string script = "mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc || exit 77\n";
  for (const auto& r : rules) script += "printf '%s' '" + r + "' > /proc/sys/fs/binfmt_misc/register || exit 1\n";
  script += "sh -c '" + probe("aarch64-static") + " arch'\n";
  script += "QEMU_LD_PREFIX=/usr/aarch64-linux-gnu sh -c '" + probe("aarch64-dynamic") + " arch'\n";
  if (have_probe("riscv64-static")) script += "sh -c '" + probe("riscv64-static") + " arch'\n";
  std::string out;
  int rc = testing::run_command(
      {"/usr/bin/unshare", "-U", "-m", "-r", "-p", "-f", "--mount-proc", "/bin/sh", "-c", script}, &out);
  if (rc == 77 || (rc != 0 && out.find("unshare failed") != std::string::npos))
    LITBOX_SKIP_OR_FAIL("no private binfmt_misc here (kernel < 6.7 or no user namespaces): " << out);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_EQ(out, have_probe("riscv64-static") ? "aarch64\naarch64\nriscv64\n" : "aarch64\naarch64\n");
}

}  // namespace
}  // namespace litbox::emulation
