#include "runner/merge_results.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>

#include "runner/shard.h"

namespace litbox::runner {

namespace {

using nlohmann::json;

// At most `limit` names, then how many more.
std::string some(const std::vector<std::string>& names, size_t limit = 5) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < limit; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > limit) out += ", ... (" + std::to_string(names.size() - limit) + " more)";
  return out;
}

std::string shard_name(const ShardReport& r) { return std::to_string(r.index) + "/" + std::to_string(r.count); }

// The entry of `selected` that reported test `name` runs: the name itself, or for a gtest
// binary's case ("S :: dir/binary/Suite/Case") the binary's ("S :: dir/binary").
const std::string* unit_of(const std::set<std::string>& selected, const std::string& name) {
  std::string_view n = name;
  size_t floor = n.find(" :: ");
  while (true) {
    if (auto it = selected.find(std::string(n)); it != selected.end()) return &*it;
    size_t slash = n.rfind('/');
    if (slash == std::string_view::npos || (floor != std::string_view::npos && slash < floor)) return nullptr;
    n = n.substr(0, slash);
  }
}

}  // namespace

Expected<ShardReport> parse_report(const std::string& file, const std::string& text) {
  json data;
  try {
    data = json::parse(text);
  } catch (const json::parse_error& e) {
    return Error(file + ": invalid JSON: " + e.what());
  }
  auto bad = [&](const std::string& why) { return Error(file + ": not a lit JSON report (-o): " + why); };
  if (!data.is_object()) return bad("the top level is not an object");
  ShardReport r;
  r.file = file;
  if (data.contains("elapsed")) {
    if (!data["elapsed"].is_number()) return bad("\"elapsed\" is not a number");
    r.elapsed = data["elapsed"].get<double>();
  }
  if (!data.contains("tests") || !data["tests"].is_array()) return bad("no \"tests\" array");
  size_t i = 0;
  for (const json& t : data["tests"]) {
    const std::string where = "tests[" + std::to_string(i++) + "]";
    if (!t.is_object() || !t.contains("name") || !t["name"].is_string() || !t.contains("code") || !t["code"].is_string())
      return bad(where + " has no string \"name\" and \"code\"");
    ReportedTest rt;
    rt.name = t["name"].get<std::string>();
    if (rt.name.find(" :: ") == std::string::npos) return bad(where + ": name '" + rt.name + "' is not '<suite> :: <path>'");
    auto code = code_from_name(t["code"].get<std::string>());
    if (!code) return bad(where + ": unknown result code '" + t["code"].get<std::string>() + "'");
    rt.code = *code;
    if (t.contains("output") && t["output"].is_string()) rt.output = t["output"].get<std::string>();
    if (t.contains("elapsed") && t["elapsed"].is_number()) rt.elapsed = t["elapsed"].get<double>();
    if (t.contains("environment") && t["environment"].is_object())
      for (const auto& [k, v] : t["environment"].items())
        if (v.is_string()) rt.environment[k] = v.get<std::string>();
    r.tests.push_back(std::move(rt));
  }
  if (data.contains("__litbox_shard__")) {
    const json& s = data["__litbox_shard__"];
    if (!s.is_object() || !s.contains("index") || !s["index"].is_number_integer() || !s.contains("count") ||
        !s["count"].is_number_integer() || !s.contains("selected") || !s["selected"].is_array())
      return bad("\"__litbox_shard__\" is not {\"index\": I, \"count\": N, \"selected\": [...]}");
    r.has_shard = true;
    r.index = s["index"].get<int>();
    r.count = s["count"].get<int>();
    if (r.count < 1 || r.index < 1 || r.index > r.count)
      return bad("\"__litbox_shard__\" says shard " + shard_name(r) + ", not 1 <= index <= count");
    for (const json& n : s["selected"]) {
      if (!n.is_string()) return bad("\"__litbox_shard__\".\"selected\" holds a non-string");
      r.selected.push_back(n.get<std::string>());
    }
    std::sort(r.selected.begin(), r.selected.end());
  }
  if (data.contains("__litbox_run__")) {
    auto run = run_record_from_json(data["__litbox_run__"]);
    if (!run) return bad(run.error().message);
    r.has_run = true;
    r.run = std::move(*run);
  }
  return r;
}

Expected<ShardReport> read_report(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Error(path + ": cannot read: " + strerror(errno));
  std::ostringstream text;
  text << f.rdbuf();
  return parse_report(path, text.str());
}

