// A ShTest after lit's preparation, before anything runs: the test file's directives, the
// REQUIRES/UNSUPPORTED/limit_to_features gates, the config's preamble and the RUN lines with
// substitutions applied. The test formats and `litbox shell` share it, so both see the same.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "runner/run_context.h"
#include "runner/substitutions.h"
#include "runner/test.h"
#include "runner/test_file.h"

namespace litbox::runner {

struct PreparedTest {
  TestScript directives;           ///< XFAIL, ALLOW_RETRIES, ... (its `script` moved into `lines`)
  TestPaths paths;                 ///< %s, %S, %t, %T
  std::vector<std::string> lines;  ///< preamble, then RUN lines: substituted, %dbg expanded
};

/// lit's ShTest preparation of `t`, or the result that ends it before anything runs:
/// UNSUPPORTED (config, REQUIRES, UNSUPPORTED, limit_to_features), UNRESOLVED (unreadable
/// file, bad expression, substitution error, --strict-features), or PASS under --no-execute
/// (decided before substitution, as lit does).
std::variant<PreparedTest, TestResult> prepare_sh_test(const Test& t, RunContext& ctx);

}  // namespace litbox::runner
