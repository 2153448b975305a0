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
  std::vector<std::string> pass_env;      ///< --pass-env: host variables passed whatever the config says
};

/// A sandboxed test's base PATH after the --path dirs: the same on every host, whatever PATH
/// litbox was started with (Debian's default PATH for root).
inline constexpr const char* kHermeticPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// PATH (--path first, then the host's PATH, or kHermeticPath if `hermetic`; `${env:PATH}` in
/// the config's values stands for it) and LLVM_DISABLE_CRASH_REPORT; unless `hermetic`, the host variables
/// lit 15 passes through when set (FILECHECK_OPTS, *SAN_OPTIONS, TERM...), and if `hermetic`,
/// TZ=UTC and LANG/LC_ALL=C.UTF-8 instead; then the config's `environment:` pass/set, the
/// temp-dir variables, the config's unset, and last the host's values of `pass_env` (those
/// the host has).
std::map<std::string, std::string> build_environment(const config::SuiteConfig& config,
                                                     const EnvironmentOptions& options);

/// "NAME=value" strings.
std::vector<std::string> to_envp(const std::map<std::string, std::string>& env);

}  // namespace litbox::runner
