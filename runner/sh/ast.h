// The AST of one RUN line, shaped like lit 15's ShCommands (Command, Pipeline, Seq, GlobItem),
// so that every quirk of lit's parser survives into the interpreter.
#pragma once

#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace litbox::runner::sh {

/// A word of a command. `glob` marks lit's GlobItem: an unquoted `*` or `?` was in the word.
struct Word {
  std::string text;
  bool glob = false;

  bool operator==(const Word&) const = default;
};

/// A lexer token: a word, or an operator such as `;`, `|`, `&&`, `>`, `2>`, `>&`.
/// Operators with a leading fd number (`2>`) carry it in `fd`; the others have fd == -1.
struct Token {
  enum class Kind { kWord, kOp };
  Kind kind = Kind::kWord;
  Word word;       ///< when kind == kWord
  std::string op;  ///< when kind == kOp
  int fd = -1;     ///< the N of `N>` etc., -1 for plain operators

  static Token make_word(std::string text, bool glob = false) { return Token{Kind::kWord, {std::move(text), glob}, {}, -1}; }
  static Token make_op(std::string op, int fd = -1) { return Token{Kind::kOp, {}, std::move(op), fd}; }
  bool is_word() const { return kind == Kind::kWord; }
  bool is_op(std::string_view o) const { return kind == Kind::kOp && fd == -1 && op == o; }
  bool operator==(const Token&) const = default;
};

/// One redirection `(op, target)`. As in lit 15 the target is whatever token followed the
/// operator, which may itself be an operator (`> |` parses; it fails when executed).
struct Redirect {
  std::string op;  ///< ">", ">>", "<", ">&", "&>", "<&", "<<"
  int fd = -1;     ///< the N of `N>`, -1 if none
  Token target;
};

/// A simple command: words plus redirections.
struct Command {
  std::vector<Word> args;
  std::vector<Redirect> redirects;
};

/// Commands joined by `|`. `negate` exists for parity with lit and is never set by its parser.
struct Pipeline {
  std::vector<Command> commands;
  bool negate = false;
  bool pipefail = false;
};

struct Seq;

/// A node of the tree: a pipeline or a sequence.
struct Node {
  std::variant<Pipeline, std::shared_ptr<Seq>> value;
};

/// `lhs op rhs` with op one of `;`, `&`, `&&`, `||` (left-associative, no precedence).
struct Seq {
  Node lhs;
  std::string op;
  Node rhs;
};

/// Python repr() of lit's objects, e.g. `Seq(Pipeline([Command(['a'], [])], False, True), '&&',
/// ...)`. Lets tests compare the tree with lit's own parser output.
std::string repr(const Word& w);
std::string repr(const Token& t);
std::string repr(const Command& c);
std::string repr(const Pipeline& p);
std::string repr(const Node& n);

}  // namespace litbox::runner::sh
