// Writing to a file descriptor someone else owns (a test's stderr pipe, a file) from the
// io_context, without ever blocking it and without changing flags on the shared open file
// description (setting O_NONBLOCK on a pipe would change it for every process writing it).
#pragma once

#include <boost/asio/io_context.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>
#include <utility>  // Boost 1.74's Asio needs it before its headers

namespace litbox::emulation {

/// An asynchronous, never-blocking writer to a borrowed descriptor; see the file comment.
class FdSink : public std::enable_shared_from_this<FdSink> {
 public:
  /// A sink for the borrowed descriptor `fd` (kept open through a private copy): a pipe is
  /// reopened through /proc/self/fd with its own O_NONBLOCK, a socket is written with
  /// MSG_DONTWAIT, a regular file or device is written directly. fd -1 drops everything.
  static std::shared_ptr<FdSink> open(boost::asio::io_context& io, int fd);

  /// Queues `data`; it is written as the descriptor accepts it.
  void write(std::string data);
  /// Queues the chunks, in order, each kept as it is (not joined: a large payload is never
  /// copied); consecutive chunks are written together (writev).
  void write(std::vector<std::string> chunks);
  /// Once everything queued is written (or the reader has gone: EPIPE drops the rest),
  /// closes the private copy and calls `flushed` on the io_context.
  void close(std::function<void()> flushed);
  /// True once a write failed (the reader went away, EPIPE); later data is dropped.
  bool failed() const { return failed_; }

  ~FdSink();
  FdSink(const FdSink&) = delete;
  FdSink& operator=(const FdSink&) = delete;

 private:
  enum class Kind { drop, direct, nonblocking_pipe, socket };
  explicit FdSink(boost::asio::io_context& io);
  void pump();
  void finish();
  struct Waiter;
  boost::asio::io_context& io_;
  Kind kind_ = Kind::drop;
  int fd_ = -1;
  std::unique_ptr<Waiter> waiter_;
  std::deque<std::string> queue_;  // not yet written, in order; none empty
  size_t sent_ = 0;                // bytes of queue_.front() already written
  bool waiting_ = false;
  bool failed_ = false;
  std::function<void()> flushed_;
  bool closing_ = false;
};

}  // namespace litbox::emulation
