#include "emulation/local_files.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "support/strings.h"

namespace litbox::emulation {

std::optional<std::string> find_program(const std::string& name) {
  if (name.find('/') != std::string::npos)
    return access(name.c_str(), X_OK) == 0 ? std::optional<std::string>(name) : std::nullopt;
  const char* path = getenv("PATH");
  for (const auto& dir : split(path ? path : "/usr/bin:/bin", ':')) {
    if (dir.empty()) continue;
    std::string c = dir + "/" + name;
    if (access(c.c_str(), X_OK) == 0) return c;
  }
  return std::nullopt;
}

int read_file_from(int fd, off_t offset, std::string& out) {
  struct stat st;
  size_t want = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > offset ? st.st_size - offset : 0;
  out.resize(want + 1);  // one byte more, to see the end without growing
  size_t len = 0;
  for (;;) {
    if (len == out.size()) out.resize(out.size() + std::max<size_t>(out.size(), 65536));
    ssize_t n = pread(fd, out.data() + len, out.size() - len, offset + static_cast<off_t>(len));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      out.clear();
      return e;
    }
    if (n == 0) break;
    len += static_cast<size_t>(n);
  }
  out.resize(len);
  return 0;
}

Expected<std::string> read_rest_of_file(int fd) {
  off_t off = lseek(fd, 0, SEEK_CUR);
  std::string data;
  if (int e = read_file_from(fd, off < 0 ? 0 : off, data)) return Error(std::string("cannot read stdin: ") + strerror(e));
  return data;
}

bool safe_relative(const std::string& name) {
  if (name.empty() || name[0] == '/') return false;
  for (const auto& part : split(name, '/'))
    if (part == "..") return false;
  return true;
}

Status make_parent_dirs(const std::string& root, const std::string& rel) {
  for (size_t pos = rel.find('/'); pos != std::string::npos; pos = rel.find('/', pos + 1)) {
    std::string dir = root + "/" + rel.substr(0, pos);
    if (mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST)
      return Error("cannot create " + py_repr(dir) + ": " + strerror(errno));
  }
  return {};
}

Status write_whole_file(const std::string& path, const std::string& data, uint32_t mode) {
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

std::string random_hex(size_t bytes) {
  std::string raw(bytes, '\0');
  size_t got = 0;
  while (got < bytes) {
    ssize_t n = getrandom(raw.data() + got, bytes - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  std::string out;
  char buf[3];
  for (char c : raw) {
    snprintf(buf, sizeof buf, "%02x", static_cast<uint8_t>(c));
    out += buf;
  }
  return out;
}

}  // namespace litbox::emulation
