// lit's boolean feature expressions (REQUIRES/UNSUPPORTED/XFAIL, %if, config conditions):
//   expr := or;  or := and ('||' and)*;  and := not ('&&' not)*
//   not := '!' not | '(' or ')' | match;  match := (identifier | '{{' regex '}}')+
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "support/error.h"
#include "support/python_regex.h"

namespace litbox {

/// A parsed feature expression. Parse once, evaluate against many feature sets.
class FeatureExpr {
 public:
  /// Parses `text`. Errors carry lit 15's exact message, e.g.
  /// "expected: '!', '(', '{{', or identifier\nhave: '&&'\nin expression: '&&'".
  static Expected<FeatureExpr> parse(std::string_view text);

  /// True if the expression holds for `features` ("true" is always a feature). With a
  /// non-empty `triple`, a match term is also true when its text is a substring of the
  /// triple (lit 15's rule for UNSUPPORTED and XFAIL, behind triple_substring_match).
  bool evaluate(const std::set<std::string>& features, std::string_view triple = {}) const;

  /// The match terms as written (identifiers and {{regex}} runs), for --show-used-features
  /// and the unknown-feature check.
  const std::vector<std::string>& terms() const { return terms_; }
  /// Terms without any {{regex}} part: plain feature names.
  std::vector<std::string> plain_terms() const;

  const std::string& text() const { return text_; }

 private:
  enum class Op : unsigned char { kMatch, kNot, kAnd, kOr };
  struct Node {
    Op op;
    int a = -1, b = -1;  // children (indices into nodes_)
    int term = -1;       // kMatch: index into terms_/regexes_
  };
  friend class FeatureExprParser;
  bool eval(int node, const std::set<std::string>& features, std::string_view triple) const;

  std::string text_;
  std::vector<Node> nodes_;
  int root_ = -1;
  std::vector<std::string> terms_;
  std::vector<PyRegex> regexes_;
};

}  // namespace litbox
