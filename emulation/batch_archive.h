// The archive a batch ships: a GNU tar stream of regular files, directories and hard links.
// Hard links are how one stored copy of a binary appears in many tests' directories on the
// target (tar makes the link; nothing is copied). emulation/tar.h has no hard links, hence
// this small writer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace litbox::emulation {

/// Builds a GNU-format tar archive in memory; names and link targets longer than 99 bytes use
/// GNU long-name records ('L', 'K'), which GNU tar, busybox and bsdtar read.
class BatchArchive {
 public:
  /// A regular file with permission bits `mode` and modification time `mtime`.
  void add_file(std::string_view name, uint32_t mode, std::string_view data, int64_t mtime);
  /// A directory (a trailing '/' is added).
  void add_directory(std::string_view name, uint32_t mode, int64_t mtime);
  /// A hard link `name` to `target`, a path relative to the directory the archive is
  /// unpacked in, which must exist there by then (earlier in this archive or from before).
  void add_hardlink(std::string_view name, std::string_view target);
  /// Bytes of file data added so far (headers and padding not counted).
  uint64_t data_bytes() const { return data_bytes_; }
  /// Whether anything was added.
  bool empty() const { return out_.empty(); }
  /// Appends the end-of-archive blocks and returns the archive; the writer is then empty.
  std::string finish();

 private:
  void header(std::string_view name, char type, uint32_t mode, uint64_t size, int64_t mtime,
              std::string_view link = {});
  std::string out_;
  uint64_t data_bytes_ = 0;
};

}  // namespace litbox::emulation
