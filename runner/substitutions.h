// lit's substitutions: the ordered (pattern, replacement) list of a test — config entries
// first, then the built-ins (%s, %t, ...) — and applying it to the script, with %if/%else,
// %% escapes, DEFINE/REDEFINE and the recursion limit, in lit's order.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "configs/suite_config.h"
#include "runner/test_file.h"
#include "support/error.h"

namespace litbox::runner {

/// The paths a test's built-in substitutions are made of.
struct TestPaths {
  std::string source_path;  ///< %s
  std::string source_dir;   ///< %S, %p
  std::string tmp_dir;      ///< %T: <exec dir>/Output
  std::string tmp_base;     ///< %t without ".tmp": <exec dir>/Output/<file name>
};

/// Computes TestPaths as lit's getTempPaths does.
TestPaths test_paths(const std::string& source_path, const std::string& exec_path);

/// The full substitution list of a test: `config` entries first, then lit's built-ins.
std::vector<config::Substitution> test_substitutions(const config::SuiteConfig& config, const TestPaths& paths);

/// Expands the script: RUN entries become command lines, DEFINE/REDEFINE entries edit
/// `subs` (a per-test copy) at their place in the file. `features` decide %if. Errors have
/// lit's messages (they make the test UNRESOLVED).
Expected<std::vector<std::string>> apply_substitutions(const std::vector<ScriptEntry>& script,
                                                       std::vector<config::Substitution> subs,
                                                       const std::set<std::string>& features,
                                                       std::optional<int> recursion_limit);

/// A Python ValueError as lit shows it: lit reports an exception raised while it prepares a
/// test's script by the traceback, whose last line is `ValueError: <message>`; litbox gives
/// that line (lit's tests check it), without the traceback.
std::string value_error(std::string_view message);

/// Resolves `%if cond %{ a %} %else %{ b %}` in one line (exposed for tests).
Expected<std::string> substitute_if_else(const std::string& line, const std::set<std::string>& features);

}  // namespace litbox::runner
