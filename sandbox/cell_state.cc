#include "sandbox/cell_state.h"

#include <sys/stat.h>
#include <sys/vfs.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

#include "executor/process.h"
#include "sandbox/cell_protocol.h"
#include "sandbox/output_view.h"

namespace litbox::sandbox {

namespace {

using boost::asio::posix::stream_descriptor;
using protocol::Kind;
using protocol::Record;

// Closes a descriptor Asio watches. Asio's own close() leaves the fd in its epoll set on the
// assumption that close() removes it; if another process holds a copy of the file (a clone of
// the runner that has not exec'ed yet), epoll keeps reporting it under a registration Asio has
// recycled, and some other cell's handler fires. release() deregisters first.
void close_descriptor(stream_descriptor* sd) {
  if (!sd || !sd->is_open()) return;
  boost::system::error_code ignored;
  sd->cancel(ignored);
  ::close(sd->release());
}

// What the test's report says about outputs that were not published.
std::vector<std::string> publish_notes(const OutputView& v, PublishReport& r) {
  auto list = [](std::vector<std::string>& names) {
    std::sort(names.begin(), names.end());
    std::string s;
    for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
    return s;
  };
  std::vector<std::string> notes;
  if (!r.leftovers.empty())
    notes.push_back("not published to " + v.output_dir + " (" +
                    (v.publish_all ? std::string("litbox's own name") : "its outputs are the names starting with " + v.prefix + ".tmp") +
                    "): " + list(r.leftovers) + "; kept in " + v.leftovers_dir());
  if (!r.dropped.empty()) notes.push_back("not published (not a regular file, directory or symlink): " + list(r.dropped));
  return notes;
}

}  // namespace

CellState::CellState(boost::asio::io_context& io, CellLaunch launch)
    : io_(io), sock_(launch.sock), sd_(io, launch.sock), launch_(std::move(launch)) {}

CellState::~CellState() {
  if (root_ >= 0) ::close(root_);
  if (pending_fd_ >= 0) ::close(pending_fd_);
}

exec::ExitStatus CellState::setup_failure() const {
  exec::ExitStatus s;
  s.code = 127;
  s.setup_failure = true;
  s.error = setup_error_;
  return s;
}

void CellState::arm_read() {
  sd_.async_wait(stream_descriptor::wait_read, [self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec || self->closed_) return;
    self->drain();
    if (!self->eof_ && !self->closed_) self->arm_read();
  });
}

void CellState::drain() {
  while (!eof_) {
    char buf[4096];
    struct iovec iov = {buf, sizeof buf};
    alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int) * 4)];
    struct msghdr msg = {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = recvmsg(sock_, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
      for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); ++i) {
        int fd;
        memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
        if (pending_fd_ < 0) pending_fd_ = fd; else ::close(fd);
      }
    }
    if (n <= 0) {
      eof_ = true;
      break;
    }
    rx_.append(buf, static_cast<size_t>(n));
    // One record at a time off the front: a record's handler may drain again (close() of a
    // cell still launching waits for its init), and must find the stream as it is.
    while (rx_.size() >= sizeof(Record)) {
      Record r;
      memcpy(&r, rx_.data(), sizeof r);
      rx_.erase(0, sizeof r);
      on_record(r);
    }
  }
  // Every other end of the cell's socket is closed: init is gone (its pidfd says when), or the
  // zygote never made one.
  if (eof_ && init_ == 0 && !dead_) {
    if (setup_error_.empty()) setup_error_ = "sandbox: the cell's init was never started";
    dead_ = true;
    fail_all(setup_failure());
  }
  notify_ready();
}

void CellState::notify_ready() {
  if (ready_waiters_.empty() || !(ready_ || dead_ || !setup_error_.empty())) return;
  Status s;
  if (!setup_error_.empty()) s = Error{setup_error_};
  else if (!ready_) s = Error{"sandbox: the cell ended before it was ready"};
  for (auto& w : ready_waiters_) boost::asio::post(io_, [w = std::move(w), s] { w(s); });
  ready_waiters_.clear();
}

void CellState::async_wait_ready(std::function<void(Status)> on_ready) {
  ready_waiters_.push_back(std::move(on_ready));
  notify_ready();
}

