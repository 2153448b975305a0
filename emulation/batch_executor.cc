#include "emulation/batch_executor.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <set>
#include <thread>

#include "emulation/batch_archive.h"
#include "emulation/batch_run.h"
#include "emulation/batch_script.h"
#include "emulation/batch_stdin.h"
#include "emulation/batch_store.h"
#include "emulation/fd_sink.h"
#include "emulation/tar.h"
#include "executor/process.h"
#include "support/strings.h"

extern char** environ;

namespace litbox::emulation {

namespace {

constexpr const char* kTimeoutPrefix = "timed out on the target";

std::string random_hex(size_t bytes) {
  std::string raw(bytes, '\0');
  size_t got = 0;
  while (got < bytes) {
    ssize_t n = getrandom(raw.data() + got, bytes - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  std::string out;
  char buf[3];
  for (char c : raw) {
    snprintf(buf, sizeof buf, "%02x", static_cast<uint8_t>(c));
    out += buf;
  }
  return out;
}

std::optional<std::string> find_program(const std::string& name) {
  if (name.find('/') != std::string::npos)
    return access(name.c_str(), X_OK) == 0 ? std::optional<std::string>(name) : std::nullopt;
  const char* path = getenv("PATH");
  for (const auto& dir : split(path ? path : "/usr/bin:/bin", ':')) {
    if (dir.empty()) continue;
    std::string c = dir + "/" + name;
    if (access(c.c_str(), X_OK) == 0) return c;
  }
  return std::nullopt;
}

std::string last_line(std::string_view s) {
  s = rstrip(s);
  size_t nl = s.rfind('\n');
  return std::string(nl == std::string_view::npos ? s : s.substr(nl + 1));
}

bool safe_relative(const std::string& name) {
  if (name.empty() || name[0] == '/') return false;
  for (const auto& part : split(name, '/'))
    if (part == "..") return false;
  return true;
}

Status make_parents(const std::string& root, const std::string& rel) {
  for (size_t pos = rel.find('/'); pos != std::string::npos; pos = rel.find('/', pos + 1)) {
    std::string dir = root + "/" + rel.substr(0, pos);
    if (mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST)
      return Error("cannot create " + py_repr(dir) + ": " + strerror(errno));
  }
  return {};
}

Status write_whole(const std::string& path, const std::string& data, uint32_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode & 0777);
  if (fd < 0) return Error("cannot write " + py_repr(path) + ": " + strerror(errno));
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      return Error("cannot write " + py_repr(path) + ": " + strerror(e));
    }
    done += static_cast<size_t>(n);
  }
  fchmod(fd, mode & 0777);
  ::close(fd);
  return {};
}

exec::ExitStatus setup_failure(const std::string& why) {
  exec::ExitStatus s;
  s.code = 255;
  s.setup_failure = true;
  s.error = why;
  return s;
}

exec::ExitStatus killed() {
  exec::ExitStatus s;
  s.signal = SIGKILL;
  return s;
}

struct Shared;
struct SessionState;
struct Batch;

struct Request {
  enum class State { reading, queued, shipped, started, done };
  int id = 0;
  std::shared_ptr<SessionState> session;
  exec::SpawnRequest req;  // stdout_fd/stderr_fd are our own copies; stdin_fd unused
  StdinData in;
  exec::ExitHandler handler;
  int attempts = 0;
  State state = State::reading;
  Batch* batch = nullptr;  // the batch it is in while shipped or started
};

struct SessionState {
  std::shared_ptr<Shared> shared;
  exec::SessionSpec spec;
  int number = 0;
  RemoteLayout layout;
  std::string copy_back_prefix;
  // What the test's directory on the target holds, valid while epoch is the executor's.
  uint64_t epoch = ~uint64_t{0};
  bool dir_made = false;
  std::set<std::string> dirs;
  std::map<std::string, std::string> files;  // relative path -> digest
  bool ever_shipped = false;
  std::set<std::shared_ptr<Request>> pending;
  bool closed = false;
};

// What a batch will know about the target once its archive is unpacked.
struct Commit {
  std::shared_ptr<SessionState> session;
  bool dir_made = false;
  std::vector<std::string> dirs;
  std::vector<std::pair<std::string, std::string>> files;
};

struct Batch {
  int number = 0;
  std::string dir;  // absolute on the target
  std::map<int, std::shared_ptr<Request>> requests;
  std::vector<std::string> new_store;
  std::vector<Commit> commits;
  std::vector<std::string> gc;
  std::shared_ptr<BatchRun> run;
  std::unique_ptr<boost::asio::steady_timer> timer;
  bool ready = false, ended = false, timed_out = false;
  std::string error;  // the driver's E line
};

struct Shared : std::enable_shared_from_this<Shared> {
  boost::asio::io_context& io;
  BatchSettings settings;
  std::string host;
  std::string ssh_program;
  std::string control_dir, control_path;
  std::vector<std::string> env;  // the transport process's environment
  std::string run_dir;
  bool touched = false;  // a batch was started, so run_dir may exist
  bool connected = false;
  std::deque<std::shared_ptr<Request>> queue;
  std::set<std::shared_ptr<Batch>> batches;  // in flight
  boost::asio::steady_timer idle;
  bool idle_expired = false, ship_posted = false;
  std::set<std::string> store;  // digests the target's store holds
  DigestCache digests;
  uint64_t epoch = 0;
  std::vector<std::string> gc;
  int next_request = 0, next_session = 0, next_batch = 0;
  BatchStats stats;
  std::set<std::shared_ptr<BatchRun>> side;  // kill/cleanup runs
  bool shut_down = false;

