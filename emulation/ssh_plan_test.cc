#include "emulation/ssh_plan.h"

#include <filesystem>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "emulation/marker_splitter.h"
#include "emulation/tar.h"
#include "emulation/test_util.h"

namespace litbox::emulation {
namespace {

using testing::read_file;
using litbox::testing::TempDir;
using testing::write_file;

TEST(ShellQuote, BareWhenSafeQuotedOtherwise) {
  EXPECT_EQ(shell_quote("/usr/bin/a.out"), "/usr/bin/a.out");
  EXPECT_EQ(shell_quote("--x=1,2:3@4%5+"), "--x=1,2:3@4%5+");
  EXPECT_EQ(shell_quote(""), "''");
  EXPECT_EQ(shell_quote("a b"), "'a b'");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_quote("$HOME"), "'$HOME'");
  EXPECT_EQ(shell_quote("a\nb"), "'a\nb'");
}

class MapCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mkdir((d / "out").c_str(), 0755);
    mkdir((d / "src").c_str(), 0755);
    mkdir((d / "out/t.c.tmp.dir").c_str(), 0755);
    write_file(d / "out/t.c.tmp.exe", "exe", 0755);
    write_file(d / "src/in.txt", "in");
    layout.remote_dir = "/r/litbox-1";
    layout.output_dir = d / "out";
    layout.source_dir = d / "src";
  }
  TempDir d;
  RemoteLayout layout;
};

TEST_F(MapCommandTest, RewritesPathsUnderTheRootsAndUploadsThoseThatExist) {
  auto m = map_command({d / "out/t.c.tmp.exe", "-o", d / "out/t.c.tmp.out", "--in=" + (d / "src/in.txt"), "plain",
                        d / "out", "-o" + (d / "out/t.c.tmp.dir"), d / "out/t.c.tmp.dir:x"},
                       layout);
  EXPECT_EQ(m.argv, (std::vector<std::string>{"/r/litbox-1/t.c.tmp.exe", "-o", "/r/litbox-1/t.c.tmp.out",
                                              "--in=/r/litbox-1/.litbox/src/in.txt", "plain", "/r/litbox-1",
                                              "-o/r/litbox-1/t.c.tmp.dir", "/r/litbox-1/t.c.tmp.dir:x"}));
  EXPECT_EQ(m.uploads, (std::vector<Upload>{{d / "out/t.c.tmp.exe", "t.c.tmp.exe"},
                                            {d / "src/in.txt", ".litbox/src/in.txt"},
                                            {d / "out/t.c.tmp.dir", "t.c.tmp.dir"}}));
}

// libc++'s --execdir: the test's whole directory goes with the command (a data file the
// program opens by a relative name), except the runner's .litbox.
TEST_F(MapCommandTest, ShipOutputDirSendsEveryEntryOnce) {
  write_file(d / "out/data.txt", "d");
  mkdir((d / "out/.litbox").c_str(), 0755);
  layout.ship_output_dir = true;
  auto m = map_command({d / "out/t.c.tmp.exe", "x"}, layout);
  EXPECT_EQ(m.argv, (std::vector<std::string>{"/r/litbox-1/t.c.tmp.exe", "x"}));
  EXPECT_EQ(m.uploads, (std::vector<Upload>{{d / "out/t.c.tmp.exe", "t.c.tmp.exe"},
                                            {d / "out/data.txt", "data.txt"},
                                            {d / "out/t.c.tmp.dir", "t.c.tmp.dir"}}));
}

