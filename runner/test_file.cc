#include "runner/test_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "support/feature_expr.h"
#include "support/strings.h"

namespace litbox::runner {

namespace {

constexpr std::string_view kKeywords[] = {"RUN:", "XFAIL:", "REQUIRES:", "UNSUPPORTED:", "ALLOW_RETRIES:",
                                          "END.", "DEFINE:", "REDEFINE:"};

bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : 4;
    if (n == 4) return false;  // not a valid lead byte
    if (i + n >= s.size()) return false;  // truncated sequence
    for (size_t k = 1; k <= n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    i += n + 1;
  }
  return true;
}

// Python int(): optional sign, digits, surrounding whitespace, '_' between digits.
std::optional<int> py_int(std::string_view s) {
  s = strip(s);
  std::string digits;
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  bool last_digit = false;
  for (; i < s.size(); ++i) {
    if (std::isdigit(static_cast<unsigned char>(s[i]))) {
      digits += s[i];
      last_digit = true;
    } else if (s[i] == '_' && last_digit && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
      last_digit = false;
    } else {
      return std::nullopt;
    }
  }
  if (digits.empty()) return std::nullopt;
  int v = 0;
  auto r = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (r.ec != std::errc()) return std::nullopt;
  return neg ? -v : v;
}

// Expands %(line), %(line+N), %(line-N) (spaces allowed around the sign).
std::string expand_line_numbers(std::string_view text, int line) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    if (text.substr(i, 6) == "%(line") {
      size_t j = i + 6;
      if (j < text.size() && text[j] == ')') {
        out += std::to_string(line);
        i = j + 1;
        continue;
      }
      size_t k = j;
      while (k < text.size() && text[k] == ' ') ++k;
      if (k < text.size() && (text[k] == '+' || text[k] == '-')) {
        char sign = text[k++];
        while (k < text.size() && text[k] == ' ') ++k;
        size_t d = k;
        while (k < text.size() && std::isdigit(static_cast<unsigned char>(text[k]))) ++k;
        // (Python's int is unbounded; 18 digits are plenty for a line offset and cannot
        // overflow here.)
        if (k > d && k < text.size() && text[k] == ')' && k - d <= 18) {
          long long n = std::stoll(std::string(text.substr(d, k - d)));
          out += std::to_string(sign == '+' ? line + n : line - n);
          i = k + 1;
          continue;
        }
      }
    }
    out += text[i++];
  }
  return out;
}

bool needs_subst_continuation(const std::string& body) {
  std::string_view r = rstrip(body);
  return !r.empty() && r.back() == '\\';
}

// Validates a complete DEFINE/REDEFINE body and splits it into name and value.
Status parse_subst_body(ScriptEntry& e, const std::string& body) {
  size_t eq = body.find('=');
  if (eq == std::string::npos) return Error("Substitution's definition does not contain '='");
  e.name = std::string(strip(std::string_view(body).substr(0, eq)));
  e.text = std::string(strip(std::string_view(body).substr(eq + 1)));
  const std::string& n = e.name;
  bool ok = n.size() >= 4 && starts_with(n, "%{") && n.back() == '}' &&
            (std::isalpha(static_cast<unsigned char>(n[2])) || n[2] == '_');
  for (size_t i = 3; ok && i + 1 < n.size(); ++i) {
    char c = n[i];
    ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == ':';
  }
  if (!ok)
    return Error("Substitution name '" + n +
                 "' is malformed as it must start with '%{', it must end with '}', and the rest must start "
                 "with a letter or underscore and contain only alphanumeric characters, hyphens, "
                 "underscores, and colons");
  return {};
}

// Accumulates a BOOLEAN_EXPR keyword's expressions, with lit's continuation rule.
Status add_bool_exprs(std::vector<std::string>& out, std::vector<int>& lines, std::string_view payload, int line) {
  std::vector<std::string> parts;
  for (auto& p : split(payload, ',')) {
    auto s = strip(p);
    if (!s.empty()) parts.emplace_back(s);
  }
  size_t first = 0;
  if (!out.empty() && !out.back().empty() && out.back().back() == '\\') {
    if (parts.empty()) return Error("list index out of range");
    out.back().pop_back();
    out.back() += parts[0];
    first = 1;
  }
  for (size_t i = first; i < parts.size(); ++i) {
    out.push_back(parts[i]);
    lines.push_back(line);
  }
  for (const auto& s : out) {
    if (s == "*" || s.back() == '\\') continue;
    auto e = FeatureExpr::parse(s);
    if (!e) return e.error();
  }
  return {};
}

}  // namespace

