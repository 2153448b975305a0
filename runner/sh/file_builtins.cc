// lit's mkdir and rm builtins, including shutil.rmtree's error texts.
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "runner/sh/getopt.h"
#include "runner/sh/glob.h"
#include "runner/sh/inproc_builtins.h"
#include "runner/sh/py_os.h"
#include "runner/sh/py_path.h"
#include "support/strings.h"

namespace litbox::runner::sh {

namespace {

bool posixly_correct() {
  const char* p = getenv("POSIXLY_CORRECT");
  return p && *p;
}

std::string resolve(exec::FileSystem& fs, const std::string& path, const ShellState& state) {
  return py_isabs(path) ? path : py_realpath(fs, py_join(state.cwd, path));
}

// An OSError as str() shows it; `name` is already a repr (str or bytes).
std::string os_error(int err, const std::string& name_repr) { return py_oserror(err, name_repr); }

// lit.util.mkdir_p: raises (here: returns the exception text) on anything but EEXIST.
std::optional<std::string> mkdir_p(exec::FileSystem& fs, const std::string& path) {
  if (path.empty() || py_exists(fs, path)) return std::nullopt;
  std::string parent = py_split(path).first;
  if (parent != path)
    if (auto e = mkdir_p(fs, parent)) return e;
  int err = fs.mkdir(path, 0777);
  if (err && err != EEXIST) return py_oserror_class(err) + ": " + os_error(err, py_bytes_repr(path));
  return std::nullopt;
}

// What a failed step of rmtree raises, and where (the text of str(OSError)).
struct RmError {
  int err;
  std::string text;
};

// stat.S_IMODE(mode) | stat.S_IWRITE, which lit's rm -f chmods a file to before removing it.
mode_t writable(const struct stat& st) { return (st.st_mode & 07777) | S_IWUSR; }

// The onerror handler of lit's rm -f: make the path writable and os.remove() it; that may
// raise in turn.
std::optional<RmError> on_rm_error(exec::FileSystem& fs, const std::string& path) {
  struct stat st;
  int err = fs.stat(path, &st);
  if (!err) err = fs.chmod(path, writable(st));
  if (!err) err = fs.unlink(path);
  if (err) return RmError{err, os_error(err, py_repr(path))};
  return std::nullopt;
}

bool same_file(const struct stat& a, const struct stat& b) { return a.st_dev == b.st_dev && a.st_ino == b.st_ino; }

// fstat() of `path` opened O_RDONLY, as Python's os.open() + os.fstat(); 0 or an errno.
int open_and_stat(exec::FileSystem& fs, const std::string& path, struct stat* st) {
  int fd = fs.open(path, O_RDONLY);
  if (fd < 0) return -fd;
  int err = fstat(fd, st) == 0 ? 0 : errno;
  close(fd);
  return err;
}

// shutil._rmtree_safe_fd, by path: every path is resolved in `fs`, which for a sandbox cell
// cannot leave the cell, so a directory swapped for a symlink meanwhile cannot make the
// runner delete outside the test's view. With `force`, failures go through on_rm_error;
// without, the first failure propagates. Messages name the entry as Python does: the full
// path for scandir, the bare entry name for the *at() calls it makes.
std::optional<RmError> rmtree_contents(exec::FileSystem& fs, const std::string& path, bool force) {
  auto handle = [&](int err, const std::string& text, const std::string& fullname) -> std::optional<RmError> {
    if (!force) return RmError{err, text};
    return on_rm_error(fs, fullname);
  };
  std::vector<exec::DirEntry> entries;
  if (int e = fs.list_dir(path, &entries)) return handle(e, os_error(e, py_repr(path)), path);
  for (const auto& entry : entries) {
    const std::string& name = entry.name;
    std::string fullname = py_join(path, name);
    struct stat orig;
    bool is_dir = fs.stat(fullname, &orig, false) == 0 && S_ISDIR(orig.st_mode);
    if (is_dir) {
      struct stat now;
      if (int e = open_and_stat(fs, fullname, &now)) {
        if (auto r = handle(e, os_error(e, py_repr(name)), fullname)) return r;
        continue;
      }
      if (!same_file(orig, now)) {
        // Replaced by a symlink since the lstat().
        if (auto r = handle(0, "Cannot call rmtree on a symbolic link", fullname)) return r;
        continue;
      }
      if (auto sub = rmtree_contents(fs, fullname, force)) return sub;
      if (int e = fs.rmdir(fullname)) {
        if (auto r = handle(e, os_error(e, py_repr(name)), fullname)) return r;
      }
    } else if (int e = fs.unlink(fullname)) {
      if (auto r = handle(e, os_error(e, py_repr(name)), fullname)) return r;
    }
  }
  return std::nullopt;
}

// shutil.rmtree(path, onerror=on_rm_error if force else None).
std::optional<RmError> rmtree(exec::FileSystem& fs, const std::string& path, bool force) {
  auto handle = [&](int err, const std::string& text) -> std::optional<RmError> {
    if (!force) return RmError{err, text};
    return on_rm_error(fs, path);
  };
  struct stat lst, fst;
  if (int e = fs.stat(path, &lst, false)) return handle(e, os_error(e, py_repr(path)));
  if (int e = open_and_stat(fs, path, &fst)) return handle(e, os_error(e, py_repr(path)));
  if (!same_file(lst, fst)) return handle(0, "Cannot call rmtree on a symbolic link");
  if (auto r = rmtree_contents(fs, path, force)) return r;
  if (int e = fs.rmdir(path)) return handle(e, os_error(e, py_repr(path)));
  return std::nullopt;
}

}  // namespace

BuiltinOutcome builtin_mkdir(exec::FileSystem& fs, const std::vector<Word>& args, const ShellState& state) {
  auto words = expand_glob_expressions(fs, args, state.cwd);
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
    std::string path = resolve(fs, dir, state);
    if (parent) {
      if (auto e = mkdir_p(fs, path)) {
        o.exception = *e;
        return o;
      }
    } else if (int err = fs.mkdir(path, 0777); err && err != EEXIST) {
      o.err += "Error: 'mkdir' command failed, " + os_error(err, py_bytes_repr(path)) + "\n";
      o.exit_code = 1;
    }
  }
  return o;
}

BuiltinOutcome builtin_rm(exec::FileSystem& fs, const std::vector<Word>& args, const ShellState& state) {
  auto words = expand_glob_expressions(fs, args, state.cwd);
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
    std::string path = resolve(fs, arg, state);
    if (force && !py_exists(fs, path)) continue;
    std::optional<std::string> failure;
    if (py_isdir(fs, path)) {
      // lit reports the missing -r and then removes the tree anyway.
      if (!recursive) {
        o.err += "Error: " + py_bytes_repr(path) + " is a directory\n";
        o.exit_code = 1;
      }
      if (auto e = rmtree(fs, path, force)) failure = e->text;
    } else {
      int err = 0;
      if (force && py_access(fs, path, W_OK) != 0) {
        struct stat st;
        err = fs.stat(path, &st);
        if (!err) err = fs.chmod(path, writable(st));
      }
      if (!err) err = fs.unlink(path);
      if (err) failure = os_error(err, py_bytes_repr(path));
    }
    if (failure) {
      o.err += "Error: 'rm' command failed, " + *failure;
      o.exit_code = 1;
    }
  }
  return o;
}

}  // namespace litbox::runner::sh
