/* litbox_sandbox_testcase ACTION [ARGS]: one probing or hostile action, run inside a cell by
 * the sandbox tests. Prints "ACTION: ok" or "ACTION: <errno name>" (and a detail where useful)
 * and exits 0, unless the action is about the exit status itself. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

/* The socket family (and a type it supports) by name, as the socket verbs take it; -1 if unknown. */
static int family(const char* name, int* type) {
  static const struct { const char* name; int family, type; } families[] = {
      {"unix", AF_UNIX, SOCK_STREAM},    {"inet", AF_INET, SOCK_STREAM},  {"inet6", AF_INET6, SOCK_STREAM},
      {"netlink", AF_NETLINK, SOCK_RAW}, {"packet", AF_PACKET, SOCK_RAW}, {"vsock", AF_VSOCK, SOCK_STREAM},
      {"alg", AF_ALG, SOCK_SEQPACKET}};
  for (size_t i = 0; i < sizeof families / sizeof families[0]; ++i)
    if (!strcmp(name, families[i].name)) {
      *type = families[i].type;
      return families[i].family;
    }
  return -1;
}

/* The membomb case's blocks, kept reachable from here. */
static void* volatile membomb_blocks;

static int report(const char* action, int rc) {
  if (rc < 0)
    printf("%s: %s\n", action, strerrorname_np(errno));
  else
    printf("%s: ok\n", action);
  return 0;
}

