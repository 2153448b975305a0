// Copying back: the files a remote command created or changed under its test's %t prefix,
// received as a tar archive, written into the test's local %T.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "support/error.h"

namespace litbox::emulation {

/// A file copy_back() wrote.
struct CopiedBack {
  std::string rel;     ///< its path relative to the output directory (its name in the archive)
  std::string digest;  ///< content_digest() of its bytes
};

/// Writes each regular file of the tar `archive` to `output_dir`/<its name>, creating parent
/// directories, provided the name is relative without ".." and the local path starts with
/// `tmp_prefix`: the test owns those paths, and nothing else may come back, whatever the
/// target sends. Other entries are skipped. Errors: "copy back: " + the message of
/// read_tar() or "cannot create/write '<path>': <strerror>".
Expected<std::vector<CopiedBack>> copy_back(std::string_view archive, const std::string& output_dir,
                                            const std::string& tmp_prefix);

}  // namespace litbox::emulation
