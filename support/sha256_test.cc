#include "support/sha256.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "support/subprocess.h"

namespace litbox {
namespace {

TEST(Sha256, KnownDigests) {
  EXPECT_EQ(sha256_of(""), "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_of("abc"), "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, FileDigestIsTheContentsDigest) {
  char path[] = "/tmp/litbox-sha256-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  std::string big(3 << 20, 'x');  // more than one read block
  ASSERT_EQ(write(fd, big.data(), big.size()), static_cast<ssize_t>(big.size()));
  close(fd);
  auto d = sha256_of_file(path);
  unlink(path);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(*d, sha256_of(big));
}

TEST(Sha256, UnreadableFileNamesThePath) {
  auto d = sha256_of_file("/nonexistent/litbox-tool");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().message, "/nonexistent/litbox-tool: cannot read: No such file or directory");
}

TEST(Subprocess, CapturesOutputAndStatus) {
  auto r = run_process({"sh", "-c", "echo out; echo err >&2; exit 3"});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->out, "out\n");
  EXPECT_EQ(r->err, "err\n");
  auto missing = run_process({"litbox-no-such-program"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "litbox-no-such-program: cannot run: No such file or directory");
}

TEST(Subprocess, ShellQuote) {
  EXPECT_EQ(shell_quote({"litbox", "--shard=auto", "a b", "it's", ""}), "litbox --shard=auto 'a b' 'it'\\''s' ''");
}

}  // namespace
}  // namespace litbox
