#include "emulation/ssh_executor.h"

#include "emulation/local_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

#include "emulation/marker_splitter.h"
#include "emulation/ssh_invocation.h"
#include "emulation/tar.h"
#include "executor/process.h"
#include "support/strings.h"

extern char** environ;

namespace litbox::emulation {

namespace {

// Identity of a local file's content as far as the upload cache is concerned.
struct FileStamp {
  dev_t dev = 0;
  ino_t ino = 0;
  off_t size = 0;
  int64_t mtime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};

std::optional<FileStamp> stamp_of(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return FileStamp{st.st_dev, st.st_ino, st.st_size, int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec};
}

std::string last_line(std::string_view s) {
  s = rstrip(s);
  size_t nl = s.rfind('\n');
  return std::string(nl == std::string_view::npos ? s : s.substr(nl + 1));
}

// How the request's stdin reaches the remote command.
struct StdinPlan {
  RemoteStdin mode = RemoteStdin::null;
  std::string file_data;  // RemoteStdin::file: the contents to ship
};

Expected<StdinPlan> plan_stdin(int fd) {
  StdinPlan p;
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) return p;
  if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3)) return p;  // /dev/null
  if (!S_ISREG(st.st_mode)) {
    p.mode = RemoteStdin::inherit;
    return p;
  }
  // A redirected file: ship it with the uploads, from where the descriptor stands.
  auto data = read_rest_of_file(fd);
  if (!data) return data.error();
  p.file_data = std::move(*data);
  p.mode = RemoteStdin::file;
  return p;
}

exec::ExitStatus setup_failure(const std::string& why) {
  exec::ExitStatus s;
  s.code = 255;
  s.setup_failure = true;
  s.error = why;
  return s;
}

// State shared by the executor, its sessions and their in-flight ssh runs (which may end
// after the session object is gone).
struct Shared {
  boost::asio::io_context& io;
  SshSettings settings;
  std::string ssh_program;
  std::string control_dir;   // "" without connection sharing
  std::string control_path;  // control_dir + "/%C"
  std::vector<std::string> env;
  std::map<Invocation*, std::shared_ptr<Invocation>> cleanups;
  bool connected = false;

  Shared(boost::asio::io_context& i) : io(i) {}
  std::vector<std::string> argv(const std::string& remote_command) const {
    return ssh_argv(ssh_program, settings, control_path, remote_command);
  }
};

struct SessionState {
  std::shared_ptr<Shared> shared;
  exec::SessionSpec spec;
  RemoteLayout layout;
  std::string copy_back_prefix;
  int next_id = 0;
  std::map<int, std::shared_ptr<Invocation>> running;  // by spawn id
  // What the target holds: remote path (relative) -> local file and its stamp when shipped.
  std::map<std::string, std::pair<std::string, FileStamp>> uploaded;
  bool touched = false;  // an ssh run was started, so the remote dir may exist
  bool cleanup_running = false;
  std::vector<std::pair<std::vector<int>, bool>> queued_cleanups;
  bool terminated = false;
  bool closed = false;
};

// One spawn: optional upload run, the command run, then the status and copied-back files.
class Spawn : public std::enable_shared_from_this<Spawn> {
 public:
  Spawn(std::shared_ptr<SessionState> st, exec::ExitHandler on_exit)
      : st_(std::move(st)), on_exit_(std::move(on_exit)) {}
  ~Spawn() {
    for (int* fd : {&stdin_fd_, &stdout_fd_, &stderr_fd_})
      if (*fd >= 0) ::close(*fd);
  }

