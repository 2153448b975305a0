#include "configs/yaml_reader.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <set>

#include "configs/interpolate.h"
#include "configs/size.h"
#include "configs/suggest.h"
#include "support/strings.h"

namespace litbox::config {

namespace {

std::string quote_key(std::string_view key) { return "'" + std::string(key) + "'"; }

}  // namespace

const char* file_kind_name(FileKind kind) {
  switch (kind) {
    case kSiteFile: return "lit.site.yaml";
    case kSuiteFile: return "lit.yaml";
    case kLocalFile: return "lit.local.yaml";
  }
  return "config";
}

Location location_of(const FileContext& ctx, const YAML::Node& node) {
  Location loc{ctx.path, 0, 0};
  YAML::Mark mark = node.Mark();
  // yaml-cpp marks are 0-based and -1 when unknown (a node it made up).
  if (mark.line >= 0) {
    loc.line = mark.line + 1;
    loc.column = mark.column + 1;
  }
  return loc;
}

Error error_at(const FileContext& ctx, const YAML::Node& node, std::string message) {
  return Error(std::move(message), location_of(ctx, node));
}

Expected<YAML::Node> parse_document(const FileContext& ctx, const std::string& text) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    Location loc{ctx.path, 0, 0};
    if (e.mark.line >= 0) loc = {ctx.path, e.mark.line + 1, e.mark.column + 1};
    return Error("malformed YAML: " + e.msg, loc);
  }
  if (!root.IsDefined() || root.IsNull()) return YAML::Node(YAML::NodeType::Map);
  if (!root.IsMap())
    return error_at(ctx, root, std::string("expected a map of keys at the top of ") + file_kind_name(ctx.kind));
  return root;
}

Status check_keys(const FileContext& ctx, const YAML::Node& node, const std::vector<std::string>& allowed,
                  std::string_view where) {
  if (!node.IsMap()) return error_at(ctx, node, "expected a map for " + std::string(where));
  std::set<std::string> seen;
  for (const auto& kv : node) {
    const YAML::Node key = kv.first;
    if (!key.IsScalar()) return error_at(ctx, key, "expected a string key in " + std::string(where));
    const std::string& name = key.Scalar();
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end())
      return error_at(ctx, key, "unknown key " + quote_key(name) + " in " + std::string(where) + did_you_mean(name, allowed));
    // yaml-cpp keeps duplicate keys; a second value would silently win, so refuse it.
    if (!seen.insert(name).second)
      return error_at(ctx, key, "duplicate key " + quote_key(name) + " in " + std::string(where));
  }
  return {};
}

Expected<std::string> read_string(const FileContext& ctx, const YAML::Node& node, std::string_view key) {
  if (node.IsNull()) return std::string();
  if (!node.IsScalar()) return error_at(ctx, node, "expected a string for " + quote_key(key));
  const std::string& raw = node.Scalar();
  if (!needs_interpolation(raw)) return raw;
  auto value = interpolate(raw, *ctx.params);
  if (!value) return error_at(ctx, node, value.error().message);
  return std::move(*value);
}

Expected<bool> read_bool(const FileContext& ctx, const YAML::Node& node, std::string_view key) {
  if (node.IsScalar()) {
    LITBOX_ASSIGN_OR_RETURN(text, read_string(ctx, node, key));
    static const std::set<std::string> kTrue = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"};
    static const std::set<std::string> kFalse = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"};
    if (kTrue.count(text)) return true;
    if (kFalse.count(text)) return false;
  }
  return error_at(ctx, node, "expected a boolean for " + quote_key(key));
}

Expected<int64_t> read_int(const FileContext& ctx, const YAML::Node& node, std::string_view key, int64_t min,
                           int64_t max) {
  if (!node.IsScalar()) return error_at(ctx, node, "expected an integer for " + quote_key(key));
  LITBOX_ASSIGN_OR_RETURN(text, read_string(ctx, node, key));
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ptr != text.data() + text.size() || ec == std::errc::invalid_argument)
    return error_at(ctx, node, "expected an integer for " + quote_key(key));
  if (ec == std::errc::result_out_of_range || value < min || value > max) {
    if (max == std::numeric_limits<int>::max())
      return error_at(ctx, node, quote_key(key) + " must be at least " + std::to_string(min));
    return error_at(ctx, node,
                    quote_key(key) + " must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return value;
}

Expected<double> read_number(const FileContext& ctx, const YAML::Node& node, std::string_view key) {
  if (!node.IsScalar()) return error_at(ctx, node, "expected a number for " + quote_key(key));
  LITBOX_ASSIGN_OR_RETURN(text, read_string(ctx, node, key));
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ptr != text.data() + text.size() || ec != std::errc() || !std::isfinite(value))
    return error_at(ctx, node, "expected a number for " + quote_key(key));
  if (value < 0) return error_at(ctx, node, quote_key(key) + " must be at least 0");
  return value;
}

