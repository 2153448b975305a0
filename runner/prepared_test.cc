#include "runner/prepared_test.h"

#include "runner/test_formats.h"
#include "support/feature_expr.h"
#include "support/strings.h"

namespace litbox::runner {

std::string expand_lit_dbg(const std::string& line) {
  if (!starts_with(line, "%dbg(")) return line;
  size_t close = line.find(')');
  if (close == std::string::npos) return line;
  std::string inner = line.substr(5, close - 5);
  if (inner.find_first_of("'\"") != std::string::npos) return line;
  std::string rest = line.substr(close + 1);
  if (rest.empty()) return ": '" + inner + "'";
  return ": '" + inner + "'; " + rest;
}

namespace {

// The typo check of the REQUIRES/triples RFC: a plain feature name in a directive that is
// neither available nor listed in the suite's `known_features`. Only suites that declare
// known_features are checked (otherwise every absent feature would look like a typo).
std::string unknown_feature_report(const Test& t, const TestScript& ts) {
  const config::SuiteConfig& cfg = *t.config;
  if (cfg.known_features.empty()) return "";
  std::string report;
  auto check = [&](const char* kw, const std::vector<std::string>& exprs, const std::vector<int>& lines) {
    for (size_t i = 0; i < exprs.size(); ++i) {
      if (exprs[i] == "*") continue;
      auto e = FeatureExpr::parse(exprs[i]);
      if (!e) continue;
      for (const auto& term : e->plain_terms()) {
        if (term == "true" || cfg.features.count(term) || cfg.known_features.count(term)) continue;
        if (starts_with(term, "target=") || starts_with(term, "host=")) continue;
        if (!report.empty()) report += "\n";
        report += t.source_path + ":" + std::to_string(i < lines.size() ? lines[i] : 0) + ": " + kw +
                  " names feature '" + term + "', which no configuration of suite '" + t.suite->name +
                  "' defines (not in features or known_features)";
      }
    }
  };
  check("REQUIRES:", ts.requires_, ts.requires_lines);
  check("UNSUPPORTED:", ts.unsupported, ts.unsupported_lines);
  check("XFAIL:", ts.xfails, ts.xfail_lines);
  return report;
}

}  // namespace

bool expected_to_fail(const Test& t, const TestScript& ts, const std::set<std::string>& features, std::string& error) {
  if (t.xfail_not) return false;
  if (t.xfail_all) return true;
  std::string triple = t.config->triple_substring_match ? t.suite->config->target_triple : "";
  for (const auto& x : ts.xfails) {
    if (x == "*") return true;
    auto e = FeatureExpr::parse(x);
    if (!e) {
      error = e.error().message;
      return false;
    }
    if (e->evaluate(features, triple)) return true;
  }
  return false;
}

std::optional<TestResult> check_directives(const Test& t, RunContext& ctx, const TestScript& ts) {
  const config::SuiteConfig& cfg = *t.config;
  const auto& features = test_features(t);
  if (std::string unknown = unknown_feature_report(t, ts); !unknown.empty()) {
    if (ctx.strict_features) return TestResult{ResultCode::kUnresolved, unknown};
    if (ctx.warn) ctx.warn(unknown);
  }
  // `*` passes the directive parser (it is meant for XFAIL) but is not an expression: lit
  // fails evaluating it, and the test is UNRESOLVED.
  for (const auto* list : {&ts.requires_, &ts.unsupported})
    for (const auto& x : *list)
      if (auto e = FeatureExpr::parse(x); !e)
        return TestResult{ResultCode::kUnresolved,
                             "Exception during script execution:\n" + value_error(e.error().message)};
  std::vector<std::string> missing;
  for (const auto& r : ts.requires_) {
    auto e = FeatureExpr::parse(r);
    if (e && !e->evaluate(features)) missing.push_back(r);
  }
  if (!missing.empty())
    return TestResult{ResultCode::kUnsupported,
                         "Test requires the following unavailable features: " + join(missing, ", ")};
  std::string triple = cfg.triple_substring_match ? t.suite->config->target_triple : "";
  std::vector<std::string> unsupported;
  for (const auto& u : ts.unsupported) {
    auto e = FeatureExpr::parse(u);
    if (e && e->evaluate(features, triple)) unsupported.push_back(u);
  }
  if (!unsupported.empty())
    return TestResult{ResultCode::kUnsupported,
                         "Test does not support the following features and/or targets: " + join(unsupported, ", ")};
  if (!cfg.limit_to_features.empty()) {
    // Runs only if its REQUIRES hold and would not hold without the limited features.
    std::set<std::string> without = features;
    for (const auto& f : cfg.limit_to_features) without.erase(f);
    bool needs_one = false;
    for (const auto& r : ts.requires_) {
      auto e = FeatureExpr::parse(r);
      if (e && !e->evaluate(without)) needs_one = true;
    }
    if (!needs_one)
      return TestResult{ResultCode::kUnsupported,
                           "Test does not require any of the features specified in limit_to_features: " +
                               join(cfg.limit_to_features, ", ")};
  }
  return std::nullopt;
}

std::variant<PreparedTest, TestResult> prepare_sh_test(const Test& t, RunContext& ctx) {
  const config::SuiteConfig& cfg = *t.config;
  if (cfg.unsupported) return TestResult{ResultCode::kUnsupported, "Test is unsupported"};

  const bool define_directives = cfg.lit_version == 0 || cfg.lit_version >= 16;
  auto parsed = read_test_file(t.source_path, cfg.preamble_commands.empty(), define_directives);
  if (!parsed) return TestResult{ResultCode::kUnresolved, parsed.error().message};
  TestScript& ts = *parsed;
  const auto& features = test_features(t);
  if (auto gated = check_directives(t, ctx, ts)) return *gated;
  if (ctx.no_execute) return TestResult{ResultCode::kPass, ""};

  TestPaths paths = test_paths(t.source_path, t.exec_path);
  std::vector<ScriptEntry> script;
  for (const auto& c : cfg.preamble_commands) script.push_back({ScriptEntry::kRun, c, "", 0, 0});
  for (auto& e : ts.script) script.push_back(std::move(e));
  auto lines = apply_substitutions(script, test_substitutions(cfg, paths), features, cfg.recursive_expansion_limit);
  if (!lines) return TestResult{ResultCode::kUnresolved, "Exception during script execution:\n" + lines.error().message};
  for (auto& l : *lines) l = expand_lit_dbg(l);
  ts.script.clear();
  return PreparedTest{std::move(ts), std::move(paths), std::move(*lines)};
}

}  // namespace litbox::runner
