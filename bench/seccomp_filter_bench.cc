// litbox_seccomp_filter_bench [ROUNDS [SCALE]]: what the cell's seccomp filter costs, against no
// filter and against an allow-list in the style of Docker's default profile (a measurement;
// litbox keeps its deny list, docs/security.md). Each filter is loaded in a child, which times
//   - getppid, 200k calls: a call every filter allows whatever its arguments (since Linux 5.11
//     the kernel caches such verdicts per syscall number and skips the filter),
//   - getrlimit, 200k calls (glibc: prlimit64(0, ...), which has argument rules in the deny
//     list, so the filter runs every time), and personality(0xffffffff) (a query, with
//     argument rules in the allow list), 200k calls,
//   - open+fstat+close of a file and stat of another, 20k rounds,
//   - fork+exec+wait of /bin/true, 500 times,
// and the load itself (what a cell's init pays once), timed in 200 children.
// SCALE multiplies the counts. The filters take turns, ROUNDS (5) times; the medians of the CPU
// time (user+system of the processes involved: less sensitive to a busy machine) and of the wall
// time are printed, then the ratios.
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "sandbox/seccomp_policy.h"

using namespace litbox;

namespace {

int scale = 1;
int calls() { return 200000 * scale; }
int file_rounds() { return 20000 * scale; }
int execs() { return 500 * scale; }
int loads() { return 200 * scale; }

enum Figure { kLoad, kGetppid, kGetrlimit, kPersonality, kFile, kExec, kFigures };
constexpr const char* kHeads[kFigures] = {"load us", "getppid ns", "getrlimit ns", "personality ns",
                                          "open/fstat/close+stat ns", "fork+exec us"};
constexpr double kUnit[kFigures] = {1e3, 1, 1, 1, 1, 1e3};  // ns per unit printed

struct Figures {
  double cpu[kFigures] = {}, wall[kFigures] = {};  // ns per call
};

struct Filter {
  const char* name;
  std::vector<sock_filter> bpf;  // empty: no filter
  std::vector<Figures> rounds;
};

double now_ns() {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}

bool load(const std::vector<sock_filter>& bpf) {
  if (bpf.empty()) return true;
  struct sock_fprog fp = {static_cast<unsigned short>(bpf.size()), const_cast<sock_filter*>(bpf.data())};
  return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) == 0;
}

// The names a Docker-style profile leaves out for a process without capabilities: litbox's deny
// list, what Docker grants only with a capability (CAP_SYS_ADMIN, CAP_SYS_PTRACE, CAP_SYS_NICE,
// ...), and obsolete calls. clone, clone3, socket and personality get argument rules instead.
bool left_out(const std::string& n) {
  static const char* const extra[] = {
      "chroot", "sethostname", "setdomainname", "quotactl", "quotactl_fd", "lookup_dcookie", "vhangup",
      "settimeofday", "stime", "clock_settime", "kcmp", "pidfd_getfd", "process_madvise", "get_mempolicy",
      "mbind", "set_mempolicy", "set_mempolicy_home_node", "fanotify_init", "nfsservctl", "uselib", "ustat",
      "sysfs", "_sysctl", "create_module", "get_kernel_syms", "query_module", "clone", "clone3", "socket",
      "personality", "vserver", "tuxcall", "afs_syscall", "putpmsg", "getpmsg", "security"};
  const auto& deny = sandbox::default_denied_syscalls();
  return std::find(deny.begin(), deny.end(), n) != deny.end() ||
         std::find_if(std::begin(extra), std::end(extra), [&](const char* e) { return n == e; }) != std::end(extra);
}

