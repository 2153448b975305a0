// Loading lit.site.yaml, lit.yaml and lit.local.yaml into SuiteConfig values. The only
// place in litbox that includes yaml-cpp.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "configs/suite_config.h"
#include "support/error.h"

namespace litbox::config {

/// File names, in the order discovery looks for them.
inline constexpr const char* kSiteConfigName = "lit.site.yaml";
inline constexpr const char* kSuiteConfigName = "lit.yaml";
inline constexpr const char* kLocalConfigName = "lit.local.yaml";

/// The names of the three config files: lit.site.yaml, lit.yaml, lit.local.yaml; with lit's
/// --config-prefix NAME, NAME.site.yaml, NAME.yaml, NAME.local.yaml.
struct ConfigNames {
  std::string site = kSiteConfigName;
  std::string suite = kSuiteConfigName;
  std::string local = kLocalConfigName;
  static ConfigNames with_prefix(const std::string& prefix) {
    return {prefix + ".site.yaml", prefix + ".yaml", prefix + ".local.yaml"};
  }
  bool is_config(const std::string& file_name) const {
    return file_name == site || file_name == suite || file_name == local;
  }
};

/// Parameters given on the command line (-D NAME=VALUE / --param).
using Params = std::map<std::string, std::string>;

/// The parsed lit.site.yaml (opaque outside litbox_config, which keeps yaml-cpp to itself).
struct SiteDocument;

/// What a site config says: where its suite is and the build facts it adds.
struct SiteConfig {
  std::string path;        ///< absolute path of the lit.site.yaml
  std::string suite_dir;   ///< absolute dir holding the suite's lit.yaml (`suite:`)
  std::map<std::string, std::string> params;  ///< `params:`, with -D values already applied
  std::vector<std::string> features;          ///< `features:` (sorted)
  /// The parsed file, so load_suite_config applies the site's other keys without reading it
  /// again. Null for a SiteConfig built by hand (then only params and features count).
  std::shared_ptr<const SiteDocument> document;
};

/// Reads a lit.site.yaml. Relative `suite:` paths are relative to the file's directory.
/// Checks that every key is known and that `suite:` names a directory with a lit.yaml (or
/// `names.suite`); the values of the other keys are checked when load_suite_config applies them.
Expected<SiteConfig> load_site_config(const std::string& path, const Params& cli_params,
                                      const ConfigNames& names = {});

/// Loads the root config of a suite: `suite_yaml` is a lit.yaml; `site` (may be null) is the
/// site config that points at it. Result: source_root = dir of lit.yaml, exec_root = dir of
/// the site config (or source_root, or the lit.yaml's `exec_root:` key). Params: the
/// site's, overridden by `cli_params`. Features and substitutions of the site come first.
/// Order (docs/config-reference.md, "How the files combine"): defaults; the site's
/// `features`/`substitutions`; lit.yaml (its plain `features`/`substitutions` lists add to the
/// site's); the site's other keys (they override lit.yaml's); then `target=<triple>` and
/// `host=<triple>` features. source_root and exec_root are absolute and symlink-free.
Expected<SuiteConfig> load_suite_config(const std::string& suite_yaml, const SiteConfig* site,
                                        const Params& cli_params);

/// Applies a lit.local.yaml to a copy of `parent` (plain keys replace, `add`/`remove`
/// edit lists) and returns it. Reads only `local_yaml`; `${name}` resolves against
/// parent.params.
Expected<SuiteConfig> apply_local_config(const SuiteConfig& parent, const std::string& local_yaml);

/// The names of the site config files a lit.yaml asks discovery to try, in order, when the
/// suite is run from its source tree (`site_configs:` key), with ${...} and env vars
/// expanded and made absolute against the lit.yaml's directory. Used before full loading.
/// An entry not ending in ".yaml" names a directory and gets "/lit.site.yaml" (`names.site`) appended; an
/// entry using a `${param}` that is not defined (by lit.yaml's `params:` or -D) is skipped.
/// Existence is not checked: the caller uses the first candidate that exists.
Expected<std::vector<std::string>> site_config_candidates(const std::string& suite_yaml,
                                                         const Params& cli_params,
                                                         const ConfigNames& names = {});

}  // namespace litbox::config
