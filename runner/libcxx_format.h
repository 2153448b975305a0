// libc++'s test format, natively: LLVM 15's CxxStandardLibraryTest
// (libcxx/utils/libcxx/test/format.py). A test's kind comes from its file name's suffix; the
// format turns it into shell steps (compile, link, run with %{exec}) placed before the test's
// own RUN lines, and the result is an ordinary ShTest script run in the test's cell.
#pragma once

#include <string_view>
#include <variant>

#include "runner/prepared_test.h"

namespace litbox::runner {

/// True if `name` is a libc++ test: it ends in .pass.cpp, .pass.mm, .compile.pass.cpp,
/// .compile.fail.cpp, .link.pass.cpp, .link.fail.cpp, .verify.cpp, .fail.cpp or .sh.<ext>.
/// (Discovery takes these whatever the config's suffixes.)
bool is_libcxx_test_name(std::string_view name);

/// libc++'s preparation of `t`, or the result that ends it before anything runs:
/// - the steps of its kind (e.g. `.pass.cpp`: `%{cxx} %s %{flags} %{compile_flags}
///   %{link_flags} -o %t.exe`, then `%{exec} %t.exe`), after one `cd %S && cp <dep> %T` per
///   FILE_DEPENDENCIES: item and before the file's RUN lines (required only for .sh.* tests);
/// - %T is Output/<name>.dir and %t is %T/t.tmp; %{build} and %{run} are defined, and
///   ADDITIONAL_COMPILE_FLAGS: items are appended to %{compile_flags};
/// - UNSUPPORTED for a .verify.cpp test without the `verify-support` feature, and as lit's
///   gates say; UNRESOLVED for an unknown suffix or a missing %{cxx}, %{flags},
///   %{compile_flags}, %{link_flags} or %{exec};
/// - under --no-execute, after substitution, PASS (XFAIL for a test expected to fail).
std::variant<PreparedTest, TestResult> prepare_libcxx_test(const Test& t, RunContext& ctx);

}  // namespace litbox::runner
