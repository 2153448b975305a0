#include "runner/substitutions.h"

#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <memory>
#include <unordered_map>

#include "support/feature_expr.h"
#include "support/python_regex.h"
#include "support/strings.h"

namespace litbox::runner {

namespace {

constexpr std::string_view kMarker = "#_MARKER_#";

std::string dirname(const std::string& p) {
  size_t s = p.rfind('/');
  if (s == std::string::npos) return "";
  if (s == 0) return "/";
  return p.substr(0, s);
}

std::string basename(const std::string& p) {
  size_t s = p.rfind('/');
  return s == std::string::npos ? p : p.substr(s + 1);
}

std::string realpath_or_self(const std::string& p) {
  char buf[PATH_MAX];
  if (::realpath(p.c_str(), buf)) return buf;
  return p;
}

// realpath() of a test's directories, which many tests share: resolved once per run (a path
// that does not exist yet, such as an Output dir before its first test, is not remembered).
const std::string& real_dir(const std::string& dir) {
  thread_local std::unordered_map<std::string, std::string> cache;
  auto it = cache.find(dir);
  if (it != cache.end()) return it->second;
  char buf[PATH_MAX];
  if (::realpath(dir.c_str(), buf)) return cache.emplace(dir, buf).first->second;
  thread_local std::string unresolved;
  unresolved = dir;
  return unresolved;
}

// realpath() of a file in a directory: the directory's, plus the name unless it is a symlink.
std::string real_file(const std::string& dir, const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0 || S_ISLNK(st.st_mode)) return realpath_or_self(path);
  return real_dir(dir) + "/" + basename(path);
}

// A compiled pattern, with a literal fast path for the common case (patterns such as
// "%s" or "%clang_cc1" that contain no regex syntax).
struct Pattern {
  bool literal = false;
  std::string text;  // the literal text, when literal
  std::optional<PyRegex> regex;
  std::string error;
};

bool is_literal_pattern(const std::string& p, std::string& literal) {
  literal.clear();
  for (size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '\\') {
      // An escaped punctuation character is that character.
      if (i + 1 < p.size() && !std::isalnum(static_cast<unsigned char>(p[i + 1]))) {
        literal += p[++i];
        continue;
      }
      return false;
    }
    if (std::string_view(".^$*+?()[]|").find(c) != std::string_view::npos) return false;
    if (c == '{' && i + 1 < p.size() && (std::isdigit(static_cast<unsigned char>(p[i + 1])) || p[i + 1] == ','))
      return false;
    literal += c;
  }
  return !literal.empty();
}

const Pattern& compiled(const std::string& pattern) {
  // Patterns repeat across every test of a suite: compile each once per run.
  static std::unordered_map<std::string, std::unique_ptr<Pattern>> cache;
  auto& slot = cache[pattern];
  if (!slot) {
    slot = std::make_unique<Pattern>();
    if (is_literal_pattern(pattern, slot->text)) {
      slot->literal = true;
    } else {
      auto re = PyRegex::compile(pattern);
      if (re) {
        slot->regex = *re;
      } else {
        slot->error = re.error().message;
      }
    }
  }
  return *slot;
}

bool has_template_escapes(const config::Substitution& s) {
  return !s.literal_replacement && s.replacement.find('\\') != std::string::npos;
}

// Applies one substitution to `line` in place (lit: re.sub(pattern, replacement, line)).
Status apply_one(const config::Substitution& s, const Pattern& p, std::string& line) {
  if (!p.error.empty()) return Error(p.error);
  if (p.literal) {
    if (line.find(p.text) == std::string::npos) return {};
    if (!has_template_escapes(s)) {
      line = replace_all(line, p.text, s.replacement);
      return {};
    }
    auto re = PyRegex::compile(regex_escape(p.text));
    auto r = re->sub(s.replacement, line);
    if (!r) return r.error();
    line = std::move(*r);
    return {};
  }
  if (!has_template_escapes(s)) {
    line = p.regex->sub_literal(s.replacement, line);
    return {};
  }
  auto r = p.regex->sub(s.replacement, line);
  if (!r) return r.error();
  line = std::move(*r);
  return {};
}

// lit hides "%%" behind a marker before each substitution (and turns it into "%" at the end).
void escape_percents_in_place(std::string& s) {
  if (s.find("%%") != std::string::npos) s = replace_all(s, "%%", kMarker);
}

std::string escape_percents(const std::string& s) {
  std::string out = s;
  escape_percents_in_place(out);
  return out;
}

