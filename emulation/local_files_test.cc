#include "emulation/local_files.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "emulation/test_util.h"

namespace litbox::emulation {
namespace {

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

TEST(ReadFileFrom, ReadsFromTheOffsetWithoutMovingTheDescriptor) {
  litbox::testing::TempDir d;
  std::string data(256 * 1024 + 3, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i % 251);
  testing::write_file(d / "f", data);
  Fd f{open((d / "f").c_str(), O_RDONLY | O_CLOEXEC)};
  ASSERT_GE(f.fd, 0);
  std::string out = "old contents";
  ASSERT_EQ(read_file_from(f.fd, 0, out), 0);
  EXPECT_TRUE(out == data);
  ASSERT_EQ(read_file_from(f.fd, 1000, out), 0);
  EXPECT_TRUE(out == data.substr(1000));
  ASSERT_EQ(read_file_from(f.fd, static_cast<off_t>(data.size()) + 5, out), 0);
  EXPECT_EQ(out, "");
  EXPECT_EQ(lseek(f.fd, 0, SEEK_CUR), 0);
}

TEST(ReadFileFrom, AFileLargerThanItsSizeSaysIsReadWhole) {
  // /proc files report size 0 and hold more: the buffer grows past the size fstat gave.
  Fd f{open("/proc/self/maps", O_RDONLY | O_CLOEXEC)};
  ASSERT_GE(f.fd, 0);
  std::string out;
  ASSERT_EQ(read_file_from(f.fd, 0, out), 0);
  EXPECT_GT(out.size(), 100u);
  EXPECT_NE(out.find("[stack]"), std::string::npos);
}

TEST(ReadFileFrom, AReadErrorIsItsErrno) {
  Fd dir{open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  ASSERT_GE(dir.fd, 0);
  std::string out = "x";
  EXPECT_EQ(read_file_from(dir.fd, 0, out), EISDIR);
  EXPECT_EQ(out, "");
}

}  // namespace
}  // namespace litbox::emulation
