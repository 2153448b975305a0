#include "configs/field_table.h"

#include <algorithm>
#include <optional>
#include <set>

#include "configs/suggest.h"
#include "support/feature_expr.h"
#include "support/strings.h"

namespace litbox::config {

namespace {

bool allowed_here(const Field& f, const FileContext& ctx, bool in_when) {
  return (f.files & ctx.kind) && (!in_when || f.conditional);
}

}  // namespace

Status check_top_level_keys(const FileContext& ctx, const YAML::Node& map, bool in_when) {
  std::string where = in_when ? "a 'when' block" : file_kind_name(ctx.kind);
  if (!map.IsMap()) return error_at(ctx, map, "expected a map of keys in " + where);
  std::vector<std::string> allowed;
  for (const Field& f : top_level_fields())
    if (allowed_here(f, ctx, in_when)) allowed.emplace_back(f.name);
  std::set<std::string> seen;
  for (const auto& kv : map) {
    const YAML::Node key = kv.first;
    if (!key.IsScalar()) return error_at(ctx, key, "expected a string key in " + where);
    const std::string& name = key.Scalar();
    const Field* field = find_field(name);
    if (field && !allowed_here(*field, ctx, in_when)) {
      std::string hint;
      if (!in_when || !(field->files & ctx.kind)) {
        std::vector<std::string> files;
        for (FileKind k : {kSuiteFile, kSiteFile, kLocalFile})
          if (field->files & k) files.emplace_back(file_kind_name(k));
        hint = " (only in " + join(files, " and ") + (field->conditional ? "" : ", outside 'when' blocks") + ")";
      }
      return error_at(ctx, key, "key '" + name + "' is not allowed in " + where + hint);
    }
    if (!field) return error_at(ctx, key, "unknown key '" + name + "' in " + where + did_you_mean(name, allowed));
    // yaml-cpp keeps both values of a repeated key; refuse instead of picking one silently.
    if (!seen.insert(name).second) return error_at(ctx, key, "duplicate key '" + name + "' in " + where);
  }
  return {};
}

Status apply_keys(const FileContext& ctx, const YAML::Node& map, SuiteConfig& config, bool in_when,
                  const std::vector<std::string_view>& skip) {
  // Validate every key before applying any, so the first error reported is the first bad key.
  LITBOX_RETURN_IF_ERROR(check_top_level_keys(ctx, map, in_when));
  std::optional<YAML::Node> when;
  for (const auto& kv : map) {
    const std::string& name = kv.first.Scalar();
    if (std::find(skip.begin(), skip.end(), name) != skip.end()) continue;
    if (name == "when") {
      when.emplace(kv.second);
      continue;
    }
    LITBOX_RETURN_IF_ERROR(find_field(name)->apply(ctx, name, kv.second, config));
  }
  // Conditions come after the plain keys so they see this file's own features.
  if (when) LITBOX_RETURN_IF_ERROR(apply_when(ctx, "when", *when, config));
  return {};
}

Status apply_map(const FileContext& ctx, std::string_view key, const YAML::Node& map, const std::vector<Field>& fields,
                 SuiteConfig& config) {
  if (map.IsNull()) return {};
  std::vector<std::string> names;
  for (const Field& f : fields) names.emplace_back(f.name);
  LITBOX_RETURN_IF_ERROR(check_keys(ctx, map, names, "'" + std::string(key) + "'"));
  for (const auto& kv : map) {
    const std::string& name = kv.first.Scalar();
    const Field& field = *std::find_if(fields.begin(), fields.end(), [&](const Field& f) { return f.name == name; });
    LITBOX_RETURN_IF_ERROR(field.apply(ctx, std::string(key) + "." + name, kv.second, config));
  }
  return {};
}

Status apply_when(const FileContext& ctx, std::string_view key, const YAML::Node& value, SuiteConfig& config) {
  if (value.IsNull()) return {};
  if (!value.IsSequence())
    return error_at(ctx, value, "expected a list of {if, then, else} blocks for '" + std::string(key) + "'");
  for (const YAML::Node& block : value) {
    LITBOX_RETURN_IF_ERROR(check_keys(ctx, block, {"if", "then", "else"}, "'" + std::string(key) + "'"));
    YAML::Node cond = block["if"], then_keys = block["then"], else_keys = block["else"];
    if (!cond) return error_at(ctx, block, "a 'when' block needs 'if'");
    if (!then_keys && !else_keys) return error_at(ctx, block, "a 'when' block needs 'then' or 'else'");
    LITBOX_ASSIGN_OR_RETURN(text, read_string(ctx, cond, "if"));
    auto expr = FeatureExpr::parse(text);
    if (!expr) return error_at(ctx, cond, "invalid feature expression in 'if': " + expr.error().message);
    bool holds = expr->evaluate(config.features);
    const YAML::Node& chosen = holds ? then_keys : else_keys;
    const YAML::Node& other = holds ? else_keys : then_keys;
    // The branch not taken is applied to a scratch copy so that its mistakes are reported
    // now, not on the day its condition first holds.
    if (other && !other.IsNull()) {
      SuiteConfig scratch = config;
      LITBOX_RETURN_IF_ERROR(apply_keys(ctx, other, scratch, true));
    }
    if (chosen && !chosen.IsNull()) LITBOX_RETURN_IF_ERROR(apply_keys(ctx, chosen, config, true));
  }
  return {};
}

namespace {

void add_paths(const Field& field, const std::string& prefix, FileKind kind, bool in_when,
               std::vector<std::string>& out) {
  std::string path = prefix + std::string(field.name);
  out.push_back(path);
  switch (field.shape) {
    case FieldShape::kScalar:
    case FieldShape::kPlainList:
    case FieldShape::kFreeMap:
      break;
    case FieldShape::kList:
      out.push_back(path + ".add");
      out.push_back(path + ".remove");
      break;
    case FieldShape::kSubstitutions:
      for (const char* list : {"", ".add", ".prepend"}) {
        out.push_back(path + list);
        for (const char* entry_key : {"match", "regex", "replace"}) out.push_back(path + list + "[]." + entry_key);
      }
      out.push_back(path + ".remove");
      out.push_back(path + ".remove[].match");
      out.push_back(path + ".remove[].regex");
      break;
    case FieldShape::kTools:
      for (const char* entry_key : {"name", "search_env", "search_paths", "use_installed", "required", "quiet"})
        out.push_back(path + "[]." + entry_key);
      break;
    case FieldShape::kMap:
      for (const Field& child : *field.children) add_paths(child, path + ".", kind, in_when, out);
      break;
    case FieldShape::kWhen:
      if (in_when) break;  // a `when` inside then/else has the same shape: listed once
      out.push_back(path + "[].if");
      out.push_back(path + "[].then");
      out.push_back(path + "[].else");
      for (const char* branch : {"[].then.", "[].else."})
        for (const Field& f : top_level_fields())
          if ((f.files & kind) && f.conditional) add_paths(f, path + branch, kind, true, out);
      break;
  }
}

}  // namespace

std::vector<std::string> accepted_key_paths(FileKind kind) {
  std::vector<std::string> out;
  for (const Field& f : top_level_fields())
    if (f.files & kind) add_paths(f, "", kind, false, out);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace litbox::config
