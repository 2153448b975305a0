// The table of every key the config files accept, and the generic code that applies a map of
// keys to a SuiteConfig (internal to litbox_config). The same table drives validation, the
// schema drift test (accepted_key_paths) and "did you mean" suggestions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "configs/suite_config.h"
#include "configs/yaml_reader.h"

namespace litbox::config {

/// Applies one key's value to the config. `key` is its dotted path for messages
/// ("sandbox.limits.memory").
using FieldHandler = Status (*)(const FileContext& ctx, std::string_view key, const YAML::Node& value,
                                SuiteConfig& config);

/// The shape of a key's value, for accepted_key_paths (the handler does the real reading).
enum class FieldShape {
  kScalar,         ///< string, number, boolean or size
  kList,           ///< list of strings, or {add, remove}
  kPlainList,      ///< list of strings only
  kSubstitutions,  ///< list of {match|regex, replace}, or {add, prepend, remove}
  kMap,            ///< a map of the keys in `children`
  kFreeMap,        ///< a map of arbitrary names to strings (params, environment.set)
  kWhen,           ///< list of {if, then, else}
  kTools,          ///< list of {name, search_env, search_paths, use_installed, required, quiet}
};

/// One accepted key.
struct Field {
  std::string_view name;
  unsigned files = 0;        ///< FileKind bits: where the key may appear at the top level
  bool conditional = false;  ///< may appear inside a `when:` block's then/else
  FieldShape shape = FieldShape::kScalar;
  FieldHandler apply = nullptr;
  const std::vector<Field>* children = nullptr;  ///< for kMap
};

/// The top-level keys (defined in config_fields.cc).
const std::vector<Field>& top_level_fields();
/// The top-level field called `name`, or null.
const Field* find_field(std::string_view name);

/// Checks that every key of `map` is known, allowed in ctx.kind (or in a when block) and
/// not repeated, without applying anything.
Status check_top_level_keys(const FileContext& ctx, const YAML::Node& map, bool in_when);

/// Applies a map of top-level keys: checks that each is known and allowed in ctx.kind (or,
/// with `in_when`, inside a when block), applies the plain keys in document order, then the
/// `when:` blocks in order. Keys in `skip` are validated but not applied.
Status apply_keys(const FileContext& ctx, const YAML::Node& map, SuiteConfig& config, bool in_when,
                  const std::vector<std::string_view>& skip = {});

/// Applies a nested map (`sandbox`, `target.ssh`, ...) whose keys are `fields`.
Status apply_map(const FileContext& ctx, std::string_view key, const YAML::Node& map, const std::vector<Field>& fields,
                 SuiteConfig& config);

/// Handler of `when:`: each `{if: EXPR, then: {...}, else: {...}}` is evaluated against the
/// features the config has at that point and the chosen map applied with apply_keys.
Status apply_when(const FileContext& ctx, std::string_view key, const YAML::Node& value, SuiteConfig& config);

/// Every key path a file of `kind` accepts, for the schema drift test: "name",
/// "sandbox.limits.memory", "suffixes.add", "substitutions[].match", "when[].then.format",
/// "when[].then.when" (the recursion stops there).
std::vector<std::string> accepted_key_paths(FileKind kind);

}  // namespace litbox::config
