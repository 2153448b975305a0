// The directives of an integrated (ShTest) test file: RUN, XFAIL, REQUIRES, UNSUPPORTED,
// ALLOW_RETRIES, END., DEFINE, REDEFINE — found the way lit finds them.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/error.h"

namespace litbox::runner {

/// One entry of the script, in file order: a RUN line (with its `%dbg(RUN: at line N)`
/// prefix, as lit 15 stores it) or a DEFINE/REDEFINE of a substitution.
struct ScriptEntry {
  enum Kind { kRun, kDefine, kRedefine } kind = kRun;
  std::string text;  ///< kRun: the command; kDefine/kRedefine: the substitution value
  std::string name;  ///< kDefine/kRedefine: "%{name}"
  int start_line = 0;
  int end_line = 0;

  /// "at line N" or "from line N to M", as lit words it.
  std::string location() const;
};

/// Everything the directives of one test file say.
struct TestScript {
  std::vector<ScriptEntry> script;
  std::vector<std::string> xfails;       ///< expressions, "*" included as written
  std::vector<std::string> requires_;    ///< expressions
  std::vector<std::string> unsupported;  ///< expressions
  std::optional<int> allowed_retries;
  /// Line numbers of each REQUIRES/UNSUPPORTED/XFAIL expression (parallel to the lists),
  /// for the unknown-feature warning.
  std::vector<int> xfail_lines, requires_lines, unsupported_lines;
  /// The values of the extra LIST keywords a format asked for (ParseOptions::list_keywords),
  /// by keyword: each directive's text split at ',' and stripped, as lit's LIST parser does.
  std::map<std::string, std::vector<std::string>> lists;
};

/// How a format reads its test files.
struct ParseOptions {
  bool require_script = true;     ///< an empty script is an error ("Test has no 'RUN:' line")
  bool define_directives = true;  ///< false: DEFINE:/REDEFINE: are plain text, as before lit 16
  /// Extra keywords of lit's LIST kind (libc++'s FILE_DEPENDENCIES:, ADDITIONAL_COMPILE_FLAGS:),
  /// found after the built-in ones at one position, as lit installs additional parsers.
  std::vector<std::string> list_keywords;
};

/// Parses the directives of `data` (the file's bytes). `require_script`: an empty script
/// is an error ("Test has no 'RUN:' line"). Errors carry lit's exact message, e.g.
/// "Test has unterminated 'RUN:' lines (with '\\')", or "<msg>\nin XFAIL: directive on
/// test line 3".
/// `define_directives`: false reads DEFINE:/REDEFINE: as plain text, as lit before 16 did.
Expected<TestScript> parse_test_file(std::string_view data, bool require_script, bool define_directives = true);
Expected<TestScript> parse_test_file(std::string_view data, const ParseOptions& options);

/// Reads and parses the test file at `path`. An unreadable file or a directive that is not
/// valid UTF-8 is an error naming the file (and line).
Expected<TestScript> read_test_file(const std::string& path, bool require_script, bool define_directives = true);
Expected<TestScript> read_test_file(const std::string& path, const ParseOptions& options);

}  // namespace litbox::runner
