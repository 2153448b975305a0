// The environment of a test's processes, built from the config's policy.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "configs/suite_config.h"

namespace litbox::runner {

struct EnvironmentOptions {
  std::vector<std::string> path_prepend;  ///< --path
  std::string tmp_dir;                    ///< the run's temp dir (TMP, TMPDIR, TEMP, TEMPDIR)
  bool hermetic = false;                  ///< sandboxed: fixed TZ/locale, nothing from the host but the allow-list
};

/// lit's default environment (PATH, LLVM_DISABLE_CRASH_REPORT and the host variables lit
/// passes through when set), then the config's `environment:` set/pass/unset.
std::map<std::string, std::string> build_environment(const config::SuiteConfig& config,
                                                     const EnvironmentOptions& options);

/// "NAME=value" strings.
std::vector<std::string> to_envp(const std::map<std::string, std::string>& env);

}  // namespace litbox::runner
