#include "runner/sh/py_os.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "runner/sh/fd.h"

namespace litbox::runner::sh {

bool py_exists(exec::FileSystem& fs, const std::string& path) {
  struct stat st;
  return fs.stat(path, &st, true) == 0;
}

bool py_lexists(exec::FileSystem& fs, const std::string& path) {
  struct stat st;
  return fs.stat(path, &st, false) == 0;
}

bool py_isdir(exec::FileSystem& fs, const std::string& path) {
  struct stat st;
  return fs.stat(path, &st, true) == 0 && S_ISDIR(st.st_mode);
}

namespace {

bool in_group(gid_t gid) {
  if (gid == getgid()) return true;
  int n = getgroups(0, nullptr);
  if (n <= 0) return false;
  std::vector<gid_t> groups(static_cast<size_t>(n));
  n = getgroups(n, groups.data());
  for (int i = 0; i < n; ++i)
    if (groups[static_cast<size_t>(i)] == gid) return true;
  return false;
}

}  // namespace

int py_access(exec::FileSystem& fs, const std::string& path, int mode) {
  struct stat st;
  if (int e = fs.stat(path, &st, true)) return e;
  mode &= R_OK | W_OK | X_OK;
  if (mode == 0) return 0;
  // The kernel's generic_permission() with the real ids (access(2) checks those, not the
  // effective ones); uid 0 stands for the capabilities root has.
  if (getuid() == 0) {
    if (!(mode & X_OK) || S_ISDIR(st.st_mode) || (st.st_mode & 0111)) return 0;
    return EACCES;
  }
  mode_t granted = st.st_uid == getuid() ? (st.st_mode >> 6) & 7
                   : in_group(st.st_gid) ? (st.st_mode >> 3) & 7
                                         : st.st_mode & 7;
  return (granted & static_cast<mode_t>(mode)) == static_cast<mode_t>(mode) ? 0 : EACCES;
}

int read_fd(int fd, std::string* out) {
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n == 0) return 0;
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    out->append(buf, static_cast<size_t>(n));
  }
}

int read_whole_file(exec::FileSystem& fs, const std::string& path, std::string* out) {
  int r = fs.open(path, O_RDONLY);
  if (r < 0) return -r;
  Fd fd(r);
  struct stat st;
  if (fstat(fd.get(), &st) == 0 && S_ISDIR(st.st_mode)) return EISDIR;
  return read_fd(fd.get(), out);
}

}  // namespace litbox::runner::sh
