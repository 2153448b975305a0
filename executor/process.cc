#include "executor/process.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <utility>  // Boost 1.74's Asio needs it before its headers
#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <cstring>
#include <memory>

namespace litbox::exec {

ExitStatus status_from_wait(int wstatus) {
  ExitStatus s;
  if (WIFEXITED(wstatus)) {
    s.code = WEXITSTATUS(wstatus);
  } else if (WIFSIGNALED(wstatus)) {
    s.signal = WTERMSIG(wstatus);
  }
  return s;
}

namespace {

// waitpid(pid, WNOHANG): 0 while `pid` runs, else it is reaped (or not ours to reap: ECHILD).
pid_t try_reap(pid_t pid, int& ws) {
  pid_t r;
  while ((r = waitpid(pid, &ws, WNOHANG)) < 0 && errno == EINTR) {
  }
  return r;
}

// Reaps `pid` without blocking: now if it has exited, else again in 10 ms.
void poll_pid(std::shared_ptr<boost::asio::steady_timer> timer, pid_t pid, std::function<void(ExitStatus)> done) {
  int ws = 0;
  if (try_reap(pid, ws) != 0) {
    boost::asio::post(timer->get_executor(), [done = std::move(done), ws] { done(status_from_wait(ws)); });
    return;
  }
  auto& t = *timer;
  t.expires_after(std::chrono::milliseconds(10));
  t.async_wait([timer = std::move(timer), pid, done = std::move(done)](const boost::system::error_code&) mutable {
    poll_pid(std::move(timer), pid, std::move(done));
  });
}

// Reaps `pid` once its pidfd says it has exited. A wake-up when it has not (the wait failed or
// was cancelled; seen once under ASan, cause unknown) must not block the whole runner in
// waitpid() while the process may be waiting for us (a full pipe): it waits again, or, when
// the pidfd wait itself fails, polls every 10 ms.
void wait_pidfd(std::shared_ptr<boost::asio::posix::stream_descriptor> sd, pid_t pid,
                std::function<void(ExitStatus)> done) {
  auto& sd_ref = *sd;
  sd_ref.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                    [sd, pid, done = std::move(done)](const boost::system::error_code& ec) mutable {
                      int ws = 0;
                      if (try_reap(pid, ws) != 0) {
                        sd->close();
                        done(status_from_wait(ws));
                        return;
                      }
                      if (!ec) return wait_pidfd(std::move(sd), pid, std::move(done));
                      auto timer = std::make_shared<boost::asio::steady_timer>(sd->get_executor());
                      sd->close();
                      poll_pid(std::move(timer), pid, std::move(done));
                    });
}

}  // namespace

void async_wait_pid(boost::asio::io_context& io, pid_t pid, std::function<void(ExitStatus)> done) {
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) {
    // No pidfd (a kernel before 5.3): poll.
    poll_pid(std::make_shared<boost::asio::steady_timer>(io), pid, std::move(done));
    return;
  }
  wait_pidfd(std::make_shared<boost::asio::posix::stream_descriptor>(io, pidfd), pid, std::move(done));
}

namespace {

void set_limit(int resource, uint64_t value) {
  if (value == 0) return;
  struct rlimit rl;
  rl.rlim_cur = rl.rlim_max = value;
  setrlimit(resource, &rl);
}

// Prepared in the parent so the child only calls async-signal-safe functions.
struct CStrings {
  std::vector<char*> ptrs;
  explicit CStrings(const std::vector<std::string>& v) {
    for (const auto& s : v) ptrs.push_back(const_cast<char*>(s.c_str()));
    ptrs.push_back(nullptr);
  }
};

}  // namespace

namespace {

// Everything the child needs, prepared in the parent. The child shares the parent's memory
// (CLONE_VM) until it execs, so it only reads this and writes `child_errno`.
struct ChildArgs {
  const SpawnRequest* req;
  char* const* argv;
  char* const* envp;
  const char* program;
  sigset_t parent_mask;
  volatile int child_errno = 0;
};

int child_main(void* arg) {
  auto* a = static_cast<ChildArgs*>(arg);
  const SpawnRequest& req = *a->req;
  setpgid(0, 0);
  // Handlers of the runner (Asio's signal_set) must not run here; exec resets the rest.
  for (int sig = 1; sig < NSIG; ++sig) signal(sig, SIG_DFL);
  int fds[3] = {req.stdin_fd, req.stdout_fd, req.stderr_fd};
  // Move the sources out of the 0..2 range first so dup2 order cannot clobber them.
  for (int i = 0; i < 3; ++i)
    if (fds[i] >= 0 && fds[i] < 3) fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
  for (int i = 0; i < 3; ++i) {
    if (fds[i] >= 0) {
      dup2(fds[i], i);
    } else {
      int n = open("/dev/null", O_RDWR);
      if (n >= 0 && n != i) {
        dup2(n, i);
        close(n);
      }
    }
  }
  if (!req.cwd.empty() && chdir(req.cwd.c_str()) < 0) {
    a->child_errno = errno;
    _exit(127);
  }
  umask(req.umask);
  set_limit(RLIMIT_AS, req.limits.address_space);
  set_limit(RLIMIT_CPU, req.limits.cpu_seconds);
  set_limit(RLIMIT_FSIZE, req.limits.file_size);
  set_limit(RLIMIT_NOFILE, req.limits.open_files);
  set_limit(RLIMIT_NPROC, req.limits.processes);
  set_limit(RLIMIT_STACK, req.limits.stack);
  sigprocmask(SIG_SETMASK, &a->parent_mask, nullptr);
  execve(a->program, a->argv, a->envp);
  a->child_errno = errno;
  _exit(127);
}

}  // namespace

Expected<pid_t> spawn_local(const SpawnRequest& req) {
  if (req.argv.empty()) return Error{"exec: empty command"};
  CStrings argv(req.argv), envp(req.env);
  const std::string& program = req.executable.empty() ? req.argv[0] : req.executable;
  ChildArgs args;
  args.req = &req;
  args.argv = argv.ptrs.data();
  args.envp = envp.ptrs.data();
  args.program = program.c_str();
  // clone(CLONE_VM|CLONE_VFORK), as posix_spawn does: no copy of the runner's page tables
  // (fork() costs milliseconds once the runner holds a few hundred MB), and the parent
  // resumes only after the child exec'd or failed, so the failure is known here.
  static constexpr size_t kStackSize = 64 * 1024;
  auto stack = std::make_unique_for_overwrite<char[]>(kStackSize);  // not zeroed: 64 KiB per spawn
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &args.parent_mask);
  pid_t pid = clone(child_main, stack.get() + kStackSize, CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
  int clone_errno = errno;
  pthread_sigmask(SIG_SETMASK, &args.parent_mask, nullptr);
  if (pid < 0) return Error::from_errno(std::string("clone: ") + strerror(clone_errno), clone_errno);
  if (args.child_errno != 0) {
    int ws = 0;
    waitpid(pid, &ws, 0);
    if (!req.cwd.empty() && access(req.cwd.c_str(), F_OK) != 0)
      return Error::from_errno(std::string("chdir ") + req.cwd + ": " + strerror(args.child_errno), args.child_errno);
    return Error::from_errno(std::string("exec ") + program + ": " + strerror(args.child_errno), args.child_errno);
  }
  return pid;
}

}  // namespace litbox::exec
