#include "emulation/ssh_invocation.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstring>

#include "emulation/fd_sink.h"
#include "emulation/marker_splitter.h"
#include "executor/process.h"

namespace litbox::emulation {

namespace {

constexpr size_t kTailBytes = 4096;

}  // namespace

struct Invocation::Impl {
  boost::asio::io_context& io;
  Done done;
  std::unique_ptr<MarkerSplitter> splitter;
  std::shared_ptr<FdSink> err_sink;
  std::shared_ptr<FdSink> in_sink;  // the stdin payload, over a socketpair
  std::unique_ptr<boost::asio::posix::stream_descriptor> err_reader;
  std::array<char, 65536> buf;
  InvocationResult result;
  bool exited = false, read_done = false, finished = false;

  explicit Impl(boost::asio::io_context& i) : io(i) {}

  void relay(std::string_view data) {
    std::string out = splitter ? splitter->feed(data) : std::string(data);
    if (out.empty()) return;
    result.stderr_tail += out;
    if (result.stderr_tail.size() > 2 * kTailBytes) result.stderr_tail.erase(0, result.stderr_tail.size() - kTailBytes);
    err_sink->write(std::move(out));
  }
};

Invocation::Invocation(boost::asio::io_context& io) : impl_(std::make_unique<Impl>(io)) {}

Invocation::~Invocation() = default;

std::shared_ptr<Invocation> Invocation::start(boost::asio::io_context& io, InvocationSpec spec, Done done) {
  std::shared_ptr<Invocation> inv(new Invocation(io));
  inv->begin(std::move(spec), std::move(done));
  return inv;
}

void Invocation::begin(InvocationSpec spec, Done done) {
  Impl& m = *impl_;
  m.done = std::move(done);
  if (!spec.marker.empty()) m.splitter = std::make_unique<MarkerSplitter>(spec.marker);
  m.err_sink = FdSink::open(m.io, spec.stderr_fd);

  auto fail = [&](const std::string& why) {
    m.result.local.code = 127;
    m.result.local.error = why;
    m.finished = true;
    boost::asio::post(m.io, [self = shared_from_this()] { self->call_done(); });
  };

  int err_pipe[2];
  if (pipe2(err_pipe, O_CLOEXEC) < 0) return fail(std::string("pipe: ") + strerror(errno));
  int in_pair[2] = {-1, -1};
  bool payload = spec.stdin_fd < 0 &&
                 std::any_of(spec.stdin_payload.begin(), spec.stdin_payload.end(), [](const auto& c) { return !c.empty(); });
  if (payload && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in_pair) < 0) {
    int e = errno;
    ::close(err_pipe[0]);
    ::close(err_pipe[1]);
    return fail(std::string("socketpair: ") + strerror(e));
  }

  exec::SpawnRequest req;
  req.argv = std::move(spec.argv);
  req.env = std::move(spec.env);
  req.stdin_fd = payload ? in_pair[0] : spec.stdin_fd;
  req.stdout_fd = spec.stdout_fd;
  req.stderr_fd = err_pipe[1];
  auto pid = exec::spawn_local(req);
  ::close(err_pipe[1]);
  if (payload) ::close(in_pair[0]);
  if (!pid) {
    ::close(err_pipe[0]);
    if (payload) ::close(in_pair[1]);
    return fail(pid.error().message);
  }
  pid_ = *pid;

  if (payload) {
    m.in_sink = FdSink::open(m.io, in_pair[1]);
    ::close(in_pair[1]);  // the sink holds its own copy; closing it later is the EOF
    m.in_sink->write(std::move(spec.stdin_payload));
    m.in_sink->close([] {});
  }

  // Private to us: non-blocking so the exit handler can drain it without waiting.
  fcntl(err_pipe[0], F_SETFL, fcntl(err_pipe[0], F_GETFL) | O_NONBLOCK);
  m.err_reader = std::make_unique<boost::asio::posix::stream_descriptor>(m.io, err_pipe[0]);
  read_loop();
  exec::async_wait_pid(m.io, pid_, [self = shared_from_this()](exec::ExitStatus s) { self->on_exit(s); });
}

void Invocation::read_loop() {
  Impl& m = *impl_;
  m.err_reader->async_read_some(boost::asio::buffer(m.buf),
                                [self = shared_from_this()](const boost::system::error_code& ec, size_t n) {
                                  Impl& im = *self->impl_;
                                  if (im.read_done) return;  // drained and closed after the process exited
                                  if (n > 0) im.relay(std::string_view(im.buf.data(), n));
                                  if (ec) {
                                    im.read_done = true;
                                    self->maybe_finish();
                                    return;
                                  }
                                  self->read_loop();
                                });
}

void Invocation::on_exit(exec::ExitStatus s) {
  Impl& m = *impl_;
  m.result.local = s;
  m.exited = true;
  pid_ = -1;
  if (!m.read_done) {
    // Whatever ssh wrote is in the pipe now. Read it without waiting for EOF: a process ssh
    // left behind (a connection master with debugging on) may hold the pipe open.
    int fd = m.err_reader->native_handle();
    for (;;) {
      ssize_t r = ::read(fd, m.buf.data(), m.buf.size());
      if (r > 0) {
        m.relay(std::string_view(m.buf.data(), static_cast<size_t>(r)));
        continue;
      }
      if (r < 0 && errno == EINTR) continue;
      break;
    }
    m.read_done = true;
  }
  maybe_finish();
}

void Invocation::maybe_finish() {
  Impl& m = *impl_;
  if (!m.exited || !m.read_done || m.finished) return;
  m.finished = true;
  boost::system::error_code ec;
  m.err_reader->close(ec);
  if (m.splitter) {
    std::string rest = m.splitter->finish();
    if (!rest.empty()) {
      m.result.stderr_tail += rest;
      m.err_sink->write(std::move(rest));
    }
    m.result.marker_found = m.splitter->found();
    m.result.trailer = m.splitter->trailer();
  }
  if (m.result.stderr_tail.size() > kTailBytes) m.result.stderr_tail.erase(0, m.result.stderr_tail.size() - kTailBytes);
  m.err_sink->close([self = shared_from_this()] { self->call_done(); });
}

// `done` runs once and is dropped first: it may hold whoever holds this invocation (a BatchRun
// keeps its Invocation, whose callback keeps the BatchRun), and keeping it would keep both,
// with their buffers, alive for the rest of the run.
void Invocation::call_done() {
  Done done = std::move(impl_->done);
  impl_->done = nullptr;
  if (done) done(std::move(impl_->result));
}

void Invocation::kill() {
  if (pid_ > 0) ::kill(-pid_, SIGKILL);
}

void Invocation::drop_done() { impl_->done = nullptr; }

}  // namespace litbox::emulation
