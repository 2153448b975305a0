// Copying back: only the test's own %t files, whatever the archive from the target holds.
#include "emulation/batch_copy_back.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "emulation/batch_store.h"
#include "emulation/tar.h"
#include "emulation/test_util.h"

namespace litbox::emulation {
namespace {

using testing::read_file;
using litbox::testing::TempDir;

TEST(BatchCopyBackTest, WritesTheTestsFilesAndNothingElse) {
  TempDir out;
  TarWriter tar;
  tar.add_file("t.c.tmp.out", 0640, "result\n");
  tar.add_file("t.c.tmp/deep/file", 0644, "deep\n");
  tar.add_file("other.c.tmp.out", 0644, "not ours\n");
  tar.add_file("t.c.tmp/../../escape", 0644, "no\n");
  tar.add_directory("t.c.tmp.dir");
  auto w = copy_back(tar.finish(), out.path(), out / "t.c");
  ASSERT_TRUE(w.ok()) << w.error().message;
  ASSERT_EQ(w->size(), 2u);
  EXPECT_EQ((*w)[0].rel, "t.c.tmp.out");
  EXPECT_EQ((*w)[0].digest, content_digest("result\n"));
  EXPECT_EQ((*w)[1].rel, "t.c.tmp/deep/file");
  EXPECT_EQ(read_file(out / "t.c.tmp.out"), "result\n");
  EXPECT_EQ(read_file(out / "t.c.tmp/deep/file"), "deep\n");
  EXPECT_EQ(read_file(out / "other.c.tmp.out"), std::nullopt);
  struct stat st;
  ASSERT_EQ(stat((out / "t.c.tmp.out").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
}

TEST(BatchCopyBackTest, ABrokenArchiveIsAnError) {
  TempDir out;
  EXPECT_EQ(copy_back(std::string(512, 'x'), out.path(), out / "t").error().message,
            "copy back: tar: bad header checksum at offset 0");
}

}  // namespace
}  // namespace litbox::emulation
