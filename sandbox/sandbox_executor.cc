#include "sandbox/sandbox_executor.h"

#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <grp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "sandbox/cell_init.h"
#include "sandbox/cell_session.h"
#include "sandbox/cgroup.h"
#include "sandbox/mount_plan.h"
#include "sandbox/output_view.h"
#include "sandbox/seccomp_policy.h"
#include "sandbox/zygote.h"

namespace litbox::sandbox {

namespace fs = std::filesystem;

namespace {

// Mount targets are compared as strings, so they must be canonical: a path reached through a
// symlink into a hidden dir must be recognized as being in it.
std::string canonical_path(const std::string& p) {
  std::error_code ec;
  fs::path c = fs::canonical(p, ec);
  if (!ec) return c.string();
  fs::path abs = fs::absolute(p, ec);
  std::string s = abs.lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

PathKind stat_probe(const std::string& p) {
  struct stat st;
  if (stat(p.c_str(), &st) < 0) return PathKind::kMissing;
  return S_ISDIR(st.st_mode) ? PathKind::kDirectory : PathKind::kFile;
}

int cap_last_cap() {
  std::ifstream in("/proc/sys/kernel/cap_last_cap");
  int n = 40;
  in >> n;
  return n;
}

// Dispositions survive clone(); a runner that ignores SIGPIPE would otherwise hand that to
// every test (and `yes | head` would never end).
std::vector<int> ignored_signals() {
  std::vector<int> out;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    struct sigaction sa;
    if (sigaction(sig, nullptr, &sa) == 0 && sa.sa_handler == SIG_IGN) out.push_back(sig);
  }
  return out;
}

// Copies `s` into a fixed char array, NUL-terminated; false if it does not fit.
template <size_t N>
bool copy_string(char (&out)[N], const std::string& s) {
  if (s.size() >= N) return false;
  memcpy(out, s.c_str(), s.size() + 1);
  return true;
}

class SandboxExecutor : public exec::Executor {
 public:
  SandboxExecutor(boost::asio::io_context& io, const SandboxSpec& spec, std::shared_ptr<const SeccompProgram> seccomp,
                  std::shared_ptr<CgroupPool> cgroups)
      : io_(io), spec_(spec), seccomp_(std::move(seccomp)), cgroups_(std::move(cgroups)) {
    base_.tmp_size = spec.tmp_size;
    if (spec.allow_listed_host) base_.hidden = hidden_host_roots();
    for (const auto& p : spec.hidden) base_.hidden.push_back(canonical_path(p));
    for (const auto& p : spec.readonly) base_.readonly.push_back(canonical_path(p));
    for (const auto& p : spec.writable) base_.writable.push_back(canonical_path(p));
    base_.binfmt_rules = spec.binfmt_rules;
  }

