#include "executor/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <utility>  // Boost 1.74's Asio needs it before its headers
#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
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

void async_wait_pid(boost::asio::io_context& io, pid_t pid, std::function<void(ExitStatus)> done) {
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) {
    // No pidfd (very old kernel): fall back to a blocking wait, which is still correct.
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
    }
    boost::asio::post(io, [done = std::move(done), ws] { done(status_from_wait(ws)); });
    return;
  }
  auto sd = std::make_shared<boost::asio::posix::stream_descriptor>(io, pidfd);
  sd->async_wait(boost::asio::posix::stream_descriptor::wait_read,
                 [sd, pid, done = std::move(done)](const boost::system::error_code&) {
                   int ws = 0;
                   while (waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
                   }
                   sd->close();
                   done(status_from_wait(ws));
                 });
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

Expected<pid_t> spawn_local(const SpawnRequest& req) {
  if (req.argv.empty()) return Error{"exec: empty command"};
  CStrings argv(req.argv), envp(req.env);
  const std::string& program = req.executable.empty() ? req.argv[0] : req.executable;
  const char* program_path = program.c_str();
  int errpipe[2];
  if (pipe2(errpipe, O_CLOEXEC) < 0) return Error{std::string("pipe: ") + strerror(errno)};
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    close(errpipe[0]);
    close(errpipe[1]);
    return Error{std::string("fork: ") + strerror(e)};
  }
  if (pid == 0) {
    setpgid(0, 0);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
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
      int e = errno;
      (void)!write(errpipe[1], &e, sizeof e);
      _exit(127);
    }
    umask(req.umask);
    set_limit(RLIMIT_AS, req.limits.address_space);
    set_limit(RLIMIT_CPU, req.limits.cpu_seconds);
    set_limit(RLIMIT_FSIZE, req.limits.file_size);
    set_limit(RLIMIT_NOFILE, req.limits.open_files);
    set_limit(RLIMIT_NPROC, req.limits.processes);
    set_limit(RLIMIT_STACK, req.limits.stack);
    execve(program_path, argv.ptrs.data(), envp.ptrs.data());
    int e = errno;
    (void)!write(errpipe[1], &e, sizeof e);
    _exit(127);
  }
  close(errpipe[1]);
  int child_errno = 0;
  ssize_t n;
  while ((n = read(errpipe[0], &child_errno, sizeof child_errno)) < 0 && errno == EINTR) {
  }
  close(errpipe[0]);
  if (n == sizeof child_errno) {
    int ws = 0;
    waitpid(pid, &ws, 0);
    return Error{"exec " + program + ": " + strerror(child_errno)};
  }
  return pid;
}

}  // namespace litbox::exec
