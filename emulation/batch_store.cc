#include "emulation/batch_store.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "emulation/local_files.h"
#include "support/strings.h"

namespace litbox::emulation {

namespace {

Status read_fd(int fd, const std::string& path, std::string& out) {
  if (int e = read_file_from(fd, 0, out)) return Error("cannot read " + py_repr(path) + ": " + strerror(e));
  return {};
}

}  // namespace

std::string content_digest(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < 16 && i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

Expected<FileDigest> DigestCache::digest(const std::string& path, std::string* data) {
  if (data) data->clear();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error("cannot read " + py_repr(path) + ": " + strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error(py_repr(path) + " is not a regular file");
  }
  Key key{st.st_dev, st.st_ino, st.st_size, int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec,
          int64_t{st.st_ctim.tv_sec} * 1000000000 + st.st_ctim.tv_nsec};
  auto it = cache_.find(key);
  if (it != cache_.end()) {
    ::close(fd);
    return it->second;
  }
  std::string bytes;
  Status s = read_fd(fd, path, bytes);
  ::close(fd);
  if (!s) return s.error();
  ++hashed_;
  FileDigest d;
  d.digest = content_digest(bytes);
  d.mode = st.st_mode & 07777;
  d.size = bytes.size();
  d.executable = (st.st_mode & 0111) != 0 || (bytes.size() >= 4 && memcmp(bytes.data(),
                                                                          "\x7f"
                                                                          "ELF",
                                                                          4) == 0);
  cache_[key] = d;
  if (data) *data = std::move(bytes);
  return d;
}

Expected<std::string> DigestCache::read(const std::string& path, const std::string& expected) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error("cannot read " + py_repr(path) + ": " + strerror(errno));
  std::string bytes;
  Status s = read_fd(fd, path, bytes);
  ::close(fd);
  if (!s) return s.error();
  if (content_digest(bytes) != expected) return Error(py_repr(path) + " changed while it was being shipped");
  return bytes;
}

}  // namespace litbox::emulation
