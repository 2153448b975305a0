#include "runner/shard_env.h"

#include <charconv>
#include <optional>
#include <string_view>
#include <vector>

extern char** environ;

namespace litbox::runner {

namespace {

// One system's convention: the variables and whether its index starts at 0 or 1.
struct Convention {
  const char* source;
  const char* index_var;
  const char* count_var;
  int first_index;             // 0 or 1
  const char* min_var;         // Slurm: the index is ID - MIN
  const char* count_hint;      // said when the count variable is missing
};

constexpr Convention kConventions[] = {
    {"Bazel", "TEST_SHARD_INDEX", "TEST_TOTAL_SHARDS", 0, nullptr, nullptr},
    {"Slurm job array", "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", 0, "SLURM_ARRAY_TASK_MIN", nullptr},
    {"Kubernetes Indexed Job", "JOB_COMPLETION_INDEX", "LITBOX_SHARD_COUNT", 0, nullptr,
     "Kubernetes does not expose the number of completions: set LITBOX_SHARD_COUNT to the Job's "
     ".spec.completions"},
    {"GitLab", "CI_NODE_INDEX", "CI_NODE_TOTAL", 1, nullptr, nullptr},
    {"Buildkite", "BUILDKITE_PARALLEL_JOB", "BUILDKITE_PARALLEL_JOB_COUNT", 0, nullptr, nullptr},
    {"CircleCI", "CIRCLE_NODE_INDEX", "CIRCLE_NODE_TOTAL", 0, nullptr, nullptr},
};

std::optional<long long> decimal(const std::string& s) {
  if (s.empty() || s.size() > 9) return std::nullopt;
  long long v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

const std::string* lookup(const std::map<std::string, std::string>& env, const char* name) {
  auto it = env.find(name);
  return it == env.end() ? nullptr : &it->second;
}

}  // namespace

Expected<ShardFromEnv> shard_from_environment(const std::map<std::string, std::string>& env) {
  for (const Convention& c : kConventions) {
    // Bazel sets TEST_TOTAL_SHARDS only for a sharded test; the others are keyed by the index.
    const bool bazel = std::string_view(c.source) == "Bazel";
    const std::string* index = lookup(env, c.index_var);
    const std::string* count = lookup(env, c.count_var);
    if (!(bazel ? count != nullptr || index != nullptr : index != nullptr)) continue;
    const std::string what = std::string("--shard=auto (") + c.source + "): ";
    if (!index) return Error(what + c.count_var + " is set but " + c.index_var + " is not");
    if (!count)
      return Error(what + c.index_var + " is set but " + c.count_var + " is not" +
                   (c.count_hint ? std::string("; ") + c.count_hint : std::string()));
    auto number = [&](const char* var, const std::string& value) -> Expected<long long> {
      auto v = decimal(value);
      if (!v) return Error(what + var + "='" + value + "' is not a non-negative decimal number");
      return *v;
    };
    auto i = number(c.index_var, *index);
    if (!i) return i.error();
    auto n = number(c.count_var, *count);
    if (!n) return n.error();
    if (*n < 1) return Error(what + c.count_var + "='" + *count + "': the number of shards must be at least 1");
    long long zero_based = *i - c.first_index;
    std::string vars = std::string(c.index_var) + "=" + *index + ", " + c.count_var + "=" + *count;
    if (c.min_var) {
      const std::string* min = lookup(env, c.min_var);
      if (!min) return Error(what + c.index_var + " is set but " + c.min_var + " is not");
      auto m = number(c.min_var, *min);
      if (!m) return m.error();
      zero_based = *i - *m;
      vars += std::string(", ") + c.min_var + "=" + *min;
      if (zero_based < 0 || zero_based >= *n)
        return Error(what + c.index_var + "='" + *index + "' is out of range: " + c.index_var + " - " + c.min_var +
                     " must be between 0 and " + c.count_var + " - 1 = " + std::to_string(*n - 1) +
                     " (an array with a step, --array=A-B:S, is not a contiguous set of shards)");
    } else if (zero_based < 0 || zero_based >= *n) {
      return Error(what + c.index_var + "='" + *index + "' is out of range: " + (c.first_index ? "1-based" : "0-based") +
                   ", it must be between " + std::to_string(c.first_index) + " and " +
                   std::to_string(*n - 1 + c.first_index) + " (" + c.count_var + "=" + *count + ")");
    }
    ShardFromEnv r;
    r.spec = {static_cast<int>(zero_based + 1), static_cast<int>(*n)};
    r.source = c.source;
    r.variables = vars;
    if (bazel)
      if (const std::string* f = lookup(env, "TEST_SHARD_STATUS_FILE")) r.status_file = *f;
    return r;
  }
  std::string looked;
  for (const Convention& c : kConventions) {
    if (!looked.empty()) looked += ", ";
    looked += std::string(c.source) + " (" + c.index_var + ", " + c.count_var + ")";
  }
  return Error("--shard=auto: no shard variables in the environment; looked for " + looked);
}

std::map<std::string, std::string> environment_map() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    size_t eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return env;
}

}  // namespace litbox::runner