void CellState::on_record(const Record& r) {
  // The zygote reports init's pid after clone() returns; init may have set up, run commands
  // and answered a reset by then. Its records wait for that pid, in order.
  if (init_ == 0 && r.kind != Kind::kInitPid && r.kind != Kind::kSetupFailed) {
    early_.push_back(r);
    return;
  }
  switch (r.kind) {
    case Kind::kInitPid: {
      init_ = r.pid;
      watch_init();
      std::vector<Record> early = std::move(early_);
      early_.clear();
      for (const Record& e : early) on_record(e);
      break;
    }
    case Kind::kReady:
      ready_ = true;
      root_ = pending_fd_;
      pending_fd_ = -1;
      break;
    case Kind::kSetupFailed:
      setup_error_ = setup_error_text(*launch_.plan, r.step, r.err);
      fail_all(setup_failure());
      break;
    case Kind::kSpawned: {
      auto it = pending_.find(r.id);
      if (it == pending_.end()) break;
      it->second.step = r.step;
      it->second.err = r.err;
      if (r.pid > 0) {  // started, but failed before exec: its exit record follows
        it->second.pid = r.pid;
        break;
      }
      // Nothing was started: no exit record will follow.
      exec::ExitStatus s;
      s.code = 127;
      const char* what = protocol::step_name(r.step);
      if (r.step == protocol::kStepSpawnTable) {
        s.error = what;
      } else {
        s.error = std::string(what ? what : "spawn") + " " + it->second.program + ": " + strerror(r.err);
        s.exec_errno = r.err;
      }
      complete(r.id, s);
      break;
    }
    case Kind::kExited: {
      auto it = pending_.find(r.id);
      if (it == pending_.end()) break;
      exec::ExitStatus s = exec::status_from_wait(r.status);
      const Pending& p = it->second;
      if (p.step != protocol::kStepNone) {
        const char* what = protocol::step_name(p.step);
        const std::string& subject = p.step == protocol::kStepSpawnChdir ? p.cwd : p.program;
        s.error = std::string(what ? what : "spawn") + " " + subject + ": " + strerror(p.err);
        s.exec_errno = p.err;
      }
      if (r.syscall_nr >= 0) {
        const char* name = launch_.seccomp ? launch_.seccomp->name_of(r.syscall_arch, r.syscall_nr) : nullptr;
        s.denied_syscall = name ? name : std::to_string(r.syscall_nr);
        s.error = "sandbox: system call " + s.denied_syscall + " denied by the seccomp policy (process killed with SIGSYS)";
      }
      complete(r.id, s);
      break;
    }
    case Kind::kResetDone:
      if (resetting_) {
        on_reset_done(r);
      } else if (last_sent_) {
        auto_reset_ = r;  // after the last process, before the test ended: recycle() takes it
      }
      break;
  }
}

void CellState::watch_init() {
  if (pidfd_ < 0) {
    pidfd_ = static_cast<int>(syscall(SYS_pidfd_open, init_, 0));
    if (pidfd_ < 0) return;  // cannot happen for an unreaped child; close() still reaps it
    pidfd_sd_ = std::make_unique<stream_descriptor>(io_, pidfd_);
  }
  pidfd_sd_->async_wait(stream_descriptor::wait_read, [self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec) self->on_init_exit(false);
  });
}

// Init is gone, and with it (pid namespace) every process of the cell. Whatever it reported
// before dying is still in the socket: read it first. With `block` false (the pidfd said so),
// a wake-up while init still runs just waits again.
void CellState::on_init_exit(bool block) {
  if (dead_) return;
  int status = 0;
  pid_t r;
  while ((r = waitpid(init_, &status, block ? 0 : WNOHANG)) < 0 && errno == EINTR) {
  }
  if (r == 0) {
    watch_init();
    return;
  }
  dead_ = true;
  drain();
  if (!setup_error_.empty()) {
    fail_all(setup_failure());
  } else if (terminated_) {
    exec::ExitStatus s;
    s.signal = SIGKILL;
    fail_all(s);
  } else {
    exec::ExitStatus s = exec::status_from_wait(status);
    setup_error_ = "sandbox: the cell's init ended unexpectedly (" +
                   (s.signal ? "signal " + std::to_string(s.signal) : "exit code " + std::to_string(s.code)) + ")";
    fail_all(setup_failure());
  }
  close_descriptor(pidfd_sd_.get());
  pidfd_ = -1;
  notify_ready();
  if (resetting_) {  // died during a reset: nothing to reuse
    resetting_ = false;
    close();
  } else if (closed_) {
    reap_blocking();
  }
}

void CellState::complete(uint32_t id, exec::ExitStatus s) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  exec::ExitHandler h = std::move(it->second.on_exit);
  pending_.erase(it);
  boost::asio::post(io_, [h = std::move(h), s = std::move(s)] { h(s); });
}

void CellState::fail_all(const exec::ExitStatus& s) {
  while (!pending_.empty()) complete(pending_.begin()->first, s);
}