  /// Fills the cells' shared configuration, then clones the zygote.
  Status start() {
    if (!memory_.ok()) return Error{"sandbox: mmap of the cell buffers failed"};
    CellConfig& c = *memory_.config();
    // An unprivileged runner's tests keep its uid, as 0 inside with binfmt rules (binfmt_misc's
    // register file belongs to the user namespace's root). A root runner's run as an
    // unprivileged host uid (docs/security.md, "Identity and privileges").
    ids_ = cell_identity(!spec_.binfmt_rules.empty());
    if (!copy_string(c.uid_map, ids_.cell_uid_map) || !copy_string(c.gid_map, ids_.cell_gid_map))
      return Error{"sandbox: id map too long"};
    c.zygote_maps = c.switch_to_cell_user = ids_.separate;
    staging_->set_cell_owner(ids_.host_uid, ids_.host_gid);  // the test writes its %t files there
    if (ids_.separate) {
      // The runner's own file work for a test is done with the cell user's permissions
      // (RootedFileSystem's setfsuid), which root's supplementary groups would widen. The
      // runner is single-threaded and, as root, needs no group to read anything.
      if (setgroups(0, nullptr) < 0) return Error{std::string("sandbox: setgroups: ") + strerror(errno)};
    }
    if (!copy_string(c.hostname, spec_.hostname)) return Error{"sandbox: hostname too long: '" + spec_.hostname + "'"};
    c.private_netns = spec_.private_network_namespace && !spec_.network;
    c.cgroup_ns = access("/proc/self/ns/cgroup", F_OK) == 0;
    c.seccomp_kill = seccomp_->action == SeccompAction::kKill;
    c.cap_last_cap = cap_last_cap();
    for (int sig : ignored_signals())
      if (c.nsignals < CellConfig::kMaxSignals) c.ignored_signals[c.nsignals++] = sig;
    const size_t max_bpf = CellConfig::kMaxBpf;
    if (seccomp_->bpf.size() > max_bpf || seccomp_->known.size() > max_bpf) return Error{"sandbox: seccomp filter too long"};
    std::copy(seccomp_->bpf.begin(), seccomp_->bpf.end(), c.bpf);
    c.nbpf = static_cast<int>(seccomp_->bpf.size());
    std::copy(seccomp_->known.begin(), seccomp_->known.end(), c.known);
    c.nknown = static_cast<int>(seccomp_->known.size());
    for (const auto& d : seccomp_->denied) {
      if (c.ndenied == CellConfig::kMaxDenied) break;
      CellConfig::Denied& out = c.denied[c.ndenied++];
      out.arch = d.arch;
      out.nr = d.nr;
      copy_string(out.name, d.name);
    }
    const exec::Limits& l = spec_.limits;
    auto add = [&](int resource, uint64_t v) {
      if (v) c.limits[c.nlimits++] = {resource, v};
    };
    add(RLIMIT_AS, l.address_space);
    add(RLIMIT_CPU, l.cpu_seconds);
    add(RLIMIT_FSIZE, l.file_size);
    add(RLIMIT_NOFILE, l.open_files);
    add(RLIMIT_STACK, l.stack);
    uint64_t nproc = l.processes;
    if (spec_.max_processes && (!nproc || spec_.max_processes < nproc)) nproc = spec_.max_processes;
    add(RLIMIT_NPROC, nproc);
    return start_zygote();
  }

  Status start_zygote() {
    zygote_.reset();
    auto z = Zygote::start(memory_, spec_.network, ids_);
    if (!z) return Error{"sandbox: " + z.error().message};
    zygote_ = std::move(*z);
    return {};
  }

  ~SandboxExecutor() override {
    if (pool_) pool_->close_all();
    reaper_->reap_all();  // before the cgroup pool goes
  }
  Expected<std::unique_ptr<exec::Session>> open(const exec::SessionSpec& spec) override;
  std::string name() const override { return "sandbox"; }
  size_t idle() const { return pool_ ? pool_->idle() : 0; }

 private:
  boost::asio::io_context& io_;
  SandboxSpec spec_;
  std::shared_ptr<const SeccompProgram> seccomp_;
  std::shared_ptr<CgroupPool> cgroups_;  // shared with closed cells not yet reaped
  MountLayout base_;
  CellIdentity ids_;
  CellMemory memory_;
  std::unique_ptr<Zygote> zygote_;
  std::shared_ptr<CellReaper> reaper_ = std::make_shared<CellReaper>();
  std::shared_ptr<StagingDirs> staging_ = std::make_shared<StagingDirs>();
  // Idle cells by key (Output dir and source dir: what the mount plan depends on per test).
  std::shared_ptr<CellPool> pool_ = spec_.reuse_cells ? std::make_shared<CellPool>(kMaxIdleCells) : nullptr;
  static constexpr size_t kMaxIdleCells = 64;
  // Per-run caches: the directories of a run do not move while it runs, and a test directory
  // holds many tests, so each path is resolved (realpath, stat) once, not once per test.
  std::unordered_map<std::string, std::string> canonical_;
  std::unordered_map<std::string, PathKind> known_;
  std::unordered_set<std::string> shared_outputs_;  // Output dirs bound writable, chowned to the cell user

