#include "support/feature_expr.h"

#include <cctype>
#include <optional>

#include "support/strings.h"

namespace litbox {

namespace {

bool is_ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '+' || c == '=' || c == '.' || c == '_';
}
bool is_py_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// One token, or the end marker, or the tokenizer error lit would raise on reaching it.
struct Token {
  enum Kind { kText, kEnd, kError } kind = kEnd;
  std::string text;
};

// Mirrors lit's lazy tokenizer: Pattern = \A\s*([()]|&&|\|\||!|(?:[-+=._a-zA-Z0-9]+|\{\{.+?\}\})+)\s*(.*)\Z
std::vector<Token> tokenize(std::string_view s) {
  std::vector<Token> out;
  while (true) {
    size_t i = 0;
    while (i < s.size() && is_py_space(s[i])) ++i;
    std::string_view rest = s.substr(i);
    size_t len = 0;
    if (!rest.empty() && (rest[0] == '(' || rest[0] == ')' || rest[0] == '!')) {
      len = 1;
    } else if (starts_with(rest, "&&") || starts_with(rest, "||")) {
      len = 2;
    } else {
      while (len < rest.size()) {
        if (is_ident_char(rest[len])) {
          ++len;
        } else if (rest.substr(len, 2) == "{{") {
          // .+? up to the first "}}" with at least one character, no newline.
          size_t close = rest.find("}}", len + 3);
          size_t nl = rest.find('\n', len + 2);
          if (close == std::string_view::npos || (nl != std::string_view::npos && nl < close)) break;
          len = close + 2;
        } else {
          break;
        }
      }
    }
    // `.*\Z` must match the rest: fails only if a newline follows (Python's . skips \n).
    std::string_view after = rest.substr(len);
    size_t j = 0;
    while (j < after.size() && is_py_space(after[j])) ++j;
    if (len == 0 || after.substr(j).find('\n') != std::string_view::npos) {
      if (s.empty()) {
        out.push_back({Token::kEnd, ""});
      } else {
        out.push_back({Token::kError, "couldn't parse text: " + py_repr(s)});
      }
      return out;
    }
    out.push_back({Token::kText, std::string(rest.substr(0, len))});
    s = after.substr(j);
  }
}

}  // namespace

class FeatureExprParser {
 public:
  FeatureExprParser(FeatureExpr& e, std::vector<Token> toks) : e_(e), toks_(std::move(toks)) {}

  Status parse_all() {
    if (auto st = next(); !st) return st;
    int root;
    if (auto st = parse_or(root); !st) return st;
    if (auto st = expect_end(); !st) return st;
    e_.root_ = root;
    return {};
  }

 private:
  const Token& tok() const { return toks_[pos_]; }
  bool is(std::string_view t) const { return tok().kind == Token::kText && tok().text == t; }
  std::string quote() const { return tok().kind == Token::kEnd ? "<end of expression>" : py_repr(tok().text); }

  Status next() {
    if (started_) ++pos_;
    started_ = true;
    if (tok().kind == Token::kError) return Error(tok().text);
    return {};
  }
  Status accept(std::string_view t, bool& taken) {
    taken = is(t);
    if (taken) return next();
    return {};
  }
  Status expect_end() {
    if (tok().kind == Token::kEnd) return {};
    return Error("expected: <end of expression>\nhave: " + quote());
  }
  int add(FeatureExpr::Node n) {
    e_.nodes_.push_back(n);
    return static_cast<int>(e_.nodes_.size()) - 1;
  }

  Status parse_match(int& out) {
    const std::string& text = tok().text;
    std::string regex;
    size_t i = 0;
    while (i < text.size()) {
      size_t open = text.find("{{", i);
      if (open == i) {
        size_t close = text.find("}}", i + 3);
        regex += "(?:" + text.substr(i + 2, close - i - 2) + ")";
        i = close + 2;
      } else {
        size_t end = open == std::string::npos ? text.size() : open;
        regex += regex_escape(std::string_view(text).substr(i, end - i));
        i = end;
      }
    }
    auto re = PyRegex::compile(regex);
    if (!re) return Error(re.error().message);
    e_.terms_.push_back(text);
    e_.regexes_.push_back(*re);
    FeatureExpr::Node n{FeatureExpr::Op::kMatch};
    n.term = static_cast<int>(e_.terms_.size()) - 1;
    out = add(n);
    return next();
  }

  Status parse_not(int& out) {
    bool taken;
    if (auto st = accept("!", taken); !st) return st;
    if (taken) {
      int child;
      if (auto st = parse_not(child); !st) return st;
      FeatureExpr::Node n{FeatureExpr::Op::kNot};
      n.a = child;
      out = add(n);
      return {};
    }
    if (auto st = accept("(", taken); !st) return st;
    if (taken) {
      if (auto st = parse_or(out); !st) return st;
      if (!is(")")) return Error("expected: ')'\nhave: " + quote());
      return next();
    }
    if (tok().kind == Token::kEnd || is("&&") || is("||") || is("!") || is("(") || is(")"))
      return Error("expected: '!', '(', '{{', or identifier\nhave: " + quote());
    return parse_match(out);
  }

  Status parse_binary(FeatureExpr::Op op, std::string_view sym, int& out) {
    auto sub = [&](int& o) { return op == FeatureExpr::Op::kAnd ? parse_not(o) : parse_binary(FeatureExpr::Op::kAnd, "&&", o); };
    if (auto st = sub(out); !st) return st;
    while (true) {
      bool taken;
      if (auto st = accept(sym, taken); !st) return st;
      if (!taken) return {};
      int rhs;
      if (auto st = sub(rhs); !st) return st;
      FeatureExpr::Node n{op};
      n.a = out;
      n.b = rhs;
      out = add(n);
    }
  }
  Status parse_or(int& out) { return parse_binary(FeatureExpr::Op::kOr, "||", out); }

  FeatureExpr& e_;
  std::vector<Token> toks_;
  size_t pos_ = 0;
  bool started_ = false;
};

Expected<FeatureExpr> FeatureExpr::parse(std::string_view text) {
  FeatureExpr e;
  e.text_ = std::string(text);
  FeatureExprParser p(e, tokenize(text));
  if (auto st = p.parse_all(); !st) return Error(st.error().message + "\nin expression: " + py_repr(text));
  return e;
}

bool FeatureExpr::eval(int node, const std::set<std::string>& features, std::string_view triple) const {
  const Node& n = nodes_[node];
  switch (n.op) {
    case Op::kMatch: {
      if (!triple.empty() && triple.find(terms_[n.term]) != std::string_view::npos) return true;
      const std::string& term = terms_[n.term];
      if (term == "true") return true;
      if (term.find("{{") == std::string::npos) return features.count(term) > 0;
      for (const auto& f : features)
        if (regexes_[n.term].full_match(f)) return true;
      return regexes_[n.term].full_match("true");
    }
    case Op::kNot: return !eval(n.a, features, triple);
    case Op::kAnd: {
      bool l = eval(n.a, features, triple);
      bool r = eval(n.b, features, triple);
      return l && r;
    }
    case Op::kOr: {
      bool l = eval(n.a, features, triple);
      bool r = eval(n.b, features, triple);
      return l || r;
    }
  }
  return false;
}

bool FeatureExpr::evaluate(const std::set<std::string>& features, std::string_view triple) const {
  return eval(root_, features, triple);
}

std::vector<std::string> FeatureExpr::plain_terms() const {
  std::vector<std::string> out;
  for (const auto& t : terms_)
    if (t.find("{{") == std::string::npos) out.push_back(t);
  return out;
}

}  // namespace litbox
