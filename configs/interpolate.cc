#include "configs/interpolate.h"

#include <cctype>
#include <cstdlib>
#include <vector>

#include "configs/suggest.h"

namespace litbox::config {

namespace {

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
}

bool is_valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name)
    if (!is_name_char(c)) return false;
  return true;
}

}  // namespace

bool needs_interpolation(std::string_view text) {
  size_t p = text.find('$');
  while (p != std::string_view::npos) {
    if (p + 1 < text.size() && (text[p + 1] == '{' || text[p + 1] == '$')) return true;
    p = text.find('$', p + 1);
  }
  return false;
}

std::vector<std::string> referenced_parameters(std::string_view text) {
  std::vector<std::string> names;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] != '$') continue;
    if (text[i + 1] == '$') {
      ++i;
      continue;
    }
    if (text[i + 1] != '{') continue;
    size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) break;
    std::string_view ref = text.substr(i + 2, close - i - 2);
    if (ref.substr(0, 4) != "env:") names.emplace_back(ref);
    i = close;
  }
  return names;
}

namespace {

Expected<std::string> interpolate_impl(std::string_view text, const std::map<std::string, std::string>& params,
                                       bool defer_path) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c != '$' || i + 1 >= text.size() || (text[i + 1] != '{' && text[i + 1] != '$')) {
      out += c;
      ++i;
      continue;
    }
    if (text[i + 1] == '$') {
      out += '$';
      i += 2;
      continue;
    }
    size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos)
      return Error("unterminated '${' in '" + std::string(text) + "'");
    std::string_view ref = text.substr(i + 2, close - i - 2);
    std::string_view whole = text.substr(i, close - i + 1);
    if (ref.substr(0, 4) == "env:") {
      std::string_view var = ref.substr(4);
      if (!is_valid_name(var))
        return Error("invalid environment variable name in '" + std::string(whole) + "'");
      if (defer_path && var == "PATH") {
        out += kBasePathMarker;
      } else if (const char* value = std::getenv(std::string(var).c_str())) {
        out += value;
      }
    } else {
      if (!is_valid_name(ref)) return Error("invalid parameter name in '" + std::string(whole) + "'");
      auto it = params.find(std::string(ref));
      if (it == params.end()) {
        std::vector<std::string> names;
        for (const auto& [name, value] : params) names.push_back(name);
        std::string hint = did_you_mean(ref, names);
        if (hint.empty()) hint = " (define it in params: or with -D " + std::string(ref) + "=VALUE)";
        return Error("unknown parameter '" + std::string(ref) + "' in '" + std::string(text) + "'" + hint);
      }
      out += it->second;
    }
    i = close + 1;
  }
  return out;
}

}  // namespace

Expected<std::string> interpolate(std::string_view text, const std::map<std::string, std::string>& params) {
  return interpolate_impl(text, params, false);
}

Expected<std::string> interpolate_deferring_path(std::string_view text,
                                                 const std::map<std::string, std::string>& params) {
  return interpolate_impl(text, params, true);
}

std::string expand_base_path(std::string_view value, std::string_view base_path) {
  std::string out;
  size_t from = 0;
  for (size_t at; (at = value.find(kBasePathMarker, from)) != std::string_view::npos;
       from = at + kBasePathMarker.size()) {
    out.append(value.substr(from, at - from));
    out.append(base_path);
  }
  out.append(value.substr(from));
  return out;
}

}  // namespace litbox::config
