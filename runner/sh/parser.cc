#include "runner/sh/parser.h"

#include <optional>

#include "runner/sh/lexer.h"
#include "support/strings.h"

namespace litbox::runner::sh {

namespace {

// Python truthiness of a token: None and the empty string are false. lit relies on it, so
// `'' x` is an "empty command!" and `a && ''` is "missing argument to operator '&&'".
bool truthy(const std::optional<Token>& t) {
  return t && !(t->is_word() && !t->word.glob && t->word.text.empty());
}

class Parser {
 public:
  Parser(std::string_view data, bool pipefail) : lexer_(data), pipefail_(pipefail) {}

  Expected<Node> parse() {
    auto lhs = parse_pipeline();
    if (!lhs) return lhs.error();
    Node node{std::move(*lhs)};
    for (;;) {
      auto t = look();
      if (!t) return t.error();
      if (!truthy(*t)) break;
      auto op = lex();  // a terminator: the pipeline consumed everything else
      if (!op) return op.error();
      auto after = look();
      if (!after) return after.error();
      if (!truthy(*after)) return Error("missing argument to operator " + py_repr((*op)->op));
      auto rhs = parse_pipeline();
      if (!rhs) return rhs.error();
      node = Node{std::make_shared<Seq>(Seq{std::move(node), (*op)->op, Node{std::move(*rhs)}})};
    }
    return node;
  }

 private:
  Expected<std::optional<Token>> lex() {
    if (peeked_) {
      auto t = std::move(*peeked_);
      peeked_.reset();
      return t;
    }
    return lexer_.next();
  }

  Expected<std::optional<Token>> look() {
    if (!peeked_) {
      auto t = lexer_.next();
      if (!t) return t.error();
      peeked_ = std::move(*t);
    }
    return *peeked_;
  }

  Expected<Command> parse_command() {
    auto tok = lex();
    if (!tok) return tok.error();
    if (!truthy(*tok)) return Error("empty command!");
    if (!(*tok)->is_word()) return Error("syntax error near unexpected token " + py_repr((*tok)->op));
    Command cmd;
    cmd.args.push_back((*tok)->word);
    for (;;) {
      auto t = look();
      if (!t) return t.error();
      if (!*t) break;
      const Token& next = **t;
      if (next.is_word()) {
        cmd.args.push_back(next.word);
        peeked_.reset();
        continue;
      }
      const std::string& o = next.op;
      if (o == "|" || o == ";" || o == "&" || o == "||" || o == "&&") break;
      Token op = next;
      peeked_.reset();
      auto arg = lex();
      if (!arg) return arg.error();
      if (!truthy(*arg)) return Error("syntax error near token " + py_repr(op.op));
      cmd.redirects.push_back(Redirect{op.op, op.fd, **arg});
    }
    return cmd;
  }

  Expected<Pipeline> parse_pipeline() {
    Pipeline p;
    p.pipefail = pipefail_;
    auto first = parse_command();
    if (!first) return first.error();
    p.commands.push_back(std::move(*first));
    for (;;) {
      auto t = look();
      if (!t) return t.error();
      if (!(*t && (*t)->is_op("|"))) break;
      peeked_.reset();
      auto c = parse_command();
      if (!c) return c.error();
      p.commands.push_back(std::move(*c));
    }
    return p;
  }

  Lexer lexer_;
  bool pipefail_;
  std::optional<std::optional<Token>> peeked_;
};

}  // namespace

Expected<Node> parse(std::string_view line, bool pipefail) { return Parser(line, pipefail).parse(); }

std::string parse_error_output(std::string_view line) { return "shell parser error on: " + py_repr(line); }

}  // namespace litbox::runner::sh
