#include "emulation/test_sshd.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "emulation/qemu.h"
#include "support/sandbox_skip.h"

extern char** environ;

namespace litbox::emulation::testing {

namespace {

// This machine cannot host the device: a skip, or a failure with LITBOX_REQUIRE_SANDBOX=1.
TestSshd::Result unsupported(std::string why) {
  return {sandbox_required() ? TestSshd::Outcome::failed : TestSshd::Outcome::skipped, std::move(why)};
}

bool can_connect(int port) {
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(s);
  return ok;
}

}  // namespace

int free_port() {
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  close(s);
  return ntohs(a.sin_port);
}

TestSshd::Result TestSshd::start(bool device) {
  if (access("/usr/sbin/sshd", X_OK) != 0 || access("/usr/bin/ssh-keygen", X_OK) != 0)
    return {Outcome::skipped, "OpenSSH server/client not installed"};
  mkdir("/run/sshd", 0755);  // privilege separation directory; exists on a real server
  if (access("/run/sshd", F_OK) != 0) return {Outcome::skipped, "no /run/sshd and no right to create it"};
  std::string out;
  for (const char* key : {"host_key", "client_key"}) {
    if (run_command({"/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", keys_ / key}, &out) != 0)
      return {Outcome::failed, "ssh-keygen: " + out};
  }
  write_file(keys_ / "authorized_keys", *read_file(keys_ / "client_key.pub"), 0600);
  port_ = free_port();
  write_file(keys_ / "sshd_config", "Port " + std::to_string(port_) +
                                        "\nListenAddress 127.0.0.1\n"
                                        "HostKey " +
                                        (keys_ / "host_key") + "\nPidFile " + (keys_ / "sshd.pid") +
                                        "\nAuthorizedKeysFile " + (keys_ / "authorized_keys") +
                                        "\nUsePAM no\nStrictModes no\nPasswordAuthentication no\n"
                                        "KbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n"
                                        "MaxSessions 100\nMaxStartups 100\nLogLevel ERROR\n"
                                        // bash sources ~/.bashrc for ssh commands only at SHLVL < 2: the
                                        // host account's start-up files (here pyenv init, whose rehash
                                        // lock, once stale, stalls every login 60 s) stay out of the tests.
                                        "SetEnv SHLVL=1\n");
  std::vector<std::string> argv = {"/usr/sbin/sshd", "-D", "-e", "-f", keys_ / "sshd_config", "-E", keys_ / "sshd.log"};
  if (device) {
    std::string cmd = "exec";
    for (const auto& a : argv) cmd += " " + shell_quote(a);
    Result r = start_device(cmd);
    if (r.outcome != Outcome::started) return r;
  } else {
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    if (posix_spawn(&pid_, args[0], nullptr, nullptr, args.data(), environ) != 0)
      return {Outcome::failed, "cannot start sshd"};
  }
  for (int i = 0; i < 400 && !can_connect(port_); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  if (!can_connect(port_))
    return {Outcome::failed, "sshd did not start: " + read_file(keys_ / "sshd.log").value_or("")};
  return {Outcome::started, ""};
}

// sshd in a user namespace whose uid/gid maps are the identity over 0-65535, written by us
// (real root) so that sshd's privilege separation may call setgroups, with its own pid
// namespace, /proc and binfmt_misc (Linux >= 6.7).
TestSshd::Result TestSshd::start_device(const std::string& sshd_command) {
  if (getuid() != 0) return unsupported("writing identity uid maps needs root");
  std::string script =
      "mount -t proc proc /proc && "
      "mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc || exit 77\n";
  for (const auto& r : binfmt_rules(host_arch(), getenv("PATH")))
    script += "printf '%s' '" + r + "' > /proc/sys/fs/binfmt_misc/register || exit 78\n";
  script += "mkdir -p /run/sshd\n" + sshd_command + "\n";
  int to_parent[2], to_child[2];
  if (pipe2(to_parent, O_CLOEXEC) != 0 || pipe2(to_child, O_CLOEXEC) != 0) return {Outcome::failed, "pipe"};
  pid_t middle = fork();
  if (middle < 0) return {Outcome::failed, "fork"};
  if (middle == 0) {
    char b = 0;
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID) != 0) _exit(70);
    if (write(to_parent[1], "u", 1) != 1 || read(to_child[0], &b, 1) != 1) _exit(71);
    pid_t init = fork();  // pid 1 of the new pid namespace
    if (init == 0) {
      execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
      _exit(72);
    }
    (void)!write(to_parent[1], &init, sizeof init);
    int ws = 0;
    waitpid(init, &ws, 0);
    _exit(WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws));
  }
  close(to_parent[1]);
  close(to_child[0]);
  pid_ = middle;
  char b = 0;
  if (read(to_parent[0], &b, 1) != 1) {
    close(to_parent[0]);
    close(to_child[1]);
    return unsupported("no user namespaces here");
  }
  for (const char* map : {"uid_map", "gid_map"}) {
    std::string path = "/proc/" + std::to_string(middle) + "/" + map;
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    bool ok = fd >= 0 && write(fd, "0 0 65536\n", 10) == 10;
    int e = errno;
    if (fd >= 0) close(fd);
    if (!ok) return {Outcome::failed, path + ": " + strerror(e)};
  }
  (void)!write(to_child[1], "m", 1);
  close(to_child[1]);
  bool got = read(to_parent[0], &device_init_, sizeof device_init_) == static_cast<ssize_t>(sizeof device_init_);
  close(to_parent[0]);
  if (!got) return {Outcome::failed, "device init did not start"};
  // A kernel without a private binfmt_misc (< 6.7) makes the script exit 77 at once.
  for (int i = 0; i < 400 && !can_connect(port_); ++i) {
    int ws;
    if (waitpid(middle, &ws, WNOHANG) == middle) {
      pid_ = device_init_ = -1;
      if (WIFEXITED(ws) && WEXITSTATUS(ws) == 77) return unsupported("no binfmt_misc in user namespaces");
      return {Outcome::failed, "device setup failed with status " + std::to_string(ws) + ": " +
                                   read_file(keys_ / "sshd.log").value_or("")};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return {Outcome::started, ""};
}

void TestSshd::stop() {
  if (device_init_ > 0) kill(device_init_, SIGKILL);  // pid 1 of the device: the namespace goes
  device_init_ = -1;
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int ws;
    waitpid(pid_, &ws, 0);
  }
  pid_ = -1;
}

SshSettings TestSshd::settings() const {
  SshSettings s;
  struct passwd* pw = getpwuid(getuid());
  s.host = "127.0.0.1";
  s.port = port_;
  s.user = pw ? pw->pw_name : "root";
  s.identity = keys_ / "client_key";
  s.config_file = "none";
  s.options = {"StrictHostKeyChecking=no", "UserKnownHostsFile=/dev/null"};
  s.work_dir = work_.path();
  return s;
}

}  // namespace litbox::emulation::testing