  void start(exec::SpawnRequest req) {
    SessionState& st = *st_;
    id_ = ++st.next_id;
    MappedCommand mc = map_command(req.argv, st.layout);
    std::vector<std::string> lib_dirs = add_library_uploads(mc, st.layout);
    auto in = plan_stdin(req.stdin_fd);
    if (!in) return finish(setup_failure(in.error().message));

    TarWriter tar;
    tar.force_mtime(1);  // see remote_script(): older than the copy-back stamp
    for (const auto& u : mc.uploads) {
      auto stamp = stamp_of(u.local);
      auto it = st.uploaded.find(u.remote);
      if (stamp && it != st.uploaded.end() && it->second.first == u.local && it->second.second == *stamp) continue;
      if (Status s = tar.add_local(u.remote, u.local); !s) return finish(setup_failure(s.error().message));
      if (stamp) pending_[u.remote] = {u.local, *stamp};
    }
    script_.dir = st.layout.remote_dir;
    script_.marker = "LITBOX-STATUS-" + random_hex(16);
    script_.id = id_;
    script_.stdin_mode = in->mode;
    if (in->mode == RemoteStdin::file) {
      script_.stdin_file = ".litbox/stdin." + std::to_string(id_);
      tar.add_file(script_.stdin_file, 0600, in->file_data);
    }
    std::string ld_path = join(lib_dirs, ":");
    for (const auto& name : st.shared->settings.env) {
      std::string prefix = name + "=";
      for (const auto& e : req.env) {
        if (!starts_with(e, prefix)) continue;
        std::string value = e.substr(prefix.size());
        if (name == "LD_LIBRARY_PATH" && !ld_path.empty()) {
          value = ld_path + (value.empty() ? "" : ":" + value);
          ld_path.clear();
        }
        script_.env.emplace_back(name, value);
      }
    }
    // The test's own shared libraries, shipped beside their binaries, come first.
    if (!ld_path.empty()) script_.env.emplace_back("LD_LIBRARY_PATH", ld_path);
    script_.argv = std::move(mc.argv);
    script_.copy_back_prefix = st.copy_back_prefix;
    script_.umask = req.umask;
    bool has_upload = tar.entries() > 0;
    if (has_upload) payload_ = tar.finish_chunks();

    if (has_upload && in->mode == RemoteStdin::inherit) {
      // The command's stdin is a stream: it cannot follow the archive on ssh's stdin (the
      // remote tar may read past the archive's end), so the files go first, on their own.
      stdin_fd_ = fcntl(req.stdin_fd, F_DUPFD_CLOEXEC, 3);
      stdout_fd_ = req.stdout_fd < 0 ? -1 : fcntl(req.stdout_fd, F_DUPFD_CLOEXEC, 3);
      stderr_fd_ = req.stderr_fd < 0 ? -1 : fcntl(req.stderr_fd, F_DUPFD_CLOEXEC, 3);
      InvocationSpec up;
      up.argv = st.shared->argv(sh_command(upload_script(st.layout.remote_dir)));
      up.env = st.shared->env;
      up.stdin_payload = std::move(payload_);
      launch(std::move(up), [self = shared_from_this()](InvocationResult r) { self->uploaded(std::move(r)); });
      return;
    }
    script_.extract = has_upload;
    run_command(req.stdin_fd, req.stdout_fd, req.stderr_fd);
  }

 private:
  void launch(InvocationSpec spec, Invocation::Done done) {
    st_->touched = true;
    st_->shared->connected = true;
    auto inv = Invocation::start(st_->shared->io, std::move(spec), std::move(done));
    st_->running[id_] = inv;
  }

  void uploaded(InvocationResult r) {
    st_->running.erase(id_);
    if (st_->terminated) return finish(killed());
    if (r.local.code != 0 || r.local.signal != 0)
      return finish(setup_failure("ssh " + st_->shared->settings.host + ": upload failed: " +
                                  (r.local.error.empty() ? last_line(r.stderr_tail) : r.local.error)));
    run_command(stdin_fd_, stdout_fd_, stderr_fd_);
  }

  void run_command(int in_fd, int out_fd, int err_fd) {
    InvocationSpec spec;
    spec.argv = st_->shared->argv(sh_command(remote_script(script_)));
    spec.env = st_->shared->env;
    if (script_.extract) {
      spec.stdin_payload = std::move(payload_);
    } else if (script_.stdin_mode == RemoteStdin::inherit) {
      spec.stdin_fd = in_fd;
    }
    spec.stdout_fd = out_fd;
    spec.stderr_fd = err_fd;
    spec.marker = script_.marker;
    launch(std::move(spec), [self = shared_from_this()](InvocationResult r) { self->ran(std::move(r)); });
  }

