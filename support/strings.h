// Small string helpers shared by every library.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace litbox {

/// Python str.strip() over ASCII whitespace.
std::string_view strip(std::string_view s);
std::string_view lstrip(std::string_view s);
std::string_view rstrip(std::string_view s);
/// Splits on every occurrence of `sep` (Python str.split(sep)).
std::vector<std::string> split(std::string_view s, char sep);
bool starts_with(std::string_view s, std::string_view prefix);
bool ends_with(std::string_view s, std::string_view suffix);
/// Joins with `sep`.
std::string join(const std::vector<std::string>& parts, std::string_view sep);
/// Python repr() of a str (single quotes unless the text has ' and no ").
std::string py_repr(std::string_view s);
/// Python repr() of a bytes object: b'...', every byte >= 0x7f as \xNN.
std::string py_bytes_repr(std::string_view s);
/// Replaces every occurrence of `from` with `to`.
std::string replace_all(std::string_view s, std::string_view from, std::string_view to);

}  // namespace litbox
