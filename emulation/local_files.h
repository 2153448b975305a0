// Small local-file helpers the remote executors (ssh, batch) share: writing back the files a
// remote command produced, and random names for remote directories and markers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <sys/types.h>
#include <string>

#include "support/error.h"

namespace litbox::emulation {

/// True if `name` is a relative path without ".." components (safe to join under a root).
bool safe_relative(const std::string& name);

/// Creates the directories of `rel` below `root` (not the last component); existing ones are fine.
Status make_parent_dirs(const std::string& root, const std::string& rel);

/// Writes `data` to `path` (created or truncated) and sets its permission bits to `mode`.
Status write_whole_file(const std::string& path, const std::string& data, uint32_t mode);

/// `bytes` random bytes (getrandom) in hex.
std::string random_hex(size_t bytes);

/// The executable `name` (a path, or looked up in $PATH), or nullopt.
std::optional<std::string> find_program(const std::string& name);

/// Reads what the file behind `fd` holds from `offset` to its end into `out`, with pread (the
/// descriptor's own offset does not move), into one buffer sized by fstat: a large file is not
/// copied again each time the buffer grows. Returns 0, or the errno of the failed read.
int read_file_from(int fd, off_t offset, std::string& out);

/// The rest of the regular file behind `fd`, from where the descriptor stands, without moving
/// it (a command's redirected stdin). Errors: "cannot read stdin: <strerror>".
Expected<std::string> read_rest_of_file(int fd);

}  // namespace litbox::emulation