bool add_allow_rules(scmp_filter_ctx ctx) {
  const uint32_t native = seccomp_arch_native();
  for (int nr = 0; nr < 1024; ++nr) {
    char* name = seccomp_syscall_resolve_num_arch(native, nr);
    if (!name) continue;
    bool allow = !left_out(name);
    int rc = allow ? seccomp_rule_add(ctx, SCMP_ACT_ALLOW, seccomp_syscall_resolve_name(name), 0) : 0;
    free(name);
    if (rc < 0 && rc != -EDOM && rc != -EINVAL) return false;
  }
  const uint64_t ns_flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC |
                            CLONE_NEWUTS | CLONE_NEWCGROUP;
  bool ok = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1, SCMP_A0(SCMP_CMP_MASKED_EQ, ns_flags, 0)) == 0 &&
            seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0) == 0 &&
            seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_NE, AF_VSOCK)) == 0;
  for (uint64_t persona : {0x0ULL, 0x8ULL, 0x20000ULL, 0x20008ULL, 0xffffffffULL})
    ok = ok && seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(personality), 1, SCMP_A0(SCMP_CMP_EQ, persona)) == 0;
  return ok;
}

// Docker-style: default EPERM, the allowed calls by name, on the same architectures as the cell's
// filter. `tree`: libseccomp's binary tree, as litbox builds its filter (runc uses the default,
// a list in priority order).
std::vector<sock_filter> allow_list(bool tree) {
  std::vector<sock_filter> bpf;
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
  if (!ctx) return bpf;
  seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
  if (tree) seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
  if (seccomp_arch_native() == SCMP_ARCH_X86_64) {
    seccomp_arch_add(ctx, SCMP_ARCH_X86);
    seccomp_arch_add(ctx, SCMP_ARCH_X32);
  }
  int fd = memfd_create("bench-seccomp", MFD_CLOEXEC);
  if (add_allow_rules(ctx) && fd >= 0 && seccomp_export_bpf(ctx, fd) == 0) {
    off_t size = lseek(fd, 0, SEEK_END);
    bpf.resize(static_cast<size_t>(size) / sizeof(sock_filter));
    if (pread(fd, bpf.data(), static_cast<size_t>(size), 0) != size) bpf.clear();
  }
  if (fd >= 0) close(fd);
  seccomp_release(ctx);
  return bpf;
}

double cpu_ns() {
  struct rusage self, children;
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  auto ns = [](const struct timeval& t) { return t.tv_sec * 1e9 + t.tv_usec * 1e3; };
  return ns(self.ru_utime) + ns(self.ru_stime) + ns(children.ru_utime) + ns(children.ru_stime);
}

// Runs f() n times; stores the CPU and wall time per call.
template <typename F>
void time_calls(Figures& out, Figure which, int n, F f) {
  double c0 = cpu_ns(), w0 = now_ns();
  for (int i = 0; i < n; ++i) f();
  out.wall[which] = (now_ns() - w0) / n;
  out.cpu[which] = (cpu_ns() - c0) / n;
}

void fork_exec_true() {
  pid_t p = fork();
  if (p == 0) {
    execl("/bin/true", "true", static_cast<char*>(nullptr));
    _exit(127);
  }
  waitpid(p, nullptr, 0);
}

// In the filtered child: everything but the load.
void measure_calls(Figures& f) {
  time_calls(f, kGetppid, calls(), [] { syscall(SYS_getppid); });
  time_calls(f, kGetrlimit, calls(), [] {
    struct rlimit r;
    getrlimit(RLIMIT_NOFILE, &r);
  });
  time_calls(f, kPersonality, calls(), [] { syscall(SYS_personality, 0xffffffffUL); });
  time_calls(f, kFile, file_rounds(), [] {
    struct stat st;
    int fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
    fstat(fd, &st);
    close(fd);
    stat("/bin/true", &st);
  });
  time_calls(f, kExec, execs(), fork_exec_true);
}

double thread_cpu_ns() {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}

