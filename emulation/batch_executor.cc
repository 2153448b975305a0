#include "emulation/batch_executor.h"

#include "emulation/local_files.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

#include "emulation/batch_queue.h"
#include "emulation/batch_script.h"
#include "support/strings.h"

extern char** environ;

namespace litbox::emulation {

namespace {

class BatchSession : public exec::Session {
 public:
  explicit BatchSession(std::shared_ptr<BatchTest> st) : st_(std::move(st)) {}
  ~BatchSession() override { close(); }

  void spawn(exec::SpawnRequest req, exec::ExitHandler on_exit) override {
    BatchQueue& sh = *st_->shared;
    if (st_->closed || sh.shut_down) {
      boost::asio::post(sh.io, [h = std::move(on_exit)] { h(batch_setup_failure("", "the session is closed")); });
      return;
    }
    if (!sh.ssh() && sh.settings.local_qemu) {
      auto planned = plan_qemu_spawn(req, sh.settings.qemu);
      if (!planned) {
        exec::ExitStatus s;
        s.code = 127;
        s.error = planned.error().message;
        boost::asio::post(sh.io, [h = std::move(on_exit), s] { h(s); });
        return;
      }
      req = std::move(*planned);
    }
    auto r = std::make_shared<BatchRequest>();
    r->id = ++sh.next_request;
    r->session = st_;
    r->handler = std::move(on_exit);
    int in_fd = req.stdin_fd;
    // 2>&1: one file or pipe for both. The target then writes both to one file, in order,
    // instead of stdout first and stderr after.
    struct stat out_st, err_st;
    r->merge_stderr = req.stdout_fd >= 0 && req.stderr_fd >= 0 && fstat(req.stdout_fd, &out_st) == 0 &&
                      fstat(req.stderr_fd, &err_st) == 0 && out_st.st_dev == err_st.st_dev &&
                      out_st.st_ino == err_st.st_ino;
    // The caller closes its descriptors when spawn() returns; the result comes much later.
    req.stdout_fd = req.stdout_fd < 0 ? -1 : fcntl(req.stdout_fd, F_DUPFD_CLOEXEC, 3);
    req.stderr_fd = req.stderr_fd < 0 ? -1 : fcntl(req.stderr_fd, F_DUPFD_CLOEXEC, 3);
    req.stdin_fd = -1;
    r->req = std::move(req);
    st_->pending.insert(r);
    if (st_->spec.deferred) st_->spec.deferred(+1);
    auto shared = st_->shared;
    read_stdin_async(sh.io, in_fd, [shared, r](Expected<StdinData> in) {
      if (r->state != BatchRequest::State::reading) return;
      if (!in) return shared->deliver(r, batch_setup_failure("", in.error().message));
      r->in = std::move(*in);
      shared->enqueue(r, /*front=*/false);
    });
  }

  void terminate() override {
    BatchQueue& sh = *st_->shared;
    std::map<Batch*, std::vector<int>> running;
    auto pending = st_->pending;
    for (const auto& r : pending) {
      if ((r->state == BatchRequest::State::shipped || r->state == BatchRequest::State::started) && r->batch) {
        running[r->batch].push_back(r->id);
        r->batch->requests.erase(r->id);
      }
      sh.deliver(r, batch_killed());
    }
    // Their results, when they come, are ignored; the batches go on for other tests.
    if (!sh.shut_down)
      for (const auto& [b, ids] : running) sh.side_run(batch_kill_script(b->dir, ids, false));
  }

  void close() override {
    if (st_->closed) return;
    terminate();
    st_->closed = true;
    // The test's directory on the target goes with the next batch (or the run's cleanup).
    if (st_->ever_shipped) st_->shared->gc.push_back("s" + std::to_string(st_->number));
  }

 private:
  std::shared_ptr<BatchTest> st_;
};

class BatchExecutor : public exec::Executor {
 public:
  explicit BatchExecutor(std::shared_ptr<BatchQueue> shared) : shared_(std::move(shared)) {}
  ~BatchExecutor() override { shared_->shutdown(); }

