// SHA-256 content digests (OpenSSL's libcrypto), written "sha256:<64 hex digits>" as the
// run record of a JSON report (runner/run_record.h) keeps them.
#pragma once

#include <string>
#include <string_view>

#include "support/error.h"

namespace litbox {

/// "sha256:<hex>" of `data`.
std::string sha256_of(std::string_view data);

/// "sha256:<hex>" of what remains to read from `fd` (read in 1 MiB blocks, so a large tool
/// costs no more memory than a small one). The fd is not closed. An error names the errno.
Expected<std::string> sha256_of_fd(int fd);

/// "sha256:<hex>" of the file at `path` (host view); the error names the path.
Expected<std::string> sha256_of_file(const std::string& path);

}  // namespace litbox