// --- %if / %else, mirroring lit's recursive-descent parser -------------------------------

struct IfElseParser {
  const std::set<std::string>& features;

  static bool starts(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

  // Returns text up to (not including) the next "%if" (or "%}" when nested).
  static size_t text_end(std::string_view ln, bool nested) {
    size_t a = ln.find("%if");
    if (nested) {
      size_t b = ln.find("%}");
      if (b < a) a = b;
    }
    return a == std::string_view::npos ? ln.size() : a;
  }

  Status parse(std::string_view& ln, bool nested, std::string& result) {
    while (!ln.empty()) {
      if (nested && starts(ln, "%}")) break;
      if (starts(ln, "%if ")) {
        std::string_view rest = ln.substr(4);
        size_t open = rest.find("%{");
        if (open == std::string_view::npos) return Error(value_error("'%{' is missing for %if substitution"));
        std::string_view cond = rest.substr(0, open);
        if (!cond.empty()) {
          ln = rest.substr(open + 2);
          std::string branch_if, branch_else;
          if (auto st = parse(ln, true, branch_if); !st) return st;
          if (!starts(ln, "%}")) return Error(value_error("'%}' is missing for %if substitution"));
          ln.remove_prefix(2);
          // ^\s*%else\s*(%{)?
          std::string_view probe = lstrip(ln);
          if (starts(probe, "%else")) {
            probe.remove_prefix(5);
            probe = lstrip(probe);
            if (!starts(probe, "%{")) return Error(value_error("'%{' is missing for %else substitution"));
            ln = probe.substr(2);
            if (auto st = parse(ln, true, branch_else); !st) return st;
            if (!starts(ln, "%}")) return Error(value_error("'%}' is missing for %else substitution"));
            ln.remove_prefix(2);
          }
          auto expr = FeatureExpr::parse(cond);
          if (!expr) return Error(value_error(expr.error().message));
          result += expr->evaluate(features) ? branch_if : branch_else;
          continue;
        }
      }
      // Plain text up to the next %if / %}. A "%if" not followed by a space is text
      // (lit would loop forever on it; taking it as text is the only sane reading).
      size_t end = text_end(ln, nested);
      if (end == 0) end = starts(ln, "%}") ? 0 : 3;
      if (end == 0) break;
      result.append(ln.substr(0, end));
      ln.remove_prefix(end);
    }
    return {};
  }
};

}  // namespace

TestPaths test_paths(const std::string& source_path, const std::string& exec_path) {
  TestPaths p;
  p.source_path = source_path;
  p.source_dir = dirname(source_path);
  p.tmp_dir = dirname(exec_path) + "/Output";
  p.tmp_base = p.tmp_dir + "/" + basename(exec_path);
  return p;
}

std::vector<config::Substitution> test_substitutions(const config::SuiteConfig& config, const TestPaths& paths) {
  std::vector<config::Substitution> subs = config.substitutions;
  subs.reserve(subs.size() + 48);
  // The built-in patterns are the same, in the same order, for every test: escaped once.
  thread_local std::vector<std::string> escaped;
  size_t k = 0;
  auto add = [&](const std::string& pat, std::string repl) {
    if (k == escaped.size()) escaped.push_back(regex_escape(pat));
    subs.push_back({escaped[k++], std::move(repl), true});
  };
  const std::string tmp_name = paths.tmp_base + ".tmp";
  add("%s", paths.source_path);
  add("%S", paths.source_dir);
  add("%p", paths.source_dir);
  add("%{pathsep}", ":");
  add("%t", tmp_name);
  add("%basename_t", basename(paths.tmp_base));
  add("%T", paths.tmp_dir);
  add("%{fs-src-root}", "/");
  add("%{fs-tmp-root}", "/");
  add("%{fs-sep}", "/");
  // Newer lit's %{x:basename}, %{x:stem}, %{x:real} families.
  std::string src_base = basename(paths.source_path);
  size_t dot = src_base.rfind('.');
  add("%{s:basename}", src_base);
  add("%{s:stem}", dot == std::string::npos || dot == 0 ? src_base : src_base.substr(0, dot));
  add("%{t:stem}", basename(paths.tmp_base));
  struct Letter {
    char c;
    std::string path;
  } letters[] = {{'s', paths.source_path}, {'S', paths.source_dir}, {'p', paths.source_dir},
                 {'t', tmp_name},          {'T', paths.tmp_dir}};
  for (const auto& l : letters) add(std::string("%/") + l.c, l.path);
  for (const auto& l : letters) {
    std::string r = replace_all(replace_all(l.path, "@", "\\@"), "&", "\\&");
    add(std::string("%{/") + l.c + ":regex_replacement}", r);
  }
  for (const auto& l : letters) add(std::string("%:") + l.c, l.path.empty() ? l.path : l.path.substr(1));
  for (const auto& l : letters) {
    std::string real = l.c == 't'   ? real_dir(paths.tmp_dir) + "/" + basename(tmp_name)
                       : l.c == 's' ? real_file(paths.source_dir, l.path)
                                    : real_dir(l.path);
    add(std::string("%{") + l.c + ":real}", real);
    add(std::string("%{/") + l.c + ":real}", real);
  }
  return subs;
}

