#include "runner/sh/ast.h"

#include "support/strings.h"

namespace litbox::runner::sh {

std::string repr(const Word& w) {
  // GlobItem.__repr__ returns the bare pattern.
  return w.glob ? w.text : py_repr(w.text);
}

std::string repr(const Token& t) {
  if (t.is_word()) return repr(t.word);
  if (t.fd >= 0) return "(" + py_repr(t.op) + ", " + std::to_string(t.fd) + ")";
  return "(" + py_repr(t.op) + ",)";
}

std::string repr(const Command& c) {
  std::string s = "Command([";
  for (size_t i = 0; i < c.args.size(); ++i) {
    if (i) s += ", ";
    s += repr(c.args[i]);
  }
  s += "], [";
  for (size_t i = 0; i < c.redirects.size(); ++i) {
    const Redirect& r = c.redirects[i];
    if (i) s += ", ";
    s += "(" + repr(Token::make_op(r.op, r.fd)) + ", " + repr(r.target) + ")";
  }
  return s + "])";
}

std::string repr(const Pipeline& p) {
  std::string s = "Pipeline([";
  for (size_t i = 0; i < p.commands.size(); ++i) {
    if (i) s += ", ";
    s += repr(p.commands[i]);
  }
  s += "], ";
  s += p.negate ? "True" : "False";
  s += ", ";
  s += p.pipefail ? "True" : "False";
  return s + ")";
}

std::string repr(const Node& n) {
  if (const auto* p = std::get_if<Pipeline>(&n.value)) return repr(*p);
  const Seq& s = *std::get<std::shared_ptr<Seq>>(n.value);
  return "Seq(" + repr(s.lhs) + ", " + py_repr(s.op) + ", " + repr(s.rhs) + ")";
}

}  // namespace litbox::runner::sh
