// lit 15's ShLexer, token for token: quotes, backslashes, `N>` fd redirections, globs.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runner/sh/ast.h"
#include "support/error.h"

namespace litbox::runner::sh {

/// Splits one RUN line into tokens lazily, as lit's generator does (so that a parse error
/// earlier in the line wins over a lexer error later in it). Works on UTF-8 bytes; Python's
/// Unicode whitespace separates tokens.
class Lexer {
 public:
  explicit Lexer(std::string_view data) : data_(data) {}

  /// The next token, std::nullopt at the end of the line, or the error lit's lexer raised:
  /// "string index out of range" for an operator at the very end (`a |`), the assertion on a
  /// word with glob characters both quoted and unquoted, or "module 'lit.util' has no
  /// attribute 'warning'" where lit meant to warn (a missing closing quote, a backslash at the
  /// end of the line): lit 15 calls a lit.util.warning() that does not exist, so those lines
  /// are parse errors too.
  Expected<std::optional<Token>> next();

 private:
  Expected<Token> lex_one_token();
  Expected<Token> lex_arg(char c);
  std::optional<Token> lex_arg_fast();
  Expected<Token> lex_arg_slow(char c);
  Expected<std::string> lex_arg_quoted(char delim);
  Expected<bool> maybe_eat(char c);

  std::string_view data_;
  size_t pos_ = 0;
};

/// Lexes a whole line (for tests and tools).
Expected<std::vector<Token>> lex(std::string_view line);

}  // namespace litbox::runner::sh