  exec::ExitStatus killed() const {
    exec::ExitStatus s;
    s.signal = SIGKILL;
    return s;
  }

  void ran(InvocationResult r) {
    SessionState& st = *st_;
    st.running.erase(id_);
    if (!r.marker_found) {
      if (st.terminated) return finish(killed());
      std::string why = r.local.error;
      if (why.empty()) why = last_line(r.stderr_tail);
      if (why.empty())
        why = r.local.signal ? "killed by signal " + std::to_string(r.local.signal)
                             : "exit " + std::to_string(r.local.code) + " without a status from the target";
      return finish(setup_failure("ssh " + st.shared->settings.host + ": " + why));
    }
    std::string_view rest;
    int status = parse_status_line(r.trailer, &rest);
    if (status < 0) return finish(setup_failure("ssh " + st.shared->settings.host + ": malformed status line"));
    for (auto& [remote, what] : pending_) st.uploaded[remote] = what;
    if (!rest.empty()) {
      if (Status s = copy_back(rest); !s) return finish(setup_failure("copy back: " + s.error().message));
    }
    finish(remote_exit_status(status));
  }

  Status copy_back(std::string_view archive) {
    SessionState& st = *st_;
    auto entries = read_tar(archive);
    if (!entries) return entries.error();
    const std::string& root = st.spec.output_dir;
    for (const auto& e : *entries) {
      if (e.type != '0') continue;
      std::string local = root + "/" + e.name;
      // Only what the test owns comes back; a hostile or confused target cannot write
      // anywhere else.
      if (!safe_relative(e.name) || !starts_with(local, st.spec.tmp_prefix)) continue;
      if (Status s = make_parent_dirs(root, e.name); !s) return s;
      if (Status s = write_whole_file(local, e.data, e.mode); !s) return s;
      // The target holds the same bytes now: no need to ship the file back to it.
      if (auto stamp = stamp_of(local)) st.uploaded[e.name] = {local, *stamp};
    }
    return {};
  }

  void finish(exec::ExitStatus s) {
    boost::asio::post(st_->shared->io, [on_exit = std::move(on_exit_), s] { on_exit(s); });
  }

  std::shared_ptr<SessionState> st_;
  exec::ExitHandler on_exit_;
  int id_ = 0;
  RemoteScript script_;
  std::vector<std::string> payload_;  // the archive to ship, in chunks
  // Uploads in flight (remote -> local, stamp), committed to the session's cache on success.
  std::map<std::string, std::pair<std::string, FileStamp>> pending_;
  int stdin_fd_ = -1, stdout_fd_ = -1, stderr_fd_ = -1;
};

// Cleanups of one session run one after the other: a removal racing ahead of a kill would
// delete the pid files the kill needs.
void start_cleanup(const std::shared_ptr<SessionState>& st, std::vector<int> ids, bool remove) {
  if (st->cleanup_running) {
    st->queued_cleanups.emplace_back(std::move(ids), remove);
    return;
  }
  st->cleanup_running = true;
  auto shared = st->shared;
  InvocationSpec spec;
  spec.argv = shared->argv(sh_command(cleanup_script(st->layout.remote_dir, ids, remove)));
  spec.env = shared->env;
  auto holder = std::make_shared<Invocation*>(nullptr);
  auto inv = Invocation::start(shared->io, std::move(spec), [st, holder](InvocationResult) {
    st->shared->cleanups.erase(*holder);
    st->cleanup_running = false;
    if (!st->queued_cleanups.empty()) {
      auto [next_ids, next_remove] = std::move(st->queued_cleanups.front());
      st->queued_cleanups.erase(st->queued_cleanups.begin());
      start_cleanup(st, std::move(next_ids), next_remove);
    }
  });
  *holder = inv.get();
  shared->cleanups[inv.get()] = inv;
}

class SshSession : public exec::Session {
 public:
  explicit SshSession(std::shared_ptr<SessionState> st) : st_(std::move(st)) {}
  ~SshSession() override { close(); }

  void spawn(exec::SpawnRequest req, exec::ExitHandler on_exit) override {
    auto sp = std::make_shared<Spawn>(st_, std::move(on_exit));
    sp->start(std::move(req));
  }

