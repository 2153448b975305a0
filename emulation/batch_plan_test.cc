// Planning a deferred request for the target: which local files go where, how the command
// line and working directory are rewritten, which libraries travel, what the environment is.
#include "emulation/batch_plan.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "emulation/test_util.h"

namespace litbox::emulation {
namespace {

using litbox::testing::TempDir;
using testing::write_file;

class BatchPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mkdir((src / "Output").c_str(), 0755);
    layout.remote_dir = "/run/s7";
    layout.output_dir = src / "Output";
    layout.source_dir = src.path();
  }
  exec::SpawnRequest request(std::vector<std::string> argv, const std::string& cwd = "") {
    exec::SpawnRequest r;
    r.argv = std::move(argv);
    r.cwd = cwd.empty() ? src.path() : cwd;
    return r;
  }
  TempDir src;
  RemoteLayout layout;
  LibraryOptions libs;
};

TEST_F(BatchPlanTest, TheProgramAndTheInputsItsArgumentsNameAreShipped) {
  write_file(src / "Output/t.c.tmp.exe", "exe", 0755);
  write_file(src / "Output/t.c.tmp.in", "in");
  write_file(src / "Inputs.txt", "src");
  auto p = plan_remote_request(request({src / "Output/t.c.tmp.exe", "--in=" + (src / "Output/t.c.tmp.in"),
                                        src / "Inputs.txt", src / "Output/t.c.tmp.not-yet", "plain"}),
                               layout, libs);
  EXPECT_EQ(p.argv, (std::vector<std::string>{"/run/s7/t.c.tmp.exe", "--in=/run/s7/t.c.tmp.in",
                                              "/run/s7/.litbox/src/Inputs.txt", "/run/s7/t.c.tmp.not-yet", "plain"}));
  EXPECT_EQ(p.files, (std::vector<PlannedFile>{{src / "Output/t.c.tmp.exe", "t.c.tmp.exe"},
                                               {src / "Output/t.c.tmp.in", "t.c.tmp.in"},
                                               {src / "Inputs.txt", ".litbox/src/Inputs.txt"}}));
  EXPECT_EQ(p.dirs, (std::vector<std::string>{".litbox", ".litbox/src"}));
  EXPECT_EQ(p.cwd, "/run/s7") << "the test's directory, as with the ssh executor";
  mkdir((src / "Output/t.c.tmp.d").c_str(), 0755);
  p = plan_remote_request(request({"/bin/true"}, src / "Output/t.c.tmp.d"), layout, libs);
  EXPECT_EQ(p.cwd, "/run/s7/t.c.tmp.d") << "cd %t.d && %{exec} ...";
  EXPECT_EQ(p.dirs, (std::vector<std::string>{"t.c.tmp.d"}));
  EXPECT_TRUE(p.library_paths.empty());
}

TEST_F(BatchPlanTest, ProgramsFoundOnPathAreTheTargetsOrShipped) {
  auto sys = request({"sh", "-c", "true"}, "/");
  sys.executable = "/usr/bin/sh";
  auto p = plan_remote_request(sys, layout, libs);
  EXPECT_EQ(p.argv[0], "sh");
  EXPECT_TRUE(p.files.empty());
  EXPECT_EQ(p.cwd, "/run/s7");
  TempDir tools;
  write_file(tools / "mytool", "tool", 0755);
  auto own = request({"mytool", "x"});
  own.executable = tools / "mytool";
  p = plan_remote_request(own, layout, libs);
  EXPECT_EQ(p.argv, (std::vector<std::string>{"/run/s7/.litbox/bin/mytool", "x"}));
  EXPECT_EQ(p.files, (std::vector<PlannedFile>{{tools / "mytool", ".litbox/bin/mytool"}}));
}

