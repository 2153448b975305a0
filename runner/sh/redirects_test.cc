#include "runner/sh/redirects.h"

#include <gtest/gtest.h>

#include "runner/sh/parser.h"
#include "runner/sh/test_util.h"

namespace litbox::runner::sh {
namespace {

using litbox::testing::TempDir;

std::vector<Redirect> redirects_of(const std::string& line) {
  auto n = parse(line, true);
  return std::get<Pipeline>(n->value).commands[0].redirects;
}

RedirectResult run(const std::string& line, const std::string& cwd, std::vector<std::shared_ptr<OpenedFile>>& opened) {
  return process_redirects(exec::host_filesystem(), redirects_of(line), Stream{Stream::Kind::kPipe, -1}, cwd, opened);
}

TEST(RedirectsTest, TwoToOneIsOrderSensitive) {
  TempDir dir;
  std::vector<std::shared_ptr<OpenedFile>> opened;
  // stderr takes stdout's target at that moment: the pipe.
  auto a = run("x 2>&1 > f", dir.path(), opened);
  EXPECT_EQ(a.out.kind, Stream::Kind::kFile);
  EXPECT_EQ(a.err.kind, Stream::Kind::kStdout);
  // ... or the file, opened once and shared.
  auto b = run("x > g 2>&1", dir.path(), opened);
  EXPECT_EQ(b.err.kind, Stream::Kind::kFile);
  EXPECT_EQ(b.err.fd, b.out.fd);
  auto c = run("x &> h", dir.path(), opened);
  EXPECT_EQ(c.err.fd, c.out.fd);
  EXPECT_EQ(opened.size(), 3u);
  EXPECT_EQ(opened[2]->path, dir / "h");
}

TEST(RedirectsTest, StdinSourceAndAppend) {
  TempDir dir;
  testing::write_file(dir / "in", "x");
  std::vector<std::shared_ptr<OpenedFile>> opened;
  auto r = process_redirects(exec::host_filesystem(), redirects_of("x >> out 2>&0"), Stream{Stream::Kind::kInherit, 42}, dir.path(), opened);
  EXPECT_EQ(r.in.kind, Stream::Kind::kInherit);
  EXPECT_EQ(r.out.kind, Stream::Kind::kFile);
  // `2>&0` is the default stdin: here the previous command's pipe.
  EXPECT_EQ(r.err.kind, Stream::Kind::kInherit);
  EXPECT_EQ(r.err.fd, 42);
  EXPECT_EQ(opened[0]->mode, "a");
  // ... unless `<` came first: then stderr shares the input file, as lit copies the slot.
  r = process_redirects(exec::host_filesystem(), redirects_of("x < in 2>&0"), Stream{Stream::Kind::kInherit, 42}, dir.path(), opened);
  EXPECT_EQ(r.in.kind, Stream::Kind::kFile);
  EXPECT_EQ(r.err.fd, r.in.fd);
}

TEST(RedirectsTest, LitsMessages) {
  TempDir dir;
  std::vector<std::shared_ptr<OpenedFile>> opened;
  auto r = run("x 1> f", dir.path(), opened);
  EXPECT_EQ(r.failure, RedirectResult::Failure::kShellError);
  EXPECT_EQ(r.message, "Unsupported redirect: (('>', 1), 'f')");
  r = run("x <& f", dir.path(), opened);
  EXPECT_EQ(r.message, "Unsupported redirect: (('<&',), 'f')");
  r = run("x > *", dir.path(), opened);
  EXPECT_EQ(r.failure, RedirectResult::Failure::kNone);  // no match: the literal name "*"
  testing::write_file(dir / "a1", "");
  testing::write_file(dir / "a2", "");
  r = run("x > a*", dir.path(), opened);
  EXPECT_EQ(r.message, "Unsupported: glob in redirect expanded to multiple files");
  r = run("x < missing", dir.path(), opened);
  EXPECT_EQ(r.failure, RedirectResult::Failure::kException);
  EXPECT_EQ(r.message, "FileNotFoundError: [Errno 2] No such file or directory: b'" + (dir / "missing") + "'");
}

}  // namespace
}  // namespace litbox::runner::sh
