#include "emulation/batch_queue.h"

#include "emulation/local_files.h"

#include <signal.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <thread>

#include "emulation/batch_copy_back.h"
#include "emulation/batch_plan.h"
#include "emulation/batch_script.h"
#include "emulation/fd_sink.h"
#include "executor/process.h"
#include "support/strings.h"

namespace litbox::emulation {

namespace {

std::string last_line(std::string_view s) {
  s = rstrip(s);
  size_t nl = s.rfind('\n');
  return std::string(nl == std::string_view::npos ? s : s.substr(nl + 1));
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

}  // namespace

exec::ExitStatus batch_setup_failure(const std::string& host, const std::string& why) {
  exec::ExitStatus s;
  s.code = 255;
  s.setup_failure = true;
  s.error = (host.empty() ? "batch: " : "batch on " + host + ": ") + why;
  return s;
}

exec::ExitStatus batch_killed() {
  exec::ExitStatus s;
  s.signal = SIGKILL;
  return s;
}

void BatchQueue::enqueue(const std::shared_ptr<BatchRequest>& r, bool front) {
  r->state = BatchRequest::State::queued;
  r->queued_at = std::chrono::steady_clock::now();
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
      self->early = Early::idle;
      self->maybe_ship();
    });
  }
  maybe_ship();
}

void BatchQueue::maybe_ship() {
  if (shut_down || ship_posted || queue.empty()) return;
  if (static_cast<int>(queue.size()) < settings.batch_size && !idle_expired) return;
  if (!can_ship()) {
    if (!blocked_since) blocked_since = std::chrono::steady_clock::now();
    return;
  }
  // Not from inside spawn() or a handler: shipping reads files and starts a process.
  ship_posted = true;
  boost::asio::post(io, [self = shared_from_this()] {
    self->ship_posted = false;
    if (self->can_ship()) self->ship();
  });
}

