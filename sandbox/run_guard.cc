#include "sandbox/run_guard.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <mutex>
#include <set>
#include <vector>

#include "sandbox/cgroup.h"
#include "sandbox/output_view.h"

extern char** environ;

namespace litbox::sandbox {

namespace {

constexpr const char kGuardArg[] = "--litbox-run-guard";

struct Guard {
  std::mutex mu;
  std::string exe;        // empty: not enabled
  int fd = -1;            // the pipe to the guard; -1 before it is started
  bool failed = false;    // could not start: the next run recovers, as without a guard
  std::set<std::string> sent;
};

Guard& guard() {
  static Guard* g = new Guard;  // never destroyed: watch_*() may run during static destruction
  return *g;
}

// The signals a terminal or a job control sends a whole process group.
constexpr int kGroupSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU};

bool start(Guard& g) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0) return false;
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_adddup2(&fa, p[0], 0);
  // Nothing of the runner's outputs: a reader waiting for their end is not kept waiting.
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  // Blocked until the guard ignores them (run_guard_main), so none is lost in between.
  sigset_t mask;
  sigemptyset(&mask);
  for (int s : kGroupSignals) sigaddset(&mask, s);
  posix_spawnattr_setsigmask(&attr, &mask);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  std::string pid = std::to_string(getpid());
  char* argv[] = {const_cast<char*>("litbox-run-guard"), const_cast<char*>(kGuardArg), pid.data(), nullptr};
  pid_t child;
  int rc = posix_spawn(&child, g.exe.c_str(), &fa, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  close(p[0]);
  if (rc != 0) {
    close(p[1]);
    return false;
  }
  g.fd = p[1];
  return true;
}

void send(const char* kind, const std::string& dir) {
  Guard& g = guard();
  std::lock_guard<std::mutex> lock(g.mu);
  if (g.exe.empty() || g.failed || dir.find('\n') != std::string::npos) return;
  std::string line = std::string(kind) + " " + dir + "\n";
  if (!g.sent.insert(line).second) return;
  if (g.fd < 0 && !start(g)) {
    g.failed = true;
    return;
  }
  // One write of less than PIPE_BUF is atomic; the guard reads far faster than runs register.
  if (write(g.fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) g.failed = true;
}

// Reads the runner's lines from fd 0 until the runner has ended (its pidfd is readable, or, on
// a kernel without pidfds, it is gone), and then what is still in the pipe.
std::vector<std::string> read_until_runner_ends(pid_t runner) {
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, runner, 0));
  // Spawned by the runner: if it is no longer this process's parent, it has already ended.
  bool ended = (pidfd < 0 && errno == ESRCH) || getppid() != runner;
  bool eof = false;
  std::string buf;
  char chunk[4096];
  while (!ended) {
    struct pollfd pf[2] = {{pidfd, POLLIN, 0}, {0, POLLIN, 0}};
    struct pollfd* fds = pidfd >= 0 ? pf : pf + 1;
    nfds_t n = (pidfd >= 0 ? 1 : 0) + (eof ? 0 : 1);
    if (n == 0) {  // no pidfd and the pipe is closed: poll for the runner's end
      if (kill(runner, 0) < 0 && errno == ESRCH) break;
      usleep(20000);
      continue;
    }
    if (poll(fds, n, pidfd >= 0 ? -1 : 20) < 0 && errno != EINTR) break;
    if (pidfd >= 0 && (pf[0].revents & (POLLIN | POLLHUP))) ended = true;
    if (!eof && (pf[1].revents & (POLLIN | POLLHUP))) {
      ssize_t r = read(0, chunk, sizeof chunk);
      if (r > 0) buf.append(chunk, static_cast<size_t>(r));
      else if (r == 0) eof = true;
    }
  }
  // All the runner wrote is in the pipe now (cells and the zygote, which may still hold its
  // write end a moment longer, never write to it).
  fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
  for (ssize_t r; !eof && (r = read(0, chunk, sizeof chunk)) > 0;) buf.append(chunk, static_cast<size_t>(r));
  if (pidfd >= 0) close(pidfd);
  std::vector<std::string> lines;
  for (size_t from = 0, nl; (nl = buf.find('\n', from)) != std::string::npos; from = nl + 1)
    lines.push_back(buf.substr(from, nl - from));
  return lines;
}

}  // namespace

void enable_run_guard(const std::string& exe) {
  Guard& g = guard();
  std::lock_guard<std::mutex> lock(g.mu);
  g.exe = exe;
}

void guard_cgroup_pool(const std::string& dir) { send("cgroup", dir); }
void guard_output_dir(const std::string& dir) { send("output", dir); }

int run_guard_main(int argc, char** argv) {
  for (int s : kGroupSignals) signal(s, SIG_IGN);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  if (argc < 2) return 2;
  const pid_t runner = static_cast<pid_t>(atoi(argv[1]));
  if (runner <= 0) return 2;
  std::vector<std::string> pools, outputs;
  for (const auto& line : read_until_runner_ends(runner)) {
    if (line.rfind("cgroup ", 0) == 0) pools.push_back(line.substr(7));
    if (line.rfind("output ", 0) == 0) outputs.push_back(line.substr(7));
  }
  // First the cells (their processes die with the zygote, which dies with the runner), then
  // what they staged: publish it as the run would have, and remove the run's staging dirs.
  for (const auto& dir : pools) remove_dead_pool(dir);
  for (const auto& dir : outputs) (void)recover_staging_dirs(dir);
  return 0;
}

}  // namespace litbox::sandbox