// The seccomp() call alone, in fresh children (a filter stays for good): the kernel checks the
// program and, since Linux 5.11, runs it for every syscall number to cache constant verdicts.
void time_loads(Figures& out, const Filter& filter) {
  static double* sum = static_cast<double*>(
      mmap(nullptr, 2 * sizeof(double), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  sum[0] = sum[1] = 0;
  for (int i = 0; i < loads(); ++i) {
    pid_t child = fork();
    if (child == 0) {
      sum[0] += 0;  // fault the pages in first (stack, vDSO data, the sums)
      thread_cpu_ns();
      now_ns();
      double c0 = thread_cpu_ns(), w0 = now_ns();
      bool ok = load(filter.bpf);
      sum[0] += thread_cpu_ns() - c0;  // one child at a time
      sum[1] += now_ns() - w0;
      _exit(ok ? 0 : 1);
    }
    waitpid(child, nullptr, 0);
  }
  out.cpu[kLoad] = sum[0] / loads();
  out.wall[kLoad] = sum[1] / loads();
}

bool run_round(Filter& filter) {
  int fds[2];
  if (pipe(fds) < 0) return false;
  pid_t p = fork();
  if (p == 0) {
    Figures f;
    if (load(filter.bpf)) measure_calls(f);
    (void)!write(fds[1], &f, sizeof f);
    _exit(0);
  }
  close(fds[1]);
  Figures f;
  bool ok = read(fds[0], &f, sizeof f) == static_cast<ssize_t>(sizeof f) && f.wall[kExec] > 0;
  close(fds[0]);
  waitpid(p, nullptr, 0);
  time_loads(f, filter);
  if (ok) filter.rounds.push_back(f);
  return ok;
}

double median(const Filter& f, bool cpu, Figure which) {
  std::vector<double> v;
  for (const auto& r : f.rounds) v.push_back((cpu ? r.cpu : r.wall)[which] / kUnit[which]);
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

void print(const std::vector<Filter>& filters, bool cpu) {
  printf("%s time, median of %zu rounds\n", cpu ? "CPU" : "Wall", filters[0].rounds.size());
  printf("%-34s %6s", "filter", "insns");
  for (const char* h : kHeads) printf(" %*s", static_cast<int>(strlen(h)), h);
  printf("\n");
  auto row = [&](const std::string& name, const char* insns, auto value, const char* format) {
    printf("%-34s %6s", name.c_str(), insns);
    for (int i = 0; i < kFigures; ++i) printf(format, static_cast<int>(strlen(kHeads[i])), value(static_cast<Figure>(i)));
    printf("\n");
  };
  for (const auto& f : filters)
    row(f.name, std::to_string(f.bpf.size()).c_str(), [&](Figure i) { return median(f, cpu, i); }, " %*.2f");
  for (size_t other : {2, 3})
    row(std::string("ratio ") + (other == 2 ? "allow (tree)" : "allow (list)") + " / deny", "",
        [&](Figure i) { return median(filters[other], cpu, i) / median(filters[1], cpu, i); }, " %*.3f");
  printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 5;
  scale = argc > 2 ? std::max(1, atoi(argv[2])) : 1;
  auto deny = sandbox::compile_seccomp({}, {}, sandbox::SeccompAction::kErrno);
  if (!deny) {
    fprintf(stderr, "%s\n", deny.error().message.c_str());
    return 1;
  }
  std::vector<Filter> filters = {{"none", {}, {}},
                                 {"litbox deny list (current)", deny->bpf, {}},
                                 {"allow list, Docker-style (tree)", allow_list(true), {}},
                                 {"allow list, Docker-style (list)", allow_list(false), {}}};
  if (filters[2].bpf.empty() || filters[3].bpf.empty()) {
    fprintf(stderr, "could not build the allow list\n");
    return 1;
  }
  // Children inherit it; loading a filter needs it without CAP_SYS_ADMIN.
  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  for (int r = 0; r < rounds; ++r)
    for (auto& f : filters)
      if (!run_round(f)) {
        fprintf(stderr, "%s: the filtered child failed\n", f.name);
        return 1;
      }
  print(filters, true);
  print(filters, false);
  return 0;
}
