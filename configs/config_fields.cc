// The keys of lit.yaml, lit.local.yaml and lit.site.yaml and how each one changes a
// SuiteConfig. Adding a key here makes the loader accept it; the schema test then insists
// that configs/schema/*.json and docs/config-reference.md describe it.
#include <algorithm>
#include <limits>

#include "configs/field_table.h"
#include "configs/interpolate.h"
#include "support/python_regex.h"
#include "support/strings.h"

namespace litbox::config {

namespace {

constexpr unsigned kAllFiles = kSiteFile | kSuiteFile | kLocalFile;
constexpr unsigned kRootFiles = kSiteFile | kSuiteFile;
constexpr int64_t kIntMax = std::numeric_limits<int>::max();

#define HANDLER                                                                                         \
  []([[maybe_unused]] const FileContext& ctx, [[maybe_unused]] std::string_view key,                  \
     [[maybe_unused]] const YAML::Node& v, [[maybe_unused]] SuiteConfig& c) -> Status

// Handlers for the common shapes, written once so each table row stays one line.
#define STRING_FIELD(member)                           \
  HANDLER {                                            \
    LITBOX_ASSIGN_OR_RETURN(s, read_string(ctx, v, key)); \
    c.member = std::move(s);                           \
    return {};                                         \
  }
#define PATH_FIELD(member)                           \
  HANDLER {                                          \
    LITBOX_ASSIGN_OR_RETURN(s, read_path(ctx, v, key)); \
    c.member = std::move(s);                         \
    return {};                                       \
  }
#define BOOL_FIELD(member)                           \
  HANDLER {                                          \
    LITBOX_ASSIGN_OR_RETURN(b, read_bool(ctx, v, key)); \
    c.member = b;                                    \
    return {};                                       \
  }
#define INT_FIELD(member, min, max)                             \
  HANDLER {                                                     \
    LITBOX_ASSIGN_OR_RETURN(n, read_int(ctx, v, key, min, max)); \
    c.member = static_cast<int>(n);                             \
    return {};                                                  \
  }
#define SIZE_FIELD(member)                           \
  HANDLER {                                          \
    LITBOX_ASSIGN_OR_RETURN(n, read_size(ctx, v, key)); \
    c.member = n;                                    \
    return {};                                       \
  }
#define COUNT_FIELD(member)                           \
  HANDLER {                                           \
    LITBOX_ASSIGN_OR_RETURN(n, read_count(ctx, v, key)); \
    c.member = n;                                     \
    return {};                                        \
  }
#define LIST_FIELD(member, ...) \
  HANDLER { return edit_string_list(ctx, v, key, c.member, ListOptions __VA_ARGS__); }

// ---- substitutions --------------------------------------------------------------------------

Expected<Substitution> read_substitution(const FileContext& ctx, const YAML::Node& node) {
  if (!node.IsMap())
    return error_at(ctx, node, "expected a map with 'match' or 'regex' and 'replace' for a substitution");
  LITBOX_RETURN_IF_ERROR(check_keys(ctx, node, {"match", "regex", "replace"}, "a substitution"));
  YAML::Node match = node["match"], regex = node["regex"], replace = node["replace"];
  if (match && regex) return error_at(ctx, node, "a substitution has both 'match' and 'regex'");
  if (!match && !regex) return error_at(ctx, node, "a substitution needs 'match' or 'regex'");
  if (!replace) return error_at(ctx, node, "a substitution needs 'replace'");
  Substitution sub;
  LITBOX_ASSIGN_OR_RETURN(replacement, read_string(ctx, replace, "replace"));
  sub.replacement = std::move(replacement);
  if (match) {
    LITBOX_ASSIGN_OR_RETURN(text, read_string(ctx, match, "match"));
    if (text.empty()) return error_at(ctx, match, "empty 'match' in a substitution");
    sub.pattern = regex_escape(text);
    sub.literal_replacement = true;
  } else {
    LITBOX_ASSIGN_OR_RETURN(text, read_string(ctx, regex, "regex"));
    if (text.empty()) return error_at(ctx, regex, "empty 'regex' in a substitution");
    // Compiling here turns a typo into a located config error instead of an UNRESOLVED test.
    auto compiled = PyRegex::compile(text);
    if (!compiled) return error_at(ctx, regex, compiled.error().message);
    sub.pattern = std::move(text);
  }
  return sub;
}

Expected<std::vector<Substitution>> read_substitution_list(const FileContext& ctx, const YAML::Node& node,
                                                           std::string_view key) {
  std::vector<Substitution> out;
  if (node.IsNull()) return out;
  if (!node.IsSequence()) return error_at(ctx, node, "expected a list of substitutions for '" + std::string(key) + "'");
  for (const YAML::Node& item : node) {
    LITBOX_ASSIGN_OR_RETURN(sub, read_substitution(ctx, item));
    out.push_back(std::move(sub));
  }
  return out;
}

// Adds entries after the existing ones; an entry whose pattern is already in the list (from
// an earlier file) replaces that entry where it stands, so a subdirectory can redefine a
// substitution without losing its place in lit's first-match-wins order. Entries of the same
// list are all kept, as lit would.
void add_substitutions(std::vector<Substitution>& list, std::vector<Substitution> items) {
  size_t existing = list.size();
  for (Substitution& sub : items) {
    auto end = list.begin() + static_cast<std::ptrdiff_t>(existing);
    auto it = std::find_if(list.begin(), end, [&](const Substitution& s) { return s.pattern == sub.pattern; });
    if (it != end)
      *it = std::move(sub);
    else
      list.push_back(std::move(sub));
  }
}

// `remove:` names patterns as written: a `match:` text, a `regex:` text, or a map saying which.
Status remove_substitutions(const FileContext& ctx, const YAML::Node& node, std::vector<Substitution>& list) {
  if (!node.IsSequence()) return error_at(ctx, node, "expected a list of patterns for 'substitutions.remove'");
  for (const YAML::Node& item : node) {
    std::vector<std::string> patterns;
    if (item.IsMap()) {
      LITBOX_RETURN_IF_ERROR(check_keys(ctx, item, {"match", "regex"}, "'substitutions.remove'"));
      if (item.size() != 1) return error_at(ctx, item, "expected one of 'match' or 'regex' in 'substitutions.remove'");
      bool is_match = bool(item["match"]);
      LITBOX_ASSIGN_OR_RETURN(text, read_string(ctx, is_match ? item["match"] : item["regex"], "substitutions.remove"));
      patterns.push_back(is_match ? regex_escape(text) : text);
    } else if (item.IsScalar()) {
      LITBOX_ASSIGN_OR_RETURN(text, read_string(ctx, item, "substitutions.remove"));
      patterns.push_back(regex_escape(text));
      patterns.push_back(text);
    } else {
      return error_at(ctx, item, "expected a list of patterns for 'substitutions.remove'");
    }
    std::erase_if(list, [&](const Substitution& s) {
      return std::find(patterns.begin(), patterns.end(), s.pattern) != patterns.end();
    });
  }
  return {};
}

Status apply_substitutions(const FileContext& ctx, std::string_view key, const YAML::Node& v, SuiteConfig& c) {
  if (!v.IsMap()) {
    LITBOX_ASSIGN_OR_RETURN(items, read_substitution_list(ctx, v, key));
    if (!ctx.additive) c.substitutions.clear();
    add_substitutions(c.substitutions, std::move(items));
    return {};
  }
  LITBOX_RETURN_IF_ERROR(check_keys(ctx, v, {"add", "prepend", "remove"}, "'substitutions'"));
  if (YAML::Node remove = v["remove"]) LITBOX_RETURN_IF_ERROR(remove_substitutions(ctx, remove, c.substitutions));
  if (YAML::Node add = v["add"]) {
    LITBOX_ASSIGN_OR_RETURN(items, read_substitution_list(ctx, add, "substitutions.add"));
    add_substitutions(c.substitutions, std::move(items));
  }
  if (YAML::Node prepend = v["prepend"]) {
    LITBOX_ASSIGN_OR_RETURN(items, read_substitution_list(ctx, prepend, "substitutions.prepend"));
    std::erase_if(c.substitutions, [&](const Substitution& s) {
      return std::any_of(items.begin(), items.end(), [&](const Substitution& n) { return n.pattern == s.pattern; });
    });
    c.substitutions.insert(c.substitutions.begin(), items.begin(), items.end());
  }
  return {};
}

// ---- other structured keys -------------------------------------------------------------------

Status apply_tools(const FileContext& ctx, std::string_view key, const YAML::Node& v, SuiteConfig& c) {
  if (v.IsNull()) return {};
  if (!v.IsSequence())
    return error_at(ctx, v, "expected a list of {name, search_env, search_paths, ...} for '" + std::string(key) + "'");
  for (const auto& item : v) {
    if (!item.IsMap()) return error_at(ctx, item, "expected a map {name: ...} in '" + std::string(key) + "'");
    LITBOX_RETURN_IF_ERROR(check_keys(
        ctx, item, {"name", "search_env", "search_paths", "use_installed", "required", "quiet"}, "a 'tools' entry"));
    ToolLookup t;
    if (!item["name"]) return error_at(ctx, item, "a 'tools' entry needs a 'name'");
    LITBOX_ASSIGN_OR_RETURN(name, read_string(ctx, item["name"], "tools[].name"));
    if (name.empty() || name.find('/') != std::string::npos)
      return error_at(ctx, item["name"], "'tools[].name' must be a program name (no '/'), got '" + name + "'");
    t.name = std::move(name);
    if (YAML::Node n = item["search_env"]) {
      LITBOX_ASSIGN_OR_RETURN(env, read_string(ctx, n, "tools[].search_env"));
      t.search_env = std::move(env);
    }
    if (YAML::Node n = item["search_paths"]) {
      LITBOX_ASSIGN_OR_RETURN(dirs, read_string_list(ctx, n, "tools[].search_paths"));
      for (auto& d : dirs) t.search_paths.push_back(resolve_path(ctx.dir, d));
    }
    for (auto [field, flag] :
         {std::pair{"use_installed", &t.use_installed}, {"required", &t.required}, {"quiet", &t.quiet}})
      if (YAML::Node n = item[field]) {
        LITBOX_ASSIGN_OR_RETURN(b, read_bool(ctx, n, std::string("tools[].") + field));
        *flag = b;
      }
    t.where = location_of(ctx, item).str();
    c.tools.push_back(std::move(t));
  }
  return {};
}

Status apply_features(const FileContext& ctx, std::string_view key, const YAML::Node& v, SuiteConfig& c) {
  std::vector<std::string> list(c.features.begin(), c.features.end());
  LITBOX_RETURN_IF_ERROR(edit_string_list(ctx, v, key, list, ListOptions{.additive = ctx.additive}));
  c.features = std::set<std::string>(list.begin(), list.end());
  return {};
}

Status apply_known_features(const FileContext& ctx, std::string_view key, const YAML::Node& v, SuiteConfig& c) {
  std::vector<std::string> list(c.known_features.begin(), c.known_features.end());
  LITBOX_RETURN_IF_ERROR(edit_string_list(ctx, v, key, list, ListOptions{}));
  c.known_features = std::set<std::string>(list.begin(), list.end());
  return {};
}

Status apply_environment_set(const FileContext& ctx, std::string_view key, const YAML::Node& v, SuiteConfig& c) {
  if (v.IsNull()) return {};
  if (!v.IsMap()) return error_at(ctx, v, "expected a map of variable names to values for '" + std::string(key) + "'");
  for (const auto& kv : v) {
    if (!kv.first.IsScalar()) return error_at(ctx, kv.first, "expected a variable name in '" + std::string(key) + "'");
    std::string name = kv.first.Scalar();
    // `NAME: ~` takes back a variable a parent config set.
    if (kv.second.IsNull()) {
      c.environment.set.erase(name);
      continue;
    }
    if (!kv.second.IsScalar())
      return error_at(ctx, kv.second, "expected a string for '" + std::string(key) + "." + name + "'");
    // `${env:PATH}` is the test's base PATH, which only the runner knows (a sandboxed test's
    // is not the host's): it stays a marker here (config::expand_base_path).
    auto value = interpolate_deferring_path(kv.second.Scalar(), *ctx.params);
    if (!value) return error_at(ctx, kv.second, value.error().message);
    c.environment.set[name] = std::move(*value);
  }
  return {};
}

// Both spellings of the target triple set both fields: lit's config.target_triple (XFAIL and
// the target= feature) and the executor's target.triple must not disagree.
Status apply_target_triple(const FileContext& ctx, std::string_view key, const YAML::Node& v, SuiteConfig& c) {
  LITBOX_ASSIGN_OR_RETURN(s, read_string(ctx, v, key));
  c.target_triple = s;
  c.target.triple = s;
  return {};
}

Status apply_gtest_sub_dirs(const FileContext& ctx, std::string_view key, const YAML::Node& v, SuiteConfig& c) {
  if (v.IsSequence()) {
    LITBOX_ASSIGN_OR_RETURN(dirs, read_string_list(ctx, v, key));
    c.gtest_sub_dirs = join(dirs, ";");
    return {};
  }
  LITBOX_ASSIGN_OR_RETURN(s, read_string(ctx, v, key));
  c.gtest_sub_dirs = std::move(s);
  return {};
}

Status apply_recursive_expansion_limit(const FileContext& ctx, std::string_view key, const YAML::Node& v,
                                       SuiteConfig& c) {
  if (v.IsNull()) {
    c.recursive_expansion_limit.reset();
    return {};
  }
  LITBOX_ASSIGN_OR_RETURN(n, read_int(ctx, v, key, 0, kIntMax));
  c.recursive_expansion_limit = static_cast<int>(n);
  return {};
}

Status apply_parallelism_groups(const FileContext& ctx, std::string_view key, const YAML::Node& v, SuiteConfig& c) {
  if (v.IsNull()) return {};
  if (!v.IsMap()) return error_at(ctx, v, "expected a map of group names to sizes for '" + std::string(key) + "'");
  for (const auto& kv : v) {
    if (!kv.first.IsScalar()) return error_at(ctx, kv.first, "expected a group name in '" + std::string(key) + "'");
    std::string name = kv.first.Scalar();
    // lit's `parallelism_groups[name] = None`: no limit.
    if (kv.second.IsNull()) {
      c.parallelism_groups[name] = 0;
      continue;
    }
    LITBOX_ASSIGN_OR_RETURN(n, read_int(ctx, kv.second, std::string(key) + "." + name, 0, kIntMax));
    c.parallelism_groups[name] = static_cast<int>(n);
  }
  return {};
}

// `site_configs` is read by site_config_candidates() before the suite is loaded; here the
// shape is checked only, because a candidate may name a parameter that is defined only when
// that candidate is the one used.
Status check_site_configs(const FileContext& ctx, std::string_view key, const YAML::Node& v, SuiteConfig&) {
  if (v.IsNull()) return {};
  if (!v.IsSequence()) return error_at(ctx, v, "expected a list of strings for '" + std::string(key) + "'");
  for (const YAML::Node& item : v)
    if (!item.IsScalar()) return error_at(ctx, item, "expected a list of strings for '" + std::string(key) + "'");
  return {};
}

// `params` and `suite` are read by the loader before any other key (every value may use
// params, and `suite` says which lit.yaml to load); in the table they only need validating.
Status check_params(const FileContext& ctx, std::string_view key, const YAML::Node& v, SuiteConfig&) {
  if (!v.IsNull() && !v.IsMap()) return error_at(ctx, v, "expected a map of names to values for '" + std::string(key) + "'");
  return {};
}
Status no_op(const FileContext&, std::string_view, const YAML::Node&, SuiteConfig&) { return {}; }

// ---- the tables ------------------------------------------------------------------------------

using S = FieldShape;

const std::vector<Field> kEnvironmentFields = {
    {"set", 0, true, S::kFreeMap, apply_environment_set},
    {"pass", 0, true, S::kList, LIST_FIELD(environment.pass, {})},
    {"unset", 0, true, S::kList, LIST_FIELD(environment.unset, {})},
};

const std::vector<Field> kLimitsFields = {
    {"memory", 0, true, S::kScalar, SIZE_FIELD(sandbox.limits.memory)},
    {"processes", 0, true, S::kScalar, COUNT_FIELD(sandbox.limits.processes)},
    {"cpu_seconds", 0, true, S::kScalar, COUNT_FIELD(sandbox.limits.cpu_seconds)},
    {"file_size", 0, true, S::kScalar, SIZE_FIELD(sandbox.limits.file_size)},
    {"open_files", 0, true, S::kScalar, COUNT_FIELD(sandbox.limits.open_files)},
    {"tmp_size", 0, true, S::kScalar, SIZE_FIELD(sandbox.limits.tmp_size)},
};

const std::vector<Field> kSandboxFields = {
    {"enabled", 0, true, S::kScalar, BOOL_FIELD(sandbox.enabled)},
    {"network", 0, true, S::kScalar, BOOL_FIELD(sandbox.network)},
    {"reuse_cells", 0, true, S::kScalar, BOOL_FIELD(sandbox.reuse_cells)},
    {"publish_all_outputs", 0, true, S::kScalar, BOOL_FIELD(sandbox.publish_all_outputs)},
    {"readonly", 0, true, S::kList, LIST_FIELD(sandbox.readonly, {.paths = true})},
    {"writable", 0, true, S::kList, LIST_FIELD(sandbox.writable, {.paths = true})},
    {"hidden", 0, true, S::kList, LIST_FIELD(sandbox.hidden, {.paths = true})},
    {"deny_syscalls", 0, true, S::kList, LIST_FIELD(sandbox.deny_syscalls, {})},
    {"allow_syscalls", 0, true, S::kList, LIST_FIELD(sandbox.allow_syscalls, {})},
    {"seccomp_action", 0, true, S::kScalar,
     HANDLER {
       LITBOX_ASSIGN_OR_RETURN(s, read_choice(ctx, v, key, {"errno", "kill"}));
       c.sandbox.seccomp_action = s;
       return {};
     }},
    {"hostname", 0, true, S::kScalar, STRING_FIELD(sandbox.hostname)},
    {"limits", 0, true, S::kMap, HANDLER { return apply_map(ctx, key, v, kLimitsFields, c); }, &kLimitsFields},
};

const std::vector<Field> kSshFields = {
    {"host", 0, true, S::kScalar, STRING_FIELD(target.ssh.host)},
    {"port", 0, true, S::kScalar, INT_FIELD(target.ssh.port, 0, 65535)},
    {"user", 0, true, S::kScalar, STRING_FIELD(target.ssh.user)},
    {"identity", 0, true, S::kScalar, PATH_FIELD(target.ssh.identity)},
    {"work_dir", 0, true, S::kScalar, STRING_FIELD(target.ssh.work_dir)},
    {"env", 0, true, S::kList, LIST_FIELD(target.ssh.env, {})},
    {"options", 0, true, S::kList, LIST_FIELD(target.ssh.options, {.unique = false})},
    {"connection_sharing", 0, true, S::kScalar, BOOL_FIELD(target.ssh.connection_sharing)},
};

const std::vector<Field> kTargetFields = {
    {"triple", 0, true, S::kScalar, apply_target_triple},
    {"executor", 0, true, S::kScalar,
     HANDLER {
       LITBOX_ASSIGN_OR_RETURN(s, read_choice(ctx, v, key, {"auto", "local", "qemu", "ssh", "batch"}));
       c.target.executor = s;
       return {};
     }},
    {"sysroot", 0, true, S::kScalar, PATH_FIELD(target.sysroot)},
    {"emulator_args", 0, true, S::kList, LIST_FIELD(target.emulator_args, {.unique = false})},
    {"ssh", 0, true, S::kMap, HANDLER { return apply_map(ctx, key, v, kSshFields, c); }, &kSshFields},
    {"batch_size", 0, true, S::kScalar, INT_FIELD(target.batch_size, 1, kIntMax)},
    {"batch_parallelism", 0, true, S::kScalar, INT_FIELD(target.batch_parallelism, 1, kIntMax)},
    {"batch_idle_flush_ms", 0, true, S::kScalar, INT_FIELD(target.batch_idle_flush_ms, 1, kIntMax)},
    {"batch_timeout", 0, true, S::kScalar, INT_FIELD(target.batch_timeout, 0, kIntMax)},
    {"batch_retries", 0, true, S::kScalar, INT_FIELD(target.batch_retries, 0, kIntMax)},
};

Status apply_sandbox(const FileContext& ctx, std::string_view key, const YAML::Node& v, SuiteConfig& c) {
  // `sandbox: off` (or false/no) is the short way to say `sandbox: {enabled: false}`.
  if (v.IsScalar()) {
    auto enabled = read_bool(ctx, v, key);
    if (!enabled) return error_at(ctx, v, "expected a map or on/off for '" + std::string(key) + "'");
    c.sandbox.enabled = *enabled;
    return {};
  }
  return apply_map(ctx, key, v, kSandboxFields, c);
}

const std::vector<Field> kTopLevelFields = {
    {"suite", kSiteFile, false, S::kScalar, no_op},
    {"params", kRootFiles, false, S::kFreeMap, check_params},
    {"site_configs", kSuiteFile, false, S::kPlainList, check_site_configs},
    {"exec_root", kRootFiles, false, S::kScalar, PATH_FIELD(exec_root)},
    {"name", kRootFiles, true, S::kScalar, STRING_FIELD(name)},
    {"format", kAllFiles, true, S::kScalar,
     HANDLER {
       LITBOX_ASSIGN_OR_RETURN(s, read_choice(ctx, v, key, {"sh", "sh-external", "executable", "gtest", "libcxx"}));
       c.format = s;
       return {};
     }},
    {"suffixes", kAllFiles, true, S::kList, LIST_FIELD(suffixes, {})},
    {"excludes", kAllFiles, true, S::kList, LIST_FIELD(excludes, {})},
    {"standalone_tests", kAllFiles, true, S::kScalar, BOOL_FIELD(standalone_tests)},
    {"features", kAllFiles, true, S::kList, apply_features},
    {"known_features", kAllFiles, true, S::kList, apply_known_features},
    {"substitutions", kAllFiles, true, S::kSubstitutions, apply_substitutions},
    {"environment", kAllFiles, true, S::kMap, HANDLER { return apply_map(ctx, key, v, kEnvironmentFields, c); },
     &kEnvironmentFields},
    {"recursive_expansion_limit", kAllFiles, true, S::kScalar, apply_recursive_expansion_limit},
    {"triple_substring_match", kAllFiles, true, S::kScalar, BOOL_FIELD(triple_substring_match)},
    {"lit_version", kAllFiles, true, S::kScalar, INT_FIELD(lit_version, 0, 1000)},
    {"pipefail", kAllFiles, true, S::kScalar, BOOL_FIELD(pipefail)},
    {"output_limit", kAllFiles, true, S::kScalar, SIZE_FIELD(output_limit)},
    {"unsupported", kAllFiles, true, S::kScalar, BOOL_FIELD(unsupported)},
    {"limit_to_features", kAllFiles, true, S::kList, LIST_FIELD(limit_to_features, {})},
    {"test_retry_attempts", kAllFiles, true, S::kScalar, INT_FIELD(test_retry_attempts, 0, kIntMax)},
    {"timeout", kAllFiles, true, S::kScalar,
     HANDLER {
       LITBOX_ASSIGN_OR_RETURN(n, read_number(ctx, v, key));
       c.timeout = n;
       return {};
     }},
    {"parallelism_group", kAllFiles, true, S::kScalar, STRING_FIELD(parallelism_group)},
    {"parallelism_groups", kRootFiles, true, S::kFreeMap, apply_parallelism_groups},
    {"preamble_commands", kAllFiles, true, S::kList, LIST_FIELD(preamble_commands, {.unique = false})},
    {"tools", kAllFiles, false, S::kTools, apply_tools},
    {"gtest_sub_dirs", kAllFiles, true, S::kScalar, apply_gtest_sub_dirs},
    {"gtest_suffix", kAllFiles, true, S::kScalar, STRING_FIELD(gtest_suffix)},
    {"gtest_run_under", kAllFiles, true, S::kList, LIST_FIELD(gtest_run_under, {.unique = false})},
    {"target_triple", kAllFiles, true, S::kScalar, apply_target_triple},
    {"host_triple", kAllFiles, true, S::kScalar, STRING_FIELD(host_triple)},
    {"sandbox", kAllFiles, true, S::kMap, apply_sandbox, &kSandboxFields},
    {"target", kAllFiles, true, S::kMap, HANDLER { return apply_map(ctx, key, v, kTargetFields, c); }, &kTargetFields},
    {"config_error", kSuiteFile | kLocalFile, false, S::kScalar,
     HANDLER {
       LITBOX_ASSIGN_OR_RETURN(message, read_string(ctx, v, key));
       return error_at(ctx, v, message.empty() ? "this directory's config is marked broken" : message);
     }},
    {"when", kAllFiles, true, S::kWhen, apply_when},
};

}  // namespace

const std::vector<Field>& top_level_fields() { return kTopLevelFields; }

const Field* find_field(std::string_view name) {
  for (const Field& f : kTopLevelFields)
    if (f.name == name) return &f;
  return nullptr;
}

}  // namespace litbox::config
