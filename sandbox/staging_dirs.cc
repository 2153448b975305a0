// Where staging dirs live, and how a run recovers what dead runs left in theirs. See the layout
// in output_view.h: no name below .litbox is one a test can make or choose.
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "sandbox/output_view.h"
#include "sandbox/publish.h"
#include "sandbox/run_guard.h"

namespace litbox::sandbox {

namespace {

constexpr mode_t kStagingMode = 0755;
constexpr size_t kRunIdLength = 16;
const char kRunRecord[] = "run";

std::string random_run_id() {
  unsigned char bytes[kRunIdLength / 2];
  size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
    if (n > 0) {
      got += static_cast<size_t>(n);
    } else if (errno != EINTR) {  // no getrandom: a unique enough id from time and pid
      struct timespec ts;
      clock_gettime(CLOCK_REALTIME, &ts);
      unsigned long long x = (static_cast<unsigned long long>(ts.tv_sec) * 1000000007ull) ^
                             static_cast<unsigned long long>(ts.tv_nsec) ^ (static_cast<unsigned long long>(getpid()) << 40);
      memcpy(bytes, &x, sizeof bytes);
      break;
    }
  }
  static const char hex[] = "0123456789abcdef";
  std::string id;
  for (unsigned char b : bytes) {
    id += hex[b >> 4];
    id += hex[b & 15];
  }
  return id;
}

bool valid_run_id(const std::string& s) {
  if (s.size() != kRunIdLength) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// The whole content of a small file, if it is at most `max` bytes.
bool read_small(const char* path, std::string* out, size_t max = 4096) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[4096];
  ssize_t n = read(fd, buf, std::min(max, sizeof buf));
  close(fd);
  if (n < 0) return false;
  out->assign(buf, static_cast<size_t>(n));
  return true;
}

std::string boot_id() {
  static const std::string id = [] {
    std::string s;
    if (!read_small("/proc/sys/kernel/random/boot_id", &s)) return std::string();
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
  }();
  return id;
}

// What /proc/<pid>/stat says: the state (field 3) and the start time (field 22, clock ticks
// after boot). False if there is no such process.
bool process_stat(pid_t pid, char* state, unsigned long long* start) {
  std::string s;
  if (!read_small(("/proc/" + std::to_string(pid) + "/stat").c_str(), &s)) return false;
  size_t paren = s.rfind(')');  // "pid (comm) S ...": comm may hold anything, even ") "
  if (paren == std::string::npos || paren + 2 >= s.size()) return false;
  const char* p = s.c_str() + paren + 2;
  *state = *p;
  for (int field = 3; field < 22; ++field) {  // skip to field 22
    p = strchr(p, ' ');
    if (!p) return false;
    ++p;
  }
  *start = strtoull(p, nullptr, 10);
  return true;
}

// The record of a run: which process made it, when, in which boot.
struct RunRecord {
  long pid = 0;
  unsigned long long start = 0;
  std::string boot;
};

std::string run_record_text() {
  char state;
  unsigned long long start = 0;
  process_stat(getpid(), &state, &start);
  return std::to_string(getpid()) + " " + std::to_string(start) + " " + boot_id() + "\n";
}

bool parse_run_record(const std::string& text, RunRecord* r) {
  char boot[64] = "";
  if (sscanf(text.c_str(), "%ld %llu %63s", &r->pid, &r->start, boot) < 2 || r->pid <= 0) return false;
  r->boot = boot;
  return true;
}

// Could the run of record `r` still be using its staging dirs? Its process exists, is not a
// zombie (a killed runner stays one until its parent reaps it), and started when the record says
// (else the pid has been reused), in this boot.
bool run_alive(const RunRecord& r) {
  if (!r.boot.empty() && !boot_id().empty() && r.boot != boot_id()) return false;
  const pid_t pid = static_cast<pid_t>(r.pid);
  char state = 0;
  unsigned long long start = 0;
  if (!process_stat(pid, &state, &start)) return kill(pid, 0) == 0 || errno == EPERM;  // /proc hidden: assume alive
  if (state == 'Z' || state == 'X') return false;
  return start == r.start;
}

// Opens the entry `name` of `dir` if it is a regular file of the runner's with one link, and
// reads it (at most `max` bytes). The fd is returned open (for a lock), or -1.
int read_runner_file(int dir, const char* name, std::string* text, size_t max) {
  int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return -1;
  struct stat st;
  char buf[512];
  ssize_t n = -1;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() && st.st_nlink == 1 &&
      static_cast<size_t>(st.st_size) <= std::min(max, sizeof buf))
    n = pread(fd, buf, sizeof buf, 0);
  if (n < 0) {
    close(fd);
    return -1;
  }
  text->assign(buf, static_cast<size_t>(n));
  return fd;
}