Expected<std::string> substitute_if_else(const std::string& line, const std::set<std::string>& features) {
  if (line.find("%if ") == std::string::npos) return line;
  IfElseParser p{features};
  std::string_view ln = line;
  std::string out;
  if (auto st = p.parse(ln, false, out); !st) return st.error();
  return out;
}

Expected<std::vector<std::string>> apply_substitutions(const std::vector<ScriptEntry>& script,
                                                       std::vector<config::Substitution> subs,
                                                       const std::set<std::string>& features,
                                                       std::optional<int> recursion_limit) {
  // The compiled patterns of `subs`, looked up once per script (and again after a DEFINE).
  std::vector<const Pattern*> patterns;
  auto process_line = [&](const std::string& in) -> Expected<std::string> {
    auto ln = substitute_if_else(escape_percents(in), features);
    if (!ln) return ln;
    std::string cur = std::move(*ln);
    if (patterns.size() != subs.size()) {
      patterns.clear();
      for (const auto& s : subs) patterns.push_back(&compiled(s.pattern));
    }
    for (size_t i = 0; i < subs.size(); ++i) {
      escape_percents_in_place(cur);
      if (auto st = apply_one(subs[i], *patterns[i], cur); !st) return st.error();
    }
    return std::string(strip(cur));
  };

  std::vector<std::string> out;
  for (const auto& e : script) {
    if (e.kind != ScriptEntry::kRun) {
      // DEFINE / REDEFINE, with lit's checks and messages.
      const char* kw = e.kind == ScriptEntry::kDefine ? "DEFINE:" : "REDEFINE:";
      std::vector<size_t> existing;
      for (size_t i = 0; i < subs.size(); ++i)
        if (subs[i].pattern.find(e.name) != std::string::npos) existing.push_back(i);
      std::string existing_res;
      for (size_t i : existing) existing_res += "\nExisting pattern: " + subs[i].pattern;
      if (e.kind == ScriptEntry::kDefine) {
        if (!existing.empty())
          return Error("Substitution whose pattern contains '" + e.name + "' is already defined before '" + kw +
                       "' directive " + e.location() + existing_res);
        subs.insert(subs.begin(), {e.name, e.text, true});
        patterns.clear();
        continue;
      }
      if (existing.size() > 1)
        return Error("Multiple substitutions whose patterns contain '" + e.name + "' are defined before '" + kw +
                     "' directive " + e.location() + existing_res);
      if (existing.empty())
        return Error("No substitution for '" + e.name + "' is defined before '" + kw + "' directive " + e.location());
      if (subs[existing[0]].pattern != e.name)
        return Error("Existing substitution whose pattern contains '" + e.name +
                     "' does not have the pattern specified by '" + kw + "' directive " + e.location() +
                     "\nExpected pattern: " + e.name + existing_res);
      subs[existing[0]] = {e.name, e.text, true};
      patterns.clear();
      continue;
    }
    Expected<std::string> r = process_line(e.text);
    if (r && recursion_limit) {
      std::string ln = e.text;
      int steps = 0;
      while (r && *r != ln && steps < *recursion_limit) {
        ln = *r;
        r = process_line(ln);
        ++steps;
      }
      if (r && *r != ln)
        return Error(value_error("Recursive substitution of '" + e.text +
                                 "' did not complete in the provided recursion limit (" +
                                 std::to_string(*recursion_limit) + ")"));
    }
    if (!r) return r.error();
    out.push_back(replace_all(*r, kMarker, "%"));
  }
  return out;
}

std::string value_error(std::string_view message) { return "ValueError: " + std::string(message); }

}  // namespace litbox::runner
