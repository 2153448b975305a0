// A ShTest after lit's preparation, before anything runs: the test file's directives, the
// REQUIRES/UNSUPPORTED/limit_to_features gates, the config's preamble and the RUN lines with
// substitutions applied. The test formats and `litbox shell` share it, so both see the same.
#pragma once

#include <optional>
#include <set>
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
  /// libc++'s layout: %T (paths.tmp_dir) is the test's own directory, Output/<name>.dir,
  /// made when the test runs; %t is %T/t.tmp.
  bool own_tmp_dir = false;
};

/// lit's ShTest preparation of `t`, or the result that ends it before anything runs:
/// UNSUPPORTED (config, REQUIRES, UNSUPPORTED, limit_to_features), UNRESOLVED (unreadable
/// file, bad expression, substitution error, --strict-features), or PASS under --no-execute
/// (decided before substitution, as lit does).
std::variant<PreparedTest, TestResult> prepare_sh_test(const Test& t, RunContext& ctx);

/// lit's gates on a parsed test file, in lit's order: the unknown-feature check
/// (--strict-features), then REQUIRES, UNSUPPORTED and limit_to_features. The result that
/// ends the test, or nullopt when it runs.
std::optional<TestResult> check_directives(const Test& t, RunContext& ctx, const TestScript& ts);

/// lit's isExpectedToFail: an XFAIL: expression holds (or `*`, or --xfail), unless
/// --xfail-not names the test. A bad expression sets `error` (the test is UNRESOLVED).
bool expected_to_fail(const Test& t, const TestScript& ts, const std::set<std::string>& features, std::string& error);

/// lit 15's `%dbg(RUN: at line N) cmd` → `: 'RUN: at line N'; cmd` (or `: '...'` alone).
std::string expand_lit_dbg(const std::string& line);

}  // namespace litbox::runner
