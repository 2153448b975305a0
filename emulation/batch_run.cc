#include "emulation/batch_run.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstring>

#include "emulation/ssh_invocation.h"

namespace litbox::emulation {

struct BatchRun::Impl {
  boost::asio::io_context& io;
  OnEvent on_event;
  OnEnd on_end;
  std::unique_ptr<BatchStreamParser> parser;
  std::shared_ptr<Invocation> inv;
  std::unique_ptr<boost::asio::posix::stream_descriptor> out;
  std::array<char, 65536> buf;
  BatchRunEnd end;
  bool exited = false, eof = false, ended = false;
  explicit Impl(boost::asio::io_context& i) : io(i) {}
};

BatchRun::BatchRun(boost::asio::io_context& io) : impl_(std::make_unique<Impl>(io)) {}

BatchRun::~BatchRun() = default;

std::shared_ptr<BatchRun> BatchRun::start(boost::asio::io_context& io, BatchRunSpec spec, OnEvent on_event,
                                          OnEnd on_end) {
  std::shared_ptr<BatchRun> run(new BatchRun(io));
  Impl& m = *run->impl_;
  m.on_event = std::move(on_event);
  m.on_end = std::move(on_end);
  m.parser = std::make_unique<BatchStreamParser>(spec.token);
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) {
    m.end.local.code = 127;
    m.end.local.error = std::string("pipe: ") + strerror(errno);
    m.exited = m.eof = true;
    boost::asio::post(io, [run] { run->maybe_end(); });
    return run;
  }
  InvocationSpec is;
  is.argv = std::move(spec.argv);
  is.env = std::move(spec.env);
  is.stdin_payload = std::move(spec.payload);
  is.stdout_fd = p[1];
  // Invocation::start() has forked by the time it returns: our copy of the write end goes,
  // so that EOF means the process (and whatever inherited it) is done.
  m.inv = Invocation::start(io, std::move(is), [run](InvocationResult r) {
    Impl& im = *run->impl_;
    im.end.local = r.local;
    im.end.stderr_tail = std::move(r.stderr_tail);
    im.exited = true;
    run->drain();
    run->maybe_end();
  });
  ::close(p[1]);
  fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK);  // our own pipe
  m.out = std::make_unique<boost::asio::posix::stream_descriptor>(io, p[0]);
  run->read_loop();
  return run;
}

void BatchRun::read_loop() {
  Impl& m = *impl_;
  m.out->async_read_some(boost::asio::buffer(m.buf),
                         [self = shared_from_this()](const boost::system::error_code& ec, size_t n) {
                           Impl& im = *self->impl_;
                           if (im.eof) return;
                           if (n > 0) self->consume(im.buf.data(), n);
                           if (ec) {
                             im.eof = true;
                             self->maybe_end();
                             return;
                           }
                           self->read_loop();
                         });
}

void BatchRun::consume(const char* data, size_t n) {
  Impl& m = *impl_;
  if (!m.end.stream_error.empty()) return;
  std::vector<BatchEvent> events;
  Status s = m.parser->feed(std::string_view(data, n), events);
  for (auto& e : events) m.on_event(std::move(e));
  if (!s) {
    // Nothing after a malformed part can be trusted: stop the run.
    m.end.stream_error = s.error().message;
    kill();
  }
}

// The process has exited: whatever it wrote is in the pipe now. Read it without waiting for
// EOF, which a process it left behind could hold off.
void BatchRun::drain() {
  Impl& m = *impl_;
  if (m.eof || !m.out) return;
  int fd = m.out->native_handle();
  for (;;) {
    ssize_t r = ::read(fd, m.buf.data(), m.buf.size());
    if (r > 0) {
      consume(m.buf.data(), static_cast<size_t>(r));
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    break;
  }
  m.eof = true;
}

void BatchRun::maybe_end() {
  Impl& m = *impl_;
  if (!m.exited || !m.eof || m.ended) return;
  m.ended = true;
  if (m.out) {
    boost::system::error_code ec;
    m.out->close(ec);
  }
  m.end.partial = m.parser->partial();
  // The callbacks go before they run: they hold the caller's batch, which holds this run, and
  // kept, that cycle would keep both (and the batch's buffers) for the rest of the run.
  OnEnd on_end = std::move(m.on_end);
  m.on_end = nullptr;
  m.on_event = [](BatchEvent) {};
  on_end(std::move(m.end));
}

void BatchRun::kill() {
  if (impl_->inv) impl_->inv->kill();
}

void BatchRun::abandon() {
  Impl& m = *impl_;
  m.on_event = [](BatchEvent) {};
  m.on_end = [](BatchRunEnd) {};
  if (m.inv) {
    m.inv->kill();
    m.inv->drop_done();  // it holds this run
  }
}

}  // namespace litbox::emulation
