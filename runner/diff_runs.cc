#include "runner/diff_runs.h"

#include <map>
#include <set>

#include "support/strings.h"

namespace litbox::runner {

namespace {

std::set<std::string> suites_of(const ShardReport& r) {
  std::set<std::string> out;
  for (const ReportedTest& t : r.tests) out.insert(t.name.substr(0, t.name.find(" :: ")));
  return out;
}

void diff_maps(const char* what, const std::map<std::string, std::string>& a,
               const std::map<std::string, std::string>& b, std::vector<InputChange>& out) {
  auto ia = a.begin();
  auto ib = b.begin();
  while (ia != a.end() || ib != b.end()) {
    if (ib == b.end() || (ia != a.end() && ia->first < ib->first)) {
      out.push_back({std::string(what) + " " + ia->first, ia->second, ""});
      ++ia;
    } else if (ia == a.end() || ib->first < ia->first) {
      out.push_back({std::string(what) + " " + ib->first, "", ib->second});
      ++ib;
    } else {
      if (ia->second != ib->second) out.push_back({std::string(what) + " " + ia->first, ia->second, ib->second});
      ++ia;
      ++ib;
    }
  }
}

std::string plural(size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

Expected<RunDiff> diff_runs(const ShardReport& a, const ShardReport& b) {
  const std::set<std::string> sa = suites_of(a), sb = suites_of(b);
  if (!sa.empty() && !sb.empty()) {
    bool common = false;
    for (const auto& s : sa) common = common || sb.count(s);
    if (!common)
      return Error(b.file + ": a report of another suite: its tests are in " +
                   join(std::vector<std::string>(sb.begin(), sb.end()), ", ") + ", those of " + a.file + " in " +
                   join(std::vector<std::string>(sa.begin(), sa.end()), ", "));
  }
  RunDiff d;
  std::map<std::string, ResultCode> codes_a, codes_b;
  for (const ReportedTest& t : a.tests) codes_a.emplace(t.name, t.code);
  for (const ReportedTest& t : b.tests) codes_b.emplace(t.name, t.code);
  for (const auto& [name, code] : codes_a) {
    auto it = codes_b.find(name);
    if (it == codes_b.end()) d.disappeared.push_back({name, std::string(code_name(code)), ""});
    else if (it->second != code)
      d.changed.push_back({name, std::string(code_name(code)), std::string(code_name(it->second))});
    else ++d.same;
  }
  for (const auto& [name, code] : codes_b)
    if (!codes_a.count(name)) d.appeared.push_back({name, "", std::string(code_name(code))});

  d.inputs_compared = a.has_run && b.has_run;
  if (d.inputs_compared) {
    if (a.run.litbox_version != b.run.litbox_version)
      d.inputs.push_back({"litbox version", a.run.litbox_version, b.run.litbox_version});
    diff_maps("config", a.run.configs, b.run.configs, d.inputs);
    diff_maps("tool", a.run.tools, b.run.tools, d.inputs);
    diff_maps("environment", a.run.environment, b.run.environment, d.inputs);
  }
  return d;
}

std::string format_run_diff(const RunDiff& d, const ShardReport& a, const ShardReport& b) {
  std::string out = "Tests: " + plural(d.changed.size(), "changed result code", "changed result codes") + ", " +
                    std::to_string(d.appeared.size()) + " only in " + b.file + ", " +
                    std::to_string(d.disappeared.size()) + " only in " + a.file + ", " + std::to_string(d.same) +
                    " the same\n";
  for (const auto& c : d.changed) out += "  " + c.before + " -> " + c.after + ": " + c.name + "\n";
  for (const auto& c : d.appeared) out += "  only in " + b.file + " (" + c.after + "): " + c.name + "\n";
  for (const auto& c : d.disappeared) out += "  only in " + a.file + " (" + c.before + "): " + c.name + "\n";
  if (!d.inputs_compared) {
    out += "Inputs: not compared: ";
    if (!a.has_run) out += a.file + (b.has_run ? " has" : " and " + b.file + " have");
    else out += b.file + " has";
    out += " no run record (\"__litbox_run__\", written by litbox -o)\n";
    return out;
  }
  if (d.inputs.empty()) {
    out += "Inputs: the same (litbox " + a.run.litbox_version + ", " +
           plural(a.run.configs.size(), "config file", "config files") + ", " +
           plural(a.run.tools.size(), "tool", "tools") + ", " +
           plural(a.run.environment.size(), "environment variable", "environment variables") + ")\n";
    return out;
  }
  out += "Inputs: " + plural(d.inputs.size(), "difference", "differences") + "\n";
  for (const auto& c : d.inputs) {
    if (c.before.empty()) out += "  " + c.what + ": only in " + b.file + " (" + c.after + ")\n";
    else if (c.after.empty()) out += "  " + c.what + ": only in " + a.file + " (" + c.before + ")\n";
    else out += "  " + c.what + ": " + c.before + " -> " + c.after + "\n";
  }
  return out;
}

}  // namespace litbox::runner
