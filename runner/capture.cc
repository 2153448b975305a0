#include "runner/capture.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace litbox::runner {

Expected<CaptureFile> CaptureFile::create(const char* name) {
  int fd = memfd_create(name, MFD_CLOEXEC);
  if (fd < 0) return Error(std::string("memfd_create: ") + strerror(errno));
  return CaptureFile(fd);
}

CaptureFile& CaptureFile::operator=(CaptureFile&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) close(fd_);
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

CaptureFile::~CaptureFile() {
  if (fd_ >= 0) close(fd_);
}

std::string CaptureFile::read_all() const {
  std::string out;
  char buf[65536];
  off_t off = 0;
  while (true) {
    ssize_t n = pread(fd_, buf, sizeof buf, off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
    off += n;
  }
  return out;
}

Expected<int> empty_stdin() {
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0) return Error(std::string("pipe: ") + strerror(errno));
  close(p[1]);
  return p[0];
}

}  // namespace litbox::runner