  void terminate() override {
    st_->terminated = true;
    std::vector<int> ids;
    for (auto& [id, inv] : st_->running) {
      ids.push_back(id);
      inv->kill();
    }
    if (!ids.empty()) start_cleanup(st_, ids, /*remove=*/false);
  }

  void close() override {
    if (st_->closed) return;
    st_->closed = true;
    for (auto& [id, inv] : st_->running) inv->kill();
    // Kills whatever still runs there (every pid file), then removes the directory.
    if (st_->touched) start_cleanup(st_, {}, /*remove=*/true);
  }

 private:
  std::shared_ptr<SessionState> st_;
};

class SshExecutor : public exec::Executor {
 public:
  explicit SshExecutor(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}

  ~SshExecutor() override {
    // Shutdown only: cleanups still running must finish before the shared connection goes,
    // or they would die with it and leave remote directories behind.
    for (auto& [raw, inv] : shared_->cleanups) {
      int pid = inv->pid();
      int ws;
      if (pid > 0)
        while (waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
        }
      inv->drop_done();  // it holds its session, which holds shared_, which holds it
    }
    shared_->cleanups.clear();
    if (!shared_->control_dir.empty()) {
      if (shared_->connected) {
        exec::SpawnRequest req;
        req.argv = ssh_control_exit_argv(shared_->ssh_program, shared_->settings, shared_->control_path);
        req.env = shared_->env;
        if (auto pid = exec::spawn_local(req)) {
          int ws;
          while (waitpid(*pid, &ws, 0) < 0 && errno == EINTR) {
          }
        }
      }
      // The master removes its socket when it exits; the directory is ours.
      std::string sock_dir = shared_->control_dir;
      if (auto* d = opendir(sock_dir.c_str())) {
        while (auto* e = readdir(d)) {
          std::string n = e->d_name;
          if (n != "." && n != "..") unlink((sock_dir + "/" + n).c_str());
        }
        closedir(d);
      }
      rmdir(sock_dir.c_str());
    }
  }

  Expected<std::unique_ptr<exec::Session>> open(const exec::SessionSpec& spec) override {
    auto st = std::make_shared<SessionState>();
    st->shared = shared_;
    st->spec = spec;
    std::string work = shared_->settings.work_dir.empty() ? "/tmp" : shared_->settings.work_dir;
    while (work.size() > 1 && work.back() == '/') work.pop_back();
    st->layout.remote_dir = work + "/litbox-" + random_hex(8);
    st->layout.output_dir = spec.output_dir;
    st->layout.ship_output_dir = spec.ship_output_dir;
    st->layout.source_dir = spec.source_dir;
    if (!spec.output_dir.empty() && starts_with(spec.tmp_prefix, spec.output_dir + "/"))
      st->copy_back_prefix = spec.tmp_prefix.substr(spec.output_dir.size() + 1);
    return std::unique_ptr<exec::Session>(std::make_unique<SshSession>(std::move(st)));
  }

  std::string name() const override { return "ssh"; }

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace

Expected<std::unique_ptr<exec::Executor>> make_ssh_executor(boost::asio::io_context& io, SshSettings settings) {
  if (settings.host.empty()) return Error("ssh executor: no host given");
  auto program = find_program(settings.ssh_program);
  if (!program) return Error("ssh executor: " + py_repr(settings.ssh_program) + " not found on PATH");
  auto shared = std::make_shared<Shared>(io);
  shared->ssh_program = *program;
  shared->settings = std::move(settings);
  for (char** e = environ; e && *e; ++e) shared->env.emplace_back(*e);
  if (shared->settings.connection_sharing) {
    // A private, short directory: the socket path must fit in sun_path (108 bytes).
    char tmpl[] = "/tmp/litbox-ssh-XXXXXX";
    if (!mkdtemp(tmpl)) return Error(std::string("ssh executor: mkdtemp: ") + strerror(errno));
    shared->control_dir = tmpl;
    shared->control_path = shared->control_dir + "/%C";
  }
  return std::unique_ptr<exec::Executor>(std::make_unique<SshExecutor>(std::move(shared)));
}

}  // namespace litbox::emulation
