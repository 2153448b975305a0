#include "sandbox/run_namespaces.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "sandbox/cell_init.h"

namespace litbox::sandbox {

namespace {

Error step_error(const std::string& step, int err) { return Error{step + ": " + strerror(err)}; }

int write_proc(pid_t pid, const char* file, const std::string& data) {
  std::string path = "/proc/" + std::to_string(pid) + "/" + file;
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  ssize_t w = write(fd, data.data(), data.size());
  int e = errno;
  close(fd);
  return w == static_cast<ssize_t>(data.size()) ? 0 : (w < 0 ? e : EIO);
}

}  // namespace

RunNamespaces& RunNamespaces::operator=(RunNamespaces&& o) noexcept {
  std::swap(userns_fd_, o.userns_fd_);
  std::swap(netns_fd_, o.netns_fd_);
  return *this;
}

RunNamespaces::~RunNamespaces() {
  if (userns_fd_ >= 0) close(userns_fd_);
  if (netns_fd_ >= 0) close(netns_fd_);
}

Expected<RunNamespaces> RunNamespaces::create(bool network) {
  // A helper child creates the namespaces; the parent maps its uid, opens /proc/<pid>/ns/*, and
  // lets it go. The namespaces live on through the fds.
  int go[2], result[2];
  if (pipe2(go, O_CLOEXEC) < 0 || pipe2(result, O_CLOEXEC) < 0) return step_error("pipe", errno);
  const unsigned long flags = CLONE_NEWUSER | (network ? 0 : CLONE_NEWNET);
  const std::string what = network ? "clone(CLONE_NEWUSER)" : "clone(CLONE_NEWUSER|CLONE_NEWNET)";
  long pid = syscall(SYS_clone, flags | SIGCHLD, nullptr, nullptr, nullptr, nullptr);
  if (pid == 0) {
    // Child: no allocation from here on.
    close(go[1]);
    close(result[0]);
    char byte;
    int err = 0;
    if (read(go[0], &byte, 1) != 1) _exit(1);
    if (!network) err = bring_up_loopback();
    (void)!write(result[1], &err, sizeof err);
    while (read(go[0], &byte, 1) > 0) {
    }
    _exit(0);
  }
  int clone_errno = errno;
  close(go[0]);
  close(result[1]);
  auto finish = [&](pid_t p) {
    close(go[1]);
    close(result[0]);
    if (p > 0) {
      while (waitpid(p, nullptr, 0) < 0 && errno == EINTR) {
      }
    }
  };
  if (pid < 0) {
    finish(-1);
    return step_error(what, clone_errno);
  }
  const std::string uid = std::to_string(geteuid()), gid = std::to_string(getegid());
  int e = write_proc(static_cast<pid_t>(pid), "setgroups", "deny");
  if (e && e != ENOENT) {
    finish(static_cast<pid_t>(pid));
    return step_error("write /proc/<pid>/setgroups", e);
  }
  if ((e = write_proc(static_cast<pid_t>(pid), "uid_map", uid + " " + uid + " 1\n"))) {
    finish(static_cast<pid_t>(pid));
    return step_error("write /proc/<pid>/uid_map", e);
  }
  if ((e = write_proc(static_cast<pid_t>(pid), "gid_map", gid + " " + gid + " 1\n"))) {
    finish(static_cast<pid_t>(pid));
    return step_error("write /proc/<pid>/gid_map", e);
  }
  char byte = 1;
  int err = EIO;
  if (write(go[1], &byte, 1) != 1 || read(result[0], &err, sizeof err) != sizeof err || err) {
    finish(static_cast<pid_t>(pid));
    return step_error("bring up lo in the empty network namespace", err);
  }
  RunNamespaces ns;
  std::string base = "/proc/" + std::to_string(pid) + "/ns/";
  ns.userns_fd_ = open((base + "user").c_str(), O_RDONLY | O_CLOEXEC);
  if (ns.userns_fd_ < 0) e = errno;
  if (!network && ns.userns_fd_ >= 0) {
    ns.netns_fd_ = open((base + "net").c_str(), O_RDONLY | O_CLOEXEC);
    if (ns.netns_fd_ < 0) e = errno;
  }
  finish(static_cast<pid_t>(pid));
  if (ns.userns_fd_ < 0 || (!network && ns.netns_fd_ < 0)) return step_error("open /proc/<pid>/ns", e);
  return ns;
}

}  // namespace litbox::sandbox
