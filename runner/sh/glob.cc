#include "runner/sh/glob.h"

#include <algorithm>

#include "runner/sh/py_os.h"
#include "runner/sh/py_path.h"

namespace litbox::runner::sh {

namespace {

// Code points of UTF-8 text; undecodable bytes map to U+DC80.. as Python's surrogateescape.
std::vector<uint32_t> code_points(std::string_view s) {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = n > 0 && i + n <= s.size();
    uint32_t v = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t k = 1; ok && k < n; ++k) {
      unsigned char cc = s[i + k];
      if ((cc & 0xC0) != 0x80) ok = false;
      v = (v << 6) | (cc & 0x3F);
    }
    if (ok) {
      out.push_back(v);
      i += n;
    } else {
      out.push_back(0xDC00 + c);
      ++i;
    }
  }
  return out;
}

struct Element {
  enum Kind { kLiteral, kAny, kStar, kClass } kind = kLiteral;
  uint32_t ch = 0;
  bool negate = false;
  bool never = false;  // an empty class: never matches
  std::vector<std::pair<uint32_t, uint32_t>> ranges;

  static Element make(Kind k, uint32_t c = 0) {
    Element e;
    e.kind = k;
    e.ch = c;
    return e;
  }

  bool match(uint32_t c) const {
    switch (kind) {
      case kLiteral: return c == ch;
      case kAny: return true;
      case kStar: return true;
      case kClass: {
        if (never) return false;
        bool in = false;
        for (auto [lo, hi] : ranges)
          if (c >= lo && c <= hi) in = true;
        return in != negate;
      }
    }
    return false;
  }
};

// fnmatch.translate(), expressed as elements instead of a regular expression.
std::vector<Element> compile(const std::vector<uint32_t>& pat) {
  std::vector<Element> out;
  size_t i = 0, n = pat.size();
  while (i < n) {
    uint32_t c = pat[i++];
    if (c == '*') {
      if (out.empty() || out.back().kind != Element::kStar) out.push_back(Element::make(Element::kStar));
    } else if (c == '?') {
      out.push_back(Element::make(Element::kAny));
    } else if (c == '[') {
      size_t j = i;
      if (j < n && pat[j] == '!') ++j;
      if (j < n && pat[j] == ']') ++j;
      while (j < n && pat[j] != ']') ++j;
      if (j >= n) {
        out.push_back(Element::make(Element::kLiteral, '['));
        continue;
      }
      std::vector<uint32_t> stuff(pat.begin() + i, pat.begin() + j);
      i = j + 1;
      Element e = Element::make(Element::kClass);
      if (stuff.empty()) {
        e.never = true;
      } else if (stuff.size() == 1 && stuff[0] == '!') {
        e.kind = Element::kAny;
      } else {
        size_t p = 0;
        if (stuff[0] == '!') {
          e.negate = true;
          p = 1;
        }
        while (p < stuff.size()) {
          if (p + 2 < stuff.size() && stuff[p + 1] == '-') {
            // A reversed range is empty, as fnmatch drops it.
            if (stuff[p] <= stuff[p + 2]) e.ranges.push_back({stuff[p], stuff[p + 2]});
            p += 3;
          } else {
            e.ranges.push_back({stuff[p], stuff[p]});
            ++p;
          }
        }
      }
      out.push_back(e);
    } else {
      out.push_back(Element::make(Element::kLiteral, c));
    }
  }
  return out;
}

bool match_from(const std::vector<Element>& pat, size_t pi, const std::vector<uint32_t>& s, size_t si) {
  // Iterative wildcard matching with backtracking to the last star.
  size_t star_p = std::string::npos, star_s = 0;
  while (si < s.size()) {
    if (pi < pat.size() && pat[pi].kind == Element::kStar) {
      star_p = pi++;
      star_s = si;
    } else if (pi < pat.size() && pat[pi].match(s[si])) {
      ++pi;
      ++si;
    } else if (star_p != std::string::npos) {
      pi = star_p + 1;
      si = ++star_s;
    } else {
      return false;
    }
  }
  while (pi < pat.size() && pat[pi].kind == Element::kStar) ++pi;
  return pi == pat.size();
}