  explicit Shared(boost::asio::io_context& i) : io(i), idle(i) {}
  bool ssh() const { return settings.transport == BatchSettings::Transport::ssh; }

  std::vector<std::string> argv_for(const std::string& script) const {
    if (ssh()) return ssh_argv(ssh_program, settings.ssh, control_path, sh_command(script));
    return {"/bin/sh", "-c", script};
  }

  // Room for another batch: fewer than max_in_flight on their way, and those unpacked on the
  // target, so that the new one can link to what they stored instead of shipping it again.
  bool can_ship() const {
    if (static_cast<int>(batches.size()) >= std::max(1, settings.max_in_flight)) return false;
    for (const auto& b : batches)
      if (!b->ready) return false;
    return true;
  }
  void enqueue(const std::shared_ptr<Request>& r, bool front);
  void maybe_ship();
  void ship();
  Status add_request(Batch& b, BatchArchive& ar, std::set<std::string>& fresh, Request& r);
  void on_event(const std::shared_ptr<Batch>& b, BatchEvent e);
  void on_end(const std::shared_ptr<Batch>& b, BatchRunEnd end);
  void deliver(const std::shared_ptr<Request>& r, exec::ExitStatus st, std::string out = {}, std::string err = {},
               const std::string& archive = {});
  void side_run(const std::string& script);
  void shutdown();
};

void Shared::enqueue(const std::shared_ptr<Request>& r, bool front) {
  r->state = Request::State::queued;
  if (front) {
    queue.push_front(r);
  } else {
    queue.push_back(r);
    // A new arrival: the queue is not idle.
    idle_expired = false;
    idle.expires_after(std::chrono::milliseconds(std::max(0, settings.idle_flush_ms)));
    idle.async_wait([w = weak_from_this()](const boost::system::error_code& ec) {
      auto self = w.lock();
      if (ec || !self) return;
      self->idle_expired = true;
      self->maybe_ship();
    });
  }
  maybe_ship();
}

void Shared::maybe_ship() {
  if (shut_down || !can_ship() || ship_posted || queue.empty()) return;
  if (static_cast<int>(queue.size()) < settings.batch_size && !idle_expired) return;
  // Not from inside spawn() or a handler: shipping reads files and starts a process.
  ship_posted = true;
  boost::asio::post(io, [self = shared_from_this()] {
    self->ship_posted = false;
    if (self->can_ship()) self->ship();
  });
}

Status Shared::add_request(Batch& b, BatchArchive& ar, std::set<std::string>& fresh, Request& r) {
  JobSpec job;
  std::string cas = run_dir + "/cas/";
  // Puts `data` (digest `d`) in the store unless the target or this batch has it already.
  auto store_put = [&](const std::string& d, uint32_t mode, const std::string& data) {
    if (store.count(d) || fresh.count(d)) return;
    ar.add_file("cas/" + d, mode, data, 1);
    fresh.insert(d);
    b.new_store.push_back(d);
    ++stats.store_files;
    stats.store_bytes += data.size();
  };
  if (!r.in.null) {
    std::string d = content_digest(r.in.data);
    store_put(d, 0644, r.in.data);
    job.stdin_file = cas + d;
  }
  job.umask = r.req.umask;
  job.limits = r.req.limits;
  if (settings.request_timeout > 0) job.timeout_seconds = static_cast<int>(std::ceil(settings.request_timeout));

  if (!ssh()) {
    // In place: the command sees this machine's files; only its stdin goes through the store.
    job.dir = r.req.cwd.empty() ? "/" : r.req.cwd;
    job.argv = r.req.argv;
    if (!job.argv.empty() && !r.req.executable.empty()) job.argv[0] = r.req.executable;
    for (const auto& e : r.req.env) {
      size_t eq = e.find('=');
      if (eq != std::string::npos) job.env.emplace_back(e.substr(0, eq), e.substr(eq + 1));
    }
    ar.add_file("b" + std::to_string(b.number) + "/" + std::to_string(r.id) + ".j", 0600, job_script(job), 1);
    return {};
  }

  SessionState& ss = *r.session;
  if (ss.epoch != epoch) {
    ss.epoch = epoch;
    ss.dir_made = false;
    ss.dirs.clear();
    ss.files.clear();
  }
  PlannedRequest p = plan_remote_request(r.req, ss.layout, settings.libraries);
  std::string sdir = "s" + std::to_string(ss.number);
  Commit c;
  c.session = r.session;
  if (!ss.dir_made) {
    ar.add_directory(sdir, 0700, 1);
    ar.add_directory(sdir + "/.litbox", 0700, 1);
    // The copy-back stamp: shipped files carry mtime 1, so anything the command writes is
    // newer, whatever the target's clock says.
    ar.add_file(sdir + "/.litbox/stamp", 0600, "", 2);
    c.dir_made = true;
  }
  for (const auto& d : p.dirs) {
    if (ss.dirs.count(d)) continue;
    ar.add_directory(sdir + "/" + d, 0755, 1);
    c.dirs.push_back(d);
  }
  for (const auto& f : p.files) {
    std::string data;
    auto fd = digests.digest(f.local, &data);
    if (!fd) return fd.error();
    auto known = ss.files.find(f.rel);
    if (known != ss.files.end() && known->second == fd->digest) continue;  // there already
    if (!store.count(fd->digest) && !fresh.count(fd->digest)) {
      if (data.size() != fd->size) {
        auto again = digests.read(f.local, fd->digest);
        if (!again) return again.error();
        data = std::move(*again);
      }
      store_put(fd->digest, fd->executable ? 0755 : 0644, data);
    }
    if (fd->executable) {
      // Programs and libraries are only read: one stored copy, linked into every test.
      ar.add_hardlink(sdir + "/" + f.rel, "cas/" + fd->digest);
      ++stats.links;
    } else {
      // Data a command may rewrite in place gets a private copy, made by the job.
      job.copies.emplace_back(cas + fd->digest, run_dir + "/" + sdir + "/" + f.rel);
    }
    c.files.emplace_back(f.rel, fd->digest);
  }
  job.dir = p.cwd;
  job.output_dir = ss.layout.remote_dir;
  job.copy_back_prefix = ss.copy_back_prefix;
  job.env = remote_environment(r.req.env, settings.ssh.env, p.library_paths);
  job.argv = std::move(p.argv);
  ar.add_file("b" + std::to_string(b.number) + "/" + std::to_string(r.id) + ".j", 0600, job_script(job), 1);
  b.commits.push_back(std::move(c));
  ss.ever_shipped = true;
  return {};
}

void Shared::ship() {
  auto b = std::make_shared<Batch>();
  b->number = ++next_batch;
  b->dir = run_dir + "/b" + std::to_string(b->number);
  BatchArchive ar;
  std::set<std::string> fresh;
  std::vector<int> ids;
  while (!queue.empty() && static_cast<int>(b->requests.size()) < settings.batch_size) {
    auto r = queue.front();
    queue.pop_front();
    if (r->state != Request::State::queued) continue;  // terminated meanwhile
    if (Status s = add_request(*b, ar, fresh, *r); !s) {
      deliver(r, setup_failure("batch on " + host + ": " + s.error().message));
      continue;
    }
    r->state = Request::State::shipped;
    r->batch = b.get();
    ++r->attempts;
    b->requests[r->id] = r;
    ids.push_back(r->id);
  }
  if (b->requests.empty()) return maybe_ship();

  BatchScriptSpec ss;
  ss.run_dir = run_dir;
  ss.batch_dir = b->dir;
  ss.parallelism = settings.parallelism;
  ss.token = random_hex(8);
  ss.ids = ids;
  ss.gc = b->gc = gc;
  ss.new_store = b->new_store;
  BatchRunSpec spec;
  spec.argv = argv_for(batch_command_script(ss));
  spec.env = env;
  spec.payload = ar.finish();
  spec.token = ss.token;
  stats.archive_bytes += spec.payload.size();
  ++stats.batches;
  stats.files_hashed = digests.files_hashed();
  touched = true;
  if (ssh()) connected = true;
  batches.insert(b);
  auto self = shared_from_this();
  b->run = BatchRun::start(
      io, std::move(spec), [self, b](BatchEvent e) { self->on_event(b, std::move(e)); },
      [self, b](BatchRunEnd end) { self->on_end(b, std::move(end)); });
  if (settings.batch_timeout > 0) {
    b->timer = std::make_unique<boost::asio::steady_timer>(io);
    b->timer->expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(settings.batch_timeout)));
    b->timer->async_wait([b](const boost::system::error_code& ec) {
      if (ec || b->ended) return;
      b->timed_out = true;
      b->run->kill();
    });
  }
}

