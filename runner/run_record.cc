#include "runner/run_record.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace litbox::runner {

namespace {

using nlohmann::json;

Expected<std::map<std::string, std::string>> string_map(const json& v, const char* key) {
  std::map<std::string, std::string> out;
  if (!v.contains(key)) return out;
  const json& m = v[key];
  if (!m.is_object()) return Error(std::string("\"") + key + "\" is not an object");
  for (const auto& [k, s] : m.items()) {
    if (!s.is_string()) return Error(std::string("\"") + key + "\".\"" + k + "\" is not a string");
    out[k] = s.get<std::string>();
  }
  return out;
}

std::string replace_tmp_dir(const std::string& value, const std::string& dir) {
  if (dir.empty()) return value;
  std::string out;
  size_t from = 0;
  for (size_t at; (at = value.find(dir, from)) != std::string::npos; from = at + dir.size())
    out += value.substr(from, at - from) + kRunTmpDirPlaceholder;
  return out + value.substr(from);
}

// Unites `from` (of report `file`) into `into`; a conflict adds the value and a difference.
void unite(std::map<std::string, std::string>& into, std::map<std::string, std::string>& first_file,
           const std::map<std::string, std::string>& from, const std::string& file, const char* what,
           std::vector<std::string>& differences) {
  for (const auto& [k, v] : from) {
    auto [it, added] = into.emplace(k, v);
    if (added) {
      first_file[k] = file;
      continue;
    }
    if (it->second == v) continue;
    // Already a " | " list: add v unless it is one of its values.
    std::string joined = " | " + it->second + " | ";
    if (joined.find(" | " + v + " | ") != std::string::npos) continue;
    differences.push_back(std::string(what) + " " + k + " differs between the reports: " + first_file[k] + " has " +
                          it->second + ", " + file + " has " + v);
    it->second += " | " + v;
  }
}

}  // namespace

json run_record_json(const RunRecord& r) {
  json shards = json::array();
  for (const RunShard& s : r.shards) shards.push_back({{"index", s.index}, {"count", s.count}, {"host", s.host}});
  return {{"litbox_version", r.litbox_version},
          {"configs", r.configs},
          {"tools", r.tools},
          {"environment", r.environment},
          {"shards", shards}};
}

Expected<RunRecord> run_record_from_json(const json& v) {
  if (!v.is_object()) return Error("\"__litbox_run__\" is not an object");
  RunRecord r;
  if (v.contains("litbox_version")) {
    if (!v["litbox_version"].is_string()) return Error("\"__litbox_run__\".\"litbox_version\" is not a string");
    r.litbox_version = v["litbox_version"].get<std::string>();
  }
  for (auto [key, field] : {std::pair{"configs", &r.configs}, std::pair{"tools", &r.tools},
                            std::pair{"environment", &r.environment}}) {
    auto m = string_map(v, key);
    if (!m) return Error("\"__litbox_run__\"." + m.error().message);
    *field = std::move(*m);
  }
  if (v.contains("shards")) {
    if (!v["shards"].is_array()) return Error("\"__litbox_run__\".\"shards\" is not an array");
    for (const json& s : v["shards"]) {
      if (!s.is_object() || !s.contains("index") || !s["index"].is_number_integer() || !s.contains("count") ||
          !s["count"].is_number_integer())
        return Error("\"__litbox_run__\".\"shards\" holds an entry without integer \"index\" and \"count\"");
      RunShard rs{s["index"].get<int>(), s["count"].get<int>(), ""};
      if (s.contains("host") && s["host"].is_string()) rs.host = s["host"].get<std::string>();
      r.shards.push_back(std::move(rs));
    }
  }
  return r;
}

std::map<std::string, std::string> common_environment(
    const std::vector<const std::map<std::string, std::string>*>& environments, const std::string& run_tmp_dir) {
  std::map<std::string, std::string> common;
  bool first = true;
  for (const auto* env : environments) {
    if (!env || env->empty()) continue;  // a test that ran no command
    if (first) {
      common = *env;
      first = false;
      continue;
    }
    for (auto it = common.begin(); it != common.end();) {
      auto other = env->find(it->first);
      if (other == env->end() || other->second != it->second) it = common.erase(it);
      else ++it;
    }
  }
  for (auto& [k, v] : common) v = replace_tmp_dir(v, run_tmp_dir);
  return common;
}

MergedRunRecord merge_run_records(const std::vector<std::pair<std::string, const RunRecord*>>& records) {
  MergedRunRecord m;
  std::map<std::string, std::string> version, configs_from, tools_from, env_from, version_from;
  for (const auto& [file, r] : records) {
    unite(version, version_from, {{"version", r->litbox_version}}, file, "litbox", m.differences);
    unite(m.record.configs, configs_from, r->configs, file, "config", m.differences);
    unite(m.record.tools, tools_from, r->tools, file, "tool", m.differences);
    unite(m.record.environment, env_from, r->environment, file, "environment variable", m.differences);
    m.record.shards.insert(m.record.shards.end(), r->shards.begin(), r->shards.end());
  }
  if (!version.empty()) m.record.litbox_version = version["version"];
  std::sort(m.record.shards.begin(), m.record.shards.end(),
            [](const RunShard& a, const RunShard& b) { return a.index < b.index; });
  return m;
}

}  // namespace litbox::runner
