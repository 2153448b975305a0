#include "runner/tool_digests.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "support/sha256.h"

namespace litbox::runner {

namespace {

bool under(const std::string& path, const std::string& dir) {
  return !dir.empty() && path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/';
}

}  // namespace

bool ToolDigests::ignored(const std::string& path) const {
  for (const auto& dir : ignored_)
    if (under(path, dir)) return true;
  for (const auto& root : exec_roots_)
    if (under(path, root) && path.find("/Output/", root.size()) != std::string::npos) return true;
  return false;
}

void ToolDigests::note(exec::FileSystem& fs, const std::string& path) {
  if (digests_.count(path) || ignored(path)) return;
  std::string& digest = digests_[path];
  int fd = fs.open(path, O_RDONLY | O_NONBLOCK);
  if (fd < 0) {
    digest = std::string("unreadable: ") + strerror(-fd);
    return;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    digest = "unreadable: not a regular file";
  } else {
    auto d = sha256_of_fd(fd);
    digest = d ? *d : "unreadable: " + d.error().message;
  }
  close(fd);
}

}  // namespace litbox::runner
