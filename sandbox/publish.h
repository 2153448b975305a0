// Publishing what a test left (internal to sandbox/). Everything in a staging dir is the test's
// doing and hostile input to the runner, which may be root: publishing never follows a symlink
// (it works on directory fds opened with O_NOFOLLOW, and changes owners and modes through a
// descriptor of the inode it checked), keeps only regular files, directories and symlinks, and
// makes them the runner's with safe modes before they leave the staging dir. It must only run
// once no process of the test is left: the names it checked then stay what they were.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "support/error.h"

namespace litbox::sandbox {

/// Whom published entries belong to, and what was dropped on the way.
struct Publisher {
  uid_t uid = geteuid();
  gid_t gid = getegid();
  std::vector<std::string> dropped;  ///< special files removed, as paths below the staging dir
};

/// The mode a published entry gets: no setuid, setgid or sticky bit, no group or other write;
/// a directory is also u+rwx, so that the runner can always enter and replace it later.
mode_t published_mode(const struct stat& st);

/// Makes the entry `name` of `dir` (status `st`, not followed) fit to publish, in place:
/// FIFOs, sockets and devices are removed (added to p.dropped); regular files, directories and
/// symlinks, at any depth, get p's owner and published_mode(); a regular file or symlink with
/// other links is replaced by a copy (its other names may be anyone's files, which must not
/// change). On error, the entry may be partly sanitized: the caller must not publish it.
Status sanitize_entry(int dir, const std::string& name, const struct stat& st, Publisher& p);

/// Moves the entry `from` of from_dir to `to` in to_dir, replacing whatever an older run left
/// there (see publish.cc: a regular file is written into, a directory merged).
Status move_entry(int from_dir, const std::string& from, int to_dir, const std::string& to);

/// Removes the entry `name` of `dir`, a file or a whole tree, never following a symlink, and
/// making directories whose mode forbids it enterable first (they belong to the runner, or the
/// runner is root). Two file descriptors at a time, whatever the depth.
Status remove_entry(int dir, const std::string& name);

/// Opens the directory `name` of `parent` (made first, with mode 0711, if `create` and it is
/// missing) if it can hold the runner's own files: a real directory (not a symlink), owned by
/// the runner, not writable by group or others; its mode is then made 0711 (a runner of another
/// uid, e.g. the cell owner, can pass through, not list or write). An error otherwise, naming
/// `shown`, its path. ENOENT (without `create`) is returned as -1 with no error.
Expected<int> open_runner_dir(int parent, const std::string& name, const std::string& shown, bool create);

/// The names in the directory open at `dir` (the fd stays open), without "." and "..".
std::vector<std::string> list_dir(int dir);

}  // namespace litbox::sandbox
