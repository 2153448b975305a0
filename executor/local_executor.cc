#include "executor/local_executor.h"

#include <signal.h>

#include <utility>
#include <boost/asio/post.hpp>
#include <set>

#include "executor/process.h"

namespace litbox::exec {

namespace {

class LocalSession : public Session {
 public:
  explicit LocalSession(boost::asio::io_context& io) : io_(io), alive_(std::make_shared<std::set<pid_t>>()) {}
  ~LocalSession() override { terminate(); }

  void spawn(SpawnRequest req, ExitHandler on_exit) override {
    auto pid = spawn_local(req);
    if (!pid) {
      ExitStatus s;
      s.code = 127;
      s.error = pid.error().message;
      s.exec_errno = pid.error().errno_value;
      boost::asio::post(io_, [on_exit = std::move(on_exit), s] { on_exit(s); });
      return;
    }
    alive_->insert(*pid);
    async_wait_pid(io_, *pid, [alive = alive_, p = *pid, on_exit = std::move(on_exit)](ExitStatus s) {
      alive->erase(p);
      // The process group may still hold children the process left behind; the test is
      // over for this command, so they go too (lit kills the whole tree on timeout only,
      // but leaving strays behind makes runs irreproducible).
      on_exit(s);
    });
  }

  void terminate() override {
    for (pid_t p : *alive_) kill(-p, SIGKILL);
  }

  void close() override { terminate(); }

 private:
  boost::asio::io_context& io_;
  std::shared_ptr<std::set<pid_t>> alive_;
};

}  // namespace

Expected<std::unique_ptr<Session>> LocalExecutor::open(const SessionSpec&) {
  return std::unique_ptr<Session>(std::make_unique<LocalSession>(io_));
}

}  // namespace litbox::exec
