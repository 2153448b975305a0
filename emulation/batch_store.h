// Content addressing for batch shipping: files are named on the target by a digest of their
// bytes, so a binary many tests use travels once, and one a previous batch shipped not again.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>

#include "support/error.h"

namespace litbox::emulation {

/// The store name of `data`: the first 128 bits of its SHA-256, in 32 lowercase hex digits.
std::string content_digest(std::string_view data);

/// A local file as the batch sees it: its digest, and whether it is to be run (any execute
/// bit, or an ELF file) rather than read.
struct FileDigest {
  std::string digest;
  bool executable = false;
  uint32_t mode = 0644;  ///< permission bits
  uint64_t size = 0;
};

/// Digests of local files, remembered by (device, inode, size, mtime, ctime) so that a file
/// many requests name is read and hashed once while it does not change.
class DigestCache {
 public:
  /// The digest of the regular file `path` (symlinks followed). When the file had to be read,
  /// its bytes are left in `*data` if `data` is given (else *data is cleared).
  /// Errors: "cannot read '<path>': <strerror>", "'<path>' is not a regular file".
  Expected<FileDigest> digest(const std::string& path, std::string* data = nullptr);
  /// Reads `path` and checks that it still has digest `expected`.
  /// Errors: those of digest(), and "'<path>' changed while it was being shipped".
  Expected<std::string> read(const std::string& path, const std::string& expected);
  /// Number of files read and hashed so far (cache misses).
  uint64_t files_hashed() const { return hashed_; }

 private:
  using Key = std::tuple<dev_t, ino_t, off_t, int64_t, int64_t>;
  std::map<Key, FileDigest> cache_;
  uint64_t hashed_ = 0;
};

}  // namespace litbox::emulation