template <typename Pred>
void CellState::wait_until(Pred pred) {
  while (!pred() && !eof_ && !dead_) {
    struct pollfd p[2] = {{sock_, POLLIN, 0}, {pidfd_, POLLIN, 0}};
    if (poll(p, pidfd_ >= 0 ? 2 : 1, -1) < 0 && errno != EINTR) return;
    drain();
    if (pidfd_ >= 0 && (p[1].revents & POLLIN)) on_init_exit(false);
  }
}

bool CellState::send_request(const protocol::SpawnHeader& h, const std::string& payload, const int* fds, int nfds) {
  std::string buf(reinterpret_cast<const char*>(&h), sizeof h);
  buf += payload;
  size_t sent = 0;
  bool fds_sent = false;
  while (sent < buf.size()) {
    struct iovec iov = {buf.data() + sent, buf.size() - sent};
    struct msghdr msg = {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int) * 3)];
    if (!fds_sent && nfds > 0) {
      memset(control, 0, sizeof control);
      msg.msg_control = control;
      msg.msg_controllen = CMSG_SPACE(sizeof(int) * static_cast<size_t>(nfds));
      struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN(sizeof(int) * static_cast<size_t>(nfds));
      memcpy(CMSG_DATA(c), fds, sizeof(int) * static_cast<size_t>(nfds));
    }
    ssize_t n = sendmsg(sock_, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      fds_sent = true;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      // Init is busy; keep reading its records meanwhile so neither side can block the other.
      struct pollfd p = {sock_, POLLIN | POLLOUT, 0};
      poll(&p, 1, -1);
      if (p.revents & POLLIN) drain();
      if (eof_ || dead_) return false;
      continue;
    }
    return false;  // EPIPE: the cell is gone; its death completes the request
  }
  return true;
}

// A pipe the runner made belongs to the runner (root): a test process that reopens it
// (`> /dev/stdout`, `/dev/stdin`, or init writing a kill-mode message to /proc/<pid>/fd/2)
// would get EACCES as the cell user. Anonymous pipes only (pipefs): a named FIFO is a host file
// and keeps its owner.
void CellState::give_pipe_to_cell_user(int fd) const {
  const exec::FsIds ids = launch_.fs_ids;
  if (ids.uid == static_cast<uid_t>(-1)) return;
  struct stat st;
  struct statfs sfs;
  constexpr long kPipefsMagic = 0x50495045;
  if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode) && st.st_uid != ids.uid && fstatfs(fd, &sfs) == 0 &&
      sfs.f_type == kPipefsMagic)
    (void)!fchown(fd, ids.uid, ids.gid);
}

void CellState::spawn(exec::SpawnRequest req, exec::ExitHandler on_exit) {
  auto refuse = [&](exec::ExitStatus s) { boost::asio::post(io_, [h = std::move(on_exit), s] { h(s); }); };
  if (!setup_error_.empty()) return refuse(setup_failure());
  if (closed_ || dead_ || terminated_ || eof_) {
    exec::ExitStatus s;
    s.signal = SIGKILL;
    s.error = "sandbox: the cell was terminated";
    return refuse(s);
  }
  if (req.argv.empty()) {
    exec::ExitStatus s;
    s.code = 127;
    s.error = "exec: empty command";
    return refuse(s);
  }
  if (last_sent_) {  // the cell resets after the last process: nothing may follow it
    exec::ExitStatus s;
    s.code = 127;
    s.setup_failure = true;
    s.error = "sandbox: a process was started after the test's last one";
    return refuse(s);
  }
  protocol::SpawnHeader h;
  if (req.last) {
    h.op = protocol::kOpSpawnLast;
    last_sent_ = true;
  }
  h.id = next_id_++;
  h.argc = static_cast<uint32_t>(req.argv.size());
  h.envc = static_cast<uint32_t>(req.env.size());
  h.umask = req.umask;
  const exec::Limits& l = req.limits;
  h.limits[protocol::kAs] = l.address_space;
  h.limits[protocol::kCpu] = l.cpu_seconds;
  h.limits[protocol::kFsize] = l.file_size;
  h.limits[protocol::kNofile] = l.open_files;
  h.limits[protocol::kNproc] = l.processes;
  h.limits[protocol::kStack] = l.stack;
  std::string payload = req.cwd;
  payload.push_back('\0');
  payload.append(req.executable).push_back('\0');
  for (const auto& a : req.argv) payload.append(a).push_back('\0');
  for (const auto& e : req.env) payload.append(e).push_back('\0');
  h.payload_size = static_cast<uint32_t>(payload.size());
  int fds[3];
  int nfds = 0;
  int stdio[3] = {req.stdin_fd, req.stdout_fd, req.stderr_fd};
  for (int i = 0; i < 3; ++i)
    if (stdio[i] >= 0) {
      h.fd_mask |= 1u << i;
      fds[nfds++] = stdio[i];
      give_pipe_to_cell_user(stdio[i]);
    }
  Pending p;
  p.on_exit = std::move(on_exit);
  p.program = req.executable.empty() ? req.argv[0] : req.executable;
  p.cwd = req.cwd;
  pending_.emplace(h.id, std::move(p));
  send_request(h, payload, fds, nfds);
}

