#include "sandbox/cell_init.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <new>
#include <utility>

#include "sandbox/cell_protocol.h"
#include "sandbox/cell_reset.h"
#include "sandbox/landlock.h"

namespace litbox::sandbox {

using protocol::Kind;
using protocol::Record;

const char* CellConfig::syscall_name(uint32_t arch, int nr) const {
  for (int i = 0; i < ndenied; ++i)
    if (denied[i].arch == arch && denied[i].nr == nr) return denied[i].name;
  return nullptr;
}

CellMemory::CellMemory() {
  size_ = kConfigSize + kPayloadSize + kMaxStrings * sizeof(char*) + kStackSize +
          kMaxTracked * (sizeof(int32_t) + sizeof(uint32_t)) + kMaxKills * 3 * sizeof(int32_t) +
          kMaxSlots * sizeof(int) + kMaxPlan;
  void* p = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p != MAP_FAILED) {
    base_ = static_cast<char*>(p);
    new (base_) CellConfig();
  }
}

CellMemory::~CellMemory() {
  if (base_ && owned_) munmap(base_, size_);
}

void send_record(int sock, const void* record, size_t size, int fd_to_pass) {
  struct iovec iov = {const_cast<void*>(record), size};
  struct msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  if (fd_to_pass >= 0) {
    memset(control, 0, sizeof control);
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd_to_pass, sizeof(int));
  }
  while (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 && errno == EINTR) {
  }
}

int bring_up_loopback() {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return errno;
  struct ifreq ifr = {};
  memcpy(ifr.ifr_name, "lo", 3);
  int rc = ioctl(s, SIOCGIFFLAGS, &ifr);
  if (rc == 0) {
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP | IFF_RUNNING);
    rc = ioctl(s, SIOCSIFFLAGS, &ifr);
  }
  int e = errno;
  close(s);
  return rc == 0 ? 0 : e;
}

namespace {

[[noreturn]] void fail(int sock, int32_t step, int err) {
  Record r{};
  r.kind = Kind::kSetupFailed;
  r.step = step;
  r.err = err;
  send_record(sock, &r, sizeof r);
  _exit(1);
}

int write_file(const char* path, const char* data, size_t len) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  ssize_t w = write(fd, data, len);
  int e = errno;
  close(fd);
  if (w == static_cast<ssize_t>(len)) return 0;
  return w < 0 ? e : EIO;
}

// --- small allocation-free formatting for the kill-mode message ---
char* append(char* p, char* end, const char* s) {
  while (*s && p < end) *p++ = *s++;
  return p;
}
char* append_int(char* p, char* end, long v) {
  char digits[24];
  int n = 0;
  if (v < 0) {
    if (p < end) *p++ = '-';
    v = -v;
  }
  do digits[n++] = static_cast<char>('0' + v % 10); while ((v /= 10) && n < 23);
  while (n && p < end) *p++ = digits[--n];
  return p;
}

constexpr int kRlimitOf[protocol::kLimitCount] = {RLIMIT_AS, RLIMIT_CPU, RLIMIT_FSIZE,
                                                   RLIMIT_NOFILE, RLIMIT_NPROC, RLIMIT_STACK};

// Lowers a limit to `value` (soft and hard). Without capabilities a limit cannot be raised, so a
// request above the cell's hard limit is clamped to it rather than failing.
int lower_limit(int resource, uint64_t value) {
  struct rlimit rl;
  if (getrlimit(resource, &rl) < 0) return -1;
  rlim_t v = static_cast<rlim_t>(value);
  if (rl.rlim_max != RLIM_INFINITY && v > rl.rlim_max) v = rl.rlim_max;
  rl.rlim_cur = rl.rlim_max = v;
  return setrlimit(resource, &rl);
}

struct SpawnArgs {
  const char* executable;
  char** argv;
  char** envp;
  const char* cwd;
  int stdio[3];
  mode_t umask;
  const uint64_t* limits;
  int fail_step;
  int fail_errno;
};

