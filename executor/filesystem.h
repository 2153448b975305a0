// The file operations a runner performs itself on a test's behalf (the internal shell's
// redirections, mkdir, rm, cd, globs, %{readfile}, executable lookup), done the way the
// test's processes see the filesystem. Through a sandbox cell this is the cell's view
// (its private Output view, its /tmp, symlinks resolved inside the cell), never the host's:
// a runner that followed a test's symlink on the host could be made to overwrite host files.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "support/error.h"

namespace litbox::exec {

/// One directory entry.
struct DirEntry {
  std::string name;
  bool is_dir = false;
};

/// Paths are absolute, as the test sees them. Errors are errno values (0 = success) so the
/// shell can print lit's exact OSError messages.
class FileSystem {
 public:
  virtual ~FileSystem() = default;
  /// open(2): returns an fd the caller owns (O_CLOEXEC is added), or -errno.
  virtual int open(const std::string& path, int flags, mode_t mode = 0666) = 0;
  /// stat(2) (follow = true) or lstat(2).
  virtual int stat(const std::string& path, struct stat* st, bool follow = true) = 0;
  virtual int mkdir(const std::string& path, mode_t mode = 0777) = 0;
  virtual int unlink(const std::string& path) = 0;
  virtual int rmdir(const std::string& path) = 0;
  virtual int chmod(const std::string& path, mode_t mode) = 0;
  /// The entries of a directory (without . and ..), unsorted.
  virtual int list_dir(const std::string& path, std::vector<DirEntry>* out) = 0;
  /// readlink(2) of a symlink.
  virtual int readlink(const std::string& path, std::string* out) = 0;
  /// While the returned object lives, a file system that checks operations with other ids
  /// (RootedFileSystem with FsIds) switches to them once instead of around each operation:
  /// for a series of operations in a row (the shell's PATH search). Only this file system's
  /// operations may run meanwhile on the thread. Others return null.
  virtual std::shared_ptr<void> hold_ids() { return nullptr; }
};

/// The host's view: plain syscalls.
FileSystem& host_filesystem();

/// A view rooted at `root_fd` (an O_PATH fd of a directory, e.g. a cell's "/"): every path
/// is resolved with openat2(RESOLVE_IN_ROOT), so ".." and symlinks cannot leave the root.
/// Does not own root_fd.
/// The host ids whose permissions a RootedFileSystem's operations are checked with
/// (setfsuid/setfsgid for the call's duration), so that a root runner's file work for a test
/// can open nothing the test's own processes could not. (The calling thread must have no
/// supplementary groups they lack.) -1: the runner's own.
struct FsIds {
  uid_t uid = static_cast<uid_t>(-1);
  gid_t gid = static_cast<gid_t>(-1);
};

class RootedFileSystem : public FileSystem {
 public:
  using Ids = FsIds;
  explicit RootedFileSystem(int root_fd, FsIds as = FsIds()) : root_fd_(root_fd), as_(as) {}
  int open(const std::string& path, int flags, mode_t mode = 0666) override;
  int stat(const std::string& path, struct stat* st, bool follow = true) override;
  int mkdir(const std::string& path, mode_t mode = 0777) override;
  int unlink(const std::string& path) override;
  int rmdir(const std::string& path) override;
  int chmod(const std::string& path, mode_t mode) override;
  int list_dir(const std::string& path, std::vector<DirEntry>* out) override;
  int readlink(const std::string& path, std::string* out) override;
  std::shared_ptr<void> hold_ids() override;

 private:
  /// Opens the parent directory of `path` (O_PATH) and returns the last component.
  int open_parent(const std::string& path, std::string* leaf);
  int root_fd_;
  Ids as_;
};

}  // namespace litbox::exec
