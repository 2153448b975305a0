// The shell does its own file work (redirections, `<`, globs, program lookup, the cwd and
// execute-bit checks, mkdir, rm, cd, %{readfile}) in the view of the session the test runs
// in, never on the runner's host paths. The session here is a fake whose fs() is a
// RootedFileSystem over a temporary directory R, as a sandbox cell's is over the cell's "/";
// the host side of every check is a canary in another temporary directory.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utility>
#include <boost/asio/post.hpp>
#include <filesystem>

#include "runner/sh/py_path.h"
#include "runner/sh/script_harness_for_tests.h"
#include "runner/sh/test_util.h"
#include "support/sandbox_skip.h"

namespace litbox::runner::sh {
namespace {

namespace fs = std::filesystem;
using testing::read_file;
using testing::ScriptHarness;
using litbox::testing::TempDir;
using testing::write_file;

// Records what it is asked to run and reports exit 0 without running anything: the processes
// would see the host, the point here is what the shell itself resolves in the view.
class ViewSession : public exec::Session {
 public:
  ViewSession(boost::asio::io_context& io, const std::string& root)
      : io_(io), root_fd_(open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)), fs_(root_fd_) {}
  ~ViewSession() override { ::close(root_fd_); }
  void spawn(exec::SpawnRequest req, exec::ExitHandler on_exit) override {
    spawned.push_back(std::move(req));
    boost::asio::post(io_, [on_exit = std::move(on_exit)] { on_exit(exec::ExitStatus{}); });
  }
  void terminate() override {}
  exec::FileSystem& fs() override { return fs_; }

  std::vector<exec::SpawnRequest> spawned;

 private:
  boost::asio::io_context& io_;
  int root_fd_;
  exec::RootedFileSystem fs_;
};

bool openat2_works() {
  int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  exec::RootedFileSystem rooted(root);
  struct stat st;
  bool ok = rooted.stat("/", &st) == 0;
  close(root);
  return ok;
}

class SessionViewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!openat2_works()) LITBOX_SKIP_OR_FAIL("no openat2(RESOLVE_IN_ROOT) on this kernel");
    write_file(host / "canary", "original\n");
    view = std::make_unique<ViewSession>(h.io(), root.path());
    h.opts.session = view.get();
    h.state.cwd = "/";
    h.state.env["PATH"] = "/bin";
  }

  // `host.path()` as seen inside the view: R + host path.
  std::string in_root(const std::string& host_path) const { return root.path() + host_path; }

  TempDir root;  // R, the session's "/"
  TempDir host;  // host files the test must never reach
  ScriptHarness h{"/"};
  std::unique_ptr<ViewSession> view;
};

TEST(SessionViewDefaultTest, LocalSessionsWorkOnTheHost) {
  TempDir dir;
  ScriptHarness h(dir.path());
  EXPECT_EQ(&h.session().fs(), &exec::host_filesystem());
  // Through the host view, a program keeps argv[0] as written, as lit passes it to Popen.
  ScriptResult r = h.run({"ls " + (dir / "missing")});
  EXPECT_NE(r.out.find("\nls: cannot access '" + (dir / "missing") + "'"), std::string::npos) << r.out;
}

TEST_F(SessionViewTest, RedirectionsWriteInsideTheView) {
  std::string name = "/litbox-sh-view-" + std::to_string(getpid()) + ".txt";
  ScriptResult r = h.run({"echo hi > " + name, "echo more >> " + name});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.exception;
  EXPECT_EQ(read_file(root.path() + name), "hi\nmore\n");
  EXPECT_FALSE(fs::exists(name));
}

