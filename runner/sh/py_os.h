// Python's os / os.path file predicates as lit's shell uses them (exists, isdir, lexists,
// access, open().read()), answered through an exec::FileSystem: the view of the session the
// test's processes run in, never the runner's own view of the host.
#pragma once

#include <string>

#include "executor/filesystem.h"

namespace litbox::runner::sh {

/// os.path.exists: stat() (following symlinks) succeeds.
bool py_exists(exec::FileSystem& fs, const std::string& path);
/// os.path.lexists: lstat() succeeds (a dangling symlink exists).
bool py_lexists(exec::FileSystem& fs, const std::string& path);
/// os.path.isdir: stat() succeeds and names a directory.
bool py_isdir(exec::FileSystem& fs, const std::string& path);

/// os.access(path, mode) for R_OK/W_OK/X_OK, answered from the file's stat() and this
/// process's real uid/gids as access(2) does (uid 0: read and write always, execute if any
/// execute bit is set or it is a directory). ACLs and read-only mounts are not considered.
/// Returns 0 or an errno (the stat() error, or EACCES).
int py_access(exec::FileSystem& fs, const std::string& path, int mode);

/// Reads the whole file at `path` into *out (Python's open(path).read(), as bytes). Python's
/// open() refuses a directory: EISDIR. Returns 0 or an errno.
int read_whole_file(exec::FileSystem& fs, const std::string& path, std::string* out);

/// Reads what is left in `fd` (not closed) into *out; returns 0 or an errno.
int read_fd(int fd, std::string* out);

}  // namespace litbox::runner::sh
