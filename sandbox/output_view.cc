#include "sandbox/output_view.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace litbox::sandbox {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  if (!d) return names;
  while (struct dirent* e = readdir(d)) {
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) names.emplace_back(e->d_name);
  }
  closedir(d);
  return names;
}

// rename(), replacing whatever `to` is: a file, a non-empty directory, or a file where a
// directory was (or the reverse), from an older run. The new entry replaces it, as it would
// have if the test had deleted it first. The old entry is removed before the rename rather
// than replaced by it: ext4 (auto_da_alloc) forces the data of a file renamed over another out
// to disk at once, which costs milliseconds per test for outputs nobody needs durable.
Status move_replacing(const std::string& from, const std::string& to) {
  if (renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return {};
  if (unlink(to.c_str()) < 0 && errno != ENOENT) {
    std::error_code ec;
    fs::remove_all(to, ec);
  }
  if (rename(from.c_str(), to.c_str()) < 0) return Error{"sandbox: move " + from + " to " + to + ": " + strerror(errno)};
  return {};
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