  Expected<std::unique_ptr<exec::Session>> open(const exec::SessionSpec& spec) override {
    auto st = std::make_shared<BatchTest>();
    st->shared = shared_;
    st->spec = spec;
    st->number = ++shared_->next_session;
    st->layout.remote_dir = shared_->run_dir + "/s" + std::to_string(st->number);
    st->layout.output_dir = spec.output_dir;
    st->layout.ship_output_dir = spec.ship_output_dir;
    st->layout.source_dir = spec.source_dir;
    if (!spec.output_dir.empty() && starts_with(spec.tmp_prefix, spec.output_dir + "/"))
      st->copy_back_prefix = spec.tmp_prefix.substr(spec.output_dir.size() + 1);
    return std::unique_ptr<exec::Session>(std::make_unique<BatchSession>(std::move(st)));
  }

  std::string name() const override { return "batch"; }
  void flush() override { shared_->flush(); }
  BatchStats stats() const {
    BatchStats s = shared_->stats;
    s.files_hashed = shared_->digests.files_hashed();
    return s;
  }
  size_t in_flight() const { return shared_->batches.size(); }

 private:
  std::shared_ptr<BatchQueue> shared_;
};

}  // namespace

Expected<std::unique_ptr<exec::Executor>> make_batch_executor(boost::asio::io_context& io, BatchSettings settings) {
  if (settings.batch_size < 1) return Error("batch executor: batch_size must be at least 1");
  if (settings.parallelism < 1) return Error("batch executor: parallelism must be at least 1");
  auto shared = std::make_shared<BatchQueue>(io);
  for (char** e = environ; e && *e; ++e) shared->env.emplace_back(*e);
  if (settings.transport == BatchSettings::Transport::ssh) {
    if (settings.ssh.host.empty()) return Error("batch executor: no ssh host given");
    auto program = find_program(settings.ssh.ssh_program);
    if (!program) return Error("batch executor: " + py_repr(settings.ssh.ssh_program) + " not found on PATH");
    shared->ssh_program = *program;
    shared->host = settings.ssh.host;
    std::string work = settings.ssh.work_dir.empty() ? "/tmp" : settings.ssh.work_dir;
    while (work.size() > 1 && work.back() == '/') work.pop_back();
    shared->run_dir = work + "/litbox-batch-" + random_hex(8);
    if (settings.ssh.connection_sharing) {
      char tmpl[] = "/tmp/litbox-ssh-XXXXXX";  // short: the socket path must fit in sun_path
      if (!mkdtemp(tmpl)) return Error(std::string("batch executor: mkdtemp: ") + strerror(errno));
      shared->control_dir = tmpl;
      shared->control_path = shared->control_dir + "/%C";
    }
  } else {
    shared->host = "local";
    std::string tmpl = (settings.local_work_dir.empty() ? "/tmp" : settings.local_work_dir) + "/litbox-batch-XXXXXX";
    if (!mkdtemp(tmpl.data()))
      return Error("batch executor: cannot create a directory in " + py_repr(settings.local_work_dir) + ": " +
                   strerror(errno));
    shared->run_dir = tmpl;
    // The driver's own environment; each request exports its complete environment itself.
    shared->env = {"PATH=/usr/local/bin:/usr/bin:/bin"};
  }
  shared->settings = std::move(settings);
  return std::unique_ptr<exec::Executor>(std::make_unique<BatchExecutor>(std::move(shared)));
}

BatchStats batch_stats(const exec::Executor& e) {
  if (auto* b = dynamic_cast<const BatchExecutor*>(&e)) return b->stats();
  return {};
}

size_t batches_in_flight(const exec::Executor& e) {
  if (auto* b = dynamic_cast<const BatchExecutor*>(&e)) return b->in_flight();
  return 0;
}

}  // namespace litbox::emulation
