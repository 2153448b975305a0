#include "runner/sh/lexer.h"

#include <climits>

#include "runner/sh/py_text.h"
#include "support/strings.h"

namespace litbox::runner::sh {

namespace {

// lit raises IndexError when an operator character ends the line and maybe_eat() peeks past
// the end; the message is Python's.
constexpr const char* kIndexError = "string index out of range";
// What lit 15 raises instead of warning (lit.util has no warning()).
constexpr const char* kNoWarning = "module 'lit.util' has no attribute 'warning'";

bool is_ascii_digits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

Expected<bool> Lexer::maybe_eat(char c) {
  if (pos_ >= data_.size()) return Error(kIndexError);
  if (data_[pos_] == c) {
    ++pos_;
    return true;
  }
  return false;
}

Expected<std::optional<Token>> Lexer::next() {
  while (pos_ < data_.size()) {
    if (size_t n = py_space_len(data_, pos_)) {
      pos_ += n;
      continue;
    }
    auto tok = lex_one_token();
    if (!tok) return tok.error();
    return std::optional<Token>(std::move(*tok));
  }
  return std::optional<Token>();
}

Expected<Token> Lexer::lex_one_token() {
  char c = data_[pos_++];
  auto two = [&](char second, const char* both, char third, const char* both3, const char* single)
      -> Expected<Token> {
    auto a = maybe_eat(second);
    if (!a) return a.error();
    if (*a) return Token::make_op(both);
    if (third) {
      auto b = maybe_eat(third);
      if (!b) return b.error();
      if (*b) return Token::make_op(both3);
    }
    return Token::make_op(single);
  };
  switch (c) {
    case ';': return Token::make_op(";");
    case '|': return two('|', "||", 0, nullptr, "|");
    case '&': return two('&', "&&", '>', "&>", "&");
    case '>': return two('&', ">&", '>', ">>", ">");
    case '<': return two('&', "<&", '>', "<<", "<");
    default: return lex_arg(c);
  }
}

Expected<Token> Lexer::lex_arg(char c) {
  if (auto fast = lex_arg_fast()) return *fast;
  return lex_arg_slow(c);
}

// The fast path of lit's lexer: a whitespace-delimited chunk without special characters.
// It matters because it decides glob-ness differently from the slow path for a leading
// `*` (the slow path never marks its first character as a glob character).
std::optional<Token> Lexer::lex_arg_fast() {
  size_t start = pos_ - 1, end = start;
  while (end < data_.size() && !py_space_len(data_, end)) ++end;
  std::string_view chunk = data_.substr(start, end - start);
  if (chunk.find_first_of("|&<>'\";\\") != std::string_view::npos) return std::nullopt;
  pos_ = end;
  bool glob = chunk.find_first_of("*?") != std::string_view::npos;
  return Token::make_word(std::string(chunk), glob);
}

Expected<Token> Lexer::lex_arg_slow(char c) {
  std::string str;
  if (c == '\'' || c == '"') {
    auto q = lex_arg_quoted(c);
    if (!q) return q.error();
    str = std::move(*q);
  } else {
    str = std::string(1, c);
  }
  bool unquoted_glob_char = false;
  bool quoted_glob_char = false;
  while (pos_ < data_.size()) {
    c = data_[pos_];
    if (py_space_len(data_, pos_) || c == '|' || c == '&' || c == ';') {
      break;
    } else if (c == '>' || c == '<') {
      // '2>' is a single token so that the parser never has to track whitespace.
      if (!is_ascii_digits(str)) break;
      int num = str.size() > 9 ? INT_MAX : std::stoi(str);
      auto tok = lex_one_token();
      if (!tok) return tok.error();
      return Token::make_op(tok->op, num);
    } else if (c == '"' || c == '\'') {
      ++pos_;
      auto quoted = lex_arg_quoted(c);
      if (!quoted) return quoted.error();
      if (quoted->find_first_of("*?") != std::string::npos) quoted_glob_char = true;
      str += *quoted;
    } else if (c == '\\') {
      // Outside of a string, '\\' escapes everything.
      ++pos_;
      if (pos_ == data_.size()) return Error(kNoWarning);  // "escape at end of quoted argument"
      str += data_[pos_++];
    } else if (c == '*' || c == '?') {
      unquoted_glob_char = true;
      str += data_[pos_++];
    } else {
      str += data_[pos_++];
    }
  }
  // lit asserts here: a glob character both inside and outside quotes cannot be represented.
  if (quoted_glob_char && unquoted_glob_char)
    return Error("AssertionError: glob characters both quoted and unquoted in " + py_repr(str));
  return Token::make_word(str, unquoted_glob_char);
}

Expected<std::string> Lexer::lex_arg_quoted(char delim) {
  std::string str;
  while (pos_ < data_.size()) {
    char c = data_[pos_++];
    if (c == delim) return str;
    if (c == '\\' && delim == '"') {
      // Inside a '"' quoted string, '\\' only escapes the quote character and backslash,
      // otherwise it is preserved.
      if (pos_ == data_.size()) return Error(kNoWarning);  // "escape at end of quoted argument"
      c = data_[pos_++];
      if (c == '"') {
        str += '"';
      } else if (c == '\\') {
        str += '\\';
      } else {
        str += '\\';
        str += c;
      }
    } else {
      str += c;
    }
  }
  return Error(kNoWarning);  // "missing quote character"

}

Expected<std::vector<Token>> lex(std::string_view line) {
  Lexer lexer(line);
  std::vector<Token> out;
  for (;;) {
    auto t = lexer.next();
    if (!t) return t.error();
    if (!*t) return out;
    out.push_back(std::move(**t));
  }
}

}  // namespace litbox::runner::sh
