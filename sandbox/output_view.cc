#include "sandbox/output_view.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace litbox::sandbox {

namespace fs = std::filesystem;

namespace {

// The names in the directory open at `fd` (closed).
std::vector<std::string> list_dir_fd(int fd) {
  std::vector<std::string> names;
  DIR* d = fd < 0 ? nullptr : fdopendir(fd);
  if (!d) {
    if (fd >= 0) close(fd);
    return names;
  }
  while (struct dirent* e = readdir(d)) {
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) names.emplace_back(e->d_name);
  }
  closedir(d);
  return names;
}

std::vector<std::string> list_dir(const std::string& dir) {
  return list_dir_fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
}

// The names in the directory `dir` (an fd, left open).
std::vector<std::string> list_dir(int dir) {
  return list_dir_fd(openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
}

// Removes the entry `name` of `dir`, a file or a whole tree, never following a symlink.
void remove_at(int dir, const char* name) {
  if (unlinkat(dir, name, 0) == 0 || errno == ENOENT) return;
  std::error_code ec;  // a directory: remove_all does not follow symlinks below it either
  fs::remove_all("/proc/self/fd/" + std::to_string(dir) + "/" + name, ec);
}

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
// (the staging dir's content is the test's; so, once published, is the Output dir's).
//
// A new name is a plain rename. An older regular file gets the new content written into it, an
// older directory is merged entry by entry, so that rerunning a test frees no disk blocks: ext4
// mounted with `discard` (common on cloud VMs) discards freed blocks synchronously, about 1 ms
// per file, which is what a lit rerun spends most of its time on (its `>` truncates). Renaming
// over an older file would be worse still: ext4 (auto_da_alloc) then forces the new data to
// disk at once.
Status replace_existing(int from_dir, const char* from, int to_dir, const char* to, int depth);

Status replace_at(int from_dir, const char* from, int to_dir, const char* to, int depth) {
  if (renameat2(from_dir, from, to_dir, to, RENAME_NOREPLACE) == 0) return {};
  return replace_existing(from_dir, from, to_dir, to, depth);
}

// replace_at once a rename that would not replace failed (`to` exists, or the filesystem
// cannot tell: then the plain removal and rename below).
Status replace_existing(int from_dir, const char* from, int to_dir, const char* to, int depth) {
  struct stat fs, ts;
  if (fstatat(from_dir, from, &fs, AT_SYMLINK_NOFOLLOW) == 0 && fstatat(to_dir, to, &ts, AT_SYMLINK_NOFOLLOW) == 0) {
    if (overwrite_in_place(from_dir, from, fs, to_dir, to, ts)) {
      unlinkat(from_dir, from, 0);
      return {};
    }
    if (S_ISDIR(fs.st_mode) && S_ISDIR(ts.st_mode) && fs.st_dev == ts.st_dev && depth < 16) {
      int f = openat(from_dir, from, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      int t = f < 0 ? -1 : openat(to_dir, to, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      Status st;
      if (t >= 0) {
        std::vector<std::string> names = list_dir(f);
        for (const auto& n : names) {
          Status one = replace_at(f, n.c_str(), t, n.c_str(), depth + 1);
          if (!one && st) st = one;
        }
        std::sort(names.begin(), names.end());
        for (const auto& n : list_dir(t))
          if (!std::binary_search(names.begin(), names.end(), n)) remove_at(t, n.c_str());
        if ((ts.st_mode & 07777) != (fs.st_mode & 07777)) fchmod(t, fs.st_mode & 07777);
      }
      if (f >= 0) close(f);
      if (t >= 0) {
        // Merged, or some entry failed: either way, the older directory now holds part of
        // the new one, which replacing it as a whole would lose.
        close(t);
        if (st && unlinkat(from_dir, from, AT_REMOVEDIR) < 0)
          st = Error{std::string("sandbox: publish ") + from + ": " + strerror(errno)};
        return st;
      }
    }
  }
  remove_at(to_dir, to);
  if (renameat(from_dir, from, to_dir, to) < 0) return Error{std::string("sandbox: publish ") + from + ": " + strerror(errno)};
  return {};
}

// replace_at for two paths (whose last components are the entries).
Status move_replacing(const std::string& from, const std::string& to) {
  // A new name (most tests' first run): one rename, no directory to open. Both parents are the
  // runner's own directories; the entries themselves are never followed.
  if (renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return {};
  fs::path f(from), t(to);
  int fd = open(f.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int td = fd < 0 ? -1 : open(t.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  Status st = td < 0 ? Status{Error{"sandbox: move " + from + " to " + to + ": " + strerror(errno)}}
                     : replace_existing(fd, f.filename().c_str(), td, t.filename().c_str(), 0);
  if (fd >= 0) close(fd);
  if (td >= 0) close(td);
  return st;
}

const std::string kStagingPrefix = "cell.";

// A runner that could still be using its staging dirs: it exists and is not a zombie (a
// killed runner stays one until its parent reaps it).
bool runner_alive(pid_t pid) {
  if (pid <= 0 || (kill(pid, 0) < 0 && errno != EPERM)) return false;
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
  FILE* f = fopen(path, "re");
  if (!f) return true;
  char buf[512];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  const char* paren = strrchr(buf, ')');  // "pid (comm) S ...": the state follows the comm
  return !(paren && paren[1] == ' ' && (paren[2] == 'Z' || paren[2] == 'X'));
}

}  // namespace

bool OutputView::owns(const std::string& name) const {
  return name.compare(0, prefix.size(), prefix) == 0 && (name.size() == prefix.size() || name[prefix.size()] == '.');
}

Expected<OutputView> make_output_view(const std::string& output_dir, const std::string& tmp_prefix,
                                      const std::string& staging_dir) {
  OutputView v;
  v.output_dir = output_dir;
  v.prefix = fs::path(tmp_prefix).filename().string();
  if (v.prefix.empty()) return Error{"sandbox: no test file name in '" + tmp_prefix + "'"};
  v.private_dir = staging_dir;
  return v;
}

Status publish_entry(const OutputView& view, const std::string& name) {
  return move_replacing(view.private_dir + "/" + name, view.output_dir + "/" + name);
}

Status finish_output_view(const OutputView& view) {
  Status result;
  bool leftovers = false;
  const std::string keep = view.leftovers_dir();
  for (const auto& name : list_dir(view.private_dir)) {
    Status st;
    if (view.owns(name)) {
      st = publish_entry(view, name);
    } else {
      if (!leftovers) {  // replaces what an older run of the test left
        std::error_code ec;
        fs::remove_all(keep, ec);
        if (mkdir(keep.c_str(), 0755) < 0 && errno != EEXIST)
          st = Error{"sandbox: create " + keep + ": " + strerror(errno)};
        leftovers = true;
      }
      if (st) st = move_replacing(view.private_dir + "/" + name, keep + "/" + name);
    }
    if (!st && result) result = st;
  }
  if (!leftovers) {  // an older run's leftovers go when the test runs again
    struct stat sb;
    if (lstat(keep.c_str(), &sb) == 0) {
      std::error_code ec;
      fs::remove_all(keep, ec);
    }
  }
  return result;
}

void recover_staging_dirs(const std::string& output_dir) {
  const std::string base = output_dir + "/.litbox";
  const std::string own = kStagingPrefix + std::to_string(getpid()) + ".";
  for (const auto& name : list_dir(base)) {
    if (name.compare(0, kStagingPrefix.size(), kStagingPrefix) != 0) continue;
    const pid_t pid = static_cast<pid_t>(atol(name.c_str() + kStagingPrefix.size()));
    const bool ours = name.compare(0, own.size(), own) == 0;
    if (!ours && runner_alive(pid)) continue;  // a live runner's
    OutputView v;
    v.output_dir = output_dir;
    v.private_dir = base + "/" + name;
    for (const auto& entry : list_dir(v.private_dir)) (void)publish_entry(v, entry);
    std::error_code ec;
    fs::remove_all(v.private_dir, ec);
  }
}

StagingDirs::~StagingDirs() {
  for (auto& [out, dirs] : free_)
    for (const auto& d : dirs) rmdir(d.c_str());
}

Expected<std::string> StagingDirs::take(const std::string& output_dir) {
  auto& free = free_[output_dir];
  if (!free.empty()) {
    std::string d = std::move(free.back());
    free.pop_back();
    return d;
  }
  if (recovered_.insert(output_dir).second) recover_staging_dirs(output_dir);
  const std::string base = output_dir + "/.litbox";
  std::string dir = base + "/" + kStagingPrefix + std::to_string(getpid()) + "." + std::to_string(next_++);
  if (mkdir(dir.c_str(), 0755) == 0) return dir;
  if (errno == ENOENT && (mkdir(base.c_str(), 0755) == 0 || errno == EEXIST) && mkdir(dir.c_str(), 0755) == 0)
    return dir;
  return Error{"sandbox: create " + dir + ": " + strerror(errno)};
}

void StagingDirs::give_back(const std::string& output_dir, const std::string& dir) {
  // Not empty: a test's outputs that could not be published (or were written by a process
  // after its test ended). Left where they are, never handed out again; the next run that
  // uses this Output dir publishes them (recover_staging_dirs).
  if (list_dir(dir).empty()) free_[output_dir].push_back(dir);
}

}  // namespace litbox::sandbox
