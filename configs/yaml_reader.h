// Typed, located reading of yaml-cpp nodes for the config loader (internal to litbox_config:
// only files in configs/ include this header, because it includes yaml-cpp).
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "support/error.h"

// Propagates the error of an Expected/Status-returning expression out of the current
// function (which must return Status or Expected<...>); binds the value to `var`.
#define LITBOX_ASSIGN_OR_RETURN(var, expr)   \
  auto var##_or = (expr);                    \
  if (!var##_or) return var##_or.error();    \
  auto& var = *var##_or
#define LITBOX_RETURN_IF_ERROR(expr)         \
  do {                                       \
    auto status_ = (expr);                   \
    if (!status_) return status_.error();    \
  } while (0)

namespace litbox::config {

/// The three config files; a key's table entry says in which of them it is allowed.
enum FileKind : unsigned { kSiteFile = 1u, kSuiteFile = 2u, kLocalFile = 4u };

/// "lit.site.yaml", "lit.yaml" or "lit.local.yaml": how messages name the kind of file.
const char* file_kind_name(FileKind kind);

/// What reading one config file needs besides the nodes.
struct FileContext {
  std::string path;  ///< the file, as given (used in every error location)
  std::string dir;   ///< absolute directory of the file; relative paths resolve against it
  FileKind kind = kSuiteFile;
  /// Parameters `${name}` resolves against (never null while reading values).
  const std::map<std::string, std::string>* params = nullptr;
  /// lit.yaml and lit.site.yaml together describe the root config, so in them a plain
  /// `features:`/`substitutions:` list adds to what is there; in lit.local.yaml it replaces.
  bool additive = false;
};

/// file:line:column of `node` (1-based; just the file when yaml-cpp has no mark).
Location location_of(const FileContext& ctx, const YAML::Node& node);
/// An Error located at `node`.
Error error_at(const FileContext& ctx, const YAML::Node& node, std::string message);

/// Parses `text` (the contents of ctx.path). Errors: "malformed YAML: <yaml-cpp's reason>"
/// at its position; a document that is neither a map nor empty. An empty document gives an
/// empty map.
Expected<YAML::Node> parse_document(const FileContext& ctx, const std::string& text);

/// Checks that `node` is a map whose keys are scalars in `allowed`, each used once.
/// `where` names the map in messages: "lit.yaml", "'sandbox'", "a substitution entry".
Status check_keys(const FileContext& ctx, const YAML::Node& node, const std::vector<std::string>& allowed,
                  std::string_view where);

/// A scalar string after `${...}` interpolation; null reads as "". `key` names the value in
/// messages ("expected a string for 'name'").
Expected<std::string> read_string(const FileContext& ctx, const YAML::Node& node, std::string_view key);
/// true/false, yes/no, on/off (any case of those words).
Expected<bool> read_bool(const FileContext& ctx, const YAML::Node& node, std::string_view key);
/// A decimal integer in [min, max].
Expected<int64_t> read_int(const FileContext& ctx, const YAML::Node& node, std::string_view key, int64_t min,
                           int64_t max);
/// A non-negative decimal number.
Expected<double> read_number(const FileContext& ctx, const YAML::Node& node, std::string_view key);
/// A size (see size.h): "64MiB", "4GiB", 1048576, unlimited.
Expected<uint64_t> read_size(const FileContext& ctx, const YAML::Node& node, std::string_view key);
/// A non-negative count, or "unlimited" (0).
Expected<uint64_t> read_count(const FileContext& ctx, const YAML::Node& node, std::string_view key);
/// One of `choices`.
Expected<std::string> read_choice(const FileContext& ctx, const YAML::Node& node, std::string_view key,
                                  const std::vector<std::string>& choices);
/// A string naming a path, resolved by resolve_path against ctx.dir.
Expected<std::string> read_path(const FileContext& ctx, const YAML::Node& node, std::string_view key);
/// A sequence of scalar strings (null reads as empty).
Expected<std::vector<std::string>> read_string_list(const FileContext& ctx, const YAML::Node& node,
                                                    std::string_view key);

/// Makes `path` absolute against `dir`: "" stays "", a leading "~/" is $HOME, a path that
/// starts with '%' is a lit substitution (%t, %T) and is kept as written.
std::string resolve_path(const std::string& dir, const std::string& path);

/// How a list-valued key combines with the value already in the config.
struct ListOptions {
  bool unique = true;   ///< `add` skips items already present (set-like lists)
  bool paths = false;   ///< items are paths (resolve_path)
  bool additive = false;  ///< a plain list adds instead of replacing
};
/// Applies a list-valued key: a plain list replaces `list` (or adds, see ListOptions); a map
/// `{add: [...], remove: [...]}` removes then appends.
Status edit_string_list(const FileContext& ctx, const YAML::Node& node, std::string_view key,
                        std::vector<std::string>& list, ListOptions options);

}  // namespace litbox::config
