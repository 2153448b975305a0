#include "sandbox/output_view.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "sandbox/publish.h"

namespace litbox::sandbox {

namespace {

// The mode of a staging dir, which its test may have changed (it is the cell's Output dir).
constexpr mode_t kStagingMode = 0755;

// Opens the staging dir `dir` and gives it back its mode.
Expected<int> open_staging(const std::string& dir) {
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == EACCES && chmod(dir.c_str(), kStagingMode) == 0)  // chmod 000 %T, by a test
    fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return Error{"sandbox: publish: open " + dir + ": " + strerror(errno)};
  struct stat st;
  if (fstat(fd, &st) < 0 || ((st.st_mode & 07777) != kStagingMode && fchmod(fd, kStagingMode) < 0)) {
    Error e{"sandbox: publish: chmod " + dir + ": " + strerror(errno)};
    close(fd);
    return e;
  }
  return fd;
}

// <output_dir>/.litbox/leftovers, opened after the same check as the staging dirs' parents.
Expected<int> open_leftovers_parent(const std::string& output_dir, bool create) {
  const std::string base = output_dir + "/.litbox";
  auto b = open_runner_dir(AT_FDCWD, base, base, create);
  if (!b || *b < 0) return b;
  auto l = open_runner_dir(*b, "leftovers", base + "/leftovers", create);
  close(*b);
  return l;
}

bool valid_name(const std::string& n) {
  return !n.empty() && n != "." && n != ".." && n.find('/') == std::string::npos && n.find('\0') == std::string::npos;
}

}  // namespace

bool OutputView::owns(const std::string& name) const {
  if (publish_all) return name != ".litbox";
  if (owns_dir && name.size() == prefix.size() + 4 && name.compare(0, prefix.size(), prefix) == 0 &&
      name.compare(prefix.size(), 4, ".dir") == 0)
    return true;
  if (name.size() < prefix.size() + 4 || name.compare(0, prefix.size(), prefix) != 0) return false;
  // <prefix>.script: what the external shell (format: sh-external) runs, written by the runner
  // as lit does. No other test's %t can begin it (that test's name would collide with this one).
  return name.compare(prefix.size(), 4, ".tmp") == 0 || name.compare(prefix.size(), std::string::npos, ".script") == 0;
}

Expected<OutputView> make_output_view(const std::string& output_dir, const std::string& tmp_prefix,
                                      const std::string& staging_dir, bool publish_all, bool owns_dir) {
  OutputView v;
  v.output_dir = output_dir;
  v.prefix = std::filesystem::path(tmp_prefix).filename().string();
  if (!valid_name(v.prefix) || v.prefix.find('\n') != std::string::npos)
    return Error{"sandbox: no test file name in '" + tmp_prefix + "'"};
  v.private_dir = staging_dir;
  v.publish_all = publish_all;
  v.owns_dir = owns_dir;
  return v;
}

Status finish_output_view(const OutputView& view, PublishReport* report) {
  auto staged = open_staging(view.private_dir);
  if (!staged) return staged.error();
  const int stage = *staged;
  Publisher p;
  Status result;
  auto note = [&](Status s) {
    if (!s && result) result = std::move(s);
  };
  // An entry that could not be moved (what is left of it) goes: the test is UNRESOLVED with
  // the reason, and no staging dir is left holding outputs nobody will publish.
  auto discard = [&](const std::string& name, Status why) {
    note(std::move(why));
    note(remove_entry(stage, name));
  };
  int out = -1, keep = -1;
  bool kept = false;  // this run has leftovers (an older run's then went)
  for (const auto& name : list_dir(stage)) {
    struct stat st;
    if (fstatat(stage, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) continue;
    if (Status s = sanitize_entry(stage, name, st, p); !s) {
      note(std::move(s));
      note(remove_entry(stage, name));  // never published half sanitized
      continue;
    }
    if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode)) continue;  // dropped
    if (view.owns(name)) {
      if (out < 0) out = open(view.output_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      Status moved = out < 0 ? Status{Error{"sandbox: publish: open " + view.output_dir + ": " + strerror(errno)}}
                             : move_entry(stage, name, out, name);
      if (!moved) discard(name, std::move(moved));
      continue;
    }
    if (!kept) {  // replaces what an older run of the test left
      kept = true;
      auto parent = open_leftovers_parent(view.output_dir, true);
      if (!parent) {
        note(parent.error());
      } else {
        note(remove_entry(*parent, view.prefix));
        if (mkdirat(*parent, view.prefix.c_str(), 0755) < 0 && errno != EEXIST)
          note(Error{"sandbox: create " + view.leftovers_dir() + ": " + strerror(errno)});
        keep = openat(*parent, view.prefix.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        close(*parent);
      }
    }
    Status moved = keep < 0 ? Status{Error{"sandbox: publish: no leftovers dir for " + name}}
                            : move_entry(stage, name, keep, name);
    if (!moved) discard(name, std::move(moved));
    if (report) report->leftovers.push_back(name);
  }
  if (!kept) {  // an older run's leftovers go when the test runs again
    struct stat sb;
    if (fstatat(AT_FDCWD, view.leftovers_dir().c_str(), &sb, AT_SYMLINK_NOFOLLOW) == 0) {
      auto parent = open_leftovers_parent(view.output_dir, false);
      if (!parent) {
        note(parent.error());
      } else if (*parent >= 0) {
        note(remove_entry(*parent, view.prefix));
        close(*parent);
      }
    }
  }
  if (out >= 0) close(out);
  if (keep >= 0) close(keep);
  close(stage);
  if (report) report->dropped = std::move(p.dropped);
  return result;
}

}  // namespace litbox::sandbox
