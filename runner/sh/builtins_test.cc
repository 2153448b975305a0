// The in-process builtins, called directly on a ShellState.
#include "runner/sh/inproc_builtins.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "runner/sh/parser.h"
#include "runner/sh/test_util.h"

namespace litbox::runner::sh {
namespace {

using litbox::testing::TempDir;

BuiltinOutcome run(const std::string& line, ShellState& state) {
  auto n = parse(line, true);
  const Command& c = std::get<Pipeline>(n->value).commands[0];
  return run_inproc_builtin(exec::host_filesystem(), c.args, c.redirects, state);
}

TEST(BuiltinsTest, CdResolvesRelativePathsAndKeepsAbsoluteOnes) {
  TempDir dir;
  std::filesystem::create_directories(dir / "real/sub");
  std::filesystem::create_directory_symlink(dir / "real", dir / "link");
  ShellState s;
  s.cwd = dir.path();
  EXPECT_EQ(run("cd link/sub", s).exit_code, 0);
  EXPECT_EQ(s.cwd, dir / "real/sub");  // realpath for relative paths
  run("cd " + (dir / "link/../link"), s);
  EXPECT_EQ(s.cwd, dir / "link/../link");  // absolute: verbatim
  EXPECT_EQ(*run("cd a b", s).shell_error, "'cd' supports only one argument");
}

TEST(BuiltinsTest, PushdPopd) {
  ShellState s;
  s.cwd = "/";
  run("pushd /tmp", s);
  run("pushd /usr", s);
  EXPECT_EQ(s.dir_stack, (std::vector<std::string>{"/", "/tmp"}));
  run("popd", s);
  EXPECT_EQ(s.cwd, "/tmp");
  run("popd", s);
  EXPECT_EQ(*run("popd", s).shell_error, "popd: directory stack empty");
  EXPECT_EQ(*run("popd x", s).shell_error, "'popd' does not support arguments");
  EXPECT_EQ(*run("pushd", s).shell_error, "'pushd' supports only one argument");
}

TEST(BuiltinsTest, ExportUsesEnvSyntax) {
  ShellState s;
  s.env = {{"A", "1"}};
  run("export B=2=3", s);
  EXPECT_EQ(s.env["B"], "2=3");
  // Exactly one argument, or lit 15 crashes (so `export -u A` is no way to unset).
  EXPECT_EQ(*run("export -u A", s).exception,
            "TypeError: InternalShellError.__init__() missing 1 required positional argument: 'message'");
  EXPECT_EQ(*run("export", s).exception,
            "TypeError: InternalShellError.__init__() missing 1 required positional argument: 'message'");
}

TEST(BuiltinsTest, EchoFlagsAndRedirections) {
  TempDir dir;
  ShellState s;
  s.cwd = dir.path();
  EXPECT_EQ(run("echo -n -e -n 'a\\tb'", s).out, "a\tb");
  EXPECT_EQ(run("echo -e -x 'a\\n'", s).out, "-x a\n\n");
  EXPECT_EQ(run("echo", s).out, "\n");
  EXPECT_EQ(run("echo one > f", s).out, "");
  run("echo two >> f", s);
  EXPECT_EQ(testing::read_file(dir / "f"), "one\ntwo\n");
  EXPECT_EQ(*run("echo x 2>&1", s).shell_error, "stdin and stderr redirects not supported for echo");
  EXPECT_EQ(*run("echo x < f", s).shell_error, "stdin and stderr redirects not supported for echo");
  // lit writes a GlobItem into a StringIO and crashes.
  EXPECT_EQ(*run("echo x*", s).exception, "TypeError: string argument expected, got 'GlobItem'");
}

TEST(BuiltinsTest, MkdirAcceptsExistingPathsEvenFiles) {
  TempDir dir;
  ShellState s;
  s.cwd = dir.path();
  testing::write_file(dir / "file", "");
  EXPECT_EQ(run("mkdir file new", s).exit_code, 0);  // EEXIST is ignored, as lit.util.mkdir does
  EXPECT_TRUE(std::filesystem::is_directory(dir / "new"));
  BuiltinOutcome o = run("mkdir a/b", s);
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_EQ(o.err, "Error: 'mkdir' command failed, [Errno 2] No such file or directory: b'" + (dir / "a/b") + "'\n");
  EXPECT_EQ(run("mkdir -p a/b/c", s).exit_code, 0);
  EXPECT_EQ(*run("mkdir -q x", s).shell_error, "Unsupported: 'mkdir':  option -q not recognized");
  EXPECT_EQ(*run("mkdir -p", s).shell_error, "Error: 'mkdir' is missing an operand");
}

TEST(BuiltinsTest, RmWithoutRecursiveStillRemovesTheDirectory) {
  TempDir dir;
  ShellState s;
  s.cwd = dir.path();
  std::filesystem::create_directories(dir / "d/e");
  BuiltinOutcome o = run("rm d", s);
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_EQ(o.err, "Error: b'" + (dir / "d") + "' is a directory\n");
  EXPECT_FALSE(std::filesystem::exists(dir / "d"));
}

TEST(BuiltinsTest, RmErrorsAndForce) {
  TempDir dir;
  ShellState s;
  s.cwd = dir.path();
  BuiltinOutcome o = run("rm a b", s);
  EXPECT_EQ(o.exit_code, 1);
  // No newline between the messages, as in lit.
  EXPECT_EQ(o.err, "Error: 'rm' command failed, [Errno 2] No such file or directory: b'" + (dir / "a") +
                       "'Error: 'rm' command failed, [Errno 2] No such file or directory: b'" + (dir / "b") + "'");
  EXPECT_EQ(run("rm -f a b", s).exit_code, 0);
  testing::write_file(dir / "ro", "");
  chmod((dir / "ro").c_str(), 0444);
  EXPECT_EQ(run("rm -f ro", s).exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(dir / "ro"));
  EXPECT_EQ(*run("rm --recursive x", s).shell_error, "Unsupported: 'rm':  option --recursive not recognized");
}

TEST(BuiltinsTest, RmOfASymlinkToADirectory) {
  TempDir dir;
  ShellState s;
  s.cwd = dir.path();
  std::filesystem::create_directories(dir / "target/in");
  std::filesystem::create_directory_symlink(dir / "target", dir / "link");
  BuiltinOutcome o = run("rm -r link", s);
  // A relative operand is realpath'ed first, so this removes the target itself.
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(dir / "target"));
  std::filesystem::create_directories(dir / "target2/in");
  std::filesystem::create_directory_symlink(dir / "target2", dir / "link2");
  o = run("rm -r " + (dir / "link2"), s);
  EXPECT_EQ(o.err, "Error: 'rm' command failed, Cannot call rmtree on a symbolic link");
  o = run("rm -rf " + (dir / "link2"), s);
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_FALSE(std::filesystem::is_symlink(dir / "link2"));
  EXPECT_TRUE(std::filesystem::exists(dir / "target2/in"));
}

TEST(BuiltinsTest, ColonIgnoresEverything) {
  ShellState s;
  s.cwd = "/nonexistent";
  BuiltinOutcome o = run(": 'RUN: at line 1' > /nonexistent/file", s);
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_FALSE(o.shell_error || o.exception);
}

}  // namespace
}  // namespace litbox::runner::sh
