#include "runner/sh/py_text.h"

#include <cstdio>
#include <limits>

#include "support/strings.h"

namespace litbox::runner::sh {

namespace {

// Decodes one UTF-8 sequence at s[i] with Python's strictness. Returns its length; on an
// invalid sequence returns 0 and sets *bad to the length of the maximal invalid subpart
// (what Python's decoder reports as one error range).
size_t decode_at(std::string_view s, size_t i, uint32_t* cp, size_t* bad) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b0 = b(i);
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  size_t need;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    *bad = 1;
    return 0;
  }
  uint32_t v = b0 & (need == 1 ? 0x1F : need == 2 ? 0x0F : 0x07);
  for (size_t k = 1; k <= need; ++k) {
    if (i + k >= s.size()) {
      *bad = k;
      return 0;
    }
    unsigned char c = b(i + k);
    unsigned char l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
    if (c < l || c > h) {
      *bad = k;
      return 0;
    }
    v = (v << 6) | (c & 0x3F);
  }
  *cp = v;
  return need + 1;
}

bool is_py_space(uint32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0 ||
         cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
         cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

}  // namespace

size_t py_space_len(std::string_view s, size_t pos) {
  if (pos >= s.size()) return 0;
  uint32_t cp;
  size_t bad;
  size_t n = decode_at(s, pos, &cp, &bad);
  return n && is_py_space(cp) ? n : 0;
}

bool py_str_blank(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t n = py_space_len(s, i);
    if (!n) return false;
    i += n;
  }
  return true;
}

bool py_bytes_blank(std::string_view s) {
  for (char c : s)
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\v' && c != '\f') return false;
  return true;
}

std::vector<std::string> py_split_whitespace(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  bool in_word = false;
  for (size_t i = 0; i < s.size();) {
    if (size_t n = py_space_len(s, i)) {
      if (in_word) out.push_back(std::move(cur));
      cur.clear();
      in_word = false;
      i += n;
    } else {
      cur += s[i++];
      in_word = true;
    }
  }
  if (in_word) out.push_back(std::move(cur));
  return out;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool utf8_valid(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    uint32_t cp;
    size_t bad;
    size_t n = decode_at(s, i, &cp, &bad);
    if (!n) return false;
    i += n;
  }
  return true;
}

std::string utf8_decode_replace(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    uint32_t cp;
    size_t bad = 0;
    size_t n = decode_at(s, i, &cp, &bad);
    if (n) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += "\xEF\xBF\xBD";
      i += bad;
    }
  }
  return out;
}

std::string utf8_decode_backslashreplace(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    uint32_t cp;
    size_t bad = 0;
    size_t n = decode_at(s, i, &cp, &bad);
    if (n) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      for (size_t k = 0; k < bad; ++k) {
        char buf[8];
        snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(s[i + k]));
        out += buf;
      }
      i += bad;
    }
  }
  return out;
}

std::string universal_newlines(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r') {
      out += '\n';
      if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string utf8_prefix(std::string_view s, size_t n, bool* truncated) {
  size_t i = 0, count = 0;
  while (i < s.size() && count < n) {
    uint32_t cp;
    size_t bad = 0;
    size_t len = decode_at(s, i, &cp, &bad);
    i += len ? len : bad;
    ++count;
  }
  *truncated = i < s.size();
  return std::string(s.substr(0, i));
}

Expected<int64_t> py_int(std::string_view s, int base) {
  auto fail = [&]() -> Expected<int64_t> {
    return Error("invalid literal for int() with base " + std::to_string(base) + ": " + py_repr(s));
  };
  size_t b = 0, e = s.size();
  while (b < e && py_space_len(s, b)) b += py_space_len(s, b);
  // Trailing whitespace: walk code points forward to find where the trailing run starts.
  {
    size_t i = b, last_non_space_end = b;
    while (i < e) {
      size_t n = py_space_len(s, i);
      if (n) {
        i += n;
      } else {
        ++i;
        last_non_space_end = i;
      }
    }
    e = last_non_space_end;
  }
  std::string_view t = s.substr(b, e - b);
  bool neg = false;
  if (!t.empty() && (t[0] == '+' || t[0] == '-')) {
    neg = t[0] == '-';
    t.remove_prefix(1);
  }
  bool after_prefix = false;
  if (base == 8 && t.size() >= 2 && t[0] == '0' && (t[1] == 'o' || t[1] == 'O')) {
    t.remove_prefix(2);
    after_prefix = true;  // "0o_7" is valid: an underscore may follow the prefix
  }
  if (t.empty()) return fail();
  unsigned __int128 v = 0;
  bool prev_digit = after_prefix;
  bool any = false;
  for (size_t i = 0; i < t.size(); ++i) {
    char c = t[i];
    if (c == '_') {
      if (!prev_digit || i + 1 == t.size()) return fail();
      prev_digit = false;
      continue;
    }
    int d = (c >= '0' && c <= '9') ? c - '0' : 99;
    if (d >= base) return fail();
    if (v < (static_cast<unsigned __int128>(1) << 100)) v = v * base + d;
    prev_digit = true;
    any = true;
  }
  if (!any) return fail();
  const auto max = static_cast<unsigned __int128>(std::numeric_limits<int64_t>::max());
  if (v > max) v = max;
  int64_t r = static_cast<int64_t>(v);
  return neg ? -r : r;
}

Expected<std::string> unicode_escape_decode(std::string_view s) {
  std::string out;
  auto error = [&](size_t start, size_t end, const char* why) -> Expected<std::string> {
    char byte[16];
    snprintf(byte, sizeof byte, "byte 0x%02x", static_cast<unsigned char>(s[start]));
    std::string pos = end - start > 1 ? "bytes in position " + std::to_string(start) + "-" + std::to_string(end - 1)
                                      : std::string(byte) + " in position " + std::to_string(start);
    return Error("UnicodeDecodeError: 'unicodeescape' codec can't decode " + pos + ": " + why);
  };
  auto hexval = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    if (c != '\\') {
      append_utf8(out, c);  // Latin-1
      ++i;
      continue;
    }
    size_t start = i++;
    if (i >= s.size()) return error(start, s.size(), "\\ at end of string");
    char e = s[i++];
    switch (e) {
      case '\n': break;
      case '\\': out += '\\'; break;
      case '\'': out += '\''; break;
      case '"': out += '"'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 't': out += '\t'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 'v': out += '\v'; break;
      case 'a': out += '\a'; break;
      case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
        uint32_t v = e - '0';
        for (int k = 0; k < 2 && i < s.size() && s[i] >= '0' && s[i] <= '7'; ++k) v = v * 8 + (s[i++] - '0');
        append_utf8(out, v);
        break;
      }
      case 'x': case 'u': case 'U': {
        int digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        uint32_t v = 0;
        for (int k = 0; k < digits; ++k) {
          int h = i < s.size() ? hexval(s[i]) : -1;
          if (h < 0) {
            const char* why = e == 'x' ? "truncated \\xXX escape" : e == 'u' ? "truncated \\uXXXX escape"
                                                                              : "truncated \\UXXXXXXXX escape";
            return error(start, i, why);
          }
          v = v * 16 + h;
          ++i;
        }
        if (v > 0x10FFFF) return error(start, i, "illegal Unicode character");
        append_utf8(out, v);
        break;
      }
      case 'N':
        // Named escapes need the Unicode name database, which litbox does not carry.
        return error(start, i, "unknown Unicode character name");
      default:
        out += '\\';
        append_utf8(out, static_cast<unsigned char>(e));
        break;
    }
  }
  return out;
}

}  // namespace litbox::runner::sh
