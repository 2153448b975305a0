#include "runner/slurm_command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "runner/merge_command.h"
#include "runner/merge_results.h"
#include "runner/subcommand.h"
#include "runner/slurm_job.h"
#include "support/strings.h"
#include "support/subprocess.h"

namespace litbox::runner {

namespace {

constexpr const char* kProg = "litbox slurm";

int fail(const std::string& message) {
  std::fprintf(stderr, "%s: error: %s\n", kProg, message.c_str());
  return 2;
}

std::string absolute(const std::string& path) {
  std::error_code ec;
  auto p = std::filesystem::absolute(path, ec);
  return ec ? path : p.lexically_normal().string();
}

// Waits until squeue no longer lists the job, printing each change of its tasks' states.
Status wait_for_job(const std::string& job, double poll) {
  std::string last;
  int errors = 0;
  for (;;) {
    auto q = run_process({"squeue", "-h", "-j", job, "-o", "%K %T"});
    if (!q) return Error("cannot poll the job: " + q.error().message);
    if (q->exit_code != 0) {
      // A job that ended long ago is forgotten: squeue says so. Anything else is retried.
      if (q->err.find("Invalid job id") != std::string::npos) return {};
      if (++errors >= 30) return Error("squeue -j " + job + " keeps failing: " + q->err);
    } else {
      errors = 0;
      if (q->out.find_first_not_of(" \n") == std::string::npos) return {};
      std::map<std::string, int> count;
      for (const auto& line : split(q->out, '\n'))
        if (size_t sp = line.find(' '); sp != std::string::npos) ++count[line.substr(sp + 1)];
      std::string now;
      for (const auto& [state, n] : count) now += (now.empty() ? "" : ", ") + std::to_string(n) + " " + state;
      if (now != last) std::fprintf(stderr, "%s: job %s: %s\n", kProg, job.c_str(), now.c_str());
      last = now;
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(poll));
  }
}

// Each task's final state: scontrol (while slurmctld remembers the job), else sacct.
std::map<int, std::string> task_states(const std::string& job) {
  auto sc = run_process({"scontrol", "show", "job", "-o", job});
  if (sc && sc->exit_code == 0) {
    auto states = parse_slurm_task_states(sc->out, job);
    if (!states.empty()) return states;
  }
  std::map<int, std::string> states;
  auto sa = run_process({"sacct", "-n", "-P", "-X", "-j", job, "--format=JobID,State"});
  if (!sa || sa->exit_code != 0) return states;
  for (const auto& line : split(sa->out, '\n')) {
    // "1234_2|CANCELLED by 0"
    size_t us = line.find('_'), bar = line.find('|');
    if (us == std::string::npos || bar == std::string::npos || line.substr(0, us) != job) continue;
    std::string task = line.substr(us + 1, bar - us - 1);
    if (task.empty() || task.size() > 7 || task.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string state = line.substr(bar + 1);
    states[std::stoi(task)] = state.substr(0, state.find(' '));
  }
  return states;
}

// Waits for the job of `dir` and merges its tasks' reports into `json_output`/`xunit_output`.
int collect(const std::string& dir, std::string json_output, const std::string& xunit_output, double poll) {
  auto record = read_slurm_job_record(dir);
  if (!record) return fail(record.error().message);
  const std::string& job = record->job;
  const int n = record->shards;
  if (auto st = wait_for_job(job, poll); !st) return fail(st.error().message);
  std::map<int, std::string> states = task_states(job);

  std::vector<ShardReport> reports;
  std::map<int, std::string> why;  // task → what happened to its report, when it is not complete
  std::set<int> reported;
  for (int task = 0; task < n; ++task) {
    const std::string path = slurm_task_report(dir, task);
    const std::string state = states.count(task) ? states[task] : "in an unknown state (Slurm no longer knows it)";
    const std::string ended = "slurm task " + std::to_string(task) + " of job " + job + " ended " + state;
    struct stat st;
    if (stat(path.c_str(), &st) != 0) {
      why[task] = ended + " without a report (its output: " + dir + "/task-" + std::to_string(task) + ".out)";
      continue;
    }
    auto r = read_report(path);
    if (!r) {
      why[task] = ended + " and its report is unreadable: " + r.error().message;
      continue;
    }
    if (!r->has_shard || r->index != task + 1 || r->count != n) {
      why[task] = ended + " and its report " + path + " is not shard " + std::to_string(task + 1) + "/" +
                  std::to_string(n);
      continue;
    }
    why[task] = ended + "; its report " + path + " lacks this test";
    reported.insert(task);
    reports.push_back(std::move(*r));
  }

  // The tests to run: from the reports there are; when no task reported, listed here, as the
  // tasks would have (--no-execute), from the same suite on the shared file system.
  std::set<std::string> selected;
  for (const ShardReport& r : reports) selected.insert(r.selected.begin(), r.selected.end());
  if (selected.empty() && reported.empty()) {
    std::fprintf(stderr, "%s: no task of job %s wrote a report; listing its tests here\n", kProg, job.c_str());
    auto listing = run_process(record->listing_argv);
    const std::string listed = dir + "/listing.json";
    auto r = listing ? read_report(listed) : Expected<ShardReport>(listing.error());
    if (!r) return fail("cannot list the tests of the job's tasks: " + r.error().message);
    selected.insert(r->selected.begin(), r->selected.end());
  }
  for (int task = 0; task < n; ++task) {
    if (reported.count(task)) continue;
    ShardReport placeholder;
    placeholder.file = "slurm task " + std::to_string(task) + " of job " + job;
    placeholder.has_shard = true;
    placeholder.index = task + 1;
    placeholder.count = n;
    placeholder.selected.assign(selected.begin(), selected.end());
    reports.push_back(std::move(placeholder));
  }
  std::map<int, size_t> filled;
  fill_unreported(
      reports, n,
      [&](int index) {
        ++filled[index - 1];
        return why[index - 1];
      },
      [&](int index) { return "slurm task " + std::to_string(index - 1) + " of job " + job; });
  for (const auto& [task, count] : filled)
    std::fprintf(stderr, "%s: %s: %zu test(s) UNRESOLVED\n", kProg, why[task].c_str(), count);

  if (json_output.empty()) json_output = dir + "/results.json";
  int status = merge_and_report(reports, json_output, xunit_output, kProg);
  std::printf("Merged report: %s\n", json_output.c_str());
  return status;
}

}  // namespace

int slurm_main(int argc, char** argv) {
  const std::string usage = std::string("usage: ") + kProg +
                            " [-h] [--shards N] [--no-wait] [--dir DIR] [--sbatch ARG]... [--poll SECONDS] [-o "
                            "OUT.json] [--xunit-xml-output OUT.xml] SUITE... [-- LITBOX_OPTIONS...]\n"
                            "       " + kProg + " --collect DIR [-o OUT.json] [--xunit-xml-output OUT.xml]";
  CLI::App app{
      "Runs test suites as one Slurm job array: task i of N runs shard i+1/N of the tests\n"
      "(litbox --shard=auto, sandboxed as usual) on its node and writes DIR/shard-i.json on the file\n"
      "system the nodes share. Then it waits for the array (polling squeue) and merges the reports as\n"
      "merge-results does. A task that ended without its report (killed, out of time, its node lost)\n"
      "has its tests, computed with the same shard function, UNRESOLVED with a reason naming the task.\n\n"
      "With --no-wait it prints the job id and the command that waits for the job and merges it\n"
      "(litbox slurm --collect DIR).\n\n"
      "Exit status: a run's: 0 every test passed, 1 a test failed or is UNRESOLVED (a failed task);\n"
      "2 a usage error, sbatch failing, or an incomplete merge.",
      kProg};
  app.set_help_flag("-h,--help", "show this help message and exit");
  int shards = 4;
  bool no_wait = false;
  std::string dir, collect_dir, json_output, xunit_output;
  std::vector<std::string> sbatch_args, suites;
  double poll = 10;
  app.add_option("--shards", shards, "the number of tasks of the job array (default 4)")->check(CLI::Range(1, 100000));
  app.add_flag("--no-wait", no_wait, "submit, print the job id and the merge command, and exit");
  app.add_option("--dir", dir,
                 "where the tasks write their reports and output, on a shared file system (default: a new "
                 "litbox-slurm-XXXXXX in the current directory)")
      ->type_name("DIR");
  app.add_option("--sbatch", sbatch_args, "an option for sbatch, verbatim (repeat it: --sbatch=--time=30)")
      ->type_name("ARG")
      ->allow_extra_args(false);
  auto* poll_option = app.add_option("--poll", poll, "seconds between two looks at the job's state (default 10)")
                          ->check(CLI::PositiveNumber);
  app.add_option("-o,--output", json_output, "the merged JSON report (default DIR/results.json)")->type_name("PATH");
  app.add_option("--xunit-xml-output", xunit_output, "the merged xUnit XML report")->type_name("PATH");
  app.add_option("--collect", collect_dir, "wait for the job submitted into DIR with --no-wait, then merge")
      ->type_name("DIR");
  app.add_option("SUITE", suites, "the test paths, as for litbox");

  // What follows `--` goes to each task's litbox.
  std::vector<std::string> litbox_args;
  int own = argc;
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--") == 0) {
      own = i;
      litbox_args.assign(argv + i + 1, argv + argc);
      break;
    }
  if (auto status = parse_subcommand(app, own, argv, usage, kProg)) return *status;
  auto usage_error = [&](const std::string& msg) {
    std::fprintf(stderr, "%s\n%s: error: %s\n", usage.c_str(), kProg, msg.c_str());
    return 2;
  };
  const bool poll_given = poll_option->count() > 0;
  const std::string poll_text = poll_given ? poll_option->as<std::string>() : "";
  if (!json_output.empty()) json_output = absolute(json_output);
  if (!xunit_output.empty()) xunit_output = absolute(xunit_output);
  if (!collect_dir.empty()) {
    if (!suites.empty() || !litbox_args.empty() || !sbatch_args.empty() || no_wait || !dir.empty())
      return usage_error("--collect DIR takes only -o, --xunit-xml-output and --poll");
    return collect(absolute(collect_dir), json_output, xunit_output, poll);
  }
  if (suites.empty()) return usage_error("the following arguments are required: SUITE");
  for (const auto& a : litbox_args) {
    if (a.starts_with("--shard") || a == "-o" || a.starts_with("--output") || a.starts_with("--num-shards") ||
        a.starts_with("--run-shard"))
      return usage_error("'" + a + "' after --: litbox slurm chooses each task's shard and report itself");
    // Every task would write the same file.
    if (a.starts_with("--xunit-xml-output") || a.starts_with("--resultdb-output") || a.starts_with("--time-trace-output"))
      return usage_error("'" + a + "' after --: every task would write it; give litbox slurm --xunit-xml-output "
                         "for the merged xUnit report");
  }

