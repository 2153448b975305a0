#include "sandbox/publish.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace litbox::sandbox {

namespace {

Error failed(const char* what, const std::string& path, int err = errno) {
  return Error{std::string("sandbox: publish: ") + what + " " + path + ": " + strerror(err)};
}

Error changed(const std::string& path) {
  return Error{"sandbox: publish: " + path + " changed while it was published"};
}

// chmod of the file open at `fd` (O_PATH allowed), never of what a name leads to.
bool chmod_fd(int fd, mode_t mode) {
#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif
  if (syscall(SYS_fchmodat2, fd, "", mode, AT_EMPTY_PATH) == 0) return true;  // Linux >= 6.6
  if (errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP) return false;
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);  // the open file itself, not a lookup
  return chmod(path, mode) == 0;
}

// Opens the entry `name` of `dir` with O_PATH, if it is still the inode `st` says.
Expected<int> open_checked(int dir, const std::string& name, const struct stat& st, const std::string& where) {
  int fd = openat(dir, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return failed("open", where);
  struct stat fs;
  if (fstat(fd, &fs) < 0 || fs.st_dev != st.st_dev || fs.st_ino != st.st_ino) {
    close(fd);
    return changed(where);
  }
  return fd;
}

// The names in the directory `dir` (an fd, left open); false if it cannot be read.
bool read_names(int dir, std::vector<std::string>& names) {
  int fd = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR* d = fd < 0 ? nullptr : fdopendir(fd);
  if (!d) {
    if (fd >= 0) close(fd);
    return false;
  }
  errno = 0;
  while (struct dirent* e = readdir(d)) {
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) names.emplace_back(e->d_name);
  }
  const bool ok = errno == 0;
  closedir(d);
  return ok;
}

// What a walk does with each entry of a tree.
class Visitor {
 public:
  virtual ~Visitor() = default;
  /// A directory below the top, seen in `parent` before it is entered; may make it enterable.
  /// An error skips it.
  virtual Status dir(int parent, const std::string& name, const struct stat& st, const std::string& where) = 0;
  /// Anything but a directory.
  virtual Status other(int parent, const std::string& name, const struct stat& st, const std::string& where) = 0;
  /// A directory whose entries have all been visited (the top one too).
  virtual Status leave(int parent, const std::string& name, const std::string& where) = 0;
};

