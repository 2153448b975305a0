// LITBOX_REQUIRE_SANDBOX=1 (CI sets it, in .ci/run): a test that would be skipped because this
// machine cannot make sandboxes (no user namespaces, a kernel without a feature the sandbox or
// the test needs) fails instead, so that CI cannot pass without having run them.
#pragma once

#include <stdlib.h>
#include <string.h>

namespace litbox {

/// True when LITBOX_REQUIRE_SANDBOX is "1".
inline bool sandbox_required() {
  const char* v = getenv("LITBOX_REQUIRE_SANDBOX");
  return v && strcmp(v, "1") == 0;
}

}  // namespace litbox

/// In a gtest test or fixture: skips the test with `reason` (anything that streams into a gtest
/// message), or fails it when LITBOX_REQUIRE_SANDBOX=1. Returns from the current function, as
/// GTEST_SKIP() does.
#define LITBOX_SKIP_OR_FAIL(reason)                               \
  do {                                                            \
    if (::litbox::sandbox_required())                             \
      GTEST_FAIL() << "LITBOX_REQUIRE_SANDBOX=1, but " << reason; \
    else                                                          \
      GTEST_SKIP() << reason;                                     \
  } while (0)