TEST_F(MapCommandTest, DotDotNeverReachesTheRemoteName) {
  // %S/../x: normalized; a path that stays under a root keeps its place, one that leaves it
  // goes under .litbox/abs/ by its absolute path (tar refuses member names with "..").
  mkdir((d / "src/sub").c_str(), 0755);
  write_file(d / "outside.txt", "o");
  auto m = map_command({"cat", d / "src/sub/../in.txt", d / "src/../outside.txt"}, layout);
  std::string outside = std::filesystem::path(d / "outside.txt").lexically_normal().generic_string();
  EXPECT_EQ(m.argv, (std::vector<std::string>{"cat", "/r/litbox-1/.litbox/src/in.txt",
                                              "/r/litbox-1/.litbox/abs" + outside}));
  EXPECT_EQ(m.uploads, (std::vector<Upload>{{d / "src/sub/../in.txt", ".litbox/src/in.txt"},
                                            {d / "src/../outside.txt", ".litbox/abs" + outside}}));
}

TEST_F(MapCommandTest, ForeignExecutableGoesToBin) {
  write_file(d / "tool", "x", 0755);
  auto m = map_command({d / "tool", "a b"}, layout);
  EXPECT_EQ(m.argv, (std::vector<std::string>{"/r/litbox-1/.litbox/bin/tool", "a b"}));
  EXPECT_EQ(m.uploads, (std::vector<Upload>{{d / "tool", ".litbox/bin/tool"}}));
}

TEST_F(MapCommandTest, SystemProgramsRunByNameOnTheTarget) {
  auto m = map_command({"/usr/bin/env", "A=1", d / "out/t.c.tmp.exe"}, layout);
  EXPECT_EQ(m.argv, (std::vector<std::string>{"env", "A=1", "/r/litbox-1/t.c.tmp.exe"}));
  EXPECT_EQ(m.uploads, (std::vector<Upload>{{d / "out/t.c.tmp.exe", "t.c.tmp.exe"}}));
  EXPECT_EQ(map_command({"/bin/sh", "-c", "x"}, layout).argv, (std::vector<std::string>{"sh", "-c", "x"}));
  // Below a system directory is not in it.
  EXPECT_EQ(map_command({"/usr/bin/sub/tool"}, layout).argv, (std::vector<std::string>{"/usr/bin/sub/tool"}));
}

TEST_F(MapCommandTest, UnknownProgramIsLeftForTheRemotePath) {
  auto m = map_command({"frobnicate", d / "outside"}, layout);
  EXPECT_EQ(m.argv, (std::vector<std::string>{"frobnicate", d / "outside"}));
  EXPECT_TRUE(m.uploads.empty());
}

TEST_F(MapCommandTest, SimilarPrefixIsNotARoot) {
  auto m = map_command({"x", d / "out2/file", d / "outfile"}, layout);
  EXPECT_EQ(m.argv, (std::vector<std::string>{"x", d / "out2/file", d / "outfile"}));
}

TEST_F(MapCommandTest, RemoteRelative) {
  EXPECT_EQ(remote_relative(d / "out/a/b", layout), "a/b");
  EXPECT_EQ(remote_relative(d / "src/x", layout), ".litbox/src/x");
  EXPECT_EQ(remote_relative(d / "out", layout), std::nullopt);
  EXPECT_EQ(remote_relative("/usr/lib/libc.so.6", layout), std::nullopt);
}

TEST_F(MapCommandTest, ShipsTheSharedLibrariesTheTestBuilt) {
  std::string data = LITBOX_EMULATION_TESTDATA;
  ASSERT_EQ(testing::run_command({"/bin/cp", data + "/greet", d / "out/t.c.tmp.exe"}), 0);
  ASSERT_EQ(testing::run_command({"/bin/cp", data + "/lib/libgreet.so", d / "out/libgreet.so"}), 0);
  auto m = map_command({d / "out/t.c.tmp.exe"}, layout);
  auto dirs = add_library_uploads(m, layout);
  EXPECT_EQ(dirs, std::vector<std::string>{"/r/litbox-1"});
  EXPECT_EQ(m.uploads,
            (std::vector<Upload>{{d / "out/t.c.tmp.exe", "t.c.tmp.exe"}, {d / "out/libgreet.so", "libgreet.so"}}));
  // System libraries (libc) stay behind: the target has its own.
  auto plain = map_command({testing::probe("native")}, layout);
  EXPECT_TRUE(add_library_uploads(plain, layout).empty());
  EXPECT_EQ(plain.uploads.size(), 1u);
}