TEST_F(SessionViewTest, ASymlinkToAHostFileCannotLeaveTheView) {
  std::string canary = host / "canary";
  fs::create_symlink(canary, root / "x");                            // absolute
  fs::create_symlink("../../../../../../../../" + canary, root / "y");  // climbing out
  // The target does not exist in the view: lit's open() fails, the host file is untouched.
  ScriptResult r = h.run({"echo pwned > /x"});
  EXPECT_EQ(r.exception, "FileNotFoundError: [Errno 2] No such file or directory: b'/x'");
  r = h.run({"echo -n > /y"});
  EXPECT_EQ(r.exception, "FileNotFoundError: [Errno 2] No such file or directory: b'/y'");
  r = h.run({"echo pwned > /../../.." + canary});
  EXPECT_NE(r.exception, "");
  EXPECT_EQ(read_file(canary), "original\n");

  // Once the path exists in the view, that is what gets written.
  fs::create_directories(in_root(host.path()));
  r = h.run({"echo pwned > /x", "echo -n again >> /y"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.exception;
  EXPECT_EQ(read_file(in_root(canary)), "pwned\nagain");
  EXPECT_EQ(read_file(canary), "original\n");
}

TEST_F(SessionViewTest, InputsAndReadfileComeFromTheView) {
  std::string secret = host / "canary";
  fs::create_symlink(secret, root / "in");
  ScriptResult r = h.run({"cat < /in"});
  EXPECT_EQ(r.exception, "FileNotFoundError: [Errno 2] No such file or directory: b'/in'");
  r = h.run({"echo %{readfile:/in}"});
  EXPECT_EQ(r.out, "$ \"echo\" \"%{readfile:/in}\"\n# command stderr:\n"
                   "File specified in readfile substitution does not exist: /in\n"
                   "error: command failed with exit status: 127\n");
  write_file(root / "data", "from the view");
  r = h.run({"echo %{readfile:data} > /copy"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.exception;
  EXPECT_EQ(read_file(root / "copy"), "from the view\n");
}

TEST_F(SessionViewTest, ProgramsAndGlobsResolveInTheView) {
  // A program that exists only in the view, and matches only the view has.
  fs::create_directories(root / "bin");
  write_file(root / "bin/view-only-tool", "");
  chmod((root / "bin/view-only-tool").c_str(), 0755);
  fs::create_directories(root / "data");
  write_file(root / "data/b.txt", "");
  write_file(root / "data/a.txt", "");
  ScriptResult r = h.run({"view-only-tool /data/*.txt"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.exception;
  ASSERT_EQ(view->spawned.size(), 1u);
  EXPECT_EQ(view->spawned[0].argv, (std::vector<std::string>{"view-only-tool", "/data/a.txt", "/data/b.txt"}));
  EXPECT_EQ(view->spawned[0].executable, "/bin/view-only-tool");
  EXPECT_EQ(view->spawned[0].cwd, "/");

  // The execute bit is checked on the view's file.
  write_file(root / "bin/not-executable", "");
  chmod((root / "bin/not-executable").c_str(), 0644);
  r = h.run({"not-executable"});
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_NE(r.out.find("Could not create process (/bin/not-executable) due to [Errno 13] Permission denied: "
                       "'/bin/not-executable'"),
            std::string::npos)
      << r.out;

  // Host programs are not found: PATH is searched in the view.
  r = h.run({"sh -c true"});
  EXPECT_NE(r.out.find("'sh': command not found"), std::string::npos) << r.out;

  // The cwd must exist in the view, wherever it exists on the host.
  h.state.cwd = host.path();
  r = h.run({"/bin/view-only-tool"});
  EXPECT_NE(r.out.find("Could not create process (/bin/view-only-tool) due to [Errno 2] No such file or "
                       "directory: '" + host.path() + "'"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(view->spawned.size(), 1u);
}

TEST_F(SessionViewTest, MkdirRmAndCdWorkInTheView) {
  // Through a symlink to a host directory: the directory is made in the view.
  fs::create_symlink(host.path(), root / "m");
  fs::create_directories(in_root(host.path()));
  ScriptResult r = h.run({"mkdir -p /a/b/c m/sub", "mkdir /a/d"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.exception;
  EXPECT_TRUE(fs::is_directory(root / "a/b/c"));
  EXPECT_TRUE(fs::is_directory(root / "a/d"));
  EXPECT_TRUE(fs::is_directory(in_root(host / "sub")));
  EXPECT_FALSE(fs::exists(host / "sub"));

  // rm globs and removes in the view; a tree holding a link to the host is removed, the
  // host directory is not.
  write_file(root / "a/1.txt", "");
  write_file(root / "a/2.txt", "");
  write_file(host / "1.txt", "");
  fs::create_symlink(host.path(), root / "a/b/to-host");
  r = h.run({"rm " + host.path() + "/*.txt /a/*.txt"});
  EXPECT_EQ(r.exit_code, 1);  // no *.txt under the host path in the view: the literal pattern
  EXPECT_FALSE(fs::exists(root / "a/1.txt"));
  EXPECT_FALSE(fs::exists(root / "a/2.txt"));
  EXPECT_TRUE(fs::exists(host / "1.txt"));
  r = h.run({"rm -rf /a"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.exception;
  EXPECT_FALSE(fs::exists(root / "a"));
  EXPECT_TRUE(fs::exists(host / "canary"));
  EXPECT_TRUE(fs::exists(host / "1.txt"));

  // rm -f of a read-only file chmods it in the view.
  write_file(root / "ro", "");
  chmod((root / "ro").c_str(), 0444);
  r = h.run({"rm -f /ro /missing"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.exception;
  EXPECT_FALSE(fs::exists(root / "ro"));

  // cd resolves relative paths with the view's symlinks (an absolute target is the view's).
  fs::create_directories(root / "real/sub");
  fs::create_symlink("/real", root / "lnk");
  r = h.run({"cd lnk/sub", "echo here > f"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.exception;
  EXPECT_EQ(h.state.cwd, "/real/sub");
  EXPECT_EQ(read_file(root / "real/sub/f"), "here\n");
}

TEST_F(SessionViewTest, RealpathUsesTheView) {
  fs::create_directories(root / "b");
  fs::create_directories(root / "d");
  fs::create_symlink("/b", root / "a");
  fs::create_symlink("../d", root / "b/c");
  fs::create_symlink("loop", root / "loop");
  EXPECT_EQ(py_realpath(view->fs(), "/a/c/e"), "/d/e");
  EXPECT_EQ(py_realpath(view->fs(), "/loop/x"), "/loop/x");
}

}  // namespace
}  // namespace litbox::runner::sh

namespace litbox::runner::sh {
namespace {

// A root runner's view checks each operation with the cell user's ids; hold_ids() switches
// once for a series (the PATH search) and puts back the runner's ids and dumpable flag after.
TEST(RootedFileSystemIds, HeldIdsApplyToEveryOperationAndAreRestored) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root: the view's ids must differ from the runner's";
  // uid 0 without CAP_SETUID (root of a user namespace, e.g. a litbox cell) cannot switch ids.
  const int was_dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
  setfsuid(65534);
  const bool switched = static_cast<uid_t>(setfsuid(0)) == 65534u;
  prctl(PR_SET_DUMPABLE, was_dumpable, 0, 0, 0);  // a change of fsuid clears it
  if (!switched) GTEST_SKIP() << "uid 0 without CAP_SETUID (a user namespace's root): cannot switch ids";
  TempDir dir;
  write_file(dir.path() + "/secret", "s");
  ASSERT_EQ(chmod((dir.path() + "/secret").c_str(), 0600), 0);
  ASSERT_EQ(chmod(dir.path().c_str(), 0755), 0);
  int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  exec::RootedFileSystem view(root, exec::FsIds{65534, 65534});
  const int dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
  {
    auto held = view.hold_ids();
    ASSERT_NE(held, nullptr);
    EXPECT_EQ(static_cast<uid_t>(setfsuid(-1)), 65534u);  // switched for the whole hold
    for (int i = 0; i < 3; ++i) EXPECT_EQ(view.open(dir.path() + "/secret", O_RDONLY), -EACCES);
    auto nested = view.hold_ids();
    struct stat st;
    EXPECT_EQ(view.stat(dir.path() + "/secret", &st), 0);
    EXPECT_EQ(static_cast<uid_t>(setfsuid(-1)), 65534u);
  }
  EXPECT_EQ(static_cast<uid_t>(setfsuid(-1)), 0u);
  EXPECT_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), dumpable);
  // Without a hold, each operation still runs with the view's ids.
  EXPECT_EQ(view.open(dir.path() + "/secret", O_RDONLY), -EACCES);
  EXPECT_EQ(static_cast<uid_t>(setfsuid(-1)), 0u);
  close(root);
}

}  // namespace
}  // namespace litbox::runner::sh