MergeOutcome merge_reports(const std::vector<ShardReport>& reports) {
  MergeOutcome m;
  if (reports.empty()) return m;
  // The shards: one count, each index once, none missing, the same list of tests to run.
  const ShardReport* first = nullptr;
  for (const ShardReport& r : reports) {
    if (!r.has_shard) {
      m.problems.push_back(r.file + ": no \"__litbox_shard__\" record (not written by litbox -o), so its tests cannot be checked");
      continue;
    }
    if (!first) {
      first = &r;
      continue;
    }
    if (r.count != first->count)
      m.problems.push_back("shard counts differ: " + first->file + " is shard " + shard_name(*first) + ", " + r.file +
                           " is shard " + shard_name(r));
    if (r.selected != first->selected) {
      std::vector<std::string> only_first, only_r;
      std::set_difference(first->selected.begin(), first->selected.end(), r.selected.begin(), r.selected.end(),
                          std::back_inserter(only_first));
      std::set_difference(r.selected.begin(), r.selected.end(), first->selected.begin(), first->selected.end(),
                          std::back_inserter(only_r));
      std::string msg = "the shards' lists of tests to run differ (other --filter, another tree?): " + first->file +
                        " and " + r.file + ":";
      if (!only_first.empty()) msg += " only in " + first->file + ": " + some(only_first) + ";";
      if (!only_r.empty()) msg += " only in " + r.file + ": " + some(only_r) + ";";
      msg.pop_back();
      m.problems.push_back(msg);
    }
  }
  if (first) {
    m.count = first->count;
    std::map<int, const ShardReport*> by_index;
    for (const ShardReport& r : reports) {
      if (!r.has_shard || r.count != first->count) continue;
      auto [it, added] = by_index.emplace(r.index, &r);
      if (!added) m.problems.push_back("shard " + shard_name(r) + " is given twice: " + it->second->file + " and " + r.file);
    }
    for (int i = 1; i <= first->count; ++i)
      if (!by_index.count(i))
        m.problems.push_back("shard " + std::to_string(i) + "/" + std::to_string(first->count) + " is missing (no report)");
  }

  std::set<std::string> selected;
  for (const ShardReport& r : reports) selected.insert(r.selected.begin(), r.selected.end());
  m.selected.assign(selected.begin(), selected.end());

  std::vector<std::pair<std::string, const RunRecord*>> runs;
  for (const ShardReport& r : reports)
    if (r.has_run) runs.emplace_back(r.file, &r.run);
  m.has_run = !runs.empty();
  m.run = merge_run_records(runs);

  // Every test once: by name across all reports; every listed test covered by one.
  std::map<std::string, const ShardReport*> seen;
  std::set<const std::string*> covered;
  for (const ShardReport& r : reports) {
    m.elapsed = std::max(m.elapsed, r.elapsed);
    for (const ReportedTest& t : r.tests) {
      auto [it, added] = seen.emplace(t.name, &r);
      if (!added) {
        m.problems.push_back("duplicated test: " + t.name + " (in " + it->second->file +
                             (it->second == &r ? ", twice" : " and " + r.file) + ")");
        continue;
      }
      m.tests.push_back(&t);
      m.failed = m.failed || is_failure(t.code);
      if (!r.has_shard) continue;
      if (const std::string* unit = unit_of(selected, t.name)) covered.insert(unit);
      else m.problems.push_back("unexpected test: " + t.name + " (in " + r.file + ") is in no shard's list of tests to run");
    }
  }
  for (const std::string& name : selected)
    if (!covered.count(&name))
      m.problems.push_back("missing test: " + name + " (in the shards' list of tests to run, in no report)");
  return m;
}

}  // namespace litbox::runner

namespace litbox::runner {

size_t fill_unreported(std::vector<ShardReport>& reports, int count, const std::function<std::string(int)>& reason,
                       const std::function<std::string(int)>& placeholder) {
  std::set<std::string> selected;
  for (const ShardReport& r : reports) selected.insert(r.selected.begin(), r.selected.end());
  std::set<const std::string*> covered;
  for (const ShardReport& r : reports)
    for (const ReportedTest& t : r.tests)
      if (const std::string* unit = unit_of(selected, t.name)) covered.insert(unit);
  size_t added = 0;
  for (const std::string& name : selected) {
    if (covered.count(&name)) continue;
    const int index = shard_of(name, count);
    auto it = std::find_if(reports.begin(), reports.end(),
                           [&](const ShardReport& r) { return r.has_shard && r.count == count && r.index == index; });
    if (it == reports.end()) {
      ShardReport made;
      made.file = placeholder(index);
      made.has_shard = true;
      made.index = index;
      made.count = count;
      made.selected.assign(selected.begin(), selected.end());
      reports.push_back(std::move(made));
      it = reports.end() - 1;
    }
    it->tests.push_back({name, ResultCode::kUnresolved, reason(index), 0, {}});
    ++added;
  }
  return added;
}

}  // namespace litbox::runner