  for (const auto& a : sbatch_args)
    if (a.starts_with("--array") || a.starts_with("-a") || a.starts_with("--wrap") || a.starts_with("--output") ||
        a.starts_with("--parsable"))
      return usage_error("--sbatch '" + a + "': litbox slurm sets the array, its script, output and --parsable itself");

  SlurmJobSpec spec;
  spec.litbox = self_exe();
  spec.shards = shards;
  spec.sbatch_args = sbatch_args;
  spec.litbox_args = litbox_args;
  for (const auto& s : suites) {
    struct stat st;
    if (stat(s.c_str(), &st) != 0) return usage_error(s + ": " + strerror(errno));
    spec.suites.push_back(absolute(s));
  }
  if (dir.empty()) {
    char templ[] = "litbox-slurm-XXXXXX";
    if (!mkdtemp(templ)) return fail(std::string("cannot make a directory in the current one: ") + strerror(errno));
    dir = templ;
  } else if (mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST) {
    return fail(dir + ": cannot make the directory: " + strerror(errno));
  }
  spec.dir = absolute(dir);
  struct stat st;
  if (stat(slurm_job_record_path(spec.dir).c_str(), &st) == 0)
    return fail(spec.dir + " already holds a job's reports (" + slurm_job_record_path(spec.dir) + "): use another --dir");

