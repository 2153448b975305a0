// Small local-file helpers the remote executors (ssh, batch) share: writing back the files a
// remote command produced, and random names for remote directories and markers.
#pragma once

#include <cstddef>
#include <cstdint>
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

}  // namespace litbox::emulation