std::string ScriptEntry::location() const {
  if (start_line == end_line) return "at line " + std::to_string(start_line);
  return "from line " + std::to_string(start_line) + " to " + std::to_string(end_line);
}

Expected<TestScript> parse_test_file(std::string_view data, bool require_script, bool define_directives) {
  ParseOptions o;
  o.require_script = require_script;
  o.define_directives = define_directives;
  return parse_test_file(data, o);
}

Expected<TestScript> parse_test_file(std::string_view data, const ParseOptions& options) {
  const bool require_script = options.require_script;
  TestScript ts;
  int line = 1;
  size_t pos = 0;        // scan position
  size_t counted = 0;    // newlines counted up to here
  ScriptEntry* open_subst = nullptr;  // DEFINE/REDEFINE waiting for a continuation
  std::string subst_body;
  std::string_view open_subst_kw;

  // Next occurrence of each keyword; refreshed only when the scan has passed it, so the
  // whole file is scanned a bounded number of times.
  // DEFINE: and REDEFINE: come last in kKeywords; lit before 16 does not know them.
  // A format's own keywords follow the built-in ones.
  std::vector<std::string_view> keywords(std::begin(kKeywords), std::end(kKeywords) - (options.define_directives ? 0 : 2));
  const size_t num_builtin = keywords.size();
  for (const auto& k : options.list_keywords) keywords.push_back(k);
  const size_t kNumKeywords = keywords.size();
  std::vector<size_t> next(kNumKeywords);
  for (size_t k = 0; k < kNumKeywords; ++k) next[k] = data.find(keywords[k]);
  while (pos < data.size()) {
    // The leftmost keyword wins; at one position the keyword list order decides, as in
    // lit's regex alternation.
    size_t best = std::string_view::npos;
    std::string_view kw;
    size_t kw_index = 0;
    for (size_t k = 0; k < kNumKeywords; ++k) {
      if (next[k] != std::string_view::npos && next[k] < pos) next[k] = data.find(keywords[k], pos);
      if (next[k] < best) {
        best = next[k];
        kw = keywords[k];
        kw_index = k;
      }
    }
    if (best == std::string_view::npos) break;
    size_t eol = data.find('\n', best);
    if (eol == std::string_view::npos) eol = data.size();  // lit appends the missing '\n'
    for (size_t i = counted; i < best; ++i)
      if (data[i] == '\n') ++line;
    counted = best;
    std::string_view payload = data.substr(best + kw.size(), eol - best - kw.size());
    if (!payload.empty() && payload.back() == '\r') payload.remove_suffix(1);
    pos = eol + 1;
    if (!valid_utf8(payload))
      return Error("directive '" + std::string(kw) + "' on test line " + std::to_string(line) +
                   " is not valid UTF-8 (is this a binary file?)");
    auto wrap = [&](const Error& e) {
      return Error(e.message + "\nin " + std::string(kw) + " directive on test line " + std::to_string(line));
    };

    // A pending DEFINE/REDEFINE continuation must be continued by the same keyword.
    if (open_subst && kw == open_subst_kw) {
      if (strip(payload).empty()) return wrap(Error("Substitution's continuation is empty"));
      std::string_view r = rstrip(subst_body);
      r.remove_suffix(1);
      subst_body = std::string(rstrip(r)) + " " + std::string(lstrip(payload));
      open_subst->end_line = line;
      if (!needs_subst_continuation(subst_body)) {
        if (auto st = parse_subst_body(*open_subst, subst_body); !st) return wrap(st.error());
        open_subst = nullptr;
      }
      continue;
    }
    if (open_subst)
      return Error("Test has unterminated '" + std::string(open_subst_kw) + "' directive (with '\\') " +
                   open_subst->location());

    if (kw_index >= num_builtin) {
      // lit's LIST kind: the items of every such line, in file order.
      auto& list = ts.lists[std::string(kw)];
      for (const auto& item : split(std::string(payload), ',')) list.emplace_back(strip(item));
    } else if (kw == "RUN:") {
      std::string cmd = expand_line_numbers(rstrip(payload), line);
      if (!ts.script.empty() && ts.script.back().kind == ScriptEntry::kRun && !ts.script.back().text.empty() &&
          ts.script.back().text.back() == '\\') {
        auto& prev = ts.script.back();
        prev.text.pop_back();
        prev.text += cmd;
        prev.end_line = line;
      } else {
        ScriptEntry e;
        e.kind = ScriptEntry::kRun;
        e.start_line = e.end_line = line;
        e.text = "%dbg(RUN: at line " + std::to_string(line) + ") " + cmd;
        ts.script.push_back(std::move(e));
      }
    } else if (kw == "XFAIL:") {
      if (auto st = add_bool_exprs(ts.xfails, ts.xfail_lines, payload, line); !st) return wrap(st.error());
    } else if (kw == "REQUIRES:") {
      if (auto st = add_bool_exprs(ts.requires_, ts.requires_lines, payload, line); !st) return wrap(st.error());
    } else if (kw == "UNSUPPORTED:") {
      if (auto st = add_bool_exprs(ts.unsupported, ts.unsupported_lines, payload, line); !st)
        return wrap(st.error());
    } else if (kw == "ALLOW_RETRIES:") {
      auto n = py_int(payload);
      if (!n)
        return wrap(Error("INTEGER parser requires the input to be an integer (got " + std::string(payload) + ")"));
      if (ts.allowed_retries) return Error("Test has more than one ALLOW_RETRIES lines");
      ts.allowed_retries = *n;
    } else if (kw == "END.") {
      if (strip(payload).empty()) break;
    } else {  // DEFINE: / REDEFINE:
      ScriptEntry e;
      e.kind = kw == "DEFINE:" ? ScriptEntry::kDefine : ScriptEntry::kRedefine;
      e.start_line = e.end_line = line;
      ts.script.push_back(std::move(e));
      subst_body = expand_line_numbers(payload, line);
      if (needs_subst_continuation(subst_body)) {
        open_subst = &ts.script.back();
        open_subst_kw = kw;
      } else if (auto st = parse_subst_body(ts.script.back(), subst_body); !st) {
        return wrap(st.error());
      }
    }
  }
  if (open_subst)
    return Error("Test has unterminated '" + std::string(open_subst_kw) + "' directive (with '\\') " +
                 open_subst->location());

  bool has_run = false;
  for (const auto& e : ts.script) has_run = has_run || e.kind == ScriptEntry::kRun;
  if (require_script && !has_run) return Error("Test has no 'RUN:' line");
  for (auto it = ts.script.rbegin(); it != ts.script.rend(); ++it) {
    if (it->kind != ScriptEntry::kRun) continue;
    if (!it->text.empty() && it->text.back() == '\\') return Error("Test has unterminated 'RUN:' lines (with '\\')");
    break;
  }
  auto unterminated = [](const std::vector<std::string>& v) { return !v.empty() && v.back().back() == '\\'; };
  if (unterminated(ts.xfails)) return Error("Test has unterminated 'XFAIL:' lines (with '\\')");
  if (unterminated(ts.requires_)) return Error("Test has unterminated 'REQUIRES:' lines (with '\\')");
  if (unterminated(ts.unsupported)) return Error("Test has unterminated 'UNSUPPORTED:' lines (with '\\')");
  return ts;
}

Expected<TestScript> read_test_file(const std::string& path, bool require_script, bool define_directives) {
  ParseOptions o;
  o.require_script = require_script;
  o.define_directives = define_directives;
  return read_test_file(path, o);
}

Expected<TestScript> read_test_file(const std::string& path, const ParseOptions& options) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error("cannot read test file '" + path + "': " + strerror(errno));
  std::string data;
  struct stat st;
  if (fstat(fd, &st) == 0 && st.st_size > 0) data.reserve(static_cast<size_t>(st.st_size));
  char buf[65536];
  while (true) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      close(fd);
      return Error("cannot read test file '" + path + "': " + strerror(e));
    }
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  auto r = parse_test_file(data, options);
  if (!r && starts_with(r.error().message, "directive '")) return Error(path + ": " + r.error().message);
  return r;
}

}  // namespace litbox::runner
