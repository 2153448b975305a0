#include "support/python_regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <cctype>

namespace litbox {

struct PyRegex::Code {
  pcre2_code* code = nullptr;
  ~Code() { pcre2_code_free(code); }
};

namespace {

// Python spells "end of subject" \Z; PCRE2 spells it \z (PCRE2's \Z also matches before a
// final newline). Everything else lit's configs use is the same in both dialects.
std::string translate(std::string_view p) {
  std::string out;
  out.reserve(p.size());
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '\\' && i + 1 < p.size()) {
      if (p[i + 1] == 'Z') {
        out += "\\z";
      } else {
        out += p[i];
        out += p[i + 1];
      }
      ++i;
      continue;
    }
    out += p[i];
  }
  return out;
}

struct MatchData {
  pcre2_match_data* md;
  explicit MatchData(const pcre2_code* code) : md(pcre2_match_data_create_from_pattern(code, nullptr)) {}
  ~MatchData() { pcre2_match_data_free(md); }
};

// Expands a Python replacement template for one match. Returns false on a bad template.
bool expand_template(std::string_view repl, std::string_view subject, const pcre2_code* code,
                     pcre2_match_data* md, std::string& out, std::string& err) {
  PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
  uint32_t groups = 0;
  pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &groups);
  auto group = [&](uint32_t n) -> bool {
    if (n > groups) {
      err = "invalid group reference " + std::to_string(n);
      return false;
    }
    if (ov[2 * n] != PCRE2_UNSET) out.append(subject.substr(ov[2 * n], ov[2 * n + 1] - ov[2 * n]));
    return true;
  };
  for (size_t i = 0; i < repl.size(); ++i) {
    char c = repl[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    if (i + 1 >= repl.size()) {
      err = "bad escape (end of pattern)";
      return false;
    }
    char n = repl[++i];
    if (std::isdigit(static_cast<unsigned char>(n))) {
      uint32_t num = n - '0';
      if (i + 1 < repl.size() && std::isdigit(static_cast<unsigned char>(repl[i + 1]))) num = num * 10 + (repl[++i] - '0');
      if (num == 0) {
        out += '\0';
        continue;
      }
      if (!group(num)) return false;
      continue;
    }
    switch (n) {
      case 'g': {
        if (i + 1 >= repl.size() || repl[i + 1] != '<') {
          err = "missing <";
          return false;
        }
        size_t end = repl.find('>', i + 2);
        if (end == std::string_view::npos) {
          err = "missing >, unterminated name";
          return false;
        }
        std::string name(repl.substr(i + 2, end - i - 2));
        i = end;
        bool numeric = !name.empty();
        for (char d : name) numeric = numeric && std::isdigit(static_cast<unsigned char>(d));
        uint32_t num;
        if (numeric) {
          // No pattern has a billion groups: a longer number is an invalid reference, as in
          // Python (which reads it exactly; stoul would throw past 2^64).
          size_t digits = name.find_first_not_of('0');
          if (digits != std::string::npos && name.size() - digits > 9) {
            err = "invalid group reference " + name.substr(digits);
            return false;
          }
          num = static_cast<uint32_t>(std::stoul(name));
        } else {
          int r = pcre2_substring_number_from_name(code, reinterpret_cast<PCRE2_SPTR>(name.c_str()));
          if (r < 0) {
            err = "unknown group name '" + name + "'";
            return false;
          }
          num = static_cast<uint32_t>(r);
        }
        if (!group(num)) return false;
        break;
      }
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'f': out += '\f'; break;
      case 'v': out += '\v'; break;
      case 'a': out += '\a'; break;
      case 'b': out += '\b'; break;
      case '\\': out += '\\'; break;
      default:
        if (std::isalpha(static_cast<unsigned char>(n))) {
          err = std::string("bad escape \\") + n;
          return false;
        }
        out += '\\';
        out += n;
    }
  }
  return true;
}

template <typename Expand>
bool substitute(const pcre2_code* code, std::string_view text, std::string& out, Expand expand) {
  MatchData m(code);
  PCRE2_SIZE start = 0;
  size_t copied = 0;
  while (start <= text.size()) {
    int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), start, 0, m.md, nullptr);
    if (rc < 0) break;
    PCRE2_SIZE* ov = pcre2_get_ovector_pointer(m.md);
    out.append(text.substr(copied, ov[0] - copied));
    if (!expand(m.md)) return false;
    copied = ov[1];
    if (ov[1] == ov[0]) {
      // Empty match: copy one character and move on, as Python does.
      if (ov[1] >= text.size()) break;
      out += text[ov[1]];
      copied = ov[1] + 1;
      start = ov[1] + 1;
    } else {
      start = ov[1];
    }
  }
  if (copied < text.size()) out.append(text.substr(copied));
  return true;
}

}  // namespace

Expected<PyRegex> PyRegex::compile(std::string_view pattern, Options options) {
  std::string translated = translate(pattern);
  int errcode = 0;
  PCRE2_SIZE erroff = 0;
  uint32_t flags = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_UCP;
  if (options.ignore_case) flags |= PCRE2_CASELESS;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(translated.data()), translated.size(), flags,
                                   &errcode, &erroff, nullptr);
  if (!code) {
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(errcode, buf, sizeof buf);
    return Error{"invalid regex '" + std::string(pattern) + "': " + reinterpret_cast<char*>(buf) + " at position " +
                 std::to_string(erroff)};
  }
  pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
  PyRegex r;
  r.code_ = std::make_shared<Code>();
  r.code_->code = code;
  r.pattern_ = std::string(pattern);
  return r;
}

bool PyRegex::search(std::string_view text) const {
  MatchData m(code_->code);
  return pcre2_match(code_->code, reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), 0, 0, m.md, nullptr) >= 0;
}

bool PyRegex::full_match(std::string_view text) const {
  MatchData m(code_->code);
  return pcre2_match(code_->code, reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), 0,
                     PCRE2_ANCHORED | PCRE2_ENDANCHORED, m.md, nullptr) >= 0;
}

Expected<std::string> PyRegex::sub(std::string_view repl, std::string_view text) const {
  std::string out, err;
  bool ok = substitute(code_->code, text, out, [&](pcre2_match_data* md) {
    return expand_template(repl, text, code_->code, md, out, err);
  });
  if (!ok) return Error{"invalid replacement '" + std::string(repl) + "': " + err};
  return out;
}

std::string PyRegex::sub_literal(std::string_view repl, std::string_view text) const {
  std::string out;
  substitute(code_->code, text, out, [&](pcre2_match_data*) {
    out.append(repl);
    return true;
  });
  return out;
}

std::string regex_escape(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool special = std::string_view("\\.^$*+?()[]|").find(c) != std::string_view::npos;
    // '{' is only special where it could start a quantifier ({2}, {,3}); leaving "%{name}"
    // readable keeps lit's DEFINE/REDEFINE "pattern contains %{name}" checks working.
    if (c == '{' && i + 1 < text.size() && (std::isdigit(static_cast<unsigned char>(text[i + 1])) || text[i + 1] == ','))
      special = true;
    if (special) out += '\\';
    out += c;
  }
  return out;
}

}  // namespace litbox
