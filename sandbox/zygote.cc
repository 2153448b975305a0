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
#include <fstream>
#include <iterator>
#include <sstream>

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

// The runner's argv area ([arg_start, arg_end) of /proc/self/stat), which /proc/<pid>/cmdline
// shows: a cell's init is a copy of the runner, and its command line must not show the
// runner's arguments to the test.
struct ArgArea {
  unsigned long start = 0, end = 0;
};

ArgArea arg_area() {
  ArgArea a;
  std::ifstream in("/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t p = text.rfind(')');  // the command name may contain spaces and parentheses
  if (p == std::string::npos) return a;
  std::istringstream fields(text.substr(p + 2));
  std::string f;
  // Field 3 (state) is the first after the name; arg_start and arg_end are fields 48 and 49.
  for (int i = 3; i <= 49 && fields >> f; ++i) {
    if (i == 48) a.start = std::stoul(f);
    if (i == 49) a.end = std::stoul(f);
  }
  return a;
}

void overwrite_command_line(ArgArea a) {
  if (a.start == 0 || a.end <= a.start) return;
  char* p = reinterpret_cast<char*>(a.start);
  const size_t n = a.end - a.start;
  memset(p, 0, n);
  static const char kName[] = "litbox-cell";
  memcpy(p, kName, n < sizeof kName ? n - 1 : sizeof kName - 1);
}

// Writes the cell's id maps (zygote_maps: two ids, which only we, with CAP_SETUID over our own
// namespace, may map), then tells init, which waits for them on `maps_fd`.
void map_cell(const CellConfig& cfg, pid_t init, int maps_fd) {
  char path[64];
  int err = 0;
  const char* files[2] = {"uid_map", "gid_map"};
  const char* maps[2] = {cfg.uid_map, cfg.gid_map};
  for (int i = 0; i < 2 && !err; ++i) {
    snprintf(path, sizeof path, "/proc/%d/%s", static_cast<int>(init), files[i]);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
      err = errno;
      break;
    }
    const size_t len = strlen(maps[i]);
    if (write(fd, maps[i], len) != static_cast<ssize_t>(len)) err = errno ? errno : EIO;
    close(fd);
  }
  (void)!write(maps_fd, &err, sizeof err);
}

// The zygote's life, after clone(): no allocation, and no reading of the runner's heap.
[[noreturn]] void zygote_main(char* memory_base, size_t memory_size, int sock, int go_fd, bool netns, ArgArea args) {
  const CellMemory mem(memory_base, memory_size);  // a view on our stack, not the runner's object
  int keep[2] = {sock, go_fd};
  close_all_except(keep, 2);
  overwrite_command_line(args);
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
    int maps[2] = {-1, -1};
    const bool zygote_maps = mem.config()->zygote_maps;
    if (zygote_maps && pipe2(maps, O_CLOEXEC) < 0) maps[0] = maps[1] = -1;
    req.maps_fd = maps[0];
    unsigned long flags = CLONE_PARENT | CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS;
    if (mem.config()->private_netns) flags |= CLONE_NEWNET;
    long pid = syscall(SYS_clone, flags, nullptr, nullptr, nullptr, nullptr);
    if (pid == 0) {
      close(sock);
      if (maps[1] >= 0) close(maps[1]);
      run_init(mem, req);
    }
    if (maps[0] >= 0) close(maps[0]);
    if (pid > 0 && maps[1] >= 0) map_cell(*mem.config(), static_cast<pid_t>(pid), maps[1]);
    if (maps[1] >= 0) close(maps[1]);
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

Expected<std::unique_ptr<Zygote>> Zygote::start(const CellMemory& memory, bool network, const CellIdentity& ids) {
  const ArgArea args = arg_area();
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
  if (pid == 0) zygote_main(memory.begin(), memory.size(), sv[1], go[0], !network, args);
  int clone_errno = errno;
  close(sv[1]);
  close(go[0]);
  if (pid < 0) {
    close(sv[0]);
    close(go[1]);
    return step_error(network ? "clone(CLONE_NEWUSER)" : "clone(CLONE_NEWUSER|CLONE_NEWNET)", clone_errno);
  }
  std::unique_ptr<Zygote> z(new Zygote(sv[0], static_cast<pid_t>(pid)));
  // An unprivileged runner may map exactly its own uid and gid, and only with setgroups
  // denied. A root runner maps itself and the cells' user, and keeps setgroups so that each
  // init can drop the supplementary groups it inherited from root.
  int e = ids.separate ? 0 : write_proc(z->pid_, "setgroups", "deny");
  if (e && e != ENOENT) {
    close(go[1]);
    return step_error("write /proc/<zygote>/setgroups", e);
  }
  if ((e = write_proc(z->pid_, "uid_map", ids.zygote_uid_map))) {
    close(go[1]);
    return step_error("write /proc/<zygote>/uid_map", e);
  }
  if ((e = write_proc(z->pid_, "gid_map", ids.zygote_gid_map))) {
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
