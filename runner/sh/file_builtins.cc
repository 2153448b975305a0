// lit's mkdir and rm builtins, including shutil.rmtree's error texts.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "runner/sh/getopt.h"
#include "runner/sh/glob.h"
#include "runner/sh/inproc_builtins.h"
#include "runner/sh/py_path.h"
#include "support/strings.h"

namespace litbox::runner::sh {

namespace {

bool posixly_correct() {
  const char* p = getenv("POSIXLY_CORRECT");
  return p && *p;
}

std::string resolve(const std::string& path, const ShellState& state) {
  return py_isabs(path) ? path : py_realpath(py_join(state.cwd, path));
}

bool exists(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0;
}

bool isdir(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// An OSError as str() shows it; `name` is already a repr (str or bytes).
std::string os_error(int err, const std::string& name_repr) { return py_oserror(err, name_repr); }

// lit.util.mkdir_p: raises (here: returns the exception text) on anything but EEXIST.
std::optional<std::string> mkdir_p(const std::string& path) {
  if (path.empty() || exists(path)) return std::nullopt;
  std::string parent = py_split(path).first;
  if (parent != path)
    if (auto e = mkdir_p(parent)) return e;
  if (mkdir(path.c_str(), 0777) != 0 && errno != EEXIST)
    return py_oserror_class(errno) + ": " + os_error(errno, py_bytes_repr(path));
  return std::nullopt;
}

// What a failed step of rmtree raises, and where (the text of str(OSError)).
struct RmError {
  int err;
  std::string text;
};

// The onerror handler of lit's rm -f: make the path writable and os.remove() it; that may
// raise in turn.
std::optional<RmError> on_rm_error(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return RmError{errno, os_error(errno, py_repr(path))};
  if (chmod(path.c_str(), (st.st_mode & 07777) | S_IWUSR) != 0) return RmError{errno, os_error(errno, py_repr(path))};
  if (unlink(path.c_str()) != 0) return RmError{errno, os_error(errno, py_repr(path))};
  return std::nullopt;
}

// shutil._rmtree_safe_fd. With `force`, failures go through on_rm_error; without, the first
// failure propagates. Messages name the entry as Python does: the full path for scandir,
// the bare entry name for the *at() calls.
std::optional<RmError> rmtree_fd(int topfd, const std::string& path, bool force) {
  auto handle = [&](int err, const std::string& text, const std::string& fullname) -> std::optional<RmError> {
    if (!force) return RmError{err, text};
    return on_rm_error(fullname);
  };
  int dupfd = dup(topfd);
  DIR* d = dupfd >= 0 ? fdopendir(dupfd) : nullptr;
  if (!d) {
    int e = errno;
    if (dupfd >= 0) close(dupfd);
    return handle(e, os_error(e, py_repr(path)), path);
  }
  std::vector<std::string> names;
  while (struct dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  closedir(d);
  for (const auto& name : names) {
    std::string fullname = py_join(path, name);
    struct stat st;
    bool is_dir = fstatat(topfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
    if (is_dir) {
      int dirfd = openat(topfd, name.c_str(), O_RDONLY | O_CLOEXEC);
      if (dirfd < 0) {
        int e = errno;
        if (auto r = handle(e, os_error(e, py_repr(name)), fullname)) return r;
        continue;
      }
      auto sub = rmtree_fd(dirfd, fullname, force);
      close(dirfd);
      if (sub) return sub;
      if (unlinkat(topfd, name.c_str(), AT_REMOVEDIR) != 0) {
        int e = errno;
        if (auto r = handle(e, os_error(e, py_repr(name)), fullname)) return r;
      }
    } else if (unlinkat(topfd, name.c_str(), 0) != 0) {
      int e = errno;
      if (auto r = handle(e, os_error(e, py_repr(name)), fullname)) return r;
    }
  }
  return std::nullopt;
}

// shutil.rmtree(path, onerror=on_rm_error if force else None).
std::optional<RmError> rmtree(const std::string& path, bool force) {
  auto handle = [&](int err, const std::string& text) -> std::optional<RmError> {
    if (!force) return RmError{err, text};
    return on_rm_error(path);
  };
  struct stat lst, fst;
  if (lstat(path.c_str(), &lst) != 0) return handle(errno, os_error(errno, py_repr(path)));
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return handle(errno, os_error(errno, py_repr(path)));
  std::optional<RmError> result;
  if (fstat(fd, &fst) == 0 && lst.st_dev == fst.st_dev && lst.st_ino == fst.st_ino) {
    result = rmtree_fd(fd, path, force);
    close(fd);
    fd = -1;
    if (!result && rmdir(path.c_str()) != 0) result = handle(errno, os_error(errno, py_repr(path)));
  } else {
    result = handle(0, "Cannot call rmtree on a symbolic link");
  }
  if (fd >= 0) close(fd);
  return result;
}

}  // namespace

BuiltinOutcome builtin_mkdir(const std::vector<Word>& args, const ShellState& state) {
  auto words = expand_glob_expressions(args, state.cwd);
  auto parsed = gnu_getopt(std::vector<std::string>(words.begin() + 1, words.end()), "p", {}, posixly_correct());
  BuiltinOutcome o;
  if (!parsed) {
    o.shell_error = "Unsupported: 'mkdir':  " + parsed.error().message;
    return o;
  }
  bool parent = !parsed->opts.empty();
  if (parsed->args.empty()) {
    o.shell_error = "Error: 'mkdir' is missing an operand";
    return o;
  }
  for (const auto& dir : parsed->args) {
    std::string path = resolve(dir, state);
    if (parent) {
      if (auto e = mkdir_p(path)) {
        o.exception = *e;
        return o;
      }
    } else if (mkdir(path.c_str(), 0777) != 0 && errno != EEXIST) {
      o.err += "Error: 'mkdir' command failed, " + os_error(errno, py_bytes_repr(path)) + "\n";
      o.exit_code = 1;
    }
  }
  return o;
}

BuiltinOutcome builtin_rm(const std::vector<Word>& args, const ShellState& state) {
  auto words = expand_glob_expressions(args, state.cwd);
  // lit 15 declares the long option as "--recursive", so `--recursive` itself is rejected.
  auto parsed = gnu_getopt(std::vector<std::string>(words.begin() + 1, words.end()), "frR", {"--recursive"},
                           posixly_correct());
  BuiltinOutcome o;
  if (!parsed) {
    o.shell_error = "Unsupported: 'rm':  " + parsed.error().message;
    return o;
  }
  bool force = false, recursive = false;
  for (const auto& [opt, value] : parsed->opts) {
    if (opt == "-f") force = true;
    if (opt == "-r" || opt == "-R" || opt == "--recursive") recursive = true;
  }
  if (parsed->args.empty()) {
    o.shell_error = "Error: 'rm' is missing an operand";
    return o;
  }
  for (const auto& arg : parsed->args) {
    std::string path = resolve(arg, state);
    if (force && !exists(path)) continue;
    std::optional<std::string> failure;
    if (isdir(path)) {
      // lit reports the missing -r and then removes the tree anyway.
      if (!recursive) {
        o.err += "Error: " + py_bytes_repr(path) + " is a directory\n";
        o.exit_code = 1;
      }
      if (auto e = rmtree(path, force)) failure = e->text;
    } else {
      if (force && access(path.c_str(), W_OK) != 0) {
        struct stat st;
        if (stat(path.c_str(), &st) != 0) {
          failure = os_error(errno, py_bytes_repr(path));
        } else if (chmod(path.c_str(), (st.st_mode & 07777) | S_IWUSR) != 0) {
          failure = os_error(errno, py_bytes_repr(path));
        }
      }
      if (!failure && unlink(path.c_str()) != 0) failure = os_error(errno, py_bytes_repr(path));
    }
    if (failure) {
      o.err += "Error: 'rm' command failed, " + *failure;
      o.exit_code = 1;
    }
  }
  return o;
}

}  // namespace litbox::runner::sh