Status BatchQueue::add_request(Batch& b, TarWriter& ar, std::set<std::string>& fresh, BatchRequest& r) {
  JobSpec job;
  std::string cas = run_dir + "/cas/";
  // Puts `data` (digest `d`) in the store unless the target or this batch has it already.
  auto store_put = [&](const std::string& d, uint32_t mode, std::string data) {
    if (store.count(d) || fresh.count(d)) return;
    ++stats.store_files;
    stats.store_bytes += data.size();
    ar.add_file_owned("cas/" + d, mode, std::move(data), 1);
    fresh.insert(d);
    b.new_store.push_back(d);
  };
  if (!r.in.null) {
    std::string d = content_digest(r.in.data);
    store_put(d, 0644, r.in.data);
    job.stdin_file = cas + d;
  }
  job.umask = r.req.umask;
  job.merge_stderr = r.merge_stderr;
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

  BatchTest& ss = *r.session;
  if (ss.epoch != epoch) {
    ss.epoch = epoch;
    ss.dir_made = false;
    ss.dirs.clear();
    ss.files.clear();
  }
  PlannedRequest p = plan_remote_request(r.req, ss.layout, settings.libraries);
  std::string sdir = "s" + std::to_string(ss.number);
  BatchCommit c;
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
      store_put(fd->digest, fd->executable ? 0755 : 0644, std::move(data));
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

void BatchQueue::ship() {
  auto b = std::make_shared<Batch>();
  b->number = ++next_batch;
  b->dir = run_dir + "/b" + std::to_string(b->number);
  TarWriter ar;
  std::set<std::string> fresh;
  std::vector<int> ids;
  while (!queue.empty() && static_cast<int>(b->requests.size()) < settings.batch_size) {
    auto r = queue.front();
    queue.pop_front();
    if (r->state != BatchRequest::State::queued) continue;  // terminated meanwhile
    if (Status s = add_request(*b, ar, fresh, *r); !s) {
      deliver(r, batch_setup_failure(host, s.error().message));
      continue;
    }
    r->state = BatchRequest::State::shipped;
    r->batch = b.get();
    ++r->attempts;
    b->requests[r->id] = r;
    ids.push_back(r->id);
  }
  if (b->requests.empty()) return maybe_ship();
  const auto now = std::chrono::steady_clock::now();
  for (const auto& [id, r] : b->requests) {
    double waited = std::chrono::duration<double>(now - r->queued_at).count();
    stats.queue_wait += waited;
    stats.queue_wait_max = std::max(stats.queue_wait_max, waited);
  }
  if (blocked_since) stats.blocked += std::chrono::duration<double>(now - *blocked_since).count();
  blocked_since.reset();
  b->size = b->requests.size();
  stats.shipped += b->size;
  stats.largest_batch = std::max<uint64_t>(stats.largest_batch, b->requests.size());
  if (static_cast<int>(b->requests.size()) >= settings.batch_size) {
    ++stats.left_full;
  } else {
    ++(early == Early::flush ? stats.left_flush : early == Early::retry ? stats.left_retry : stats.left_idle);
  }
  b->started = now;

  BatchScriptSpec ss;
  ss.run_dir = run_dir;
  ss.batch_dir = b->dir;
  ss.parallelism = settings.parallelism;
  if (settings.request_timeout > 0) ss.timeout_seconds = static_cast<int>(std::ceil(settings.request_timeout));
  ss.token = random_hex(8);
  ss.ids = ids;
  ss.gc = b->gc = gc;
  ss.new_store = b->new_store;
  BatchRunSpec spec;
  spec.argv = argv_for(batch_command_script(ss));
  spec.env = env;
  spec.payload = ar.finish_chunks();
  spec.token = ss.token;
  b->bytes = 0;
  for (const auto& c : spec.payload) b->bytes += c.size();
  stats.archive_bytes += b->bytes;
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

void BatchQueue::on_event(const std::shared_ptr<Batch>& b, BatchEvent e) {
  if (shut_down) return;
  using K = BatchEvent::Kind;
  if (e.kind == K::ready) {
    // The archive is unpacked: the target holds what this batch shipped.
    b->ready = true;
    b->unpacked = std::chrono::steady_clock::now();
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
    if (r->state == BatchRequest::State::shipped) r->state = BatchRequest::State::started;
    return;
  }
  b->requests.erase(it);
  if (e.kind == K::failed) return deliver(r, batch_setup_failure(host, e.message));
  ++stats.results;
  exec::ExitStatus st;
  if (e.timed_out) {
    st.signal = SIGKILL;
    st.target_timeout = true;
    st.error = std::string(kTargetTimeoutPrefix) + " after " +
               std::to_string(static_cast<int>(std::ceil(settings.request_timeout))) + " s";
  } else {
    st = remote_exit_status(e.status);
  }
  deliver(r, st, std::move(e.out), std::move(e.err), e.archive);
}

void BatchQueue::on_end(const std::shared_ptr<Batch>& b, BatchRunEnd end) {
  if (b->timer) b->timer->cancel();
  if (shut_down) return;
  batches.erase(b);
  {
    const auto now = std::chrono::steady_clock::now();
    double took = std::chrono::duration<double>(now - b->started).count();
    stats.batch_time += took;
    stats.batch_time_max = std::max(stats.batch_time_max, took);
    if (b->ready) stats.unpack_time += std::chrono::duration<double>(b->unpacked - b->started).count();
    BatchSpan span;
    span.number = b->number;
    span.start = b->started;
    span.ready = b->ready ? b->unpacked : now;
    span.end = now;
    span.requests = b->size;
    span.bytes = b->bytes;
    span.ok = b->ended && b->requests.empty();
    stats.spans.push_back(span);
  }
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
      if (r->state == BatchRequest::State::started) {
        deliver(r, batch_setup_failure(host, why + " (the command had started)"));
      } else if (r->state == BatchRequest::State::shipped && r->attempts <= settings.retries) {
        ++stats.retried;
        r->batch = nullptr;
        enqueue(r, /*front=*/true);
        idle_expired = true;  // retried at once, not after the next arrival
        early = Early::retry;
      } else if (r->state == BatchRequest::State::shipped) {
        deliver(r, batch_setup_failure(host, why));
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

void BatchQueue::deliver(const std::shared_ptr<BatchRequest>& r, exec::ExitStatus st, std::string out, std::string err,
                         const std::string& archive) {
  if (r->state == BatchRequest::State::done) return;
  r->state = BatchRequest::State::done;
  r->batch = nullptr;
  BatchTest& ss = *r->session;
  ss.pending.erase(r);
  if (!archive.empty()) {
    auto written = copy_back(archive, ss.spec.output_dir, ss.spec.tmp_prefix);
    if (!written) {
      st = batch_setup_failure(host, written.error().message);
    } else if (ss.epoch == epoch) {
      // The target has these bytes at these paths already.
      for (const auto& f : *written) ss.files[f.rel] = f.digest;
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
void BatchQueue::side_run(const std::string& script) {
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

void BatchQueue::shutdown() {
  if (shut_down) return;
  shut_down = true;
  idle.cancel();
  for (const auto& b : batches) {
    if (b->timer) b->timer->cancel();
    b->run->abandon();
  }
  batches.clear();
  for (auto& r : side) r->abandon();
  side.clear();
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

}  // namespace litbox::emulation