TEST(RemoteScript, Text) {
  RemoteScript s;
  s.dir = "/tmp/litbox-ab";
  s.marker = "M1";
  s.id = 4;
  s.extract = true;
  s.env = {{"FOO", "a b"}};
  s.argv = {"/tmp/litbox-ab/t.exe", "it's"};
  s.copy_back_prefix = "t.c.tmp";
  EXPECT_EQ(remote_script(s),
            "umask 077 && mkdir -p /tmp/litbox-ab/.litbox && cd /tmp/litbox-ab || exit 255\n"
            "tar -x -f - || exit 255\n"
            "umask 022\n"
            "echo $$ > .litbox/pid.4\n"
            "[ -f .litbox/stamp ] || TZ=UTC0 touch -t 197001010000.02 .litbox/stamp\n"
            "exec 4>&2 2>/dev/null\n"
            "export FOO='a b'\n"
            "( exec /tmp/litbox-ab/t.exe 'it'\\''s' </dev/null 2>&4 4>&- )\n"
            "s=$?\n"
            "rm -f .litbox/pid.4\n"
            "printf '%s %s\\n' M1 \"$s\" >&4\n"
            "F=$(find ./t.c.tmp* -newer .litbox/stamp -type f 2>/dev/null)\n"
            "if [ -n \"$F\" ]; then set -f; IFS='\n'; tar -c -f - $F >&4; "
            "TZ=UTC0 touch -t 197001010000.01 $F; fi\n"
            "exit $s\n");
}

// Runs the wrapper script with the local sh, as sshd would on a target.
TEST(RemoteScript, RunsWithTheLocalShell) {
  TempDir d;
  std::string remote = d / "remote";
  TarWriter tar;
  tar.force_mtime(1);
  ASSERT_TRUE(tar.add_local("probe", testing::probe("native")).ok());
  tar.add_file("t.c.tmp.in", 0644, "input\n");
  write_file(d / "upload.tar", tar.finish());
  RemoteScript s;
  s.dir = remote;
  s.marker = "LITBOX-STATUS-test";
  s.id = 1;
  s.extract = true;
  s.argv = {remote + "/probe", "read", "t.c.tmp.in", "write", "t.c.tmp.out", "made", "write",
            "other.txt",       "x",    "err",        "oops",  "exit",        "3"};
  s.copy_back_prefix = "t.c.tmp";
  write_file(d / "script.sh", remote_script(s));
  std::string out;
  int rc = testing::run_command(
      {"/bin/sh", "-c",
       "sh " + (d / "script.sh") + " <" + (d / "upload.tar") + " >" + (d / "out") + " 2>" + (d / "err")},
      &out);
  EXPECT_EQ(rc, 3) << out;
  EXPECT_EQ(read_file(d / "out"), "input\n");
  MarkerSplitter split(s.marker);
  std::string err = split.feed(*read_file(d / "err"));
  err += split.finish();
  EXPECT_EQ(err, "oops\n");
  ASSERT_TRUE(split.found());
  std::string_view rest;
  EXPECT_EQ(parse_status_line(split.trailer(), &rest), 3);
  auto entries = read_tar(rest);
  ASSERT_TRUE(entries.ok()) << entries.error().message;
  // Only the file the command wrote under the test's prefix: not the uploaded input (older
  // than the stamp), not other.txt (outside the prefix).
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].name, "t.c.tmp.out");
  EXPECT_EQ((*entries)[0].data, "made\n");
  // The pid file is gone once the command is over; the copied-back file is old again.
  struct stat st;
  EXPECT_NE(stat((remote + "/.litbox/pid.1").c_str(), &st), 0);
  ASSERT_EQ(stat((remote + "/t.c.tmp.out").c_str(), &st), 0);
  EXPECT_EQ(st.st_mtime, 1);
}

