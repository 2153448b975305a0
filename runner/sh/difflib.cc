#include "runner/sh/difflib.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>

namespace litbox::runner::sh {

SequenceMatcher::SequenceMatcher(const std::vector<std::string>& a, const std::vector<std::string>& b)
    : a_(a), b_(b) {
  // __chain_b: index b, then drop popular lines.
  std::unordered_map<std::string_view, std::vector<size_t>> b2j;
  for (size_t j = 0; j < b.size(); ++j) b2j[b[j]].push_back(j);
  size_t n = b.size();
  if (n >= 200) {
    size_t ntest = n / 100 + 1;
    for (auto it = b2j.begin(); it != b2j.end();) {
      if (it->second.size() > ntest) {
        it = b2j.erase(it);
      } else {
        ++it;
      }
    }
  }
  a2b_.resize(a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    auto it = b2j.find(a[i]);
    if (it != b2j.end()) a2b_[i] = it->second;
  }
}

SequenceMatcher::Match SequenceMatcher::find_longest_match(size_t alo, size_t ahi, size_t blo, size_t bhi) const {
  size_t besti = alo, bestj = blo, bestsize = 0;
  std::unordered_map<size_t, size_t> j2len, newj2len;
  for (size_t i = alo; i < ahi; ++i) {
    newj2len.clear();
    for (size_t j : a2b_[i]) {
      if (j < blo) continue;
      if (j >= bhi) break;
      size_t prev = 0;
      if (j > 0) {
        auto it = j2len.find(j - 1);
        if (it != j2len.end()) prev = it->second;
      }
      size_t k = newj2len[j] = prev + 1;
      if (k > bestsize) {
        besti = i - k + 1;
        bestj = j - k + 1;
        bestsize = k;
      }
    }
    std::swap(j2len, newj2len);
  }
  // Extend with equal (popular) lines on both sides; there is no junk, so the junk passes
  // of difflib are no-ops.
  while (besti > alo && bestj > blo && a_[besti - 1] == b_[bestj - 1]) {
    --besti;
    --bestj;
    ++bestsize;
  }
  while (besti + bestsize < ahi && bestj + bestsize < bhi && a_[besti + bestsize] == b_[bestj + bestsize]) ++bestsize;
  return {besti, bestj, bestsize};
}

std::vector<SequenceMatcher::Match> SequenceMatcher::matching_blocks() const {
  size_t la = a_.size(), lb = b_.size();
  struct Range {
    size_t alo, ahi, blo, bhi;
  };
  std::vector<Range> queue = {{0, la, 0, lb}};
  std::vector<Match> blocks;
  while (!queue.empty()) {
    Range r = queue.back();
    queue.pop_back();
    Match m = find_longest_match(r.alo, r.ahi, r.blo, r.bhi);
    if (m.size) {
      blocks.push_back(m);
      if (r.alo < m.a && r.blo < m.b) queue.push_back({r.alo, m.a, r.blo, m.b});
      if (m.a + m.size < r.ahi && m.b + m.size < r.bhi) queue.push_back({m.a + m.size, r.ahi, m.b + m.size, r.bhi});
    }
  }
  std::sort(blocks.begin(), blocks.end(),
            [](const Match& x, const Match& y) { return std::tie(x.a, x.b, x.size) < std::tie(y.a, y.b, y.size); });
  std::vector<Match> out;
  size_t i1 = 0, j1 = 0, k1 = 0;
  for (const Match& m : blocks) {
    if (i1 + k1 == m.a && j1 + k1 == m.b) {
      k1 += m.size;
    } else {
      if (k1) out.push_back({i1, j1, k1});
      i1 = m.a;
      j1 = m.b;
      k1 = m.size;
    }
  }
  if (k1) out.push_back({i1, j1, k1});
  out.push_back({la, lb, 0});
  return out;
}

std::vector<Opcode> SequenceMatcher::opcodes() const {
  size_t i = 0, j = 0;
  std::vector<Opcode> answer;
  for (const Match& m : matching_blocks()) {
    std::string tag;
    if (i < m.a && j < m.b) {
      tag = "replace";
    } else if (i < m.a) {
      tag = "delete";
    } else if (j < m.b) {
      tag = "insert";
    }
    if (!tag.empty()) answer.push_back({tag, i, m.a, j, m.b});
    i = m.a + m.size;
    j = m.b + m.size;
    if (m.size) answer.push_back({"equal", m.a, i, m.b, j});
  }
  return answer;
}

std::vector<std::vector<Opcode>> SequenceMatcher::grouped_opcodes(size_t n) const {
  std::vector<Opcode> codes = opcodes();
  if (codes.empty()) codes.push_back({"equal", 0, 1, 0, 1});
  if (codes.front().tag == "equal") {
    Opcode& c = codes.front();
    c.i1 = std::max(c.i1, c.i2 >= n ? c.i2 - n : 0);
    c.j1 = std::max(c.j1, c.j2 >= n ? c.j2 - n : 0);
  }
  if (codes.back().tag == "equal") {
    Opcode& c = codes.back();
    c.i2 = std::min(c.i2, c.i1 + n);
    c.j2 = std::min(c.j2, c.j1 + n);
  }
  size_t nn = n + n;
  std::vector<std::vector<Opcode>> groups;
  std::vector<Opcode> group;
  for (Opcode c : codes) {
    if (c.tag == "equal" && c.i2 - c.i1 > nn) {
      group.push_back({c.tag, c.i1, std::min(c.i2, c.i1 + n), c.j1, std::min(c.j2, c.j1 + n)});
      groups.push_back(std::move(group));
      group.clear();
      c.i1 = std::max(c.i1, c.i2 >= n ? c.i2 - n : 0);
      c.j1 = std::max(c.j1, c.j2 >= n ? c.j2 - n : 0);
    }
    group.push_back(c);
  }
  if (!group.empty() && !(group.size() == 1 && group[0].tag == "equal")) groups.push_back(std::move(group));
  return groups;
}

namespace {

std::string range_unified(size_t start, size_t stop) {
  size_t beginning = start + 1, length = stop - start;
  if (length == 1) return std::to_string(beginning);
  if (!length) --beginning;
  return std::to_string(beginning) + "," + std::to_string(length);
}

std::string range_context(size_t start, size_t stop) {
  size_t beginning = start + 1, length = stop - start;
  if (!length) --beginning;
  if (length <= 1) return std::to_string(beginning);
  return std::to_string(beginning) + "," + std::to_string(beginning + length - 1);
}

}  // namespace

std::string context_diff(const std::vector<std::string>& a, const std::vector<std::string>& b,
                         const std::string& fromfile, const std::string& tofile, size_t n) {
  auto prefix = [](const std::string& tag) {
    return tag == "insert" ? "+ " : tag == "delete" ? "- " : tag == "replace" ? "! " : "  ";
  };
  std::string out;
  bool started = false;
  for (const auto& group : SequenceMatcher(a, b).grouped_opcodes(n)) {
    if (!started) {
      started = true;
      out += "*** " + fromfile + "\n";
      out += "--- " + tofile + "\n";
    }
    const Opcode& first = group.front();
    const Opcode& last = group.back();
    out += "***************\n";
    out += "*** " + range_context(first.i1, last.i2) + " ****\n";
    bool any_a = std::any_of(group.begin(), group.end(), [](const Opcode& o) { return o.tag == "replace" || o.tag == "delete"; });
    if (any_a)
      for (const Opcode& o : group)
        if (o.tag != "insert")
          for (size_t i = o.i1; i < o.i2; ++i) out += prefix(o.tag) + a[i];
    out += "--- " + range_context(first.j1, last.j2) + " ----\n";
    bool any_b = std::any_of(group.begin(), group.end(), [](const Opcode& o) { return o.tag == "replace" || o.tag == "insert"; });
    if (any_b)
      for (const Opcode& o : group)
        if (o.tag != "delete")
          for (size_t j = o.j1; j < o.j2; ++j) out += prefix(o.tag) + b[j];
  }
  return out;
}

std::string unified_diff(const std::vector<std::string>& a, const std::vector<std::string>& b,
                         const std::string& fromfile, const std::string& tofile, size_t n) {
  std::string out;
  bool started = false;
  for (const auto& group : SequenceMatcher(a, b).grouped_opcodes(n)) {
    if (!started) {
      started = true;
      out += "--- " + fromfile + "\n";
      out += "+++ " + tofile + "\n";
    }
    const Opcode& first = group.front();
    const Opcode& last = group.back();
    out += "@@ -" + range_unified(first.i1, last.i2) + " +" + range_unified(first.j1, last.j2) + " @@\n";
    for (const Opcode& o : group) {
      if (o.tag == "equal") {
        for (size_t i = o.i1; i < o.i2; ++i) out += " " + a[i];
        continue;
      }
      if (o.tag == "replace" || o.tag == "delete")
        for (size_t i = o.i1; i < o.i2; ++i) out += "-" + a[i];
      if (o.tag == "replace" || o.tag == "insert")
        for (size_t j = o.j1; j < o.j2; ++j) out += "+" + b[j];
    }
  }
  return out;
}

}  // namespace litbox::runner::sh