// The view a staging dir's record "<n>.test" describes, or false (no valid record).
bool recorded_view(int run, const std::string& n, const std::string& output_dir, const std::string& run_path,
                   OutputView* v) {
  std::string text;
  int fd = read_runner_file(run, (n + ".test").c_str(), &text, 512);
  if (fd < 0) return false;
  close(fd);
  if (text.size() < 3 || (text[0] != 'o' && text[0] != 'a' && text[0] != 'd') || text[1] != ' ' || text.back() != '\n')
    return false;
  auto view = make_output_view(output_dir, text.substr(2, text.size() - 3), run_path + "/" + n, text[0] == 'a',
                               text[0] == 'd');
  if (!view || view->prefix != text.substr(2, text.size() - 3)) return false;
  *v = *view;
  return true;
}

bool all_digits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// Publishes the staging dirs of the dead run whose dir `run` is <staging>/<id>, then removes it.
Status recover_run(const std::string& output_dir, int staging, const std::string& id, int run) {
  const std::string run_path = output_dir + "/.litbox/staging/" + id;
  Status result;
  auto note = [&](Status s) {
    if (!s && result) result = std::move(s);
  };
  for (const auto& n : list_dir(run)) {
    if (!all_digits(n)) continue;
    struct stat st;
    if (fstatat(run, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode)) continue;
    OutputView v;
    if (recorded_view(run, n, output_dir, run_path, &v)) note(finish_output_view(v));
    note(remove_entry(run, n));  // what could not be published, or whose test is unknown
  }
  for (const auto& n : list_dir(run)) note(remove_entry(run, n));
  if (unlinkat(staging, id.c_str(), AT_REMOVEDIR) < 0 && errno != ENOENT)
    note(Error{"sandbox: remove " + run_path + ": " + strerror(errno)});
  return result;
}

Status recover_in(const std::string& output_dir, int staging, const std::string& own_run_id) {
  Status result;
  for (const auto& id : list_dir(staging)) {
    if (id == own_run_id || !valid_run_id(id)) continue;
    int run = openat(staging, id.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (run < 0) continue;
    struct stat st;
    std::string text;
    RunRecord r;
    int rec = -1;
    if (fstat(run, &st) == 0 && st.st_uid == geteuid() && !(st.st_mode & 022) &&
        (rec = read_runner_file(run, kRunRecord, &text, 256)) >= 0 && parse_run_record(text, &r) && !run_alive(r) &&
        flock(rec, LOCK_EX | LOCK_NB) == 0) {  // another run may be recovering it
      Status s = recover_run(output_dir, staging, id, run);
      if (!s && result) result = s;
    }
    if (rec >= 0) close(rec);
    close(run);
  }
  return result;
}

}  // namespace

Status recover_staging_dirs(const std::string& output_dir, const std::string& own_run_id) {
  const std::string base = output_dir + "/.litbox";
  auto b = open_runner_dir(AT_FDCWD, base, base, false);
  if (!b) return b.error();
  if (*b < 0) return {};
  auto s = open_runner_dir(*b, "staging", base + "/staging", false);
  close(*b);
  if (!s) return s.error();
  if (*s < 0) return {};
  Status st = recover_in(output_dir, *s, own_run_id);
  close(*s);
  return st;
}

StagingDirs::StagingDirs() : StagingDirs(geteuid(), getegid()) {}

StagingDirs::StagingDirs(uid_t cell_uid, gid_t cell_gid)
    : run_id_(random_run_id()), cell_uid_(cell_uid), cell_gid_(cell_gid) {}

