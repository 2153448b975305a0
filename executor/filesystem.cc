#include "executor/filesystem.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

namespace litbox::exec {

namespace {

int list_fd(int dfd, std::vector<DirEntry>* out) {
  DIR* d = fdopendir(dfd);
  if (!d) {
    int e = errno;
    close(dfd);
    return e;
  }
  while (struct dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    bool is_dir = e->d_type == DT_DIR;
    if (e->d_type == DT_UNKNOWN || e->d_type == DT_LNK) {
      struct stat st;
      is_dir = fstatat(dirfd(d), e->d_name, &st, 0) == 0 && S_ISDIR(st.st_mode);
    }
    out->push_back({std::move(name), is_dir});
  }
  closedir(d);
  return 0;
}

class HostFileSystem : public FileSystem {
 public:
  int open(const std::string& path, int flags, mode_t mode) override {
    int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
    return fd < 0 ? -errno : fd;
  }
  int stat(const std::string& path, struct stat* st, bool follow) override {
    return (follow ? ::stat(path.c_str(), st) : ::lstat(path.c_str(), st)) == 0 ? 0 : errno;
  }
  int mkdir(const std::string& path, mode_t mode) override { return ::mkdir(path.c_str(), mode) == 0 ? 0 : errno; }
  int unlink(const std::string& path) override { return ::unlink(path.c_str()) == 0 ? 0 : errno; }
  int rmdir(const std::string& path) override { return ::rmdir(path.c_str()) == 0 ? 0 : errno; }
  int chmod(const std::string& path, mode_t mode) override { return ::chmod(path.c_str(), mode) == 0 ? 0 : errno; }
  int list_dir(const std::string& path, std::vector<DirEntry>* out) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    return fd < 0 ? errno : list_fd(fd, out);
  }
  int readlink(const std::string& path, std::string* out) override {
    char buf[PATH_MAX];
    ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
    if (n < 0) return errno;
    out->assign(buf, static_cast<size_t>(n));
    return 0;
  }
};

int openat2_in_root(int root, const std::string& path, int flags, mode_t mode) {
  struct open_how how = {};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  if (flags & (O_CREAT | O_TMPFILE)) how.mode = mode;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  // Relative to the root fd: a leading '/' would restart at the root anyway.
  std::string rel = path;
  while (!rel.empty() && rel[0] == '/') rel.erase(0, 1);
  if (rel.empty()) rel = ".";
  long fd;
  do {
    fd = syscall(SYS_openat2, root, rel.c_str(), &how, sizeof how);
  } while (fd < 0 && errno == EAGAIN);
  return fd < 0 ? -errno : static_cast<int>(fd);
}

// Held by RootedFileSystem::hold_ids: while > 0, the ids are already switched.
thread_local int held_ids = 0;

// Switches the thread's file-system ids for one operation and back (setfsuid/setfsgid act on
// the calling thread only; -1 leaves an id as it is). Inside hold_ids(), nothing to do.
class AsIds {
 public:
  explicit AsIds(RootedFileSystem::Ids ids) : ids_(held_ids > 0 ? RootedFileSystem::Ids() : ids) {
    if (ids_.gid != static_cast<gid_t>(-1)) old_gid_ = static_cast<gid_t>(syscall(SYS_setfsgid, ids_.gid));
    if (ids_.uid != static_cast<uid_t>(-1)) old_uid_ = static_cast<uid_t>(syscall(SYS_setfsuid, ids_.uid));
  }
  ~AsIds() {
    int saved = errno;
    if (ids_.uid != static_cast<uid_t>(-1)) syscall(SYS_setfsuid, old_uid_);
    if (ids_.gid != static_cast<gid_t>(-1)) syscall(SYS_setfsgid, old_gid_);
    // A change of fsuid makes the process non-dumpable (no core dump of a crashed runner, and
    // its children's /proc files belong to root): put that back as it was.
    if ((ids_.uid != static_cast<uid_t>(-1) || ids_.gid != static_cast<gid_t>(-1)) && dumpable_)
      prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
    errno = saved;
  }
  AsIds(const AsIds&) = delete;
  AsIds& operator=(const AsIds&) = delete;

 private:
  RootedFileSystem::Ids ids_;
  static inline const bool dumpable_ = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 1;
  uid_t old_uid_ = 0;
  gid_t old_gid_ = 0;
};

}  // namespace

std::shared_ptr<void> RootedFileSystem::hold_ids() {
  if (as_.uid == static_cast<uid_t>(-1) && as_.gid == static_cast<gid_t>(-1)) return nullptr;
  struct Hold {
    explicit Hold(RootedFileSystem::Ids ids) : as(ids) { ++held_ids; }
    ~Hold() { --held_ids; }
    AsIds as;  // switched now, switched back (and dumpable restored) when the hold ends
  };
  if (held_ids > 0) return std::make_shared<int>(0);  // an outer hold has switched already
  return std::make_shared<Hold>(as_);
}