// Walks the tree of the directory `top` of `parent` (already made enterable), never following
// a symlink, with two descriptors open at a time whatever its depth: what is left to do in each
// directory on the way down is a list of names, and the way back up is "..". Each directory
// entered must be the one listed, and each ".." the directory come from (same device and inode),
// or the walk stops there with an error. The first error is returned; the walk goes on past
// errors that do not lose its way.
Status walk(int parent, const std::string& top, const std::string& top_where, Visitor& v) {
  struct Dir {
    std::string name;
    dev_t dev;
    ino_t ino;
  };
  struct Frame {
    Dir dir;
    std::vector<Dir> subdirs;  // still to visit
  };
  Status result;
  auto note = [&](Status s) {
    if (!s && result) result = std::move(s);
  };
  int cur = openat(parent, top.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (cur < 0) return failed("open", top_where);
  struct stat st;
  if (fstat(cur, &st) < 0) {
    close(cur);
    return failed("stat", top_where);
  }
  std::vector<Frame> stack;
  stack.push_back({{top, st.st_dev, st.st_ino}, {}});
  std::string where = top_where;
  bool fresh = true;
  for (;;) {
    if (fresh) {
      fresh = false;
      std::vector<std::string> names;
      if (!read_names(cur, names)) note(failed("read", where));
      for (auto& n : names) {
        const std::string path = where + "/" + n;
        if (fstatat(cur, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
          if (errno != ENOENT) note(failed("stat", path));
          continue;
        }
        if (!S_ISDIR(st.st_mode)) {
          note(v.other(cur, n, st, path));
          continue;
        }
        Status s = v.dir(cur, n, st, path);
        if (s) stack.back().subdirs.push_back({std::move(n), st.st_dev, st.st_ino});
        note(std::move(s));
      }
    }
    if (!stack.back().subdirs.empty()) {
      Dir sub = std::move(stack.back().subdirs.back());
      stack.back().subdirs.pop_back();
      const std::string path = where + "/" + sub.name;
      int next = openat(cur, sub.name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (next < 0 || fstat(next, &st) < 0 || st.st_dev != sub.dev || st.st_ino != sub.ino) {
        note(next < 0 ? failed("open", path) : changed(path));
        if (next >= 0) close(next);
        continue;
      }
      close(cur);
      cur = next;
      where = path;
      stack.push_back({std::move(sub), {}});
      fresh = true;
      continue;
    }
    const std::string name = std::move(stack.back().dir.name);
    stack.pop_back();
    int up = stack.empty() ? parent : openat(cur, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    close(cur);
    if (up < 0) {
      note(failed("open", where + "/.."));
      return result;
    }
    if (!stack.empty() &&
        (fstat(up, &st) < 0 || st.st_dev != stack.back().dir.dev || st.st_ino != stack.back().dir.ino)) {
      close(up);
      note(changed(where));
      return result;
    }
    note(v.leave(up, name, where));
    if (stack.empty()) return result;
    where.resize(where.size() - name.size() - 1);
    cur = up;
  }
}

// Makes the directory `name` of `dir` enterable and writable by its owner (the runner, or the
// runner is root and could anyway).
Status make_enterable(int dir, const std::string& name, const struct stat& st, const std::string& where) {
  if ((st.st_mode & 0700) == 0700) return {};
  auto fd = open_checked(dir, name, st, where);
  if (!fd) return fd.error();
  const bool ok = chmod_fd(*fd, (st.st_mode & 07777) | 0700);
  close(*fd);
  return ok ? Status{} : failed("chmod", where);
}

class Remover : public Visitor {
 public:
  Status dir(int parent, const std::string& name, const struct stat& st, const std::string& where) override {
    return make_enterable(parent, name, st, where);
  }
  Status other(int parent, const std::string& name, const struct stat&, const std::string& where) override {
    if (unlinkat(parent, name.c_str(), 0) < 0 && errno != ENOENT) return failed("remove", where);
    return {};
  }
  Status leave(int parent, const std::string& name, const std::string& where) override {
    if (unlinkat(parent, name.c_str(), AT_REMOVEDIR) < 0 && errno != ENOENT) return failed("remove", where);
    return {};
  }
};

// Gives the entry `name` of `dir` (status `st`) the publisher's owner and, unless it is a
// symlink (whose mode means nothing), published_mode(). Only for an entry with one link: the
// inode is changed. It is changed through a descriptor of the inode fstatat saw, so that no name
// swapped meanwhile can lead the change elsewhere (nothing should change the tree, but a root
// runner does not bet a chmod on it).
Status fix_owner_and_mode(int dir, const std::string& name, const struct stat& st, const Publisher& p,
                          const std::string& where) {
  const mode_t m = published_mode(st);
  const bool chown_it = st.st_uid != p.uid || st.st_gid != p.gid;
  // A chown clears setuid and setgid bits, which the new mode never has: comparing with the
  // mode before the chown is enough.
  const bool chmod_it = !S_ISLNK(st.st_mode) && (st.st_mode & 07777) != m;
  if (!chown_it && !chmod_it) return {};
  auto fd = open_checked(dir, name, st, where);
  if (!fd) return fd.error();
  Status result;
  if (chown_it && fchownat(*fd, "", p.uid, p.gid, AT_EMPTY_PATH) < 0) {
    result = failed("chown", where);
  } else if (chmod_it && !chmod_fd(*fd, m)) {
    result = failed("chmod", where);
  }
  close(*fd);
  return result;
}

// A new entry next to `name` in `dir`, for a copy that then replaces it: `make` creates it
// under the given name (EEXIST: try another). The test may have used any name.
template <typename Make>
bool make_sibling(int dir, std::string* tmp, Make make) {
  for (unsigned i = 0; i < 100; ++i) {
    *tmp = ".litbox-copy." + std::to_string(getpid()) + "." + std::to_string(i);
    if (make(dir, tmp->c_str())) return true;
    if (errno != EEXIST) return false;
  }
  return false;
}

// Copies everything from `in` to `out`.
bool copy_content(int in, int out) {
  bool plain = false;  // copy_file_range unsupported here: read and write
  for (;;) {
    if (!plain) {
      ssize_t n = copy_file_range(in, nullptr, out, nullptr, 1 << 30, 0);
      if (n > 0) continue;
      if (n == 0) return true;
      if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) return false;
      plain = true;
    }
    char buf[1 << 16];
    ssize_t n = read(in, buf, sizeof buf);
    if (n == 0) return true;
    if (n < 0) return false;
    for (ssize_t done = 0; done < n;) {
      ssize_t w = write(out, buf + done, static_cast<size_t>(n - done));
      if (w <= 0) return false;
      done += w;
    }
  }
}

// A regular file with other links (to anyone's file: a hard link is made without writing to
// the file) is never changed: its content goes into a new file of the runner, which replaces
// this name only.
Status replace_with_copy(int dir, const std::string& name, const struct stat& st, const Publisher& p,
                         const std::string& where) {
  int in = openat(dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (in < 0) return failed("read (a file with other links is copied)", where);
  struct stat is;
  if (fstat(in, &is) < 0 || is.st_dev != st.st_dev || is.st_ino != st.st_ino) {
    close(in);
    return Error{"sandbox: publish: " + where + " changed while it was published"};
  }
  std::string tmp;
  int out = -1;
  if (!make_sibling(dir, &tmp, [&](int d, const char* n) {
        out = openat(d, n, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        return out >= 0;
      })) {
    close(in);
    return failed("copy", where);
  }
  struct stat os;
  const struct timespec times[2] = {st.st_atim, st.st_mtim};
  bool ok = copy_content(in, out) && fstat(out, &os) == 0 &&
            ((os.st_uid == p.uid && os.st_gid == p.gid) || fchown(out, p.uid, p.gid) == 0) &&
            fchmod(out, published_mode(st)) == 0 && futimens(out, times) == 0;
  int err = errno;
  close(out);
  close(in);
  if (ok && renameat(dir, tmp.c_str(), dir, name.c_str()) < 0) {
    ok = false;
    err = errno;
  }
  if (!ok) {
    unlinkat(dir, tmp.c_str(), 0);
    return failed("copy", where, err);
  }
  return {};
}

// The same for a symlink with other links: a new symlink to the same target.
Status replace_symlink(int dir, const std::string& name, const Publisher& p, const std::string& where) {
  char target[PATH_MAX + 1];
  ssize_t n = readlinkat(dir, name.c_str(), target, sizeof target - 1);
  if (n < 0) return failed("read", where);
  target[n] = 0;
  std::string tmp;
  if (!make_sibling(dir, &tmp, [&](int d, const char* t) { return symlinkat(target, d, t) == 0; }))
    return failed("copy", where);
  struct stat ts;
  bool ok = fstatat(dir, tmp.c_str(), &ts, AT_SYMLINK_NOFOLLOW) == 0 &&
            ((ts.st_uid == p.uid && ts.st_gid == p.gid) || fchownat(dir, tmp.c_str(), p.uid, p.gid, AT_SYMLINK_NOFOLLOW) == 0) &&
            renameat(dir, tmp.c_str(), dir, name.c_str()) == 0;
  if (!ok) {
    const int err = errno;
    unlinkat(dir, tmp.c_str(), 0);
    return failed("copy", where, err);
  }
  return {};
}

// Anything but a directory.
Status sanitize_leaf(int dir, const std::string& name, const struct stat& st, Publisher& p, const std::string& where) {
  if (S_ISREG(st.st_mode)) {
    return st.st_nlink > 1 ? replace_with_copy(dir, name, st, p, where) : fix_owner_and_mode(dir, name, st, p, where);
  }
  if (S_ISLNK(st.st_mode)) {  // stored as it is, never followed
    return st.st_nlink > 1 ? replace_symlink(dir, name, p, where) : fix_owner_and_mode(dir, name, st, p, where);
  }
  // A FIFO, socket or device node: never published.
  if (unlinkat(dir, name.c_str(), 0) < 0 && errno != ENOENT) return failed("remove", where);
  p.dropped.push_back(where);
  return {};
}

class Sanitizer : public Visitor {
 public:
  explicit Sanitizer(Publisher& p) : p_(p) {}
  Status dir(int parent, const std::string& name, const struct stat& st, const std::string& where) override {
    return fix_owner_and_mode(parent, name, st, p_, where);
  }
  Status other(int parent, const std::string& name, const struct stat& st, const std::string& where) override {
    return sanitize_leaf(parent, name, st, p_, where);
  }
  Status leave(int, const std::string&, const std::string&) override { return {}; }

 private:
  Publisher& p_;
};

// Outputs up to this size are copied into the older file of the same name rather than renamed
// over it (see replace_at).
constexpr off_t kOverwriteMax = 1 << 20;

// Copies the regular file `from` (in from_dir, status `fs`) into the regular file `to` (in
// to_dir, status `ts`) and gives it from's size, mode and times. False if it cannot: not both
// regular files, `to` has other links or another owner, or an error; `to` may then hold part of
// the new content, and the caller replaces it.
bool overwrite_in_place(int from_dir, const char* from, const struct stat& fs, int to_dir, const char* to,
                        const struct stat& ts) {
  if (!S_ISREG(fs.st_mode) || !S_ISREG(ts.st_mode) || ts.st_nlink != 1 || fs.st_size > kOverwriteMax ||
      fs.st_uid != ts.st_uid || fs.st_gid != ts.st_gid)
    return false;
  int in = openat(from_dir, from, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  int out = in < 0 ? -1 : openat(to_dir, to, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);  // ETXTBSY: running
  struct stat os;
  bool ok = out >= 0 && fstat(out, &os) == 0 && os.st_dev == ts.st_dev && os.st_ino == ts.st_ino;
  char buf[1 << 16];
  for (off_t at = 0; ok;) {
    ssize_t n = read(in, buf, sizeof buf);
    if (n <= 0) {
      ok = n == 0 && at == fs.st_size;
      break;
    }
    ok = pwrite(out, buf, static_cast<size_t>(n), at) == n;
    at += n;
  }
  if (ok) ok = ftruncate(out, fs.st_size) == 0;
  if (ok && (os.st_mode & 07777) != (fs.st_mode & 07777)) ok = fchmod(out, fs.st_mode & 07777) == 0;
  const struct timespec times[2] = {fs.st_atim, fs.st_mtim};
  if (ok) ok = futimens(out, times) == 0;
  if (out >= 0) close(out);
  if (in >= 0) close(in);
  return ok;
}

// Moves the entry `from` of from_dir to `to` in to_dir, replacing whatever an older run left
// there: a file, a directory, or a file where a directory was (or the reverse). The result is
// what the test would have had if it had deleted the old entry first. Never follows a symlink
// (what an older run published was the test's too). `from` has been sanitized.
//
// A new name is a plain rename. An older regular file gets the new content written into it, an
// older directory is merged entry by entry, so that rerunning a test frees no disk blocks: ext4
// mounted with `discard` (common on cloud VMs) discards freed blocks synchronously, about 1 ms
// per file, which is what a lit rerun spends most of its time on (its `>` truncates). Renaming
// over an older file would be worse still: ext4 (auto_da_alloc) then forces the new data to
// disk at once. Only an older file or directory of the runner's own is written into or merged.
//
// `where` names `from` in errors (its path below the staging dir).
Status replace_existing(int from_dir, const char* from, int to_dir, const char* to, int depth, const std::string& where);

Status replace_at(int from_dir, const char* from, int to_dir, const char* to, int depth, const std::string& where) {
  if (renameat2(from_dir, from, to_dir, to, RENAME_NOREPLACE) == 0) return {};
  return replace_existing(from_dir, from, to_dir, to, depth, where);
}

// replace_at once a rename that would not replace failed (`to` exists, or the filesystem
// cannot tell: then the plain removal and rename below).
Status replace_existing(int from_dir, const char* from, int to_dir, const char* to, int depth, const std::string& where) {
  struct stat fs, ts;
  if (fstatat(from_dir, from, &fs, AT_SYMLINK_NOFOLLOW) == 0 && fstatat(to_dir, to, &ts, AT_SYMLINK_NOFOLLOW) == 0) {
    if (overwrite_in_place(from_dir, from, fs, to_dir, to, ts)) {
      unlinkat(from_dir, from, 0);
      return {};
    }
    if (S_ISDIR(fs.st_mode) && S_ISDIR(ts.st_mode) && fs.st_dev == ts.st_dev && fs.st_uid == ts.st_uid &&
        fs.st_gid == ts.st_gid && depth < 16) {
      int f = openat(from_dir, from, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      int t = f < 0 ? -1 : openat(to_dir, to, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      Status st;
      // An older directory the test (or an unsandboxed run, or lit) left read-only: it is the
      // runner's, and gets the new one's mode below; meanwhile entries must go in and out.
      if (t >= 0 && (ts.st_mode & 0700) != 0700 && fchmod(t, (ts.st_mode & 07777) | 0700) < 0) {
        st = failed("chmod", where + " (the older one)");
        close(t);
        t = -1;
      }
      if (t >= 0) {
        std::vector<std::string> names = list_dir(f);
        for (const auto& n : names) {
          Status one = replace_at(f, n.c_str(), t, n.c_str(), depth + 1, where + "/" + n);
          if (!one && st) st = one;
        }
        std::sort(names.begin(), names.end());
        for (const auto& n : list_dir(t)) {
          if (std::binary_search(names.begin(), names.end(), n)) continue;
          Status gone = remove_entry(t, n);
          if (!gone && st) st = gone;
        }
        if (fchmod(t, fs.st_mode & 07777) < 0 && st) st = failed("chmod", where);
      }
      if (f >= 0) close(f);
      if (t >= 0) {
        // Merged, or some entry failed: either way, the older directory now holds part of
        // the new one, which replacing it as a whole would lose.
        close(t);
        if (st && unlinkat(from_dir, from, AT_REMOVEDIR) < 0) st = failed("move", where);
        return st;
      }
      if (!st) return st;
    }
  }
  if (Status gone = remove_entry(to_dir, to); !gone) return gone;
  if (renameat(from_dir, from, to_dir, to) < 0) return failed("move", where);
  return {};
}

}  // namespace

mode_t published_mode(const struct stat& st) {
  mode_t m = st.st_mode & 0755;
  return S_ISDIR(st.st_mode) ? m | 0700 : m;
}

Expected<int> open_runner_dir(int parent, const std::string& name, const std::string& shown, bool create) {
  bool made = create && mkdirat(parent, name.c_str(), 0711) == 0;
  if (create && !made && errno != EEXIST) return Error{"sandbox: create " + shown + ": " + strerror(errno)};
  int fd = openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT && !create) return -1;
    if (errno == ELOOP || errno == ENOTDIR)
      return Error{"sandbox: " + shown + " is not a directory (a symlink or a file); litbox keeps its own files " +
                   "there and will not use it: remove it"};
    return Error{"sandbox: open " + shown + ": " + strerror(errno)};
  }
  struct stat st;
  std::string why;
  if (fstat(fd, &st) < 0) why = std::string("cannot stat it: ") + strerror(errno);
  else if (st.st_uid != geteuid()) why = "it belongs to uid " + std::to_string(st.st_uid) + ", not to litbox's uid " + std::to_string(geteuid());
  else if (st.st_mode & 022) why = "it is writable by group or others";
  if (why.empty() && (st.st_mode & 07777) != 0711 && fchmod(fd, 0711) < 0) why = std::string("chmod: ") + strerror(errno);
  if (!why.empty()) {
    close(fd);
    return Error{"sandbox: " + shown + ": " + why + "; litbox keeps its own files there and will not use it: remove it"};
  }
  return fd;
}

std::vector<std::string> list_dir(int dir) {
  std::vector<std::string> names;
  read_names(dir, names);
  return names;
}

Status sanitize_entry(int dir, const std::string& name, const struct stat& st, Publisher& p) {
  if (!S_ISDIR(st.st_mode)) return sanitize_leaf(dir, name, st, p, name);
  if (Status s = fix_owner_and_mode(dir, name, st, p, name); !s) return s;
  Sanitizer v(p);
  return walk(dir, name, name, v);
}

Status move_entry(int from_dir, const std::string& from, int to_dir, const std::string& to) {
  return replace_at(from_dir, from.c_str(), to_dir, to.c_str(), 0, from);
}

Status remove_entry(int dir, const std::string& name) {
  if (unlinkat(dir, name.c_str(), 0) == 0 || errno == ENOENT) return {};
  if (errno != EISDIR) return failed("remove", name);
  if (unlinkat(dir, name.c_str(), AT_REMOVEDIR) == 0 || errno == ENOENT) return {};
  struct stat st;
  if (fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) return errno == ENOENT ? Status{} : failed("stat", name);
  if (!S_ISDIR(st.st_mode)) return failed("remove", name, ENOTDIR);
  if (Status s = make_enterable(dir, name, st, name); !s) return s;
  Remover v;
  return walk(dir, name, name, v);
}

}  // namespace litbox::sandbox
