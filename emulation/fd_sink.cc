#include "emulation/fd_sink.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <ctime>

namespace litbox::emulation {

namespace {

// write(2) to a pipe without readers raises SIGPIPE, which would kill litbox if the runner
// has not ignored it. Block it around the call and swallow the pending signal on EPIPE;
// signal masks are per thread, so nothing else is affected.
ssize_t write_no_sigpipe(int fd, const struct iovec* iov, int n, bool socket) {
  if (socket) {
    struct msghdr msg = {};
    msg.msg_iov = const_cast<struct iovec*>(iov);
    msg.msg_iovlen = static_cast<size_t>(n);
    return sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
  }
  sigset_t pipe_set, old;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
  sigset_t pending;
  sigpending(&pending);
  bool was_pending = sigismember(&pending, SIGPIPE);
  ssize_t r = ::writev(fd, iov, n);
  int e = errno;
  if (r < 0 && e == EPIPE && !was_pending) {
    struct timespec zero = {0, 0};
    sigtimedwait(&pipe_set, nullptr, &zero);
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  errno = e;
  return r;
}

// Chunks handed to one writev; more only means more to skip after a short write.
constexpr int kMaxIov = 64;

}  // namespace

struct FdSink::Waiter {
  boost::asio::posix::stream_descriptor sd;
  Waiter(boost::asio::io_context& io, int fd) : sd(io, fd) {}
};

FdSink::FdSink(boost::asio::io_context& io) : io_(io) {}

std::shared_ptr<FdSink> FdSink::open(boost::asio::io_context& io, int fd) {
  std::shared_ptr<FdSink> s(new FdSink(io));
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) return s;
  if (S_ISFIFO(st.st_mode)) {
    // A new open file description of the same pipe: its O_NONBLOCK is ours alone.
    std::string proc = "/proc/self/fd/" + std::to_string(fd);
    int nfd = ::open(proc.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (nfd >= 0) {
      s->kind_ = Kind::nonblocking_pipe;
      s->fd_ = nfd;
      s->waiter_ = std::make_unique<Waiter>(io, nfd);
      return s;
    }
  }
  int dfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  if (dfd < 0) return s;
  s->fd_ = dfd;
  if (S_ISSOCK(st.st_mode)) {
    s->kind_ = Kind::socket;
    s->waiter_ = std::make_unique<Waiter>(io, dfd);
  } else {
    // Regular files and devices do not block for long (and epoll refuses them); a pipe we
    // could not reopen (no /proc) is written blocking as the last resort.
    s->kind_ = Kind::direct;
  }
  return s;
}

FdSink::~FdSink() {
  if (waiter_) {
    boost::system::error_code ec;
    waiter_->sd.close(ec);
  } else if (fd_ >= 0) {
    ::close(fd_);
  }
}

void FdSink::write(std::string data) {
  if (kind_ == Kind::drop || failed_ || data.empty()) return;
  queue_.push_back(std::move(data));
  pump();
}

void FdSink::write(std::vector<std::string> chunks) {
  if (kind_ == Kind::drop || failed_) return;
  for (auto& c : chunks)
    if (!c.empty()) queue_.push_back(std::move(c));
  pump();
}

void FdSink::pump() {
  if (waiting_) return;
  while (!queue_.empty() && !failed_) {
    struct iovec iov[kMaxIov];
    int n = 0;
    for (auto it = queue_.begin(); it != queue_.end() && n < kMaxIov; ++it, ++n) {
      size_t skip = n == 0 ? sent_ : 0;
      iov[n].iov_base = it->data() + skip;
      iov[n].iov_len = it->size() - skip;
    }
    ssize_t r = write_no_sigpipe(fd_, iov, n, kind_ == Kind::socket);
    if (r > 0) {
      // Drop what was written: whole chunks, then part of the next.
      size_t left = static_cast<size_t>(r);
      while (left > 0) {
        size_t rest = queue_.front().size() - sent_;
        if (left < rest) {
          sent_ += left;
          break;
        }
        left -= rest;
        queue_.pop_front();
        sent_ = 0;
      }
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && waiter_) {
      waiting_ = true;
      waiter_->sd.async_wait(boost::asio::posix::stream_descriptor::wait_write,
                             [self = shared_from_this()](const boost::system::error_code& ec) {
                               self->waiting_ = false;
                               if (ec) {
                                 self->failed_ = true;
                               } else {
                                 self->pump();
                               }
                               if (self->failed_ && self->closing_) self->finish();
                             });
      return;
    }
    failed_ = true;  // EPIPE and friends: nobody will read the rest
  }
  if (failed_) {
    queue_.clear();
    sent_ = 0;
  }
  if (closing_ && (queue_.empty() || failed_)) finish();
}

void FdSink::close(std::function<void()> flushed) {
  flushed_ = std::move(flushed);
  closing_ = true;
  if (!waiting_) pump();
}

void FdSink::finish() {
  if (!flushed_) return;
  if (waiter_) {
    boost::system::error_code ec;
    waiter_->sd.close(ec);
    waiter_.reset();
  } else if (fd_ >= 0) {
    ::close(fd_);
  }
  fd_ = -1;
  kind_ = Kind::drop;
  auto cb = std::move(flushed_);
  flushed_ = nullptr;
  boost::asio::post(io_, std::move(cb));
}

}  // namespace litbox::emulation