void Shared::on_event(const std::shared_ptr<Batch>& b, BatchEvent e) {
  if (shut_down) return;
  using K = BatchEvent::Kind;
  if (e.kind == K::ready) {
    // The archive is unpacked: the target holds what this batch shipped.
    b->ready = true;
    for (const auto& d : b->new_store) store.insert(d);
    for (auto& c : b->commits) {
      if (c.session->epoch != epoch) continue;
      if (c.dir_made) c.session->dir_made = true;
      for (auto& d : c.dirs) c.session->dirs.insert(d);
      for (auto& [rel, digest] : c.files) c.session->files[rel] = digest;
    }
    for (const auto& d : b->gc) gc.erase(std::remove(gc.begin(), gc.end(), d), gc.end());
    maybe_ship();
    return;
  }
  if (e.kind == K::error) {
    b->error = e.message;
    return;
  }
  if (e.kind == K::end) {
    b->ended = true;
    return;
  }
  auto it = b->requests.find(e.id);
  if (it == b->requests.end()) return;
  auto r = it->second;
  if (e.kind == K::started) {
    if (r->state == Request::State::shipped) r->state = Request::State::started;
    return;
  }
  b->requests.erase(it);
  if (e.kind == K::failed) return deliver(r, setup_failure("batch on " + host + ": " + e.message));
  ++stats.results;
  exec::ExitStatus st;
  if (e.timed_out) {
    st.signal = SIGKILL;
    st.error = std::string(kTimeoutPrefix) + " after " +
               std::to_string(static_cast<int>(std::ceil(settings.request_timeout))) + " s";
  } else {
    st = remote_exit_status(e.status);
  }
  deliver(r, st, std::move(e.out), std::move(e.err), e.archive);
}

