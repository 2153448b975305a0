#include "emulation/fd_sink.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <boost/asio/posix/stream_descriptor.hpp>

#include "emulation/test_util.h"

namespace litbox::emulation {
namespace {

// Reads `fd` to EOF on the io_context: the writer and the reader share one thread, which
// deadlocks if the sink ever blocks on a full pipe.
struct AsyncReader : std::enable_shared_from_this<AsyncReader> {
  boost::asio::posix::stream_descriptor sd;
  std::string data;
  bool eof = false;
  std::array<char, 8192> buf;
  AsyncReader(boost::asio::io_context& io, int fd) : sd(io, fd) {}
  void go() {
    sd.async_read_some(boost::asio::buffer(buf), [self = shared_from_this()](auto ec, size_t n) {
      self->data.append(self->buf.data(), n);
      if (ec) {
        self->eof = true;
        return;
      }
      self->go();
    });
  }
};

TEST(FdSink, PipeWithReaderOnTheSameThreadAndFlagsUntouched) {
  boost::asio::io_context io;
  int p[2];
  ASSERT_EQ(pipe2(p, O_CLOEXEC), 0);
  auto sink = FdSink::open(io, p[1]);
  std::string big(1 << 20, 'x');
  sink->write(big);
  sink->write("tail");
  bool flushed = false;
  sink->close([&] { flushed = true; });
  // The caller's descriptor is still blocking: the sink reopened the pipe for itself.
  EXPECT_EQ(fcntl(p[1], F_GETFL) & O_NONBLOCK, 0);
  close(p[1]);
  auto reader = std::make_shared<AsyncReader>(io, p[0]);
  reader->go();
  io.run();
  EXPECT_TRUE(flushed);
  EXPECT_TRUE(reader->eof);
  EXPECT_EQ(reader->data.size(), big.size() + 4);
  EXPECT_EQ(reader->data.substr(reader->data.size() - 4), "tail");
  EXPECT_FALSE(sink->failed());
}

TEST(FdSink, ReaderGoneIsAFailureNotADeath) {
  boost::asio::io_context io;
  int p[2];
  ASSERT_EQ(pipe2(p, O_CLOEXEC), 0);
  auto sink = FdSink::open(io, p[1]);
  close(p[0]);
  close(p[1]);
  sink->write("nobody reads this");
  bool flushed = false;
  sink->close([&] { flushed = true; });
  io.run();
  EXPECT_TRUE(flushed);
  EXPECT_TRUE(sink->failed());
}

TEST(FdSink, RegularFileAndSocket) {
  boost::asio::io_context io;
  litbox::testing::TempDir d;
  int fd = open((d / "f").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  auto fsink = FdSink::open(io, fd);
  close(fd);
  fsink->write("to a file\n");
  fsink->close([] {});

  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  auto ssink = FdSink::open(io, sv[1]);
  close(sv[1]);
  std::string big(1 << 20, 's');
  ssink->write(big);
  ssink->close([] {});
  auto reader = std::make_shared<AsyncReader>(io, sv[0]);
  reader->go();
  io.run();
  EXPECT_EQ(testing::read_file(d / "f"), "to a file\n");
  EXPECT_EQ(reader->data, big);
}

TEST(FdSink, ChunksArriveInOrderThroughShortWrites) {
  // Chunks larger than the pipe or socket holds, small ones between them and empty ones: a
  // write stops inside a chunk again and again, and the reader must see them joined, in order.
  std::vector<std::string> chunks;
  std::string want;
  for (int i = 0; i < 40; ++i) {
    std::string c(i % 3 == 0 ? 300 * 1024 + i : i % 3 == 1 ? 0 : 17 * i, static_cast<char>('a' + i % 26));
    want += c;
    chunks.push_back(std::move(c));
  }
  for (bool socket : {false, true}) {
    SCOPED_TRACE(socket ? "socket" : "pipe");
    boost::asio::io_context io;
    int p[2];
    ASSERT_EQ(socket ? socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p) : pipe2(p, O_CLOEXEC), 0);
    const int w = p[1], r = p[0];
    auto sink = FdSink::open(io, w);
    close(w);
    sink->write("head:");
    sink->write(chunks);
    sink->write(":tail");
    bool flushed = false;
    sink->close([&] { flushed = true; });
    auto reader = std::make_shared<AsyncReader>(io, r);
    reader->go();
    io.run();
    EXPECT_TRUE(flushed);
    EXPECT_FALSE(sink->failed());
    ASSERT_EQ(reader->data.size(), want.size() + 10);
    EXPECT_TRUE(reader->data == "head:" + want + ":tail");
  }
}

TEST(FdSink, MinusOneDropsEverything) {
  boost::asio::io_context io;
  auto sink = FdSink::open(io, -1);
  sink->write("x");
  bool flushed = false;
  sink->close([&] { flushed = true; });
  io.run();
  EXPECT_TRUE(flushed);
}

}  // namespace
}  // namespace litbox::emulation
