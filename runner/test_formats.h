// Running one test according to its config's format: ShTest with the internal shell (sh)
// or bash (sh-external), and ExecutableTest (executable).
#pragma once

#include <utility>
#include <boost/asio/awaitable.hpp>

#include "runner/run_context.h"
#include "runner/test.h"

namespace litbox::runner {

/// Runs `test` to its final result (XFAIL handling applied). Never throws.
boost::asio::awaitable<TestResult> execute_test(Test& test, RunContext& ctx);

/// The features of a test's config plus the --vg features; what REQUIRES etc. see.
const std::set<std::string>& test_features(const Test& test);

}  // namespace litbox::runner