void Shared::on_end(const std::shared_ptr<Batch>& b, BatchRunEnd end) {
  if (b->timer) b->timer->cancel();
  if (shut_down) return;
  batches.erase(b);
  if (!b->ended || !b->requests.empty()) {
    ++stats.failed_batches;
    std::string why;
    if (b->timed_out) {
      char buf[64];
      snprintf(buf, sizeof buf, "%g", settings.batch_timeout);
      why = std::string("the batch timed out after ") + buf + " s";
    } else if (!b->error.empty()) {
      why = "the batch could not start: " + b->error;
    } else if (!end.stream_error.empty()) {
      why = end.stream_error;
    } else {
      why = end.local.error;
      if (why.empty()) why = last_line(end.stderr_tail);
      if (why.empty())
        why = end.local.signal ? "killed by signal " + std::to_string(end.local.signal)
                               : "exit " + std::to_string(end.local.code) + " before the batch ended";
      if (ssh() && b->ready) why = "lost the connection: " + why;
    }
    for (auto& [id, r] : b->requests) {
      if (r->state == Request::State::started) {
        deliver(r, setup_failure("batch on " + host + ": " + why + " (the command had started)"));
      } else if (r->state == Request::State::shipped && r->attempts <= settings.retries) {
        ++stats.retried;
        r->batch = nullptr;
        enqueue(r, /*front=*/true);
        idle_expired = true;  // retried at once, not after the next arrival
      } else if (r->state == Request::State::shipped) {
        deliver(r, setup_failure("batch on " + host + ": " + why));
      }
    }
    b->requests.clear();
    // What the target holds is unknown now: ship everything again, and clean up what the
    // batch may have left running.
    ++epoch;
    store.clear();
    side_run(batch_kill_script(b->dir, {}, /*remove=*/true));
  }
  maybe_ship();
}