FileSystem& host_filesystem() {
  static HostFileSystem fs;
  return fs;
}

int RootedFileSystem::open_parent(const std::string& path, std::string* leaf) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  size_t slash = p.rfind('/');
  std::string parent = slash == std::string::npos || slash == 0 ? "/" : p.substr(0, slash);
  *leaf = slash == std::string::npos ? p : p.substr(slash + 1);
  if (leaf->empty() || *leaf == "." || *leaf == "..") {
    // No last component to act on: resolve the whole path and use "." of it.
    *leaf = ".";
    parent = p;
  }
  return openat2_in_root(root_fd_, parent, O_PATH | O_DIRECTORY, 0);
}

int RootedFileSystem::open(const std::string& path, int flags, mode_t mode) {
  AsIds as(as_);
  // Without blocking: a FIFO nobody reads would stop the runner's only thread (and every
  // test with it). Then a FIFO or socket on a read-only mount (the host's tree: the suite,
  // /usr...) is refused: the runner must not write into, or read from, a host object for a
  // test (the test's own processes are kept from it by Landlock). FIFOs in the cell's writable
  // dirs (%t, /tmp) work, except that opening one for writing with no reader fails (ENXIO)
  // instead of waiting.
  int fd = openat2_in_root(root_fd_, path, flags | O_NONBLOCK, mode);
  if (fd < 0) return fd;
  struct stat st;
  struct statvfs vfs;
  if (fstat(fd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) &&
      (fstatvfs(fd, &vfs) != 0 || (vfs.f_flag & ST_RDONLY))) {
    close(fd);
    return -EACCES;
  }
  if (!(flags & O_NONBLOCK)) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  return fd;
}

int RootedFileSystem::stat(const std::string& path, struct stat* st, bool follow) {
  AsIds as(as_);
  if (follow) {
    int fd = openat2_in_root(root_fd_, path, O_PATH, 0);
    if (fd < 0) return -fd;
    int r = fstat(fd, st) == 0 ? 0 : errno;
    close(fd);
    return r;
  }
  std::string leaf;
  int dir = open_parent(path, &leaf);
  if (dir < 0) return -dir;
  int r = fstatat(dir, leaf.c_str(), st, AT_SYMLINK_NOFOLLOW) == 0 ? 0 : errno;
  close(dir);
  return r;
}

int RootedFileSystem::mkdir(const std::string& path, mode_t mode) {
  AsIds as(as_);
  std::string leaf;
  int dir = open_parent(path, &leaf);
  if (dir < 0) return -dir;
  int r = mkdirat(dir, leaf.c_str(), mode) == 0 ? 0 : errno;
  close(dir);
  return r;
}

int RootedFileSystem::unlink(const std::string& path) {
  AsIds as(as_);
  std::string leaf;
  int dir = open_parent(path, &leaf);
  if (dir < 0) return -dir;
  int r = unlinkat(dir, leaf.c_str(), 0) == 0 ? 0 : errno;
  close(dir);
  return r;
}

int RootedFileSystem::rmdir(const std::string& path) {
  AsIds as(as_);
  std::string leaf;
  int dir = open_parent(path, &leaf);
  if (dir < 0) return -dir;
  int r = unlinkat(dir, leaf.c_str(), AT_REMOVEDIR) == 0 ? 0 : errno;
  close(dir);
  return r;
}

int RootedFileSystem::chmod(const std::string& path, mode_t mode) {
  AsIds as(as_);
  // fchmod needs a real fd; O_PATH fds refuse it, so go through /proc/self/fd.
  int fd = openat2_in_root(root_fd_, path, O_PATH, 0);
  if (fd < 0) return -fd;
  std::string proc = "/proc/self/fd/" + std::to_string(fd);
  int r = ::chmod(proc.c_str(), mode) == 0 ? 0 : errno;
  close(fd);
  return r;
}

int RootedFileSystem::list_dir(const std::string& path, std::vector<DirEntry>* out) {
  AsIds as(as_);
  int fd = openat2_in_root(root_fd_, path, O_RDONLY | O_DIRECTORY, 0);
  if (fd < 0) return -fd;
  return list_fd(fd, out);
}

int RootedFileSystem::readlink(const std::string& path, std::string* out) {
  AsIds as(as_);
  std::string leaf;
  int dir = open_parent(path, &leaf);
  if (dir < 0) return -dir;
  char buf[PATH_MAX];
  ssize_t n = readlinkat(dir, leaf.c_str(), buf, sizeof buf);
  int r = n < 0 ? errno : 0;
  if (n >= 0) out->assign(buf, static_cast<size_t>(n));
  close(dir);
  return r;
}

}  // namespace litbox::exec