TEST(RemoteScript, SignalDeathIsReportedAs128PlusN) {
  TempDir d;
  RemoteScript s;
  s.dir = d / "remote";
  s.marker = "MK";
  s.id = 1;
  s.argv = {testing::probe("native"), "segv"};
  write_file(d / "script.sh", remote_script(s));
  std::string out;
  EXPECT_EQ(testing::run_command({"/bin/sh", d / "script.sh"}, &out), 139);
  // The shell's own "Segmentation fault" notice (bash prints one) never reaches stderr.
  EXPECT_EQ(out, "MK 139\n");
  EXPECT_EQ(remote_exit_status(139).signal, 11);
  EXPECT_EQ(remote_exit_status(139).code, 0);
  EXPECT_EQ(remote_exit_status(3).code, 3);
  EXPECT_EQ(remote_exit_status(255).code, 255);
  EXPECT_EQ(remote_exit_status(128).code, 128);
}

TEST(CleanupScript, Text) {
  EXPECT_EQ(cleanup_script("/t/d", {1, 3}, false),
            "cd /t/d 2>/dev/null || exit 0\n"
            "for f in .litbox/pid.1 .litbox/pid.3; do [ -f \"$f\" ] && read p < \"$f\" && "
            "kill -9 -\"$p\" 2>/dev/null; rm -f \"$f\"; done\n"
            "exit 0\n");
  EXPECT_EQ(cleanup_script("/t/d", {}, true),
            "cd /t/d 2>/dev/null || exit 0\n"
            "for f in .litbox/pid.*; do [ -f \"$f\" ] && read p < \"$f\" && "
            "kill -9 -\"$p\" 2>/dev/null; rm -f \"$f\"; done\n"
            "cd / && rm -rf /t/d\n"
            "exit 0\n");
}

TEST(SshArgv, UserOptionsComeFirstAndSharingIsConfigured) {
  SshSettings s;
  s.host = "board";
  s.port = 2222;
  s.user = "me";
  s.identity = "/k/id";
  s.options = {"StrictHostKeyChecking=no"};
  s.config_file = "none";
  EXPECT_EQ(ssh_argv("/usr/bin/ssh", s, "/tmp/c/%C", "exec sh -c 'x'"),
            (std::vector<std::string>{"/usr/bin/ssh",
                                      "-F",
                                      "none",
                                      "-T",
                                      "-o",
                                      "StrictHostKeyChecking=no",
                                      "-o",
                                      "BatchMode=yes",
                                      "-o",
                                      "LogLevel=ERROR",
                                      "-o",
                                      "ConnectTimeout=30",
                                      "-o",
                                      "ServerAliveInterval=15",
                                      "-o",
                                      "ServerAliveCountMax=4",
                                      "-o",
                                      "ControlMaster=auto",
                                      "-o",
                                      "ControlPersist=60",
                                      "-o",
                                      "ControlPath=/tmp/c/%C",
                                      "-o",
                                      "IdentitiesOnly=yes",
                                      "-p",
                                      "2222",
                                      "-l",
                                      "me",
                                      "-i",
                                      "/k/id",
                                      "--",
                                      "board",
                                      "exec sh -c 'x'"}));
  SshSettings plain;
  plain.host = "h";
  EXPECT_EQ(
      ssh_argv("ssh", plain, "", "true"),
      (std::vector<std::string>{"ssh", "-T", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=30",
                                "-o", "ServerAliveInterval=15", "-o", "ServerAliveCountMax=4", "--", "h", "true"}));
  EXPECT_EQ(ssh_control_exit_argv("ssh", s, "/tmp/c/%C"),
            (std::vector<std::string>{"ssh", "-F", "none", "-o", "ControlPath=/tmp/c/%C", "-o", "LogLevel=QUIET", "-O",
                                      "exit", "-p", "2222", "-l", "me", "--", "board"}));
  EXPECT_EQ(sh_command("echo 'hi'"), "exec sh -c 'echo '\\''hi'\\'''");
}

}  // namespace
}  // namespace litbox::emulation
