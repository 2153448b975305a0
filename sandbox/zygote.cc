#include "sandbox/zygote.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "sandbox/cell_protocol.h"

namespace litbox::sandbox {

namespace {

using protocol::Kind;
using protocol::Record;

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

// Gives back the pages of the runner's heap ([heap], the brk area) that the zygote inherited:
// nothing here reads it, and every init clone would otherwise copy its page tables. (The
// sandbox library links with -z now, so no lazy symbol binding reaches into it either.)
void drop_runner_heap(char* scratch, size_t scratch_size) {
  int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  size_t len = 0;
  for (ssize_t n; len < scratch_size - 1 && (n = read(fd, scratch + len, scratch_size - 1 - len)) > 0;)
    len += static_cast<size_t>(n);
  close(fd);
  scratch[len] = 0;
  for (char* line = scratch; line && *line;) {
    char* next = strchr(line, '\n');
    if (next) *next++ = 0;
    if (strstr(line, "[heap]")) {
      char* dash = nullptr;
      unsigned long start = strtoul(line, &dash, 16);
      unsigned long end = dash && *dash == '-' ? strtoul(dash + 1, nullptr, 16) : 0;
      if (end > start) madvise(reinterpret_cast<void*>(start), end - start, MADV_DONTNEED);
    }
    line = next;
  }
}

// The zygote's life, after clone(): no allocation, and no reading of the runner's heap.
[[noreturn]] void zygote_main(char* memory_base, size_t memory_size, int sock, int go_fd, bool netns) {
  const CellMemory mem(memory_base, memory_size);  // a view on our stack, not the runner's object
  int keep[2] = {sock, go_fd};
  close_all_except(keep, 2);
  drop_runner_heap(mem.plan_buffer(), CellMemory::kMaxPlan);
  // 0..2 become /dev/null: no terminal of the runner's reaches a cell, and fds received later
  // land above 2.
  int null_fd = open("/dev/null", O_RDWR);
  for (int i = 0; i < 3 && null_fd >= 0; ++i)
    if (null_fd != i) dup2(null_fd, i);
  if (null_fd > 2) close(null_fd);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  char byte;
  if (read(go_fd, &byte, 1) != 1) _exit(1);  // the runner has written our uid map
  close(go_fd);
  int err = netns ? bring_up_loopback() : 0;
  (void)!send(sock, &err, sizeof err, MSG_NOSIGNAL);
  if (err) _exit(1);

  char* plan = mem.plan_buffer();
  for (;;) {
    protocol::ZygoteRequest h;
    struct iovec iov[2] = {{&h, sizeof h}, {plan, CellMemory::kMaxPlan}};
    alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int) * 2)];
    struct msghdr msg = {};
    msg.msg_iov = iov;
    msg.msg_iovlen = 2;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) _exit(0);  // the executor is gone
    int fds[2] = {-1, -1};
    int nfds = 0;
    for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
      for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); ++i) {
        int fd;
        memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
        if (nfds < 2) fds[nfds++] = fd; else close(fd);
      }
    }
    protocol::ZygoteRequest expected;
    if (nfds == 0 || h.magic != expected.magic || (msg.msg_flags & MSG_TRUNC) ||
        static_cast<size_t>(n) != sizeof h + h.plan_size) {
      for (int i = 0; i < nfds; ++i) close(fds[i]);
      continue;  // not from our runner; nothing to answer to
    }
    CellRequest req;
    req.plan = plan;
    req.plan_size = h.plan_size;
    req.sock = fds[0];
    req.cgroup_fd = h.has_cgroup && nfds > 1 ? fds[1] : -1;
    unsigned long flags = CLONE_PARENT | CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS;
    if (mem.config()->private_netns) flags |= CLONE_NEWNET;
    long pid = syscall(SYS_clone, flags, nullptr, nullptr, nullptr, nullptr);
    if (pid == 0) {
      close(sock);
      run_init(mem, req);
    }
    Record r{};
    if (pid < 0) {
      r.kind = Kind::kSetupFailed;
      r.step = protocol::kStepCloneInit;
      r.err = errno;
    } else {
      r.kind = Kind::kInitPid;
      r.pid = static_cast<int32_t>(pid);
    }
    send_record(req.sock, &r, sizeof r);
    for (int i = 0; i < nfds; ++i) close(fds[i]);
  }
}

}  // namespace

Expected<std::unique_ptr<Zygote>> Zygote::start(const CellMemory& memory, bool network) {
  int sv[2], go[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) return step_error("socketpair", errno);
  if (pipe2(go, O_CLOEXEC) < 0) {
    int e = errno;
    close(sv[0]);
    close(sv[1]);
    return step_error("pipe", e);
  }
  const unsigned long flags = CLONE_NEWUSER | (network ? 0 : CLONE_NEWNET);
  long pid = syscall(SYS_clone, flags | SIGCHLD, nullptr, nullptr, nullptr, nullptr);
  if (pid == 0) zygote_main(memory.begin(), memory.size(), sv[1], go[0], !network);
  int clone_errno = errno;
  close(sv[1]);
  close(go[0]);
  if (pid < 0) {
    close(sv[0]);
    close(go[1]);
    return step_error(network ? "clone(CLONE_NEWUSER)" : "clone(CLONE_NEWUSER|CLONE_NEWNET)", clone_errno);
  }
  std::unique_ptr<Zygote> z(new Zygote(sv[0], static_cast<pid_t>(pid)));
  // Map our uid (and gid) to itself: an unprivileged runner may map exactly that.
  const std::string uid = std::to_string(geteuid()), gid = std::to_string(getegid());
  int e = write_proc(z->pid_, "setgroups", "deny");
  if (e && e != ENOENT) {
    close(go[1]);
    return step_error("write /proc/<zygote>/setgroups", e);
  }
  if ((e = write_proc(z->pid_, "uid_map", uid + " " + uid + " 1\n"))) {
    close(go[1]);
    return step_error("write /proc/<zygote>/uid_map", e);
  }
  if ((e = write_proc(z->pid_, "gid_map", gid + " " + gid + " 1\n"))) {
    close(go[1]);
    return step_error("write /proc/<zygote>/gid_map", e);
  }
  char byte = 1;
  (void)!write(go[1], &byte, 1);
  close(go[1]);
  int err = EIO;
  if (recv(z->sock_, &err, sizeof err, 0) != sizeof err || err)
    return step_error("bring up lo in the empty network namespace", err);
  return z;
}

Zygote::~Zygote() {
  close(sock_);
  while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
  }
}

Status Zygote::launch(const std::string& flat_plan, int cell_sock, int cgroup_fd) {
  protocol::ZygoteRequest h;
  h.plan_size = static_cast<uint32_t>(flat_plan.size());
  h.has_cgroup = cgroup_fd >= 0;
  struct iovec iov[2] = {{&h, sizeof h}, {const_cast<char*>(flat_plan.data()), flat_plan.size()}};
  int fds[2] = {cell_sock, cgroup_fd};
  const size_t nfds = cgroup_fd >= 0 ? 2 : 1;
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int) * 2)] = {};
  struct msghdr msg = {};
  msg.msg_iov = iov;
  msg.msg_iovlen = 2;
  msg.msg_control = control;
  msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
  struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
  memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
  if (flat_plan.size() > CellMemory::kMaxPlan) return Error{"sandbox: mount plan too large"};
  while (sendmsg(sock_, &msg, MSG_NOSIGNAL) < 0) {
    if (errno == EINTR) continue;
    return Error{std::string("sandbox: the cell factory (zygote) is gone: ") + strerror(errno)};
  }
  return {};
}

}  // namespace litbox::sandbox
