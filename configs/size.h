// Byte sizes in configs: "64MiB", "4GiB", "512k", "1048576", "unlimited".
#pragma once

#include <cstdint>
#include <string_view>

#include "support/error.h"

namespace litbox::config {

/// Parses a size: a non-negative number (a fraction is allowed with a unit: "1.5GiB"),
/// optional spaces, and an optional case-insensitive unit: B, K/KB/KiB, M/MB/MiB, G/GB/GiB,
/// T/TB/TiB. Every unit is a power of 1024 (as ulimit and systemd count). "unlimited" and
/// "0" mean 0 (no limit). The error message is just the reason, without location.
Expected<uint64_t> parse_size(std::string_view text);

}  // namespace litbox::config