void Shared::deliver(const std::shared_ptr<Request>& r, exec::ExitStatus st, std::string out, std::string err,
                     const std::string& archive) {
  if (r->state == Request::State::done) return;
  r->state = Request::State::done;
  r->batch = nullptr;
  SessionState& ss = *r->session;
  ss.pending.erase(r);
  if (!archive.empty()) {
    // Files under the test's %t prefix the command created or changed; nothing else may come
    // back, whatever the target sends.
    auto entries = read_tar(archive);
    if (!entries) {
      st = setup_failure("batch on " + host + ": copy back: " + entries.error().message);
    } else {
      const std::string& root = ss.spec.output_dir;
      for (const auto& e : *entries) {
        if (e.type != '0') continue;
        std::string local = root + "/" + e.name;
        if (!safe_relative(e.name) || !starts_with(local, ss.spec.tmp_prefix)) continue;
        Status s = make_parents(root, e.name);
        if (s) s = write_whole(local, e.data, e.mode);
        if (!s) {
          st = setup_failure("batch on " + host + ": copy back: " + s.error().message);
          break;
        }
        // The target has these bytes at this path already.
        if (ss.epoch == epoch) ss.files[e.name] = content_digest(e.data);
      }
    }
  }
  // Outputs first, then the handler: the test resumes with them in place.
  auto left = std::make_shared<int>(2);
  auto finish = [left, r, st, io = &io]() {
    if (--*left > 0) return;
    boost::asio::post(*io, [r, st] {
      if (r->session->spec.deferred) r->session->spec.deferred(-1);
      auto h = std::move(r->handler);
      if (h) h(st);
    });
  };
  for (auto [fd, data] : {std::pair{&r->req.stdout_fd, &out}, std::pair{&r->req.stderr_fd, &err}}) {
    auto sink = FdSink::open(io, *fd);
    if (*fd >= 0) ::close(*fd);
    *fd = -1;
    if (!data->empty()) sink->write(std::move(*data));
    sink->close(finish);
  }
}

// A script run beside the batches (kills, cleanups); best effort, its result is ignored.
void Shared::side_run(const std::string& script) {
  if (!touched) return;
  BatchRunSpec spec;
  spec.argv = argv_for(script);
  spec.env = env;
  auto holder = std::make_shared<std::shared_ptr<BatchRun>>();
  auto run = BatchRun::start(
      io, std::move(spec), [](BatchEvent) {},
      [w = weak_from_this(), holder](BatchRunEnd) {
        if (auto self = w.lock()) self->side.erase(*holder);
        holder->reset();
      });
  *holder = run;
  side.insert(run);
}

