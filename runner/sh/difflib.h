// Python's difflib (SequenceMatcher with autojunk, context_diff, unified_diff), which lit's
// diff builtin prints with: litbox's diff output is byte-for-byte what lit 15 prints.
#pragma once

#include <string>
#include <vector>

namespace litbox::runner::sh {

/// One opcode of SequenceMatcher.get_opcodes(): tag is "replace", "delete", "insert", "equal".
struct Opcode {
  std::string tag;
  size_t i1, i2, j1, j2;
  bool operator==(const Opcode&) const = default;
};

/// difflib.SequenceMatcher(None, a, b) over lines (autojunk on: in a `b` of 200 lines or more,
/// a line occurring more than len(b)/100 + 1 times is "popular" and never anchors a match).
class SequenceMatcher {
 public:
  SequenceMatcher(const std::vector<std::string>& a, const std::vector<std::string>& b);

  struct Match {
    size_t a, b, size;
  };
  /// get_matching_blocks(), ending with the (len(a), len(b), 0) sentinel.
  std::vector<Match> matching_blocks() const;
  /// get_opcodes().
  std::vector<Opcode> opcodes() const;
  /// get_grouped_opcodes(n): hunks with up to n lines of context.
  std::vector<std::vector<Opcode>> grouped_opcodes(size_t n) const;

 private:
  Match find_longest_match(size_t alo, size_t ahi, size_t blo, size_t bhi) const;

  const std::vector<std::string>& a_;
  const std::vector<std::string>& b_;
  std::vector<std::vector<size_t>> a2b_;  // for each line of a: where it occurs in b (non-popular)
};

/// ''.join(difflib.context_diff(a, b, fromfile, tofile, n=n)); lines keep their own endings.
std::string context_diff(const std::vector<std::string>& a, const std::vector<std::string>& b,
                         const std::string& fromfile, const std::string& tofile, size_t n);

/// ''.join(difflib.unified_diff(a, b, fromfile, tofile, n=n)).
std::string unified_diff(const std::vector<std::string>& a, const std::vector<std::string>& b,
                         const std::string& fromfile, const std::string& tofile, size_t n);

}  // namespace litbox::runner::sh