bool has_magic(std::string_view s) { return s.find_first_of("*?[") != std::string_view::npos; }

std::vector<std::string> listdir(exec::FileSystem& fs, const std::string& dirname, bool dironly) {
  std::vector<exec::DirEntry> entries;
  std::vector<std::string> names;
  if (fs.list_dir(dirname.empty() ? "." : dirname, &entries) != 0) return names;
  for (auto& e : entries) {
    // Python's scandir is_dir() follows symlinks, as stat() does.
    if (dironly && !py_isdir(fs, py_join(dirname, e.name))) continue;
    names.push_back(std::move(e.name));
  }
  return names;
}

std::vector<std::string> glob1(exec::FileSystem& fs, const std::string& dirname, const std::string& pattern,
                               bool dironly) {
  std::vector<std::string> out;
  auto compiled = compile(code_points(pattern));
  bool pattern_hidden = !pattern.empty() && pattern[0] == '.';
  for (const auto& name : listdir(fs, dirname, dironly)) {
    if (!pattern_hidden && name[0] == '.') continue;
    if (match_from(compiled, 0, code_points(name), 0)) out.push_back(name);
  }
  return out;
}

std::vector<std::string> glob0(exec::FileSystem& fs, const std::string& dirname, const std::string& basename) {
  if (!basename.empty()) {
    if (py_lexists(fs, py_join(dirname, basename))) return {basename};
  } else if (py_isdir(fs, dirname)) {
    return {basename};
  }
  return {};
}

std::vector<std::string> iglob(exec::FileSystem& fs, const std::string& pathname, bool dironly) {
  auto [dirname, basename] = py_split(pathname);
  if (!has_magic(pathname)) {
    if (!basename.empty()) {
      if (py_lexists(fs, pathname)) return {pathname};
    } else if (py_isdir(fs, dirname)) {
      return {pathname};
    }
    return {};
  }
  if (dirname.empty()) return glob1(fs, "", basename, dironly);
  std::vector<std::string> dirs;
  if (dirname != pathname && has_magic(dirname)) {
    dirs = iglob(fs, dirname, true);
  } else {
    dirs = {dirname};
  }
  std::vector<std::string> out;
  for (const auto& d : dirs) {
    auto names = has_magic(basename) ? glob1(fs, d, basename, dironly) : glob0(fs, d, basename);
    for (const auto& name : names) out.push_back(py_join(d, name));
  }
  return out;
}

}  // namespace

bool py_fnmatch(std::string_view name, std::string_view pattern) {
  return match_from(compile(code_points(pattern)), 0, code_points(name), 0);
}

std::vector<std::string> py_glob(exec::FileSystem& fs, const std::string& pattern) {
  return iglob(fs, pattern, false);
}

std::vector<std::string> expand_glob(exec::FileSystem& fs, const Word& word, const std::string& cwd) {
  if (!word.glob) return {word.text};
  std::string abs = py_isabs(word.text) ? word.text : py_join(cwd, word.text);
  auto results = py_glob(fs, abs);
  if (results.empty()) return {word.text};
  std::sort(results.begin(), results.end());
  return results;
}

std::vector<std::string> expand_glob_expressions(exec::FileSystem& fs, const std::vector<Word>& args,
                                                 const std::string& cwd) {
  std::vector<std::string> out;
  if (args.empty()) return out;
  out.push_back(args[0].text);
  for (size_t i = 1; i < args.size(); ++i) {
    auto e = expand_glob(fs, args[i], cwd);
    out.insert(out.end(), e.begin(), e.end());
  }
  return out;
}

}  // namespace litbox::runner::sh