int main(int argc, char** argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  if (argc < 2) {
    fprintf(stderr, "usage: %s ACTION [ARGS]\n", argv[0]);
    return 2;
  }
  const char* a = argv[1];
  const char* arg = argc > 2 ? argv[2] : "";

  if (!strcmp(a, "exit")) return atoi(arg);
  if (!strcmp(a, "signal")) {
    signal(atoi(arg), SIG_DFL);
    raise(atoi(arg));
    return 99;
  }
  if (!strcmp(a, "write")) {  /* write FILE [TEXT] */
    int fd = open(arg, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return report(a, -1);
    const char* text = argc > 3 ? argv[3] : "written by a test\n";
    return report(a, write(fd, text, strlen(text)) < 0 ? -1 : close(fd));
  }
  if (!strcmp(a, "read")) {
    int fd = open(arg, O_RDONLY);
    if (fd < 0) return report(a, -1);
    char buf[256];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    if (n < 0) return report(a, -1);
    buf[n] = 0;
    printf("read: ok %zd bytes: %s\n", n, buf);
    return 0;
  }
  if (!strcmp(a, "ls")) {
    DIR* d = opendir(arg);
    if (!d) return report(a, -1);
    int n = 0;
    for (struct dirent* e; (e = readdir(d));)
      if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) printf("%s\n", e->d_name), ++n;
    printf("ls: %d entries\n", n);
    return 0;
  }
  if (!strcmp(a, "connect-unix")) {  /* connect-unix PATH: a pathname Unix socket */
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    strncpy(sa.sun_path, arg, sizeof sa.sun_path - 1);
    return report(a, connect(s, (struct sockaddr*)&sa, sizeof sa));
  }
  if (!strcmp(a, "write-fifo")) {  /* write-fifo PATH: open a FIFO for writing, without blocking */
    int fd = open(arg, O_WRONLY | O_NONBLOCK);
    if (fd < 0) return report(a, -1);
    return report(a, write(fd, "pwned\n", 6) < 0 ? -1 : close(fd));
  }
  if (!strcmp(a, "connect")) {  /* connect PORT (127.0.0.1) */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(arg))};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return report(a, connect(s, (struct sockaddr*)&sa, sizeof sa));
  }
  if (!strcmp(a, "listen-connect")) {  /* loopback works inside the cell */
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    if (bind(l, (struct sockaddr*)&sa, sizeof sa) < 0 || listen(l, 1) < 0 ||
        getsockname(l, (struct sockaddr*)&sa, &len) < 0)
      return report(a, -1);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    return report(a, connect(s, (struct sockaddr*)&sa, sizeof sa));
  }
  if (!strcmp(a, "socket")) {  /* socket FAMILY: unix, inet, inet6, netlink, packet, vsock, alg */
    int type = 0, f = family(arg, &type);
    return report(a, f < 0 ? (errno = EINVAL, -1) : socket(f, type, 0));
  }
  if (!strcmp(a, "socketpair")) {  /* socketpair FAMILY */
    int type = 0, f = family(arg, &type), sv[2];
    return report(a, f < 0 ? (errno = EINVAL, -1) : socketpair(f, type, 0, sv));
  }
  if (!strcmp(a, "setpgid")) return report(a, setpgid(0, atoi(arg)));  /* setpgid PGID */
  if (!strcmp(a, "syscall")) return report(a, (int)syscall(atol(arg), 0, 0, 0, 0, 0, 0)); /* syscall NR, no arguments */
  if (!strcmp(a, "kill")) return report(a, kill(atoi(arg), SIGKILL));
  if (!strcmp(a, "ptrace")) return report(a, (int)ptrace(PTRACE_ATTACH, atoi(arg), 0, 0));
  if (!strcmp(a, "mount")) return report(a, mount("tmpfs", "/mnt", "tmpfs", 0, NULL));
  if (!strcmp(a, "remount")) return report(a, mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND, NULL));
  if (!strcmp(a, "umount")) return report(a, umount2(arg[0] ? arg : "/proc", MNT_DETACH));
  if (!strcmp(a, "unshare")) return report(a, unshare(CLONE_NEWUSER));
  if (!strcmp(a, "unshare-net")) return report(a, unshare(CLONE_NEWNET));
  if (!strcmp(a, "clone-newuser")) {
    long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
    if (pid == 0) _exit(0);
    if (pid > 0) waitpid((pid_t)pid, NULL, 0);
    return report(a, pid < 0 ? -1 : 0);
  }
  if (!strcmp(a, "keyctl"))
    return report(a, (int)syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0));
  if (!strcmp(a, "add_key"))
    return report(a, (int)syscall(SYS_add_key, "user", "litbox", "x", 1, KEY_SPEC_SESSION_KEYRING));
  if (!strcmp(a, "tiocsti")) {  /* tiocsti FD */
    char c = 'x';
    return report(a, ioctl(atoi(arg), TIOCSTI, &c));
  }
  if (!strcmp(a, "chroot")) return report(a, chroot("/tmp"));
  if (!strcmp(a, "sethostname")) return report(a, sethostname("evil", 4));
  if (!strcmp(a, "forkbomb")) {  /* forkbomb: fork until refused; report how many */
    int n = 0;
    for (;;) {
      pid_t p = fork();
      if (p == 0) {
        close(0);  // let whoever reads our output see its end
        close(1);
        close(2);
        pause();
        _exit(0);
      }
      if (p < 0) break;
      if (++n >= 100000) break;
    }
    printf("forkbomb: %s after %d\n", strerrorname_np(errno), n);
    return 0;
  }
  if (!strcmp(a, "membomb")) {  /* allocate and touch 16 MiB blocks until refused */
    size_t total = 0;
    for (;;) {
      char* p = malloc(16 << 20);
      if (!p) break;
      memset(p, 1, 16 << 20);
      /* Keep the block reachable: clang drops a malloc whose memory is never read. */
      *(void**)p = membomb_blocks;
      membomb_blocks = p;
      total += 16 << 20;
      if (total >= ((size_t)64 << 30)) break;
    }
    printf("membomb: stopped at %zu MiB\n", total >> 20);
    return 0;
  }
  if (!strcmp(a, "fill")) {  /* fill FILE: write until refused */
    int fd = open(arg, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return report(a, -1);
    static char block[1 << 16];
    size_t total = 0;
    for (;;) {
      ssize_t n = write(fd, block, sizeof block);
      if (n <= 0) break;
      total += (size_t)n;
    }
    printf("fill: %s after %zu MiB\n", strerrorname_np(errno), total >> 20);
    return 0;
  }
  if (!strcmp(a, "daemon")) {  /* leave a process behind that holds stdout open */
    pid_t p = fork();
    if (p == 0) {
      setsid();
      if (fork() == 0) {
        for (;;) pause();
      }
      _exit(0);
    }
    waitpid(p, NULL, 0);
    printf("daemon: ok\n");
    return 0;
  }
  if (!strcmp(a, "mq-open")) {  /* mq-open /NAME: create a POSIX message queue and leave it */
    mqd_t q = mq_open(arg, O_CREAT | O_RDWR, 0600, NULL);
    return report(a, q == (mqd_t)-1 ? -1 : 0);
  }
  if (!strcmp(a, "mq-exists")) {  /* mq-exists /NAME: open an existing POSIX message queue */
    mqd_t q = mq_open(arg, O_RDWR);
    return report(a, q == (mqd_t)-1 ? -1 : 0);
  }
  if (!strcmp(a, "sleep")) {
    sleep((unsigned)atoi(arg));
    return 0;
  }
  if (!strcmp(a, "fds")) {  /* list open fds */
    DIR* d = opendir("/proc/self/fd");
    if (!d) return report(a, -1);
    int self = dirfd(d);
    for (struct dirent* e; (e = readdir(d));)
      if (e->d_name[0] != '.' && atoi(e->d_name) != self) printf("%s ", e->d_name);
    printf("\n");
    return 0;
  }
  if (!strcmp(a, "id")) {
    struct utsname u;
    uname(&u);
    char cwd[4096];
    printf("uid=%d gid=%d pid=%d ppid=%d host=%s cwd=%s sid=%d pgid=%d tty=%d\n", (int)getuid(), (int)getgid(),
           (int)getpid(), (int)getppid(), u.nodename, getcwd(cwd, sizeof cwd) ? cwd : "?", (int)getsid(0),
           (int)getpgrp(), open("/dev/tty", O_RDWR) >= 0);
    return 0;
  }
  if (!strcmp(a, "status")) {  /* lines of /proc/self/status starting with ARG */
    FILE* f = fopen("/proc/self/status", "r");
    char line[512];
    while (f && fgets(line, sizeof line, f))
      if (!strncmp(line, arg, strlen(arg))) fputs(line, stdout);
    return 0;
  }
  if (!strcmp(a, "limit")) {  /* limit N: print soft limit of resource N */
    struct rlimit rl;
    getrlimit(atoi(arg), &rl);
    printf("limit: %lld\n", rl.rlim_cur == RLIM_INFINITY ? -1LL : (long long)rl.rlim_cur);
    return 0;
  }
  if (!strcmp(a, "env")) {
    extern char** environ;
    for (char** e = environ; *e; ++e) printf("%s\n", *e);
    return 0;
  }
  fprintf(stderr, "unknown action %s\n", a);
  return 2;
}
