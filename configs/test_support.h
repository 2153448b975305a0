// Helpers for the litbox_config unit tests (their TempDir is support/testing/temp_dir.h).
#pragma once

#include <string>

#include "support/error.h"

namespace litbox::config::testing {

/// The error text of a failed Expected, or "<no error>" so a success fails the comparison.
template <typename T>
std::string error_of(const Expected<T>& e) {
  return e.ok() ? std::string("<no error>") : e.error().str();
}

}  // namespace litbox::config::testing