  const std::string& canonical(const std::string& p) {
    auto it = canonical_.find(p);
    if (it == canonical_.end()) it = canonical_.emplace(p, canonical_path(p)).first;
    return it->second;
  }
  PathKind kind(const std::string& p) {
    auto it = known_.find(p);
    if (it == known_.end()) it = known_.emplace(p, stat_probe(p)).first;
    return it->second;
  }
  // The Output dir, created if needed (lit does that before running), canonical.
  Expected<std::string> output_dir(const std::string& p) {
    auto it = canonical_.find(p);
    if (it != canonical_.end() && kind(it->second) == PathKind::kDirectory) return it->second;
    std::error_code ec;
    fs::create_directories(p, ec);
    if (ec) return Error{"sandbox: create " + p + ": " + ec.message()};
    canonical_.erase(p);
    known_.erase(canonical(p));
    return canonical(p);
  }
};

Expected<std::unique_ptr<exec::Session>> SandboxExecutor::open(const exec::SessionSpec& spec) {
  std::string out;
  if (!spec.output_dir.empty()) {
    auto o = output_dir(spec.output_dir);
    if (!o) return o.error();
    out = *o;
  }
  const bool isolate = !out.empty() && spec_.isolate_outputs;
  if (isolate)
    if (auto v = make_output_view(out, spec.tmp_prefix, out); !v) return v.error();
  const std::string src = spec.source_dir.empty() ? std::string() : canonical(spec.source_dir);
  const std::string key = out + '\n' + src;
  auto view_in = [&](const std::string& staging) -> std::optional<OutputView> {
    if (!isolate || staging.empty()) return std::nullopt;
    OutputView v = *make_output_view(out, spec.tmp_prefix, staging, spec_.publish_all_outputs, spec.owns_tmp_dir);
    // If it fails, the staging dir has no record: a later run that finds outputs in it, this
    // one being dead, drops them rather than publish them as another test's.
    (void)staging_->record_test(v);
    return v;
  };
  if (pool_)
    if (auto reused = reuse_cell_session(pool_, key, view_in)) return std::unique_ptr<exec::Session>(std::move(reused));

  MountLayout layout = base_;
  std::string staging;
  if (isolate) {
    auto d = staging_->take(out);
    if (!d) return d.error();
    staging = *d;
    layout.binds.push_back({staging, out, true});
    known_[staging] = PathKind::kDirectory;
  } else if (!out.empty()) {
    // The test writes its %t files straight into the shared Output dir: a root runner's cell
    // user must own it (what lands there is not published, so it keeps that owner).
    if (ids_.separate && shared_outputs_.insert(out).second && chown(out.c_str(), ids_.host_uid, ids_.host_gid) < 0)
      return Error{"sandbox: chown " + out + ": " + strerror(errno)};
    layout.writable.push_back(out);
  }
  std::optional<OutputView> view = view_in(staging);
  auto give_back = [staging_dirs = staging_, out, staging] {
    if (!staging.empty()) staging_dirs->give_back(out, staging);
  };
  // %s and %S must stay readable even when the source tree is below a hidden path.
  if (!src.empty()) layout.readonly.push_back(src);
  auto plan = std::make_shared<const MountPlan>(build_mount_plan(layout, [this](const std::string& p) { return kind(p); }));
  if (plan->slots > CellMemory::kMaxSlots) {
    give_back();
    return Error{"sandbox: too many bind mounts in one cell"};
  }

  std::optional<CellCgroup> cgroup;
  if (cgroups_ && spec_.max_processes) {
    auto c = cgroups_->make_cell(spec_.max_processes);
    if (!c) {
      give_back();
      return Error{"sandbox: " + c.error().message};
    }
    cgroup = *c;
  }
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
    int e = errno;
    if (cgroup) {
      close(cgroup->procs_fd);
      cgroups_->remove(cgroup->path);
    }
    give_back();
    return Error{std::string("sandbox: socketpair: ") + strerror(e)};
  }
  const std::string flat = flatten(*plan);
  Status sent = zygote_ ? zygote_->launch(flat, sv[1], cgroup ? cgroup->procs_fd : -1) : Error{"no zygote"};
  if (!sent) {
    // The zygote died (killed from outside, out of memory): make a new one, once.
    if (Status restarted = start_zygote(); restarted) sent = zygote_->launch(flat, sv[1], cgroup ? cgroup->procs_fd : -1);
  }
  close(sv[1]);
  if (cgroup) close(cgroup->procs_fd);
  if (!sent) {
    close(sv[0]);
    if (cgroup) cgroups_->remove(cgroup->path);
    give_back();
    return sent.error();
  }
  CellLaunch launch;
  launch.sock = sv[0];
  launch.plan = plan;
  launch.seccomp = seccomp_;
  launch.output = std::move(view);
  launch.staging_dir = staging;
  launch.reaper = reaper_;
  if (ids_.separate) launch.fs_ids = {ids_.host_uid, ids_.host_gid};
  launch.on_closed = [give_back, cgroups = cgroup ? cgroups_ : nullptr, path = cgroup ? cgroup->path : std::string()] {
    give_back();
    if (cgroups) cgroups->remove(path);
  };
  return std::unique_ptr<exec::Session>(make_cell_session(io_, std::move(launch), pool_, key));
}

}  // namespace

