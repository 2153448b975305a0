#include "sandbox/cgroup.h"

#include "sandbox/run_guard.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace litbox::sandbox {

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool write_text(const std::string& path, const std::string& text) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  close(fd);
  return ok;
}

bool has_word(const std::string& text, const std::string& word) {
  std::istringstream in(text);
  std::string w;
  while (in >> w)
    if (w == word) return true;
  return false;
}

// The mount points of the cgroup2 hierarchy and of the v1 hierarchy that has "pids".
void find_mounts(std::string* v2, std::string* v1_pids) {
  std::istringstream in(read_text("/proc/self/mountinfo"));
  std::string line;
  while (std::getline(in, line)) {
    // id parent major:minor root mountpoint options ... - fstype source superoptions
    std::istringstream f(line);
    std::string id, parent, dev, root, mountpoint, options, field;
    f >> id >> parent >> dev >> root >> mountpoint >> options;
    while (f >> field && field != "-") {
    }
    std::string fstype, source, super;
    f >> fstype >> source >> super;
    if (root != "/") continue;
    if (fstype == "cgroup2" && v2->empty()) *v2 = mountpoint;
    if (fstype == "cgroup" && v1_pids->empty()) {
      std::istringstream opts(super);
      std::string o;
      while (std::getline(opts, o, ','))
        if (o == "pids") *v1_pids = mountpoint;
    }
  }
}

// Removes the (empty) cell cgroups under `base`.
void remove_cells(const std::string& base) {
  if (DIR* cells = opendir(base.c_str())) {
    while (struct dirent* c = readdir(cells))
      if (strncmp(c->d_name, "cell-", 5) == 0) rmdir((base + "/" + c->d_name).c_str());
    closedir(cells);
  }
}

// Runs that were SIGKILLed leave their (empty) cgroups behind: remove those of dead runners
// ("litbox.<pid>.<pool>", or "litbox.<pid>" of older runners).
void remove_stale(const std::string& top) {
  DIR* d = opendir(top.c_str());
  if (!d) return;
  while (struct dirent* e = readdir(d)) {
    if (strncmp(e->d_name, "litbox.", 7) != 0) continue;
    pid_t pid = static_cast<pid_t>(atoi(e->d_name + 7));
    if (pid <= 0 || kill(pid, 0) == 0 || errno != ESRCH) continue;
    std::string base = top + "/" + e->d_name;
    remove_cells(base);
    rmdir(base.c_str());
  }
  closedir(d);
}

// Pools of one process (a run makes one sandbox executor per distinct sandbox config, each
// with its own pool) get directories of their own: their cell numbers would collide.
std::atomic<uint64_t> next_pool{0};

}  // namespace

std::unique_ptr<CgroupPool> CgroupPool::create(std::string* why_not) {
  if (geteuid() != 0) {
    *why_not = "not root (RLIMIT_NPROC is used instead)";
    return nullptr;
  }
  std::string v2, v1;
  find_mounts(&v2, &v1);
  std::string top;
  bool is_v2 = false;
  if (!v2.empty() && has_word(read_text(v2 + "/cgroup.subtree_control"), "pids")) {
    top = v2;
    is_v2 = true;
  } else if (!v1.empty()) {
    top = v1;
  } else {
    *why_not = "no cgroup hierarchy with the pids controller";
    return nullptr;
  }
  remove_stale(top);
  std::string base = top + "/litbox." + std::to_string(getpid()) + "." + std::to_string(next_pool++);
  if (mkdir(base.c_str(), 0755) < 0) {
    if (errno != EEXIST) {
      *why_not = "mkdir " + base + ": " + strerror(errno);
      return nullptr;
    }
    remove_cells(base);  // left by a killed runner whose pid this process now has
  }
  guard_cgroup_pool(base);
  if (is_v2 && !write_text(base + "/cgroup.subtree_control", "+pids")) {
    *why_not = "enable pids in " + base + ": " + strerror(errno);
    rmdir(base.c_str());
    return nullptr;
  }
  return std::unique_ptr<CgroupPool>(new CgroupPool(base));
}

CgroupPool::~CgroupPool() {
  // A cgroup stays busy for a moment after its last process was reaped (the kernel releases
  // the tasks asynchronously); give it up to a second.
  for (int attempt = 0; attempt < 1000 && !busy_.empty(); ++attempt) {
    std::erase_if(busy_, [](const std::string& p) { return rmdir(p.c_str()) == 0 || errno != EBUSY; });
    if (!busy_.empty()) usleep(1000);
  }
  rmdir(base_.c_str());
}

Expected<CellCgroup> CgroupPool::make_cell(uint64_t max_pids) {
  // Retry cells whose last processes were still being torn down when they were closed.
  for (size_t i = 0; i < busy_.size();)
    if (rmdir(busy_[i].c_str()) == 0 || errno == ENOENT) busy_.erase(busy_.begin() + static_cast<long>(i));
    else ++i;
  CellCgroup c;
  c.path = base_ + "/cell-" + std::to_string(next_++);
  if (mkdir(c.path.c_str(), 0755) < 0) return Error{"mkdir " + c.path + ": " + strerror(errno)};
  if (!write_text(c.path + "/pids.max", std::to_string(max_pids))) {
    Error e{"write " + c.path + "/pids.max: " + strerror(errno)};
    rmdir(c.path.c_str());
    return e;
  }
  c.procs_fd = open((c.path + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
  if (c.procs_fd < 0) {
    Error e{"open " + c.path + "/cgroup.procs: " + strerror(errno)};
    rmdir(c.path.c_str());
    return e;
  }
  return c;
}

void remove_dead_pool(const std::string& dir) {
  for (int attempt = 0; attempt < 1000; ++attempt) {
    bool left = false;
    if (DIR* cells = opendir(dir.c_str())) {
      while (struct dirent* c = readdir(cells)) {
        if (strncmp(c->d_name, "cell-", 5) != 0) continue;
        const std::string cell = dir + "/" + c->d_name;
        if (rmdir(cell.c_str()) == 0 || errno == ENOENT) continue;
        left = true;
        if (attempt >= 100) {  // a second on: kill what is still in it (v2 cgroup.procs, v1 tasks)
          std::istringstream pids(read_text(cell + "/cgroup.procs") + read_text(cell + "/tasks"));
          for (long pid; pids >> pid;)
            if (pid > 0) kill(static_cast<pid_t>(pid), SIGKILL);
        }
      }
      closedir(cells);
    } else if (errno == ENOENT) {
      return;
    }
    if (!left && (rmdir(dir.c_str()) == 0 || errno == ENOENT)) return;
    usleep(10000);
  }
}

void CgroupPool::remove(const std::string& path) {
  if (rmdir(path.c_str()) < 0 && errno == EBUSY) busy_.push_back(path);
}

}  // namespace litbox::sandbox
