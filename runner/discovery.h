// Finding test suites and tests from command-line paths, as lit's discovery does: upward
// search for lit.site.yaml / lit.yaml, lit.local.yaml per source directory, suffixes,
// excludes, nested suites, source-tree runs mapped to the build's site config.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "configs/loader.h"
#include "runner/diagnostics.h"
#include "runner/test.h"

namespace litbox::runner {

struct DiscoveryOptions {
  config::Params params;          ///< -D/--param
  std::string site_config;        ///< --site PATH (or LITBOX_SITE_CONFIG): a lit.site.yaml
  config::ConfigNames names;      ///< the config file names (--config-prefix)
  bool indirectly_run_check = true;
  /// --debug: lit's notes as each config file is loaded ("loading suite config '...'").
  bool debug = false;
  /// Called for each loaded config (suite root and each lit.local.yaml) to add machine facts
  /// (target=, can-run=, sandbox, %{exec}); a local config's replace its parent's.
  std::function<void(config::SuiteConfig&)> finish_suite_config;
  /// The environment a config's tests get, for looking up its `tools:` (runner/tool_lookup.h)
  /// when it is loaded; without it, tools are not looked up.
  std::function<std::map<std::string, std::string>(const config::SuiteConfig&)> tool_environment;
};

/// Discovers tests. Keeps the suites and the per-directory configs it loaded.
class Discovery {
 public:
  Discovery(DiscoveryOptions options, Diagnostics& diag) : options_(std::move(options)), diag_(diag) {}

  /// Appends the tests found for one command-line input (file, directory, or a path whose
  /// trailing components do not exist). Warns when it finds none.
  void discover(const std::string& input, std::vector<std::unique_ptr<Test>>& out);

  /// Every suite loaded so far, in load order.
  const std::vector<std::unique_ptr<TestSuite>>& suites() const { return suites_; }
  /// The config files loaded so far (lit.site.yaml, lit.yaml, lit.local.yaml), absolute and
  /// symlink-free, each once, in load order: the run record digests them.
  const std::vector<std::string>& config_files() const { return config_files_; }
  /// After discovery: why the given site config (--site / LITBOX_SITE_CONFIG) was used by no
  /// suite (e.g. another suite's), or "" when it was used or none was given.
  std::string unused_site_config() const;

 private:
  struct SuiteRef {
    TestSuite* suite = nullptr;
    std::vector<std::string> relative;
  };
  SuiteRef find_suite(const std::string& abs_path);
  SuiteRef search_dir(const std::string& dir);
  TestSuite* load_suite(const std::string& dir, const std::string& config_path);
  /// The effective config of `path_in_suite` (a directory), or null if it failed to load;
  /// `error` then holds the message.
  std::shared_ptr<const config::SuiteConfig> local_config(TestSuite* ts, const std::vector<std::string>& dir,
                                                          std::string* error);
  void tests_in_suite(TestSuite* ts, const std::vector<std::string>& path_in_suite,
                      std::vector<std::unique_ptr<Test>>& out);
  void tests_in_dir(TestSuite* ts, const std::vector<std::string>& dir,
                    const std::shared_ptr<const config::SuiteConfig>& cfg,
                    const std::string& config_error, std::vector<std::unique_ptr<Test>>& out);
  std::unique_ptr<Test> make_test(TestSuite* ts, std::vector<std::string> path,
                                  std::shared_ptr<const config::SuiteConfig> cfg);

  void note_config_file(const std::string& path);
  void look_up_tools(const config::SuiteConfig& cfg);
  /// --debug: lit's note `what` '<path>', naming the lit config a generated file came from.
  void debug_note(const std::string& what, const std::string& path);

  DiscoveryOptions options_;
  Diagnostics& diag_;
  std::vector<std::string> config_files_;
  std::vector<std::unique_ptr<TestSuite>> suites_;
  bool site_used_ = false;        // the given site config is some suite's
  std::string site_suite_dir_;    // the suite the given site config names
  std::map<std::string, SuiteRef> suite_cache_;  // realpath(dir) → suite search result
  struct LocalEntry {
    std::shared_ptr<const config::SuiteConfig> config;
    std::string error;
  };
  std::map<std::pair<const TestSuite*, std::string>, LocalEntry> local_cache_;
};

/// Tests of one directory share its Output dir, where a sandboxed test owns (and publishes) the
/// names starting with its %t, "<file name>.tmp": a test whose file name starts with another's
/// "<file name>.tmp" (a.test and a.test.tmpx.test) would own the other's outputs. Both are
/// made UNRESOLVED, with a message naming both, unless they already have a result.
void mark_output_collisions(const std::vector<std::unique_ptr<Test>>& tests);

/// True if `name`'s last extension is in `suffixes` and it is a test file name lit accepts.
bool matches_suffixes(const std::string& name, const std::vector<std::string>& suffixes);

}  // namespace litbox::runner