StagingDirs::~StagingDirs() {
  for (auto& [out, d] : dirs_) {
    for (const auto& f : d.free) {
      rmdir(f.c_str());
      unlink((f + ".test").c_str());
    }
    if (!d.run_dir.empty() && d.free.size() == d.made) {  // else left for a later run to recover
      unlink((d.run_dir + "/" + kRunRecord).c_str());
      rmdir(d.run_dir.c_str());
    }
  }
}

Status StagingDirs::prepare(const std::string& output_dir, Dirs& d) {
  const std::string base = output_dir + "/.litbox";
  auto b = open_runner_dir(AT_FDCWD, base, base, true);
  if (!b) return b.error();
  auto s = open_runner_dir(*b, "staging", base + "/staging", true);
  close(*b);
  if (!s) return s.error();
  const int staging = *s;
  (void)recover_in(output_dir, staging, run_id_);  // a dead run's failure is not this test's
  const std::string run_path = base + "/staging/" + run_id_;
  Status st;
  int run = -1, rec = -1;
  if (mkdirat(staging, run_id_.c_str(), 0711) < 0 ||
      (run = openat(staging, run_id_.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
      fchmod(run, 0711) < 0) {
    st = Error{"sandbox: create " + run_path + ": " + strerror(errno)};
  } else {
    const std::string text = run_record_text();
    rec = openat(run, kRunRecord, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (rec < 0 || write(rec, text.data(), text.size()) != static_cast<ssize_t>(text.size()))
      st = Error{"sandbox: create " + run_path + "/" + kRunRecord + ": " + strerror(errno)};
  }
  if (rec >= 0) close(rec);
  if (run >= 0) close(run);
  close(staging);
  if (st) {
    d.run_dir = run_path;
    guard_output_dir(output_dir);
  }
  return st;
}

Expected<std::string> StagingDirs::take(const std::string& output_dir) {
  Dirs& d = dirs_[output_dir];
  if (!d.free.empty()) {
    std::string dir = std::move(d.free.back());
    d.free.pop_back();
    return dir;
  }
  if (d.run_dir.empty())
    if (Status s = prepare(output_dir, d); !s) return s.error();
  const std::string dir = d.run_dir + "/" + std::to_string(next_++);
  if (mkdir(dir.c_str(), kStagingMode) < 0) return Error{"sandbox: create " + dir + ": " + strerror(errno)};
  // The run's dir is the runner's alone: the name is the one just made.
  if (((cell_uid_ != geteuid() || cell_gid_ != getegid()) && lchown(dir.c_str(), cell_uid_, cell_gid_) < 0) ||
      chmod(dir.c_str(), kStagingMode) < 0) {
    Error e{"sandbox: give " + dir + " to " + std::to_string(cell_uid_) + ":" + std::to_string(cell_gid_) + ": " +
            strerror(errno)};
    rmdir(dir.c_str());
    return e;
  }
  ++d.made;
  return dir;
}

Status StagingDirs::record_test(const OutputView& view) {
  const std::string path = view.private_dir + ".test";
  const std::string text = std::string(view.publish_all ? "a " : view.owns_dir ? "d " : "o ") + view.prefix + "\n";
  // Written into the older record (no inode or block freed per test: see publish.cc on ext4's
  // discard), then cut to size.
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
  bool ok = fd >= 0 && pwrite(fd, text.data(), text.size(), 0) == static_cast<ssize_t>(text.size()) &&
            ftruncate(fd, static_cast<off_t>(text.size())) == 0;
  const int err = errno;
  if (fd >= 0) close(fd);
  if (ok) return {};
  unlink(path.c_str());
  return Error{"sandbox: record " + path + ": " + strerror(err)};
}

void StagingDirs::give_back(const std::string& output_dir, const std::string& dir) {
  // Not empty: a test's outputs that could not be published. Left where they are, never handed
  // out again; the next run that uses this Output dir publishes them (recover_staging_dirs).
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return;
  const bool empty = list_dir(fd).empty();
  close(fd);
  if (empty) dirs_[output_dir].free.push_back(dir);
}

}  // namespace litbox::sandbox