// The test process between clone(CLONE_VM|CLONE_VFORK) and execve. It shares init's memory:
// fail_step/fail_errno are how a failure before exec gets back to init.
int spawn_child(void* p) {
  SpawnArgs* a = static_cast<SpawnArgs*>(p);
  int step = protocol::kStepSpawnStdio;
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  // Its own process group, in init's session, which has no controlling terminal. (Not a
  // session of its own: with autogroup scheduling each new session costs a scheduler group.)
  setpgid(0, 0);
  for (int i = 0; i < 3; ++i)
    if (a->stdio[i] >= 0 && dup2(a->stdio[i], i) < 0) goto failed;
  step = protocol::kStepSpawnChdir;
  if (a->cwd[0] && chdir(a->cwd) < 0) goto failed;
  umask(a->umask);
  step = protocol::kStepSpawnRlimit;
  for (int i = 0; i < protocol::kLimitCount; ++i)
    if (a->limits[i] && lower_limit(kRlimitOf[i], a->limits[i]) < 0) goto failed;
  step = protocol::kStepSpawnExec;
  execve(a->executable, a->argv, a->envp);
failed:
  a->fail_errno = errno;
  a->fail_step = step;
  _exit(127);
}

// What a test process could change about init (pid 1) from outside, with the same uid: its
// limits (prlimit), priority (setpriority, ioprio_set), CPU affinity and scheduling policy.
// The seccomp policy refuses those calls on pid 1; a reused cell checks anyway, and a cell whose
// init differs from how it was made, and cannot be put back, is not reused.
struct OwnState {
  struct rlimit limits[RLIM_NLIMITS];
  int nice = 0;
  int policy = 0;
  struct sched_param param = {};
  long ioprio = 0;
  cpu_set_t affinity;

  void capture() {
    for (int r = 0; r < RLIM_NLIMITS; ++r) getrlimit(r, &limits[r]);
    errno = 0;
    nice = getpriority(PRIO_PROCESS, 0);
    policy = sched_getscheduler(0);
    sched_getparam(0, &param);
    ioprio = syscall(SYS_ioprio_get, 1 /* IOPRIO_WHO_PROCESS */, 0);
    CPU_ZERO(&affinity);
    sched_getaffinity(0, sizeof affinity, &affinity);
  }
  bool operator==(const OwnState& o) const {
    for (int r = 0; r < RLIM_NLIMITS; ++r)
      if (limits[r].rlim_cur != o.limits[r].rlim_cur || limits[r].rlim_max != o.limits[r].rlim_max) return false;
    return nice == o.nice && policy == o.policy && param.sched_priority == o.param.sched_priority &&
           ioprio == o.ioprio && CPU_EQUAL(&affinity, &o.affinity);
  }
  // Puts back what an unprivileged process may (a lowered hard limit or a raised nice value
  // cannot be), then tells whether init is as it was.
  bool restore() const {
    OwnState now;
    now.capture();
    if (now == *this) return true;
    for (int r = 0; r < RLIM_NLIMITS; ++r) setrlimit(r, &limits[r]);
    setpriority(PRIO_PROCESS, 0, nice);
    sched_setscheduler(0, policy, &param);
    syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, ioprio);
    sched_setaffinity(0, sizeof affinity, &affinity);
    now.capture();
    return now == *this;
  }
};

class Init {
 public:
  Init(const CellMemory& mem, const CellRequest& req) : cfg_(*mem.config()), req_(req), mem_(mem), sock_(req.sock) {}
  [[noreturn]] void run();

 private:
  void setup();
  void become_cell_user();
  void restrict_writes();
  void drop_capabilities();
  bool handle_request();
  void reset();
  void reset_if_idle();
  int kill_all();
  void reply_spawned(uint32_t id, int pid, int step, int err);
  void reap();
  void handle_notification();
  bool read_full(void* buf, size_t n);

  const CellConfig& cfg_;
  const CellRequest& req_;
  const CellMemory& mem_;
  const int sock_;
  int listener_ = -1;
  int sigfd_ = -1;
  int mq_dir_ = -1;
  int next_kill_ = 0;
  bool reset_when_idle_ = false;  // the test's last process was started (kOpSpawnLast)
  OwnState own_state_;            // init's limits, priority, affinity as the cell was made
};

