// Loading lit.site.yaml, lit.yaml and lit.local.yaml into SuiteConfig values. The only
// place in litbox that includes yaml-cpp.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "configs/suite_config.h"
#include "support/error.h"

namespace litbox::config {

/// File names, in the order discovery looks for them.
inline constexpr const char* kSiteConfigName = "lit.site.yaml";
inline constexpr const char* kSuiteConfigName = "lit.yaml";
inline constexpr const char* kLocalConfigName = "lit.local.yaml";

/// Parameters given on the command line (-D NAME=VALUE / --param).
using Params = std::map<std::string, std::string>;

/// What a site config says: where its suite is and the build facts it adds.
struct SiteConfig {
  std::string path;        ///< absolute path of the lit.site.yaml
  std::string suite_dir;   ///< absolute dir holding the suite's lit.yaml (`suite:`)
  std::map<std::string, std::string> params;
  std::vector<std::string> features;
};

/// Reads a lit.site.yaml. Relative `suite:` paths are relative to the file's directory.
Expected<SiteConfig> load_site_config(const std::string& path, const Params& cli_params);

/// Loads the root config of a suite: `suite_yaml` is a lit.yaml; `site` (may be null) is the
/// site config that points at it. Result: source_root = dir of lit.yaml, exec_root = dir of
/// the site config (or source_root, or the lit.yaml's `exec_root:` key). Params: the
/// site's, overridden by `cli_params`. Features and substitutions of the site come first.
Expected<SuiteConfig> load_suite_config(const std::string& suite_yaml, const SiteConfig* site,
                                        const Params& cli_params);

/// Applies a lit.local.yaml to a copy of `parent` (plain keys replace, `add`/`remove`
/// edit lists) and returns it.
Expected<SuiteConfig> apply_local_config(const SuiteConfig& parent, const std::string& local_yaml);

/// The names of the site config files a lit.yaml asks discovery to try, in order, when the
/// suite is run from its source tree (`site_configs:` key), with ${...} and env vars
/// expanded and made absolute against the lit.yaml's directory. Used before full loading.
Expected<std::vector<std::string>> site_config_candidates(const std::string& suite_yaml, const Params& cli_params);

}  // namespace litbox::config
