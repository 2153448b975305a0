// Python `re`-compatible regular expressions over PCRE2 (lit's configs, `{{...}}` feature
// terms, --filter and substitution patterns are Python regexes).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "support/error.h"

namespace litbox {

/// A compiled Python-style regex. Copyable (shares the compiled code).
class PyRegex {
 public:
  struct Options {
    bool ignore_case = false;
  };

  /// Compiles `pattern`; the error message is PCRE2's, with the offset.
  static Expected<PyRegex> compile(std::string_view pattern, Options options);
  static Expected<PyRegex> compile(std::string_view pattern) { return compile(pattern, {}); }

  /// re.search: true if the pattern matches anywhere in `text`.
  bool search(std::string_view text) const;
  /// re.fullmatch: true if the pattern matches all of `text`.
  bool full_match(std::string_view text) const;
  /// re.sub(pattern, repl, text) where `repl` is a Python replacement template
  /// (\1..\99, \g<n>, \g<name>, \n, \t, \\ ...). An invalid template is an error.
  Expected<std::string> sub(std::string_view repl, std::string_view text) const;
  /// re.sub with `repl` taken literally (lit >= 20 semantics, DEFINE values).
  std::string sub_literal(std::string_view repl, std::string_view text) const;

  const std::string& pattern() const { return pattern_; }

 private:
  struct Code;
  std::shared_ptr<Code> code_;
  std::string pattern_;
};

/// Escapes `text` so that it matches itself as a regex, leaving characters that are
/// literal in context (%, {name}, -, /) as they are: "%{exec}" stays "%{exec}".
std::string regex_escape(std::string_view text);

}  // namespace litbox
