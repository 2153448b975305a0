#include "runner/libcxx_format.h"

#include <cctype>

#include "runner/test_formats.h"
#include "support/python_regex.h"
#include "support/strings.h"

namespace litbox::runner {

namespace {

constexpr const char* kVerifyFlags = "-Xclang -verify -Xclang -verify-ignore-unexpected=note -ferror-limit=0";
constexpr const char* kFileDependencies = "FILE_DEPENDENCIES:";
constexpr const char* kAdditionalCompileFlags = "ADDITIONAL_COMPILE_FLAGS:";

// `[.]sh[.][^.]+$`: ".sh." then a last extension without dots.
bool is_sh_test(std::string_view name) {
  size_t sh = name.rfind(".sh.");
  return sh != std::string_view::npos && sh + 4 < name.size() && name.find('.', sh + 4) == std::string_view::npos;
}

// A config substitution whose key is `key`: lit compares the key text. Patterns are stored
// as regexes, escaped one way or another ("%\\{exec\\}", "%{exec}"): compare them unescaped.
bool is_key(const config::Substitution& s, std::string_view key) {
  std::string plain;
  for (size_t i = 0; i < s.pattern.size(); ++i) {
    if (s.pattern[i] == '\\' && i + 1 < s.pattern.size() && !std::isalnum(static_cast<unsigned char>(s.pattern[i + 1])))
      ++i;
    plain += s.pattern[i];
  }
  return plain == key;
}

// The steps of a test's kind, as LLVM 15's CxxStandardLibraryTest.execute builds them; an
// error result for a .verify.cpp test without clang-verify or an unknown suffix.
std::variant<std::vector<std::string>, TestResult> steps_for(const Test& t, const std::string& name) {
  const bool verify = test_features(t).count("verify-support") > 0;
  const std::string verify_step = std::string("%dbg(COMPILED WITH) %{cxx} %s %{flags} %{compile_flags} -fsyntax-only -Wno-error ") + kVerifyFlags;
  if (is_sh_test(name)) return std::vector<std::string>{};
  if (ends_with(name, ".compile.pass.cpp"))
    return std::vector<std::string>{"%dbg(COMPILED WITH) %{cxx} %s %{flags} %{compile_flags} -fsyntax-only"};
  if (ends_with(name, ".compile.fail.cpp"))
    return std::vector<std::string>{"%dbg(COMPILED WITH) ! %{cxx} %s %{flags} %{compile_flags} -fsyntax-only"};
  if (ends_with(name, ".link.pass.cpp"))
    return std::vector<std::string>{"%dbg(COMPILED WITH) %{cxx} %s %{flags} %{compile_flags} %{link_flags} -o %t.exe"};
  if (ends_with(name, ".link.fail.cpp"))
    return std::vector<std::string>{"%dbg(COMPILED WITH) %{cxx} %s %{flags} %{compile_flags} -c -o %t.o",
                                    "%dbg(LINKED WITH) ! %{cxx} %t.o %{flags} %{link_flags} -o %t.exe"};
  if (ends_with(name, ".verify.cpp")) {
    if (!verify)
      return TestResult{ResultCode::kUnsupported, "Test " + t.full_name() +
                                                      " requires support for Clang-verify, which isn't supported by the compiler"};
    return std::vector<std::string>{verify_step};
  }
  // Checked after the suffixes above, which they also match.
  if (ends_with(name, ".pass.cpp") || ends_with(name, ".pass.mm"))
    return std::vector<std::string>{"%dbg(COMPILED WITH) %{cxx} %s %{flags} %{compile_flags} %{link_flags} -o %t.exe",
                                    "%dbg(EXECUTED AS) %{exec} %t.exe"};
  // Backwards compatibility: clang-verify where the compiler has it, else a compile failure.
  if (ends_with(name, ".fail.cpp")) {
    if (verify) return std::vector<std::string>{verify_step};
    return std::vector<std::string>{"%dbg(COMPILED WITH) ! %{cxx} %s %{flags} %{compile_flags} -fsyntax-only"};
  }
  return TestResult{ResultCode::kUnresolved, "Unknown test suffix for '" + name + "'"};
}

}  // namespace

bool is_libcxx_test_name(std::string_view name) {
  for (const char* s : {".pass.cpp", ".pass.mm", ".compile.pass.cpp", ".compile.fail.cpp", ".link.pass.cpp",
                        ".link.fail.cpp", ".verify.cpp", ".fail.cpp"})
    if (ends_with(name, s)) return true;
  return is_sh_test(name);
}

std::variant<PreparedTest, TestResult> prepare_libcxx_test(const Test& t, RunContext& ctx) {
  const config::SuiteConfig& cfg = *t.config;
  const std::string name = t.path_in_suite.empty() ? std::string() : t.path_in_suite.back();
  auto steps = steps_for(t, name);
  if (auto* r = std::get_if<TestResult>(&steps)) return std::move(*r);
  std::vector<std::string>& preamble = std::get<std::vector<std::string>>(steps);
  if (cfg.unsupported) return TestResult{ResultCode::kUnsupported, "Test is unsupported"};

  // %T is the test's own directory; %t lives in it.
  TestPaths paths = test_paths(t.source_path, t.exec_path);
  paths.tmp_dir = paths.tmp_base + ".dir";
  paths.tmp_base = paths.tmp_dir + "/t";
  std::vector<config::Substitution> subs = test_substitutions(cfg, paths);
  for (const char* key : {"%{cxx}", "%{compile_flags}", "%{link_flags}", "%{flags}", "%{exec}"}) {
    bool found = false;
    for (const auto& s : subs) found = found || is_key(s, key);
    if (!found)
      return TestResult{ResultCode::kUnresolved, std::string("Exception during script execution:\nAssertionError: "
                                                             "Required substitution ") +
                                                     key + " was not provided"};
  }
  subs.push_back({regex_escape("%{build}"), "%{cxx} %s %{flags} %{compile_flags} %{link_flags} -o %t.exe", true});
  subs.push_back({regex_escape("%{run}"), "%{exec} %t.exe", true});

  ParseOptions opts;
  opts.require_script = preamble.empty();
  opts.define_directives = cfg.lit_version == 0 || cfg.lit_version >= 16;
  opts.list_keywords = {kFileDependencies, kAdditionalCompileFlags};
  auto parsed = read_test_file(t.source_path, opts);
  if (!parsed) return TestResult{ResultCode::kUnresolved, parsed.error().message};
  TestScript& ts = *parsed;
  if (auto gated = check_directives(t, ctx, ts)) return *gated;

  std::vector<ScriptEntry> script;
  for (const auto& dep : ts.lists[kFileDependencies])
    script.push_back({ScriptEntry::kRun, "%dbg(SETUP) cd %S && cp " + dep + " %T", "", 0, 0});
  for (auto& step : preamble) script.push_back({ScriptEntry::kRun, std::move(step), "", 0, 0});
  for (auto& e : ts.script) script.push_back(std::move(e));

  // lit appends ' ' + the flags joined to every %{compile_flags} entry, even with none.
  const std::string extra = " " + join(ts.lists[kAdditionalCompileFlags], " ");
  for (auto& s : subs)
    if (is_key(s, "%{compile_flags}")) s.replacement += extra;

  auto lines = apply_substitutions(script, std::move(subs), test_features(t), cfg.recursive_expansion_limit);
  if (!lines) return TestResult{ResultCode::kUnresolved, "Exception during script execution:\n" + lines.error().message};
  if (ctx.no_execute) {
    std::string error;
    bool xfail = expected_to_fail(t, ts, test_features(t), error);
    if (!error.empty()) return TestResult{ResultCode::kUnresolved, error};
    return TestResult{xfail ? ResultCode::kXFail : ResultCode::kPass, ""};
  }
  for (auto& l : *lines) l = expand_lit_dbg(l);
  ts.script.clear();
  PreparedTest pt{std::move(ts), std::move(paths), std::move(*lines)};
  pt.own_tmp_dir = true;
  return pt;
}

}  // namespace litbox::runner