TEST_F(BatchPlanTest, DirectoriesAreShippedFileByFile) {
  mkdir((src / "Output/t.c.tmp").c_str(), 0755);
  mkdir((src / "Output/t.c.tmp/sub").c_str(), 0755);
  write_file(src / "Output/t.c.tmp/b", "b");
  write_file(src / "Output/t.c.tmp/sub/a", "a");
  symlink("/etc/passwd", (src / "Output/t.c.tmp/link").c_str());
  auto p = plan_remote_request(request({"/bin/ls", src / "Output/t.c.tmp"}), layout, libs);
  EXPECT_EQ(p.argv, (std::vector<std::string>{"ls", "/run/s7/t.c.tmp"}));
  EXPECT_EQ(p.files, (std::vector<PlannedFile>{{src / "Output/t.c.tmp/b", "t.c.tmp/b"},
                                               {src / "Output/t.c.tmp/sub/a", "t.c.tmp/sub/a"}}));
  EXPECT_EQ(p.dirs, (std::vector<std::string>{"t.c.tmp", "t.c.tmp/sub"}));
}

TEST_F(BatchPlanTest, LibrariesOfTheTestAndOfListedDirectoriesTravelTheSysrootsDoNotByDefault) {
  std::string data = LITBOX_EMULATION_TESTDATA;
  ASSERT_EQ(testing::run_command({"/bin/cp", data + "/greet", src / "Output/t.c.tmp.exe"}), 0);
  ASSERT_EQ(testing::run_command({"/bin/cp", data + "/lib/libgreet.so", src / "Output/libgreet.so"}), 0);
  auto p = plan_remote_request(request({src / "Output/t.c.tmp.exe"}), layout, libs);
  EXPECT_EQ(p.files.back(), (PlannedFile{src / "Output/libgreet.so", "libgreet.so"}));
  EXPECT_EQ(p.library_paths, (std::vector<std::string>{"/run/s7"}));

  unlink((src / "Output/libgreet.so").c_str());
  libs.library_dirs = {data + "/lib"};
  p = plan_remote_request(request({src / "Output/t.c.tmp.exe"}), layout, libs);
  EXPECT_EQ(p.files.back(), (PlannedFile{data + "/lib/libgreet.so", ".litbox/lib/libgreet.so"}));
  EXPECT_EQ(p.library_paths, (std::vector<std::string>{"/run/s7/.litbox/lib"}));

  if (!testing::have_probe("aarch64-dynamic")) GTEST_SKIP() << "aarch64-linux-gnu-gcc was not installed";
  ASSERT_EQ(testing::run_command({"/bin/cp", testing::probe("aarch64-dynamic"), src / "Output/a.exe"}), 0);
  libs = {};
  libs.sysroot = "/usr/aarch64-linux-gnu";
  p = plan_remote_request(request({src / "Output/a.exe"}), layout, libs);
  EXPECT_EQ(p.files.size(), 1u) << "libc.so.6 is the target's own";
  libs.ship_sysroot_libraries = true;
  p = plan_remote_request(request({src / "Output/a.exe"}), layout, libs);
  ASSERT_EQ(p.files.size(), 2u) << "libc, not the loader";
  EXPECT_EQ(p.files[1], (PlannedFile{"/usr/aarch64-linux-gnu/lib/libc.so.6", ".litbox/lib/libc.so.6"}));
}

TEST(BatchEnvironmentTest, ListedVariablesAndLibraryPathsFirst) {
  std::vector<std::string> env = {"FOO=1", "BAR=2", "LD_LIBRARY_PATH=/opt/lib"};
  EXPECT_EQ(remote_environment(env, {"FOO", "MISSING"}, {"/run/s1"}),
            (std::vector<std::pair<std::string, std::string>>{{"FOO", "1"}, {"LD_LIBRARY_PATH", "/run/s1"}}));
  EXPECT_EQ(remote_environment(env, {"LD_LIBRARY_PATH", "BAR"}, {"/run/s1", "/run/s1/lib"}),
            (std::vector<std::pair<std::string, std::string>>{{"LD_LIBRARY_PATH", "/run/s1:/run/s1/lib:/opt/lib"},
                                                              {"BAR", "2"}}));
  EXPECT_TRUE(remote_environment(env, {}, {}).empty());
}

}  // namespace
}  // namespace litbox::emulation