void Init::setup() {
  const int sock = sock_;
  // Our parent is the runner (CLONE_PARENT): if it dies, so does the cell.
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) fail(sock, protocol::kStepPdeathsig, errno);
  if (req_.cgroup_fd >= 0) {
    if (write(req_.cgroup_fd, "0", 1) != 1) fail(sock, protocol::kStepCgroup, errno);
    close(req_.cgroup_fd);
  }
  // After joining the cell's cgroup, so that it is the namespace's root.
  if (cfg_.cgroup_ns && unshare(CLONE_NEWCGROUP) < 0) fail(sock, protocol::kStepUnshare, errno);
  // A new user namespace with a single mapping of our own uid needs no privilege; until it is
  // written, files cannot be created (the tmpfs mounts below need it).
  if (cfg_.zygote_maps) {
    // A root runner's cell maps two ids, which only the zygote may write: wait for it.
    int err = EIO;
    ssize_t n = -1;
    if (req_.maps_fd >= 0)
      do n = read(req_.maps_fd, &err, sizeof err); while (n < 0 && errno == EINTR);
    if (n != static_cast<ssize_t>(sizeof err)) err = EIO;
    if (req_.maps_fd >= 0) close(req_.maps_fd);
    if (err) fail(sock, protocol::kStepUidMap, err);
  } else {
    if (int e = write_file("/proc/self/setgroups", "deny", 4); e && e != ENOENT) fail(sock, protocol::kStepSetgroups, e);
    if (int e = write_file("/proc/self/uid_map", cfg_.uid_map, strlen(cfg_.uid_map))) fail(sock, protocol::kStepUidMap, e);
    if (int e = write_file("/proc/self/gid_map", cfg_.gid_map, strlen(cfg_.gid_map))) fail(sock, protocol::kStepGidMap, e);
  }
  if (setsid() < 0) fail(sock, protocol::kStepSetsid, errno);
  umask(0);  // the plan's modes are exact
  for (int i = 0; i < cfg_.nsignals; ++i) signal(cfg_.ignored_signals[i], SIG_DFL);
  sigset_t blocked;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGCHLD);
  sigaddset(&blocked, SIGPIPE);
  sigprocmask(SIG_BLOCK, &blocked, nullptr);
  if (cfg_.private_netns) {
    if (int e = bring_up_loopback()) fail(sock, protocol::kStepLoopback, e);
  }

  int failed_step = 0;
  if (int e = apply_flat_mount_plan(req_.plan, req_.plan_size, mem_.slot_fds(), CellMemory::kMaxSlots, &failed_step))
    fail(sock, failed_step < 0 ? protocol::kStepPlan : failed_step, e);
  if (sethostname(cfg_.hostname, strlen(cfg_.hostname)) < 0) fail(sock, protocol::kStepHostname, errno);
  if (chdir("/") < 0) fail(sock, protocol::kStepRootFd, errno);
  for (int i = 0; i < cfg_.nlimits; ++i)
    if (lower_limit(cfg_.limits[i].resource, cfg_.limits[i].value) < 0) fail(sock, protocol::kStepRlimit, errno);

  // For resets: a view of the cell's POSIX message queues (needs the namespace's capabilities),
  // and the mounts below /tmp that must survive them.
  mq_dir_ = open_mqueue_dir();
  record_tmp_mounts(req_.plan, req_.plan_size);
  if (cfg_.switch_to_cell_user) become_cell_user();
  // Test processes (same uid, no capabilities) must not read or write init's memory through
  // /proc/1/mem: it serves the next test when the cell is reused.
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  drop_capabilities();
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) fail(sock, protocol::kStepNoNewPrivs, errno);
  restrict_writes();
  // Loaded on init itself: every process of the cell inherits them, and in kill mode init is the
  // supervisor that hears about violations. First the allow-list of known calls (no listener),
  // then the policy, whose listener is the one for kill mode.
  if (cfg_.nknown > 0) {
    struct sock_fprog known = {static_cast<unsigned short>(cfg_.nknown), const_cast<sock_filter*>(cfg_.known)};
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &known) < 0) fail(sock, protocol::kStepSeccomp, errno);
  }
  struct sock_fprog prog = {static_cast<unsigned short>(cfg_.nbpf), const_cast<sock_filter*>(cfg_.bpf)};
  unsigned flags = cfg_.seccomp_kill ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0;
  long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
  if (rc < 0) fail(sock, protocol::kStepSeccomp, errno);
  if (flags) listener_ = static_cast<int>(rc);

  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigfd_ = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sigfd_ < 0) fail(sock, protocol::kStepSignalfd, errno);

  int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) fail(sock, protocol::kStepRootFd, errno);
  own_state_.capture();
  Record r{};
  r.kind = Kind::kReady;
  send_record(sock, &r, sizeof r, root);
  close(root);
}

