#include "runner/slurm_job.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/strings.h"
#include "support/subprocess.h"

namespace litbox::runner {

namespace {

// The value of `key=` in a line of `scontrol show job -o` (words separated by spaces).
std::string field(const std::string& line, const std::string& key) {
  size_t at = 0;
  while ((at = line.find(key + "=", at)) != std::string::npos) {
    if (at == 0 || line[at - 1] == ' ') {
      size_t start = at + key.size() + 1;
      return line.substr(start, line.find(' ', start) - start);
    }
    at += key.size();
  }
  return "";
}

bool all_digits(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

std::string slurm_task_report(const std::string& dir, int task) {
  return dir + "/shard-" + std::to_string(task) + ".json";
}

std::string slurm_batch_script(const SlurmJobSpec& spec) {
  std::vector<std::string> tail = spec.litbox_args;
  tail.insert(tail.end(), spec.suites.begin(), spec.suites.end());
  return "#!/bin/sh\n"
         "# litbox slurm: each task of the job array runs one shard of the tests (--shard=auto reads\n"
         "# SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT) and writes its JSON report here.\n"
         "exec " +
         shell_quote({spec.litbox, "--shard=auto", "-o"}) + " " + shell_quote({spec.dir + "/shard-"}) +
         "\"$SLURM_ARRAY_TASK_ID\".json" + (tail.empty() ? "" : " " + shell_quote(tail)) + "\n";
}

std::vector<std::string> slurm_sbatch_argv(const SlurmJobSpec& spec, const std::string& script) {
  std::vector<std::string> argv = {"sbatch", "--parsable", "--array=0-" + std::to_string(spec.shards - 1),
                                   "--job-name=litbox", "--output=" + spec.dir + "/task-%a.out"};
  argv.insert(argv.end(), spec.sbatch_args.begin(), spec.sbatch_args.end());
  argv.push_back(script);
  return argv;
}

Expected<std::string> parse_sbatch_job_id(const std::string& out) {
  std::string line = out.substr(0, out.find('\n'));
  std::string id = line.substr(0, line.find(';'));
  if (!all_digits(id)) return Error("sbatch printed no job id: '" + line + "'");
  return id;
}

std::map<int, std::string> parse_slurm_task_states(const std::string& scontrol_out, const std::string& job) {
  std::map<int, std::string> states;
  for (const std::string& line : split(scontrol_out, '\n')) {
    if (field(line, "ArrayJobId") != job) continue;
    std::string tasks = field(line, "ArrayTaskId");
    std::string state = field(line, "JobState");
    if (tasks.empty() || state.empty()) continue;
    state = state.substr(0, state.find(':'));
    // "3", or pending ranges and lists: "0-3", "1,3-5", "0-7%2" (a throttle).
    tasks = tasks.substr(0, tasks.find('%'));
    for (const std::string& part : split(tasks, ',')) {
      size_t dash = part.find('-');
      std::string lo = part.substr(0, dash), hi = dash == std::string::npos ? lo : part.substr(dash + 1);
      if (!all_digits(lo) || !all_digits(hi) || lo.size() > 7 || hi.size() > 7) continue;
      for (int i = std::stoi(lo); i <= std::stoi(hi); ++i) states[i] = state;
    }
  }
  return states;
}

std::string slurm_job_record_path(const std::string& dir) { return dir + "/litbox-slurm.json"; }

Status write_slurm_job_record(const std::string& dir, const SlurmJobRecord& record) {
  nlohmann::json j = {{"job", record.job}, {"shards", record.shards}, {"listing_argv", record.listing_argv}};
  const std::string path = slurm_job_record_path(dir);
  std::ofstream f(path, std::ios::trunc);
  if (!f) return Error(path + ": cannot write: " + strerror(errno));
  f << j.dump(2) << "\n";
  if (!f) return Error(path + ": cannot write: " + strerror(errno));
  return {};
}

Expected<SlurmJobRecord> read_slurm_job_record(const std::string& dir) {
  const std::string path = slurm_job_record_path(dir);
  std::ifstream f(path);
  if (!f) return Error(path + ": cannot read: " + strerror(errno) + " (not a directory of litbox slurm?)");
  std::ostringstream text;
  text << f.rdbuf();
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::parse_error& e) {
    return Error(path + ": invalid JSON: " + e.what());
  }
  if (!j.is_object() || !j.contains("job") || !j["job"].is_string() || !j.contains("shards") ||
      !j["shards"].is_number_integer() || j["shards"].get<int>() < 1 || !j.contains("listing_argv") ||
      !j["listing_argv"].is_array())
    return Error(path + ": not a record of litbox slurm: expected {\"job\": ID, \"shards\": N, \"listing_argv\": [...]}");
  SlurmJobRecord r;
  r.job = j["job"].get<std::string>();
  r.shards = j["shards"].get<int>();
  for (const auto& a : j["listing_argv"]) {
    if (!a.is_string()) return Error(path + ": \"listing_argv\" holds a non-string");
    r.listing_argv.push_back(a.get<std::string>());
  }
  return r;
}

}  // namespace litbox::runner
