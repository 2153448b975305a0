#include "runner/environment.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <unordered_map>

#include "configs/interpolate.h"

namespace litbox::runner {

namespace {

// The host variables lit 15's TestingConfig.fromdefaults passes through when set.
constexpr const char* kLitPassVars[] = {
    "LIBRARY_PATH", "LD_LIBRARY_PATH", "SYSTEMROOT", "TERM", "CLANG", "LLDB", "LD_PRELOAD",
    "LLVM_SYMBOLIZER_PATH", "ASAN_SYMBOLIZER_PATH", "LSAN_SYMBOLIZER_PATH", "MSAN_SYMBOLIZER_PATH",
    "TSAN_SYMBOLIZER_PATH", "UBSAN_SYMBOLIZER_PATH", "ASAN_OPTIONS", "LSAN_OPTIONS", "MSAN_OPTIONS",
    "TSAN_OPTIONS", "UBSAN_OPTIONS", "ADB", "ANDROID_SERIAL", "SSH_AUTH_SOCK", "SANITIZER_IGNORE_CVE_2016_2143",
    "TMPDIR", "TMP", "TEMP", "TEMPDIR", "AVRLIT_BOARD", "AVRLIT_PORT", "FILECHECK_OPTS", "VCINSTALLDIR",
    "VCToolsinstallDir", "VSINSTALLDIR", "WindowsSdkDir", "WindowsSDKLibVersion", "SOURCE_DATE_EPOCH",
    "GTEST_FILTER", "DFLTCC"};

// The host's environment, read once (the runner does not change its own): getenv scans all
// of environ, and a test's environment asks for some 40 names.
const char* host_env(const std::string& name) {
  static const std::unordered_map<std::string, std::string> env = [] {
    std::unordered_map<std::string, std::string> m;
    for (char** e = environ; e && *e; ++e) {
      const char* eq = strchr(*e, '=');
      if (eq) m.emplace(std::string(*e, static_cast<size_t>(eq - *e)), eq + 1);
    }
    return m;
  }();
  auto it = env.find(name);
  return it == env.end() ? nullptr : it->second.c_str();
}

}  // namespace

std::map<std::string, std::string> build_environment(const config::SuiteConfig& config,
                                                     const EnvironmentOptions& options) {
  std::map<std::string, std::string> env;
  std::string path;
  for (const auto& p : options.path_prepend) path += p + ":";
  if (options.hermetic) {
    path += kHermeticPath;
  } else {
    const char* host_path = host_env("PATH");
    path += host_path ? host_path : "/usr/local/bin:/usr/bin:/bin";
  }
  env["PATH"] = path;
  env["LLVM_DISABLE_CRASH_REPORT"] = "1";
  if (!options.hermetic) {
    for (const char* name : kLitPassVars) {
      const char* v = host_env(name);
      if (v && *v) env[name] = v;
    }
  } else {
    // A sandboxed test sees the same machine whoever starts it: nothing of the host's
    // environment but PATH and what the config or --pass-env names.
    env["TZ"] = "UTC";
    env["LANG"] = "C.UTF-8";
    env["LC_ALL"] = "C.UTF-8";
  }
  for (const auto& name : config.environment.pass) {
    const char* v = host_env(name);
    if (v) env[name] = v;
  }
  // `${env:PATH}` in the config's values is this base PATH.
  for (const auto& [k, v] : config.environment.set) env[k] = config::expand_base_path(v, path);
  if (!options.tmp_dir.empty())
    for (const char* name : {"TMP", "TMPDIR", "TEMP", "TEMPDIR"}) env[name] = options.tmp_dir;
  for (const auto& name : config.environment.unset) env.erase(name);
  for (const auto& name : options.pass_env)
    if (const char* v = host_env(name)) env[name] = v;
  return env;
}

std::vector<std::string> to_envp(const std::map<std::string, std::string>& env) {
  std::vector<std::string> out;
  out.reserve(env.size());
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

}  // namespace litbox::runner