// A root runner's cell: init did the setup as host root (inner 65534, with the namespace's
// capabilities); test processes must never be host root. The cell user (inner 0, an
// unprivileged host uid) gets /tmp's skeleton, and init becomes it, without the supplementary
// groups it inherited from the runner, before anything of the test runs.
void Init::become_cell_user() {
  // /tmp and what the plan made in it (the skeleton, the directories leading to mounts below
  // it): the reset, done as the cell user, must be able to restore them.
  // Only what lies in the cell's own tmpfs: a mount point the plan made is covered by a bind
  // of the host by now, and must keep its owner.
  struct Ctx {
    dev_t tmp_dev;
    int err;
  } ctx = {0, 0};
  struct stat st;
  if (lstat("/tmp", &st) < 0 || lchown("/tmp", 0, 0) < 0) fail(sock_, protocol::kStepCellUser, errno);
  ctx.tmp_dev = st.st_dev;
  for_each_made_path(
      req_.plan, req_.plan_size,
      [](const char* target, void* p) {
        Ctx* c = static_cast<Ctx*>(p);
        struct stat t;
        if (strncmp(target, "/tmp/", 5) != 0 || lstat(target, &t) < 0 || t.st_dev != c->tmp_dev) return;
        if (lchown(target, 0, 0) < 0 && !c->err) c->err = errno;
      },
      &ctx);
  if (ctx.err) fail(sock_, protocol::kStepCellUser, ctx.err);
  if (syscall(SYS_setgroups, 0, nullptr) < 0 || syscall(SYS_setresgid, 0, 0, 0) < 0 ||
      syscall(SYS_setresuid, 0, 0, 0) < 0)
    fail(sock_, protocol::kStepCellUser, errno);
  // A change of credentials clears the parent-death signal: set it again, so that a killed
  // runner still takes the cell with it. (Should the runner have died in between, its end of
  // our socket is closed, and the first poll ends init.)
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) fail(sock_, protocol::kStepPdeathsig, errno);
}

// Landlock (where the kernel has it): files may be opened for writing only beneath /dev and the
// plan's writable paths (its /tmp, or only the cell's own directories there when a host tree is
// bound inside it; the writable binds, the Output view among them), so a host FIFO or other
// special file in the read-only tree stays closed even where its mode would let the cell user
// write; abstract Unix sockets and signals are scoped to the cell.
void Init::restrict_writes() {
  struct Paths {
    int fds[64];
    int n;
  } paths = {{}, 0};
  if ((paths.fds[paths.n] = open("/dev", O_PATH | O_CLOEXEC)) >= 0) ++paths.n;
  for_each_writable(
      req_.plan, req_.plan_size,
      [](const char* target, void* ctx) {
        Paths* ps = static_cast<Paths*>(ctx);
        if (ps->n < 64 && (ps->fds[ps->n] = open(target, O_PATH | O_CLOEXEC)) >= 0) ++ps->n;
      },
      &paths);
  // The cell's POSIX message queues live in its own mqueue filesystem (mq_open creates files
  // there): init's view of it is a writable path too.
  if (mq_dir_ >= 0 && paths.n < 64) paths.fds[paths.n++] = dup(mq_dir_);
  LandlockInfo info;
  int e = landlock_restrict_fds(paths.fds, paths.n, &info);
  for (int i = 0; i < paths.n; ++i) close(paths.fds[i]);
  if (e) fail(sock_, protocol::kStepLandlock, e);
}

// Test processes run as the runner's uid, which in the cell's user namespace could hold every
// capability (and, mapped to host root, bypass permission checks). Init gives them all up, the
// bounding set included, so that no execve can bring them back.
void Init::drop_capabilities() {
  for (int c = 0; c <= cfg_.cap_last_cap; ++c)
    if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL) fail(sock_, protocol::kStepCapabilities, errno);
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capset, &hdr, data) < 0) fail(sock_, protocol::kStepCapabilities, errno);
}