// Waits for `pid` at most `seconds`, then kills its process group.
void wait_bounded(pid_t pid, int seconds) {
  int ws;
  for (int i = 0; i < seconds * 50; ++i) {
    pid_t r = waitpid(pid, &ws, WNOHANG);
    if (r == pid || (r < 0 && errno != EINTR)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(-pid, SIGKILL);
  while (waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
  }
}

void Shared::shutdown() {
  if (shut_down) return;
  shut_down = true;
  idle.cancel();
  for (const auto& b : batches) {
    if (b->timer) b->timer->cancel();
    b->run->kill();
  }
  batches.clear();
  for (auto& r : side) r->kill();
  auto run_sync = [&](std::vector<std::string> argv) {
    exec::SpawnRequest req;
    req.argv = std::move(argv);
    req.env = env;
    if (auto pid = exec::spawn_local(req)) wait_bounded(*pid, 15);
  };
  // Everything this run left on the target goes: store, tests' and batches' directories.
  if (touched || !ssh()) run_sync(argv_for(run_removal_script(run_dir)));
  if (!control_dir.empty()) {
    if (connected) run_sync(ssh_control_exit_argv(ssh_program, settings.ssh, control_path));
    std::string sock_dir = control_dir;
    run_sync({"/bin/rm", "-rf", sock_dir});
  }
}

class BatchSession : public exec::Session {
 public:
  explicit BatchSession(std::shared_ptr<SessionState> st) : st_(std::move(st)) {}
  ~BatchSession() override { close(); }

  void spawn(exec::SpawnRequest req, exec::ExitHandler on_exit) override {
    Shared& sh = *st_->shared;
    if (st_->closed || sh.shut_down) {
      boost::asio::post(sh.io, [h = std::move(on_exit)] { h(setup_failure("batch: the session is closed")); });
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
    auto r = std::make_shared<Request>();
    r->id = ++sh.next_request;
    r->session = st_;
    r->handler = std::move(on_exit);
    int in_fd = req.stdin_fd;
    // The caller closes its descriptors when spawn() returns; the result comes much later.
    req.stdout_fd = req.stdout_fd < 0 ? -1 : fcntl(req.stdout_fd, F_DUPFD_CLOEXEC, 3);
    req.stderr_fd = req.stderr_fd < 0 ? -1 : fcntl(req.stderr_fd, F_DUPFD_CLOEXEC, 3);
    req.stdin_fd = -1;
    r->req = std::move(req);
    st_->pending.insert(r);
    if (st_->spec.deferred) st_->spec.deferred(+1);
    auto shared = st_->shared;
    read_stdin_async(sh.io, in_fd, [shared, r](Expected<StdinData> in) {
      if (r->state != Request::State::reading) return;
      if (!in) return shared->deliver(r, setup_failure("batch: " + in.error().message));
      r->in = std::move(*in);
      shared->enqueue(r, /*front=*/false);
    });
  }

  void terminate() override {
    Shared& sh = *st_->shared;
    std::map<Batch*, std::vector<int>> running;
    auto pending = st_->pending;
    for (const auto& r : pending) {
      if ((r->state == Request::State::shipped || r->state == Request::State::started) && r->batch) {
        running[r->batch].push_back(r->id);
        r->batch->requests.erase(r->id);
      }
      sh.deliver(r, killed());
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
  std::shared_ptr<SessionState> st_;
};

class BatchExecutor : public exec::Executor {
 public:
  explicit BatchExecutor(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}
  ~BatchExecutor() override { shared_->shutdown(); }

  Expected<std::unique_ptr<exec::Session>> open(const exec::SessionSpec& spec) override {
    auto st = std::make_shared<SessionState>();
    st->shared = shared_;
    st->spec = spec;
    st->number = ++shared_->next_session;
    st->layout.remote_dir = shared_->run_dir + "/s" + std::to_string(st->number);
    st->layout.output_dir = spec.output_dir;
    st->layout.source_dir = spec.source_dir;
    if (!spec.output_dir.empty() && starts_with(spec.tmp_prefix, spec.output_dir + "/"))
      st->copy_back_prefix = spec.tmp_prefix.substr(spec.output_dir.size() + 1);
    return std::unique_ptr<exec::Session>(std::make_unique<BatchSession>(std::move(st)));
  }

  std::string name() const override { return "batch"; }
  BatchStats stats() const {
    BatchStats s = shared_->stats;
    s.files_hashed = shared_->digests.files_hashed();
    return s;
  }

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace

Expected<std::unique_ptr<exec::Executor>> make_batch_executor(boost::asio::io_context& io, BatchSettings settings) {
  if (settings.batch_size < 1) return Error("batch executor: batch_size must be at least 1");
  if (settings.parallelism < 1) return Error("batch executor: parallelism must be at least 1");
  auto shared = std::make_shared<Shared>(io);
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

bool is_target_timeout(const exec::ExitStatus& s) {
  return s.signal == SIGKILL && !s.setup_failure && starts_with(s.error, kTimeoutPrefix);
}

BatchStats batch_stats(const exec::Executor& e) {
  if (auto* b = dynamic_cast<const BatchExecutor*>(&e)) return b->stats();
  return {};
}

}  // namespace litbox::emulation
