// A minimal in-memory tar writer and reader: the transport of files to and from remote targets,
// whose only requirement is a POSIX sh and a tar that reads GNU/ustar archives (GNU tar,
// busybox, bsdtar).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "support/error.h"

namespace litbox::emulation {

/// Builds a GNU-format tar archive in memory. Names and link targets longer than 99 bytes use
/// GNU long-name records (././@LongLink, 'L' and 'K'), which every common tar reads.
class TarWriter {
 public:
  /// Adds a regular file with permission bits `mode` (e.g. 0755).
  void add_file(std::string_view name, uint32_t mode, std::string_view data, int64_t mtime = 0);
  /// The same, taking the bytes over: a large file's bytes become a chunk of the archive as
  /// they are (see finish_chunks()), never copied into it.
  void add_file_owned(std::string_view name, uint32_t mode, std::string data, int64_t mtime = 0);
  /// Adds a directory entry.
  void add_directory(std::string_view name, uint32_t mode = 0755, int64_t mtime = 0);
  /// Adds a hard link `name` to `target`, a path relative to the directory the archive is
  /// unpacked in, which must exist there by then (earlier in this archive or from before).
  /// This is how a batch makes one stored copy of a binary appear in many tests' directories.
  void add_hardlink(std::string_view name, std::string_view target);
  /// Adds the local file or directory (recursively, without following symlinks inside it)
  /// at `local_path` under the archive name `name`. A symlink given as `local_path` itself is
  /// followed. Errors: "cannot read '<path>': <strerror>".
  Status add_local(std::string_view name, const std::string& local_path);
  /// Every entry added from now on gets this mtime instead of the file's (-1: the file's).
  void force_mtime(int64_t mtime) { forced_mtime_ = mtime; }
  /// Number of entries added so far.
  size_t entries() const { return entries_; }
  /// Bytes of file data added so far (headers and padding not counted).
  uint64_t data_bytes() const { return data_bytes_; }
  /// Whether anything was added.
  bool empty() const { return out_.empty() && chunks_.empty(); }
  /// Appends the end-of-archive blocks and returns the archive as consecutive chunks: the
  /// headers and small files between the bytes of large files, which add_file_owned() and
  /// add_local() took over whole. Written in order, they are the archive; an archive of
  /// hundreds of MiB is thus never copied in memory. The writer is then empty.
  std::vector<std::string> finish_chunks();
  /// The same, joined into one string.
  std::string finish();

 private:
  void header(std::string_view name, char type, uint32_t mode, uint64_t size, int64_t mtime,
              std::string_view link = {});
  // The padding to the next block after a file's `size` bytes, and the counts.
  void end_file(uint64_t size);
  std::vector<std::string> chunks_;  // finished chunks, in order
  std::string out_;                  // the chunk being built
  size_t entries_ = 0;
  uint64_t data_bytes_ = 0;
  int64_t forced_mtime_ = -1;
};

/// One member of an archive.
struct TarEntry {
  std::string name;  ///< as stored, with a leading "./" removed
  char type = '0';   ///< '0' regular file, '5' directory, '2' symlink; others are skipped
  uint32_t mode = 0644;
  std::string data;      ///< file contents
  std::string linkname;  ///< symlink target
};

/// Parses a ustar/GNU/pax archive (long names from 'L' records and pax "path" keys). Stops
/// at the end-of-archive blocks or at the end of `archive`. Errors: "tar: truncated archive",
/// "tar: bad header checksum at offset N", "tar: bad size field at offset N".
Expected<std::vector<TarEntry>> read_tar(std::string_view archive);

}  // namespace litbox::emulation
