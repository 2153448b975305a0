// The public loader: reads each file once, then layers site → lit.yaml → site overrides →
// lit.local.yaml with the field table. See docs/config-reference.md for the rules.
#include "configs/loader.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "configs/field_table.h"
#include "configs/interpolate.h"
#include "configs/yaml_reader.h"
#include "support/strings.h"

namespace litbox::config {

struct SiteDocument {
  YAML::Node root;
  std::string path;  // absolute
  std::string dir;   // absolute
};

namespace {

namespace fs = std::filesystem;

Expected<std::string> read_file(const std::string& path, FileKind kind) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return Error(std::string("cannot read ") + file_kind_name(kind) + ": " + std::strerror(errno), Location{path});
  std::string text;
  char buffer[16384];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) text.append(buffer, n);
  bool failed = std::ferror(f);
  int err = errno;
  std::fclose(f);
  if (failed) return Error(std::string("cannot read ") + file_kind_name(kind) + ": " + std::strerror(err), Location{path});
  return text;
}

std::string absolute_normal(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::absolute(path, ec);
  if (ec) p = path;
  return p.lexically_normal().string();
}

// realpath for paths that exist; the lexically normal absolute path for those that do not
// (an exec_root the build has not created yet).
std::string real_path(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(path, ec);
  std::string out = ec ? absolute_normal(path) : p.string();
  if (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

// A file's context: its absolute directory, its kind and how its lists combine.
FileContext context_for(const std::string& path, FileKind kind) {
  FileContext ctx;
  ctx.path = path;
  ctx.dir = fs::path(absolute_normal(path)).parent_path().string();
  ctx.kind = kind;
  ctx.additive = kind != kLocalFile;
  return ctx;
}

Expected<YAML::Node> read_document(const FileContext& ctx) {
  LITBOX_ASSIGN_OR_RETURN(text, read_file(ctx.path, ctx.kind));
  return parse_document(ctx, text);
}

// Reads `params:`. Values may use -D values, `base` (which win over the file's own values)
// and parameters defined earlier in the same map. Returns the file's own values.
Expected<Params> read_params(FileContext ctx, const YAML::Node& node, const Params& base) {
  Params own;
  if (!node || node.IsNull()) return own;
  if (!node.IsMap()) return error_at(ctx, node, "expected a map of names to values for 'params'");
  Params visible = base;
  ctx.params = &visible;
  for (const auto& kv : node) {
    const YAML::Node key = kv.first;
    std::string name = key.IsScalar() ? key.Scalar() : std::string();
    bool valid = !name.empty() && referenced_parameters("${" + name + "}") == std::vector<std::string>{name} &&
                 name.find_first_of(" \t:${}") == std::string::npos;
    if (!valid) return error_at(ctx, key, "invalid parameter name in 'params'");
    if (own.count(name)) return error_at(ctx, key, "duplicate key '" + name + "' in 'params'");
    if (!kv.second.IsNull() && !kv.second.IsScalar())
      return error_at(ctx, kv.second, "expected a string for 'params." + name + "'");
    LITBOX_ASSIGN_OR_RETURN(value, read_string(ctx, kv.second, "params." + name));
    own[name] = value;
    visible.emplace(name, std::move(value));  // keeps base's value when base has one
  }
  return own;
}

// Keeps the `target=<triple>` and `host=<triple>` features (as LLVM's configs define them) in
// step with the triples after a file may have changed them.
void sync_triple_features(SuiteConfig& config, const std::string& old_target, const std::string& old_host) {
  if (!old_target.empty() && old_target != config.target_triple) config.features.erase("target=" + old_target);
  if (!old_host.empty() && old_host != config.host_triple) config.features.erase("host=" + old_host);
  if (!config.target_triple.empty()) config.features.insert("target=" + config.target_triple);
  if (!config.host_triple.empty()) config.features.insert("host=" + config.host_triple);
}

Expected<SiteConfig> load_site_config_impl(const std::string& path, const Params& cli_params,
                                           const ConfigNames& names) {
  FileContext ctx = context_for(path, kSiteFile);
  LITBOX_ASSIGN_OR_RETURN(root, read_document(ctx));
  LITBOX_RETURN_IF_ERROR(check_top_level_keys(ctx, root, false));

  SiteConfig site;
  site.path = absolute_normal(path);
  LITBOX_ASSIGN_OR_RETURN(own, read_params(ctx, root["params"], cli_params));
  site.params = std::move(own);
  for (const auto& [name, value] : cli_params) site.params[name] = value;
  ctx.params = &site.params;

  YAML::Node suite = root["suite"];
  if (!suite) return Error("missing key 'suite' (the directory of the suite's lit.yaml)", Location{path});
  LITBOX_ASSIGN_OR_RETURN(dir, read_path(ctx, suite, "suite"));
  std::error_code ec;
  if (fs::is_regular_file(dir, ec)) dir = fs::path(dir).parent_path().string();
  if (!fs::is_directory(dir, ec)) return error_at(ctx, suite, "suite directory '" + dir + "' does not exist");
  if (!fs::exists(fs::path(dir) / names.suite, ec))
    return error_at(ctx, suite, "no " + names.suite + " in suite directory '" + dir + "'");
  site.suite_dir = real_path(dir);

  if (YAML::Node features = root["features"]) {
    SuiteConfig scratch;
    LITBOX_RETURN_IF_ERROR(find_field("features")->apply(ctx, "features", features, scratch));
    site.features.assign(scratch.features.begin(), scratch.features.end());
  }
  site.document = std::make_shared<SiteDocument>(SiteDocument{root, site.path, ctx.dir});
  return site;
}

Expected<SuiteConfig> load_suite_config_impl(const std::string& suite_yaml, const SiteConfig* site,
                                        const Params& cli_params) {
  FileContext ctx = context_for(suite_yaml, kSuiteFile);
  LITBOX_ASSIGN_OR_RETURN(root, read_document(ctx));
  LITBOX_RETURN_IF_ERROR(check_top_level_keys(ctx, root, false));

  // Parameters, lowest priority first: lit.yaml's defaults, the site's, -D.
  Params base = site ? site->params : Params{};
  for (const auto& [name, value] : cli_params) base[name] = value;
  LITBOX_ASSIGN_OR_RETURN(defaults, read_params(ctx, root["params"], base));
  SuiteConfig config;
  config.params = std::move(defaults);
  for (const auto& [name, value] : base) config.params[name] = value;
  ctx.params = &config.params;

  config.source_root = real_path(ctx.dir);
  if (site) config.files.push_back(site->path);
  config.files.push_back(absolute_normal(suite_yaml));

  FileContext site_ctx;
  const SiteDocument* doc = site ? site->document.get() : nullptr;
  if (doc) {
    site_ctx.path = doc->path;
    site_ctx.dir = doc->dir;
    site_ctx.kind = kSiteFile;
    site_ctx.params = &config.params;
    site_ctx.additive = true;
  }

  // 1. The build's features and substitutions come first, so lit.yaml's `when:` blocks see
  //    the site's features and the site's substitutions win lit's first-match order.
  if (site) config.features.insert(site->features.begin(), site->features.end());
  if (doc) {
    for (const char* key : {"features", "substitutions", "target_triple", "host_triple", "target"})
      if (YAML::Node value = doc->root[key]) LITBOX_RETURN_IF_ERROR(find_field(key)->apply(site_ctx, key, value, config));
    // ... and the site's triples as target=/host= features, which `when:` blocks test.
    sync_triple_features(config, "", "");
  }
  // 2. The suite's own config.
  LITBOX_RETURN_IF_ERROR(apply_keys(ctx, root, config, false));
  // 3. The site's other keys are facts about this build: they override the suite's.
  if (site) config.exec_root = fs::path(site->path).parent_path().string();
  const std::string early_target = config.target_triple, early_host = config.host_triple;
  if (doc) LITBOX_RETURN_IF_ERROR(apply_keys(site_ctx, doc->root, config, false, {"features", "substitutions"}));
  if (config.exec_root.empty()) config.exec_root = config.source_root;
  config.exec_root = real_path(config.exec_root);
  sync_triple_features(config, early_target, early_host);
  return config;
}

Expected<SuiteConfig> apply_local_config_impl(const SuiteConfig& parent, const std::string& local_yaml) {
  FileContext ctx = context_for(local_yaml, kLocalFile);
  ctx.params = &parent.params;
  LITBOX_ASSIGN_OR_RETURN(root, read_document(ctx));
  SuiteConfig config = parent;
  config.tools.clear();  // the parent's were looked up when it was loaded
  config.files.push_back(absolute_normal(local_yaml));
  LITBOX_RETURN_IF_ERROR(apply_keys(ctx, root, config, false));
  sync_triple_features(config, parent.target_triple, parent.host_triple);
  return config;
}

Expected<std::vector<std::string>> site_config_candidates_impl(const std::string& suite_yaml, const Params& cli_params,
                                                              const ConfigNames& names) {
  FileContext ctx = context_for(suite_yaml, kSuiteFile);
  LITBOX_ASSIGN_OR_RETURN(root, read_document(ctx));
  std::vector<std::string> out;
  YAML::Node list = root["site_configs"];
  if (!list || list.IsNull()) return out;
  SuiteConfig scratch;
  LITBOX_RETURN_IF_ERROR(find_field("site_configs")->apply(ctx, "site_configs", list, scratch));

  LITBOX_ASSIGN_OR_RETURN(params, read_params(ctx, root["params"], cli_params));
  for (const auto& [name, value] : cli_params) params[name] = value;
  ctx.params = &params;
  for (const YAML::Node& item : list) {
    bool defined = true;
    for (const std::string& name : referenced_parameters(item.Scalar())) defined = defined && params.count(name);
    if (!defined) continue;
    LITBOX_ASSIGN_OR_RETURN(path, read_path(ctx, item, "site_configs"));
    if (!ends_with(path, ".yaml")) path += "/" + names.site;
    out.push_back(std::move(path));
  }
  return out;
}

// yaml-cpp reports some misuse by throwing; none is expected after the checks above, but
// exceptions must not cross this library's boundary, so the public entry points convert any
// that escapes into an Error naming the file.
template <typename F>
auto guarded(const std::string& path, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const YAML::Exception& e) {
    Location loc{path, e.mark.line >= 0 ? e.mark.line + 1 : 0, e.mark.line >= 0 ? e.mark.column + 1 : 0};
    return Error("cannot load config: " + e.msg, loc);
  }
}

}  // namespace

Expected<SiteConfig> load_site_config(const std::string& path, const Params& cli_params, const ConfigNames& names) {
  return guarded(path, [&] { return load_site_config_impl(path, cli_params, names); });
}

Expected<SuiteConfig> load_suite_config(const std::string& suite_yaml, const SiteConfig* site,
                                        const Params& cli_params) {
  return guarded(suite_yaml, [&] { return load_suite_config_impl(suite_yaml, site, cli_params); });
}

Expected<SuiteConfig> apply_local_config(const SuiteConfig& parent, const std::string& local_yaml) {
  return guarded(local_yaml, [&] { return apply_local_config_impl(parent, local_yaml); });
}

Expected<std::vector<std::string>> site_config_candidates(const std::string& suite_yaml, const Params& cli_params,
                                                         const ConfigNames& names) {
  return guarded(suite_yaml, [&] { return site_config_candidates_impl(suite_yaml, cli_params, names); });
}

}  // namespace litbox::config
