// The batch archive, unpacked by the real GNU tar the way the driver does it: files, long
// names, and hard links into a store that an earlier archive filled.
#include "emulation/batch_archive.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "emulation/tar.h"
#include "emulation/test_util.h"

namespace litbox::emulation {
namespace {

using testing::read_file;
using testing::TempDir;

int untar(const std::string& archive, const std::string& dir, std::string* out = nullptr) {
  TempDir tmp;
  testing::write_file(tmp / "a.tar", archive);
  return testing::run_command({"/usr/bin/tar", "-x", "-f", tmp / "a.tar", "-C", dir}, out);
}

TEST(BatchArchiveTest, HardLinksShareTheStoredCopy) {
  TempDir dir;
  std::string long_dir(120, 'd');
  BatchArchive first;
  first.add_file("cas/abc", 0755, "#!/bin/sh\necho hi\n", 1);
  first.add_directory("s1", 0700, 1);
  first.add_hardlink("s1/t.tmp.exe", "cas/abc");
  EXPECT_EQ(first.data_bytes(), 18u);
  std::string out;
  ASSERT_EQ(untar(first.finish(), dir.path(), &out), 0) << out;
  // A later archive links to what the first one stored, with long names on both sides.
  BatchArchive second;
  second.add_directory("s2/" + long_dir, 0755, 1);
  second.add_hardlink("s2/" + long_dir + "/" + long_dir + ".exe", "cas/abc");
  second.add_file("s2/.litbox/stamp", 0600, "", 2);
  ASSERT_EQ(untar(second.finish(), dir.path(), &out), 0) << out;

  struct stat a, b, c, stamp;
  ASSERT_EQ(stat((dir / "cas/abc").c_str(), &a), 0);
  ASSERT_EQ(stat((dir / "s1/t.tmp.exe").c_str(), &b), 0);
  ASSERT_EQ(stat((dir / ("s2/" + long_dir + "/" + long_dir + ".exe")).c_str(), &c), 0);
  EXPECT_EQ(a.st_ino, b.st_ino);
  EXPECT_EQ(a.st_ino, c.st_ino);
  EXPECT_EQ(a.st_nlink, 3u);
  EXPECT_EQ(a.st_mode & 0777, 0755u);
  EXPECT_EQ(a.st_mtime, 1);
  ASSERT_EQ(stat((dir / "s2/.litbox/stamp").c_str(), &stamp), 0);
  EXPECT_EQ(stamp.st_mtime, 2);
  EXPECT_EQ(read_file(dir / "s1/t.tmp.exe"), "#!/bin/sh\necho hi\n");
}

TEST(BatchArchiveTest, OurOwnReaderSeesTheFiles) {
  BatchArchive ar;
  std::string name(150, 'n');
  ar.add_file(name, 0644, "data", 1);
  ar.add_hardlink("link", name);
  auto entries = read_tar(ar.finish());
  ASSERT_TRUE(entries.ok()) << entries.error().message;
  ASSERT_EQ(entries->size(), 1u);  // read_tar skips hard links
  EXPECT_EQ((*entries)[0].name, name);
  EXPECT_EQ((*entries)[0].data, "data");
}

}  // namespace
}  // namespace litbox::emulation
