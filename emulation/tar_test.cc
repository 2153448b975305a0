#include "emulation/tar.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "emulation/test_util.h"

namespace litbox::emulation {
namespace {

using testing::read_file;
using testing::run_command;
using litbox::testing::TempDir;
using testing::write_file;

TEST(Tar, RoundTripsFilesDirectoriesAndLongNames) {
  TarWriter w;
  w.add_directory("dir");
  w.add_file("dir/a.txt", 0644, "alpha\n");
  std::string long_name = "dir/" + std::string(150, 'x') + ".bin";
  w.add_file(long_name, 0755, std::string(1000, '\x01'));
  w.add_file("empty", 0600, "");
  EXPECT_EQ(w.entries(), 4u);
  std::string archive = w.finish();
  EXPECT_EQ(archive.size() % 512, 0u);
  auto entries = read_tar(archive);
  ASSERT_TRUE(entries.ok()) << entries.error().message;
  ASSERT_EQ(entries->size(), 4u);
  EXPECT_EQ((*entries)[0].name, "dir");
  EXPECT_EQ((*entries)[0].type, '5');
  EXPECT_EQ((*entries)[1].name, "dir/a.txt");
  EXPECT_EQ((*entries)[1].data, "alpha\n");
  EXPECT_EQ((*entries)[1].mode, 0644u);
  EXPECT_EQ((*entries)[2].name, long_name);
  EXPECT_EQ((*entries)[2].data, std::string(1000, '\x01'));
  EXPECT_EQ((*entries)[2].mode, 0755u);
  EXPECT_EQ((*entries)[3].name, "empty");
  EXPECT_EQ((*entries)[3].data, "");
}

TEST(Tar, GnuTarExtractsOurArchives) {
  TempDir d;
  TarWriter w;
  w.force_mtime(1);
  w.add_file("exe", 0755, "#!/bin/sh\necho ok\n");
  std::string long_name = "sub/" + std::string(120, 'y');
  w.add_file(long_name, 0644, "deep\n");
  write_file(d / "a.tar", w.finish());
  std::string out;
  ASSERT_EQ(run_command({"/bin/tar", "-x", "-f", d / "a.tar", "-C", d.path()}, &out), 0) << out;
  EXPECT_EQ(read_file(d / "exe"), "#!/bin/sh\necho ok\n");
  EXPECT_EQ(read_file(d / long_name), "deep\n");
  struct stat st;
  ASSERT_EQ(stat((d / "exe").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0755u);
  EXPECT_EQ(st.st_mtime, 1);  // the copy-back scheme of the ssh executor relies on this
}

TEST(Tar, LargeOwnedFilesAreChunksOfTheirOwnAndTheChunksAreTheArchive) {
  // A large file's bytes become a chunk as they are; joined, the chunks are byte for byte the
  // archive the copying add_file() makes, and GNU tar extracts them written one after another.
  std::string big(300 * 1024 + 7, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 131 + 7);
  std::string small = "small\n";
  auto fill = [&](TarWriter& w, bool owned) {
    w.force_mtime(1);
    w.add_directory("d");
    if (owned) {
      w.add_file_owned("d/big", 0755, big);
      w.add_file_owned("d/small", 0644, small);
      w.add_file_owned("d/big2", 0644, big + "2");
    } else {
      w.add_file("d/big", 0755, big);
      w.add_file("d/small", 0644, small);
      w.add_file("d/big2", 0644, big + "2");
    }
  };
  TarWriter copied, owned;
  fill(copied, false);
  fill(owned, true);
  std::string joined_by_copy = copied.finish();
  std::vector<std::string> chunks = owned.finish_chunks();
  // headers | big | padding, header, small, header | big2 | padding and the end blocks
  ASSERT_EQ(chunks.size(), 5u);
  EXPECT_EQ(chunks[1], big);
  EXPECT_EQ(chunks[3], big + "2");
  std::string joined;
  for (const auto& c : chunks) joined += c;
  EXPECT_EQ(joined, joined_by_copy);
  EXPECT_TRUE(owned.empty());
  EXPECT_EQ(owned.entries(), 0u);

  TempDir d;
  write_file(d / "a.tar", joined);
  std::string out;
  ASSERT_EQ(run_command({"/bin/tar", "-x", "-f", d / "a.tar", "-C", d.path()}, &out), 0) << out;
  EXPECT_EQ(read_file(d / "d/big"), big);
  EXPECT_EQ(read_file(d / "d/small"), small);
  EXPECT_EQ(read_file(d / "d/big2"), big + "2");
}

TEST(Tar, AddLocalTakesAFileOverWhole) {
  TempDir d;
  std::string big(200 * 1024, 'b');
  write_file(d / "f", big);
  TarWriter w;
  ASSERT_TRUE(w.add_local("f", d / "f").ok());
  std::vector<std::string> chunks = w.finish_chunks();
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[1], big);
}

TEST(Tar, ReadsGnuAndPaxArchivesFromGnuTar) {
  TempDir d;
  std::string long_name = std::string(130, 'z') + ".txt";
  write_file(d / "small", "s\n", 0700);
  write_file(d / long_name, "long\n");
  for (const char* format : {"--format=gnu", "--format=pax", "--format=ustar"}) {
    std::string out;
    std::vector<std::string> names = {"small"};
    if (std::string(format) != "--format=ustar") names.push_back(long_name);
    std::vector<std::string> argv = {"/bin/tar", format, "-c", "-f", d / "x.tar", "-C", d.path()};
    argv.insert(argv.end(), names.begin(), names.end());
    ASSERT_EQ(run_command(argv, &out), 0) << out;
    auto entries = read_tar(*read_file(d / "x.tar"));
    ASSERT_TRUE(entries.ok()) << format << ": " << entries.error().message;
    ASSERT_EQ(entries->size(), names.size()) << format;
    EXPECT_EQ((*entries)[0].name, "small");
    EXPECT_EQ((*entries)[0].data, "s\n");
    EXPECT_EQ((*entries)[0].mode, 0700u);
    if (names.size() > 1) {
      EXPECT_EQ((*entries)[1].name, long_name) << format;
      EXPECT_EQ((*entries)[1].data, "long\n");
    }
  }
}

TEST(Tar, AddLocalWalksDirectories) {
  TempDir d;
  mkdir((d / "tree").c_str(), 0755);
  mkdir((d / "tree/sub").c_str(), 0755);
  write_file(d / "tree/b", "b");
  write_file(d / "tree/sub/a", "a");
  TarWriter w;
  ASSERT_TRUE(w.add_local("t", d / "tree").ok());
  auto entries = read_tar(w.finish());
  ASSERT_TRUE(entries.ok());
  std::vector<std::string> names;
  for (const auto& e : *entries) names.push_back(e.name);
  EXPECT_EQ(names, (std::vector<std::string>{"t", "t/b", "t/sub", "t/sub/a"}));
  TarWriter w2;
  EXPECT_EQ(w2.add_local("x", d / "missing").error().message,
            "cannot read '" + (d / "missing") + "': No such file or directory");
}

TEST(Tar, DetectsCorruption) {
  TarWriter w;
  w.add_file("a", 0644, std::string(2000, 'a'));
  std::string archive = w.finish();
  std::string bad = archive;
  bad[10] ^= 1;
  EXPECT_EQ(read_tar(bad).error().message, "tar: bad header checksum at offset 0");
  EXPECT_EQ(read_tar(archive.substr(0, 1024)).error().message, "tar: truncated archive");
  auto empty = read_tar("");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

// Archives unpacked by the real GNU tar the way the batch driver does it: hard links into a
// store that an earlier archive filled, long names on both sides.
int untar(const std::string& archive, const std::string& dir, std::string* out = nullptr) {
  TempDir tmp;
  testing::write_file(tmp / "a.tar", archive);
  return testing::run_command({"/usr/bin/tar", "-x", "-f", tmp / "a.tar", "-C", dir}, out);
}

TEST(TarWriterTest, HardLinksShareTheStoredCopy) {
  TempDir dir;
  std::string long_dir(120, 'd');
  TarWriter first;
  first.add_file("cas/abc", 0755, "#!/bin/sh\necho hi\n", 1);
  first.add_directory("s1", 0700, 1);
  first.add_hardlink("s1/t.tmp.exe", "cas/abc");
  EXPECT_EQ(first.data_bytes(), 18u);
  std::string out;
  ASSERT_EQ(untar(first.finish(), dir.path(), &out), 0) << out;
  // A later archive links to what the first one stored, with long names on both sides.
  TarWriter second;
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

TEST(TarWriterTest, OurOwnReaderSkipsHardLinks) {
  TarWriter ar;
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