void CellState::terminate() {
  terminated_ = true;
  if (dead_) return;
  if (init_ == 0) wait_until([&] { return init_ != 0; });  // still launching: at most a moment
  if (init_ != 0 && !dead_) {
    if (pidfd_ >= 0)
      syscall(SYS_pidfd_send_signal, pidfd_, SIGKILL, nullptr, 0);
    else
      kill(init_, SIGKILL);
  }
}

// close() kills the cell but does not wait for init: the kernel's teardown of the cell's
// namespaces (an RCU grace period for the mount namespace) takes milliseconds, during which the
// runner has better things to do. The pidfd watch reaps init, completes any request still
// pending, and publishes the test's outputs: only then is no process of the test left to change
// the staging dir while it is published (the kill of init is asynchronous; the rest of the pid
// namespace dies with init, before init can be reaped).
void CellState::close() {
  if (closed_) return;
  resetting_ = false;
  terminate();
  closed_ = true;
  if (init_ == 0 || dead_ || !launch_.reaper) {
    reap_blocking();
  } else {
    launch_.reaper->add(weak_from_this());
  }
}

Status CellState::publish_outputs() {
  if (published_) return {};
  published_ = true;
  report_ = {};
  if (launch_.output) {
    PublishReport r;
    report_.status = finish_output_view(*launch_.output, &r);
    report_.notes = publish_notes(*launch_.output, r);
    launch_.output.reset();
  }
  if (on_published_) {
    boost::asio::post(io_, [done = std::move(on_published_), r = report_] { done(r); });
    on_published_ = nullptr;
  }
  return report_.status;
}

void CellState::on_published(std::function<void(exec::CloseReport)> done) {
  if (published_)
    boost::asio::post(io_, [done = std::move(done), r = report_] { done(r); });
  else
    on_published_ = std::move(done);
}

bool CellState::reusable() const {
  return ready_ && root_ >= 0 && !dead_ && !eof_ && !terminated_ && !closed_ && !resetting_ && setup_error_.empty() &&
         pending_.empty();
}

void CellState::recycle(const std::shared_ptr<CellPool>& pool, const std::string& key) {
  pool->track_reset(weak_from_this());  // (drops this cell's entry from its last reset)
  resetting_ = true;
  pool_ = pool;
  pool_key_ = key;
  if (auto_reset_) {  // init reset the cell after the test's last process already
    protocol::Record r = *auto_reset_;
    auto_reset_.reset();
    return on_reset_done(r);
  }
  if (last_sent_) return;  // init resets once the last process has ended; on_reset_done follows
  protocol::SpawnHeader h;
  h.op = protocol::kOpReset;
  if (!send_request(h, {}, nullptr, 0)) {
    resetting_ = false;
    close();
  }
}

// Init has killed every process of the test and put /tmp back (or says why it could not).
// Nothing runs in the cell now, so the test's outputs can be moved out of the staging dir.
void CellState::on_reset_done(const Record& r) {
  if (!resetting_) return;
  resetting_ = false;
  Status published = publish_outputs();
  std::shared_ptr<CellPool> pool = pool_.lock();
  if (r.err == 0 && published && pool && !pool->closing()) {
    pool->put(pool_key_, shared_from_this());
  } else {
    close();
  }
}

void CellState::finish_reset() {
  wait_until([&] { return !resetting_; });
  if (resetting_) {  // init died meanwhile: nothing to reuse
    resetting_ = false;
    close();
  }
}

void CellState::reap_blocking() {
  if (init_ != 0) on_init_exit(true);
  (void)publish_outputs();  // init is gone, and every process of the cell with it
  close_descriptor(&sd_);
  close_descriptor(pidfd_sd_.get());
  if (launch_.on_closed) {
    launch_.on_closed();
    launch_.on_closed = nullptr;
  }
}

Expected<int> CellState::root_fd() {
  wait_until([&] { return ready_ || !setup_error_.empty(); });
  if (ready_ && root_ >= 0) return root_;
  if (!setup_error_.empty()) return Error{setup_error_};
  return Error{"sandbox: the cell ended before it was ready"};
}

}  // namespace litbox::sandbox
