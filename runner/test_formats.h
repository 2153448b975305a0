// Running one test according to its config's format: ShTest with the internal shell (sh)
// or bash (sh-external), and ExecutableTest (executable).
#pragma once

#include <utility>
#include <boost/asio/awaitable.hpp>

#include "executor/executor.h"
#include "runner/run_context.h"
#include "runner/substitutions.h"
#include "runner/test.h"

namespace litbox::runner {

/// Runs `test` to its final result (XFAIL handling applied). Never throws.
boost::asio::awaitable<TestResult> execute_test(Test& test, RunContext& ctx);

/// What an executor is told of `test` when it opens the test's session: its name, %s, %S, the
/// Output dir and %t's prefix.
exec::SessionSpec session_spec(const Test& test, const TestPaths& paths);

/// The features of a test's config plus the --vg features; what REQUIRES etc. see.
const std::set<std::string>& test_features(const Test& test);

}  // namespace litbox::runner