void Init::run() {
  setup();
  struct pollfd fds[3] = {{sock_, POLLIN, 0}, {sigfd_, POLLIN, 0}, {listener_, POLLIN, 0}};
  const nfds_t n = listener_ >= 0 ? 3 : 2;
  for (;;) {
    if (poll(fds, n, -1) < 0) {
      if (errno == EINTR) continue;
      _exit(1);
    }
    if (n == 3 && (fds[2].revents & POLLIN)) handle_notification();
    if (fds[1].revents & POLLIN) {
      struct signalfd_siginfo si;
      while (read(sigfd_, &si, sizeof si) > 0) {
      }
      reap();
    }
    // EOF: the runner closed the session or died. Returning from pid 1 kills the whole cell.
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR))
      if (!handle_request()) _exit(0);
    reset_if_idle();
  }
}

bool Init::read_full(void* buf, size_t n) {
  char* p = static_cast<char*>(buf);
  while (n > 0) {
    ssize_t r = read(sock_, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

void Init::reply_spawned(uint32_t id, int pid, int step, int err) {
  Record r{};
  r.kind = Kind::kSpawned;
  r.id = id;
  r.pid = pid;
  r.step = step;
  r.err = err;
  send_record(sock_, &r, sizeof r);
}

bool Init::handle_request() {
  protocol::SpawnHeader h;
  int received[3] = {-1, -1, -1};
  int nreceived = 0;
  size_t got = 0;
  // The header arrives with the stdio fds attached; a stream may split it, so loop.
  while (got < sizeof h) {
    struct iovec iov = {reinterpret_cast<char*>(&h) + got, sizeof h - got};
    alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int) * 3)];
    struct msghdr msg = {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t r = recvmsg(sock_, &msg, MSG_CMSG_CLOEXEC);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
      int count = static_cast<int>((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
      for (int i = 0; i < count; ++i) {
        int fd;
        memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
        if (nreceived < 3) received[nreceived++] = fd; else close(fd);
      }
    }
    got += static_cast<size_t>(r);
  }
  protocol::SpawnHeader expected;
  if (h.magic != expected.magic) return false;

  auto drop_fds = [&] {
    for (int i = 0; i < nreceived; ++i) close(received[i]);
  };
  if (h.op == protocol::kOpReset) {
    drop_fds();
    if (h.payload_size != 0) return false;  // malformed: the runner is broken, end the cell
    reset();
    return true;
  }
  if (h.op != protocol::kOpSpawn && h.op != protocol::kOpSpawnLast) return false;  // malformed
  // Whether or not it starts: the runner sends nothing more for this test.
  if (h.op == protocol::kOpSpawnLast) reset_when_idle_ = true;
  char* payload = mem_.payload();
  if (h.payload_size > CellMemory::kPayloadSize || h.argc == 0 ||
      static_cast<size_t>(h.argc) + h.envc + 2 > CellMemory::kMaxStrings) {
    // Too big for init's buffers: skip the payload and refuse, as execve would.
    for (size_t left = h.payload_size; left > 0;) {
      size_t chunk = left < CellMemory::kPayloadSize ? left : CellMemory::kPayloadSize;
      if (!read_full(payload, chunk)) return false;
      left -= chunk;
    }
    drop_fds();
    reply_spawned(h.id, -1, protocol::kStepSpawnTooBig, E2BIG);
    return true;
  }
  if (!read_full(payload, h.payload_size)) return false;

  // cwd, executable, argv..., env..., each NUL-terminated, all inside the payload.
  char** strings = mem_.strings();
  char* p = payload;
  char* end = payload + h.payload_size;
  const uint32_t total = 2 + h.argc + h.envc;
  const char* cwd = nullptr;
  const char* executable = nullptr;
  uint32_t k = 0;
  for (uint32_t i = 0; i < total; ++i) {
    char* nul = p < end ? static_cast<char*>(memchr(p, 0, static_cast<size_t>(end - p))) : nullptr;
    if (!nul) return false;  // malformed: the runner is broken, end the cell
    if (i == 0) {
      cwd = p;
    } else if (i == 1) {
      executable = p;
    } else {
      strings[k++] = p;
      if (i == h.argc + 1) strings[k++] = nullptr;  // end of argv
    }
    p = nul + 1;
  }
  strings[k] = nullptr;

  int32_t* pids = mem_.tracked_pids();
  uint32_t* ids = mem_.tracked_ids();
  size_t slot = 0;
  while (slot < CellMemory::kMaxTracked && pids[slot] != 0) ++slot;
  if (slot == CellMemory::kMaxTracked) {
    drop_fds();
    reply_spawned(h.id, -1, protocol::kStepSpawnTable, EAGAIN);
    return true;
  }

  SpawnArgs a = {};
  a.argv = strings;
  a.executable = executable[0] ? executable : strings[0];
  a.envp = strings + h.argc + 1;
  a.cwd = cwd;
  int next = 0;
  for (int i = 0; i < 3; ++i) a.stdio[i] = (h.fd_mask & (1u << i)) && next < nreceived ? received[next++] : -1;
  a.umask = static_cast<mode_t>(h.umask);
  a.limits = h.limits;
  a.fail_step = protocol::kStepNone;
  pid_t pid = clone(spawn_child, mem_.stack_top(), CLONE_VM | CLONE_VFORK | SIGCHLD, &a);
  int clone_errno = errno;
  drop_fds();
  if (pid < 0) {
    reply_spawned(h.id, -1, protocol::kStepSpawnClone, clone_errno);
    return true;
  }
  pids[slot] = pid;
  ids[slot] = h.id;
  // A started process is reported once, when it exits; a failure before exec also now, so
  // that its exit record can say why.
  if (a.fail_step != protocol::kStepNone) reply_spawned(h.id, pid, a.fail_step, a.fail_errno);
  return true;
}

// Kills every process of the cell but init and reaps them all (orphans come to init as their
// parents die). 0, or EBUSY if some process is still there after about two seconds (stuck in
// the kernel): the cell is then not reused.
int Init::kill_all() {
  int32_t* pids = mem_.tracked_pids();
  for (int round = 0; round < 200; ++round) {
    for (;;) {  // reap what has died
      pid_t pid = waitpid(-1, nullptr, WNOHANG | __WALL);
      if (pid > 0) continue;
      if (pid < 0 && errno == EINTR) continue;
      if (pid < 0 && errno == ECHILD) {
        // No child at all: every process of the cell is a child of init or, once its parent
        // is gone, becomes one, so none is left. (Checked before the first kill too: kill(-1)
        // walks every process of the host.)
        memset(pids, 0, CellMemory::kMaxTracked * sizeof(int32_t));
        memset(mem_.kills(), 0, CellMemory::kMaxKills * 3 * sizeof(int32_t));
        struct signalfd_siginfo si;
        while (read(sigfd_, &si, sizeof si) > 0) {
        }
        return 0;
      }
      break;  // some still alive, or dying
    }
    if (round > 0) {
      struct pollfd p = {sigfd_, POLLIN, 0};
      poll(&p, 1, 10);
      struct signalfd_siginfo si;
      while (read(sigfd_, &si, sizeof si) > 0) {
      }
    }
    kill(-1, SIGKILL);  // in a pid namespace: every process of it but init
  }
  return EBUSY;
}

// After the test's last process (kOpSpawnLast): the reset the runner would ask for next, as
// soon as no process it started is left. Orphans it left behind do not count (the reset kills
// them); a reset request that comes anyway is answered again.
void Init::reset_if_idle() {
  if (!reset_when_idle_) return;
  const int32_t* pids = mem_.tracked_pids();
  for (size_t i = 0; i < CellMemory::kMaxTracked; ++i)
    if (pids[i] != 0) return;
  reset_when_idle_ = false;
  reset();
}

// The test is over and the runner wants the cell for another one: nothing of this test may be
// left that the next could see. Processes die; /tmp goes back to its skeleton; IPC objects
// cannot be removed here without knowing whom they belong to, so they make the cell unusable.
void Init::reset() {
  Record r{};
  r.kind = Kind::kResetDone;
  r.step = protocol::kStepNone;
  int e = 0;
  if ((e = kill_all()))
    r.step = protocol::kStepResetKill;
  else if (!own_state_.restore())
    r.step = protocol::kStepResetInit, e = EPERM;
  else if ((e = reset_tmp()))
    r.step = protocol::kStepResetTmp;
  else if ((e = sysv_ipc_left()))
    r.step = protocol::kStepResetIpc;
  else if ((e = mqueues_left(mq_dir_)))
    r.step = protocol::kStepResetMqueue;
  r.err = e;
  send_record(sock_, &r, sizeof r);
}

void Init::reap() {
  int32_t* pids = mem_.tracked_pids();
  uint32_t* ids = mem_.tracked_ids();
  int32_t* kills = mem_.kills();
  for (;;) {
    int status = 0;
    pid_t pid = waitpid(-1, &status, WNOHANG | __WALL);
    if (pid <= 0) return;
    // Orphans re-parented to pid 1 (daemons a test left behind) are reaped silently.
    for (size_t i = 0; i < CellMemory::kMaxTracked; ++i) {
      if (pids[i] != pid) continue;
      Record r{};
      r.kind = Kind::kExited;
      r.id = ids[i];
      r.pid = pid;
      r.status = status;
      for (size_t j = 0; j < CellMemory::kMaxKills; ++j)
        if (kills[3 * j] == pid) {
          r.syscall_nr = kills[3 * j + 1];
          r.syscall_arch = static_cast<uint32_t>(kills[3 * j + 2]);
          kills[3 * j] = 0;
        }
      send_record(sock_, &r, sizeof r);
      pids[i] = 0;
      break;
    }
  }
}

// Kill mode: a process made a denied system call and waits for our verdict. Tell it why on its
// own stderr, then kill it with SIGSYS (SIGKILL if it survives that and tries again).
void Init::handle_notification() {
  struct seccomp_notif n;
  memset(&n, 0, sizeof n);
  if (ioctl(listener_, SECCOMP_IOCTL_NOTIF_RECV, &n) < 0) return;
  const int tid = static_cast<int>(n.pid);
  int32_t* kills = mem_.kills();
  bool again = false;
  for (size_t j = 0; j < CellMemory::kMaxKills; ++j) again |= kills[3 * j] == tid;
  if (!again) {
    size_t slot = static_cast<size_t>(next_kill_++) % CellMemory::kMaxKills;
    kills[3 * slot] = tid;
    kills[3 * slot + 1] = n.data.nr;
    kills[3 * slot + 2] = static_cast<int32_t>(n.data.arch);
    char path[64];
    char* e = append_int(append(path, path + sizeof path - 8, "/proc/"), path + sizeof path - 8, tid);
    e = append(e, path + sizeof path - 1, "/fd/2");
    *e = 0;
    int fd = open(path, O_WRONLY | O_APPEND | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd >= 0) {
      char msg[256];
      char* end = msg + sizeof msg;
      const char* name = cfg_.syscall_name(n.data.arch, n.data.nr);
      char* m = append(msg, end, "litbox: sandbox: system call ");
      m = name ? append(m, end, name) : append_int(m, end, n.data.nr);
      m = append(m, end, " denied by the seccomp policy; killing process with SIGSYS\n");
      (void)!write(fd, msg, static_cast<size_t>(m - msg));
      close(fd);
    }
  }
  kill(tid, again ? SIGKILL : SIGSYS);
  struct seccomp_notif_resp resp;
  memset(&resp, 0, sizeof resp);
  resp.id = n.id;
  resp.error = -EPERM;
  ioctl(listener_, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

}  // namespace

// The runner's clones would otherwise hold other tests' pipes open (their readers would never
// see EOF).
void close_all_except(int* keep, int n) {
  for (int i = 1; i < n; ++i)
    for (int j = i; j > 0 && keep[j - 1] > keep[j]; --j) std::swap(keep[j - 1], keep[j]);
  unsigned next = 0;
  for (int i = 0; i < n; ++i) {
    if (keep[i] < 0) continue;
    if (static_cast<unsigned>(keep[i]) > next) syscall(SYS_close_range, next, keep[i] - 1, 0);
    next = static_cast<unsigned>(keep[i]) + 1;
  }
  syscall(SYS_close_range, next, ~0u, 0);
}

void run_init(const CellMemory& mem, const CellRequest& req) { Init(mem, req).run(); }

}  // namespace litbox::sandbox