Expected<uint64_t> read_size(const FileContext& ctx, const YAML::Node& node, std::string_view key) {
  if (!node.IsScalar()) return error_at(ctx, node, "expected a size for " + quote_key(key));
  LITBOX_ASSIGN_OR_RETURN(text, read_string(ctx, node, key));
  auto size = parse_size(text);
  if (!size) return error_at(ctx, node, size.error().message + " for " + quote_key(key));
  return *size;
}

Expected<uint64_t> read_count(const FileContext& ctx, const YAML::Node& node, std::string_view key) {
  if (node.IsScalar()) {
    LITBOX_ASSIGN_OR_RETURN(text, read_string(ctx, node, key));
    if (text == "unlimited") return uint64_t{0};
    uint64_t value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (!text.empty() && ec == std::errc() && ptr == text.data() + text.size()) return value;
  }
  return error_at(ctx, node, "expected a count or 'unlimited' for " + quote_key(key));
}

Expected<std::string> read_choice(const FileContext& ctx, const YAML::Node& node, std::string_view key,
                                  const std::vector<std::string>& choices) {
  LITBOX_ASSIGN_OR_RETURN(text, read_string(ctx, node, key));
  if (std::find(choices.begin(), choices.end(), text) != choices.end()) return text;
  return error_at(ctx, node,
                  "invalid value " + quote_key(text) + " for " + quote_key(key) + " (expected one of: " + join(choices, ", ") +
                      ")");
}

std::string resolve_path(const std::string& dir, const std::string& path) {
  namespace fs = std::filesystem;
  if (path.empty() || path[0] == '%') return path;
  std::string p = path;
  if (p == "~" || starts_with(p, "~/")) {
    const char* home = std::getenv("HOME");
    p = std::string(home ? home : "") + p.substr(1);
  }
  fs::path fp(p);
  if (fp.is_relative()) fp = fs::path(dir) / fp;
  std::string out = fp.lexically_normal().string();
  // lexically_normal keeps a trailing separator ("a/b/" → "a/b/"); paths compare better without.
  if (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

Expected<std::string> read_path(const FileContext& ctx, const YAML::Node& node, std::string_view key) {
  LITBOX_ASSIGN_OR_RETURN(text, read_string(ctx, node, key));
  return resolve_path(ctx.dir, text);
}

Expected<std::vector<std::string>> read_string_list(const FileContext& ctx, const YAML::Node& node,
                                                    std::string_view key) {
  std::vector<std::string> out;
  if (node.IsNull()) return out;
  if (!node.IsSequence()) return error_at(ctx, node, "expected a list of strings for " + quote_key(key));
  out.reserve(node.size());
  for (const YAML::Node& item : node) {
    if (!item.IsScalar()) return error_at(ctx, item, "expected a list of strings for " + quote_key(key));
    LITBOX_ASSIGN_OR_RETURN(text, read_string(ctx, item, key));
    out.push_back(std::move(text));
  }
  return out;
}

Status edit_string_list(const FileContext& ctx, const YAML::Node& node, std::string_view key,
                        std::vector<std::string>& list, ListOptions options) {
  auto read_items = [&](const YAML::Node& n) -> Expected<std::vector<std::string>> {
    LITBOX_ASSIGN_OR_RETURN(items, read_string_list(ctx, n, key));
    if (options.paths)
      for (std::string& item : items) item = resolve_path(ctx.dir, item);
    return std::move(items);
  };
  auto add = [&](const std::vector<std::string>& items) {
    for (const std::string& item : items)
      if (!options.unique || std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
  };
  if (!node.IsMap()) {
    LITBOX_ASSIGN_OR_RETURN(items, read_items(node));
    if (!options.additive) list.clear();
    add(items);
    return {};
  }
  LITBOX_RETURN_IF_ERROR(check_keys(ctx, node, {"add", "remove"}, quote_key(key)));
  if (YAML::Node remove = node["remove"]) {
    LITBOX_ASSIGN_OR_RETURN(items, read_items(remove));
    std::erase_if(list, [&](const std::string& s) { return std::find(items.begin(), items.end(), s) != items.end(); });
  }
  if (YAML::Node added = node["add"]) {
    LITBOX_ASSIGN_OR_RETURN(items, read_items(added));
    add(items);
  }
  return {};
}

}  // namespace litbox::config