  const std::string script = spec.dir + "/job.sh";
  {
    std::ofstream f(script, std::ios::trunc);
    f << slurm_batch_script(spec);
    if (!f) return fail(script + ": cannot write: " + strerror(errno));
  }
  chmod(script.c_str(), 0755);
  const auto sbatch = slurm_sbatch_argv(spec, script);
  auto submitted = run_process(sbatch);
  if (!submitted) return fail(submitted.error().message);
  if (submitted->exit_code != 0)
    return fail("sbatch failed (exit status " + std::to_string(submitted->exit_code) + "): " + submitted->err +
                "  command: " + shell_quote(sbatch));
  auto job = parse_sbatch_job_id(submitted->out);
  if (!job) return fail(job.error().message);

  SlurmJobRecord record;
  record.job = *job;
  record.shards = shards;
  record.listing_argv = {spec.litbox, "--no-execute", "-q", "-o", spec.dir + "/listing.json"};
  record.listing_argv.insert(record.listing_argv.end(), litbox_args.begin(), litbox_args.end());
  record.listing_argv.insert(record.listing_argv.end(), spec.suites.begin(), spec.suites.end());
  if (auto w = write_slurm_job_record(spec.dir, record); !w) return fail(w.error().message);
  std::printf("Submitted job array %s (%d tasks); reports in %s\n", job->c_str(), shards, spec.dir.c_str());
  if (no_wait) {
    std::vector<std::string> merge = {spec.litbox, "slurm", "--collect", spec.dir};
    if (!json_output.empty()) merge.insert(merge.end(), {"-o", json_output});
    if (!xunit_output.empty()) merge.insert(merge.end(), {"--xunit-xml-output", xunit_output});
    if (poll_given) merge.insert(merge.end(), {"--poll", poll_text});
    std::printf("Job: %s\nTo wait for it and merge its reports: %s\n", job->c_str(), shell_quote(merge).c_str());
    std::fflush(stdout);
    return 0;
  }
  std::fflush(stdout);
  return collect(spec.dir, json_output, xunit_output, poll);
}

}  // namespace litbox::runner
