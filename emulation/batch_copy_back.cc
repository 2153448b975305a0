#include "emulation/batch_copy_back.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "emulation/batch_store.h"
#include "emulation/tar.h"
#include "support/strings.h"

namespace litbox::emulation {

namespace {

bool safe_relative(const std::string& name) {
  if (name.empty() || name[0] == '/') return false;
  for (const auto& part : split(name, '/'))
    if (part == "..") return false;
  return true;
}

Status make_parents(const std::string& root, const std::string& rel) {
  for (size_t pos = rel.find('/'); pos != std::string::npos; pos = rel.find('/', pos + 1)) {
    std::string dir = root + "/" + rel.substr(0, pos);
    if (mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST)
      return Error("cannot create " + py_repr(dir) + ": " + strerror(errno));
  }
  return {};
}

Status write_whole(const std::string& path, const std::string& data, uint32_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode & 0777);
  if (fd < 0) return Error("cannot write " + py_repr(path) + ": " + strerror(errno));
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      return Error("cannot write " + py_repr(path) + ": " + strerror(e));
    }
    done += static_cast<size_t>(n);
  }
  fchmod(fd, mode & 0777);
  ::close(fd);
  return {};
}

}  // namespace

Expected<std::vector<CopiedBack>> copy_back(std::string_view archive, const std::string& output_dir,
                                            const std::string& tmp_prefix) {
  auto entries = read_tar(archive);
  if (!entries) return Error("copy back: " + entries.error().message);
  std::vector<CopiedBack> out;
  for (const auto& e : *entries) {
    if (e.type != '0') continue;
    std::string local = output_dir + "/" + e.name;
    if (!safe_relative(e.name) || !starts_with(local, tmp_prefix)) continue;
    Status s = make_parents(output_dir, e.name);
    if (s) s = write_whole(local, e.data, e.mode);
    if (!s) return Error("copy back: " + s.error().message);
    out.push_back({e.name, content_digest(e.data)});
  }
  return out;
}

}  // namespace litbox::emulation
