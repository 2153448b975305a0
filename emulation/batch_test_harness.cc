#include "emulation/batch_test_harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/write.hpp>
#include <chrono>

namespace litbox::emulation::testing {

namespace {

struct PipeReader : std::enable_shared_from_this<PipeReader> {
  boost::asio::posix::stream_descriptor sd;
  std::string* sink;
  int* eof;
  std::shared_ptr<Outcome> keep;
  std::array<char, 4096> buf;
  PipeReader(boost::asio::io_context& io, int fd, std::string* s, int* e, std::shared_ptr<Outcome> k)
      : sd(io, fd), sink(s), eof(e), keep(std::move(k)) {}
  void go() {
    sd.async_read_some(boost::asio::buffer(buf), [self = shared_from_this()](auto ec, size_t n) {
      self->sink->append(self->buf.data(), n);
      if (ec) {
        ++*self->eof;
        return;
      }
      self->go();
    });
  }
};

}  // namespace

std::shared_ptr<Outcome> Spawner::spawn(exec::Session& session, exec::SpawnRequest req, StdinKind kind,
                                        const std::string& stdin_data) {
  auto o = std::make_shared<Outcome>();
  all_.push_back(o);
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) return o;
  TestStdin in = open_test_stdin(io_, kind, stdin_data);
  if (kind == StdinKind::pipe && !in.writer) return o;
  req.stdin_fd = in.fd;
  req.stdout_fd = out[1];
  req.stderr_fd = err[1];
  session.spawn(req, [o](exec::ExitStatus s) {
    o->status = s;
    o->exited = true;
  });
  close(out[1]);
  close(err[1]);
  feed_test_stdin(in, stdin_data);
  std::make_shared<PipeReader>(io_, out[0], &o->out, &o->out_eof, o)->go();
  std::make_shared<PipeReader>(io_, err[0], &o->err, &o->out_eof, o)->go();
  return o;
}

bool Spawner::wait_for(const std::function<bool()>& pred, int limit_seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(limit_seconds);
  while (!pred() && std::chrono::steady_clock::now() < deadline) {
    io_.restart();
    io_.run_for(std::chrono::milliseconds(20));
  }
  return pred();
}

bool Spawner::wait_all(int limit_seconds) {
  return wait_for([&] { return std::all_of(all_.begin(), all_.end(), [](const auto& o) { return o->done(); }); },
                  limit_seconds);
}


}  // namespace litbox::emulation::testing
