// The pieces of Python's text model that lit's shell output depends on: str.isspace(),
// bytes.decode('utf-8', 'replace'), universal newlines, int() parsing, the unicode_escape codec.
// Strings are UTF-8 bytes throughout; "code point" below means a UTF-8 sequence.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "support/error.h"

namespace litbox::runner::sh {

/// Byte length of the Python whitespace character (str.isspace()) starting at s[pos], or 0.
size_t py_space_len(std::string_view s, size_t pos);

/// True if str.strip() of the UTF-8 text is empty.
bool py_str_blank(std::string_view s);

/// True if bytes.strip() is empty (ASCII whitespace only).
bool py_bytes_blank(std::string_view s);

/// str.split() with no separator: runs of Python whitespace separate, ends are stripped.
std::vector<std::string> py_split_whitespace(std::string_view s);

/// Appends the UTF-8 encoding of `cp` (surrogates are encoded as-is, like Python's
/// surrogatepass, which never happens for the text lit writes).
void append_utf8(std::string& out, uint32_t cp);

/// True if `s` is strict UTF-8 as Python decodes it (no surrogates, no overlongs).
bool utf8_valid(std::string_view s);

/// bytes.decode('utf-8', errors='replace'): each maximal invalid subpart becomes U+FFFD.
std::string utf8_decode_replace(std::string_view s);

/// bytes.decode('utf-8', errors='backslashreplace'): each invalid byte becomes \xNN.
std::string utf8_decode_backslashreplace(std::string_view s);

/// Universal newlines, as a text-mode reader sees them: "\r\n" and "\r" become "\n".
std::string universal_newlines(std::string_view s);

/// The first `n` code points of valid UTF-8 text; `truncated` says whether any were dropped.
std::string utf8_prefix(std::string_view s, size_t n, bool* truncated);

/// Python int(s, base) for base 8 or 10: surrounding whitespace, a sign, `0o` for base 8,
/// single underscores between digits. The error is Python's ValueError text, e.g.
/// "invalid literal for int() with base 10: 'abc'". Values saturate at the int64 range.
Expected<int64_t> py_int(std::string_view s, int base);

/// bytes.decode('unicode_escape') of the UTF-8 bytes of `s`, re-encoded as UTF-8: escapes
/// such as \n, \t, \x41, \101, \u00e9 are interpreted and every other byte is taken as a
/// Latin-1 character (so non-ASCII input is mangled exactly as lit's `echo -e` mangles it).
/// The error is the UnicodeDecodeError message lit would crash with.
Expected<std::string> unicode_escape_decode(std::string_view s);

}  // namespace litbox::runner::sh
