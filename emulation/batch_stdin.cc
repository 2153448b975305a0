#include "emulation/batch_stdin.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstring>
#include <memory>

#include "emulation/local_files.h"

namespace litbox::emulation {

namespace {

using Done = std::function<void(Expected<StdinData>)>;

// Waits for readability with Asio and reads with plain syscalls: Asio would put the
// descriptor in non-blocking mode itself, which for a socket changes a shared description.
struct Reader : std::enable_shared_from_this<Reader> {
  boost::asio::posix::stream_descriptor sd;
  bool socket;
  Done done;
  StdinData result;
  Reader(boost::asio::io_context& io, int fd, bool s, Done d) : sd(io, fd), socket(s), done(std::move(d)) {
    result.null = false;
  }
  ~Reader() {
    boost::system::error_code ec;
    sd.close(ec);
  }
  void step() {
    std::array<char, 65536> buf;
    for (;;) {
      ssize_t n = socket ? recv(sd.native_handle(), buf.data(), buf.size(), MSG_DONTWAIT)
                         : ::read(sd.native_handle(), buf.data(), buf.size());
      if (n > 0) {
        result.data.append(buf.data(), static_cast<size_t>(n));
        continue;
      }
      if (n == 0) return done(std::move(result));
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return done(Error(std::string("cannot read stdin: ") + strerror(errno)));
    }
    sd.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                  [self = shared_from_this()](const boost::system::error_code& ec) {
                    if (ec) return self->done(Error("cannot read stdin: " + ec.message()));
                    self->step();
                  });
  }
};

}  // namespace

void read_stdin_async(boost::asio::io_context& io, int fd, Done done) {
  auto later = [&io](Done d, Expected<StdinData> v) {
    boost::asio::post(io, [d = std::move(d), v = std::move(v)]() mutable { d(std::move(v)); });
  };
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) return later(std::move(done), StdinData{});
  if (S_ISREG(st.st_mode)) {
    // A redirected file: everything from where the descriptor stands, read now (it is local
    // and does not block).
    auto data = read_rest_of_file(fd);
    if (!data) return later(std::move(done), data.error());
    StdinData d;
    d.null = false;
    d.data = std::move(*data);
    return later(std::move(done), std::move(d));
  }
  int own = -1;
  bool socket = S_ISSOCK(st.st_mode);
  if (S_ISFIFO(st.st_mode)) {
    std::string proc = "/proc/self/fd/" + std::to_string(fd);
    own = ::open(proc.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  } else if (socket) {
    own = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  } else {
    return later(std::move(done), StdinData{});  // /dev/null, a terminal, another device
  }
  if (own < 0) return later(std::move(done), Error(std::string("cannot read stdin: ") + strerror(errno)));
  auto r = std::make_shared<Reader>(io, own, socket, std::move(done));
  boost::asio::post(io, [r] { r->step(); });
}

}  // namespace litbox::emulation