std::vector<std::string> hidden_host_roots() {
  static constexpr const char* kVisibleRoots[] = {"usr", "etc",    "bin", "sbin", "lib",  "lib32",
                                                  "lib64", "libx32", "opt", "dev",  "proc", "tmp"};
  std::vector<std::string> out;
  DIR* d = opendir("/");
  if (!d) return out;
  while (struct dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    if (std::find(std::begin(kVisibleRoots), std::end(kVisibleRoots), name) != std::end(kVisibleRoots)) continue;
    struct stat st;
    if (lstat(("/" + name).c_str(), &st) == 0 && (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode))) out.push_back("/" + name);
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

Expected<std::unique_ptr<exec::Executor>> make_executor(boost::asio::io_context& io, const SandboxSpec& spec) {
  auto seccomp = compile_seccomp(spec.deny_syscalls, spec.allow_syscalls,
                                 spec.seccomp_kill ? SeccompAction::kKill : SeccompAction::kErrno);
  if (!seccomp) return Error{"sandbox: " + seccomp.error().message};
  std::shared_ptr<CgroupPool> cgroups;
  if (spec.max_processes) {
    std::string why_not;
    cgroups = CgroupPool::create(&why_not);  // none: RLIMIT_NPROC alone
  }
  auto ex = std::make_unique<SandboxExecutor>(io, spec, std::make_shared<const SeccompProgram>(std::move(*seccomp)),
                                              std::move(cgroups));
  if (Status s = ex->start(); !s) return s.error();
  return std::unique_ptr<exec::Executor>(std::move(ex));
}

size_t idle_cells(const exec::Executor& ex) {
  auto* sandbox = dynamic_cast<const SandboxExecutor*>(&ex);
  return sandbox ? sandbox->idle() : 0;
}

Status probe() {
  boost::asio::io_context io;
  auto ex = make_executor(io, SandboxSpec{});
  if (!ex) return ex.error();
  exec::SessionSpec ss;
  ss.test_name = "litbox sandbox probe";
  auto session = (*ex)->open(ss);
  if (!session) return session.error();
  auto* cell = dynamic_cast<CellSession*>(session->get());
  Expected<int> root = cell ? cell->root_fd() : Expected<int>(Error{"sandbox: not a cell"});
  (*session)->close();
  if (!root) return root.error();
  return {};
}

}  // namespace litbox::sandbox
