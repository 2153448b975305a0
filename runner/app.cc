#include "runner/app.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <random>
#include <set>

#include "runner/diagnostics.h"
#include "runner/discovery.h"
#include "runner/environment.h"
#include "runner/executors.h"
#include "runner/gtest_format.h"
#include "runner/options.h"
#include "runner/run_record.h"
#include "runner/bazel.h"
#include "runner/batch_summary.h"
#include "runner/journal.h"
#include "runner/report/console.h"
#include "runner/report/files.h"
#include "runner/scheduler.h"
#include "runner/shard.h"
#include "runner/test_file.h"
#include "runner/test_session.h"
#include "runner/test_times.h"
#include "runner/subcommand.h"
#include "runner/tool_digests.h"
#include "support/feature_expr.h"
#include "support/python_regex.h"
#include "support/sha256.h"
#include "support/strings.h"

namespace litbox::runner {

namespace {

void print_discovered(std::vector<Test*> tests, bool show_suites, bool show_tests, bool debug) {
  std::stable_sort(tests.begin(), tests.end(), [](const Test* a, const Test* b) {
    if (a->suite->name != b->suite->name) return a->suite->name < b->suite->name;
    if (a->suite != b->suite) return a->suite < b->suite;
    return a->path_in_suite < b->path_in_suite;
  });
  if (show_suites) {
    std::printf("-- Test Suites --\n");
    for (size_t i = 0; i < tests.size();) {
      size_t j = i;
      while (j < tests.size() && tests[j]->suite == tests[i]->suite) ++j;
      const TestSuite& s = *tests[i]->suite;
      std::printf("  %s - %zu tests\n    Source Root: %s\n    Exec Root  : %s\n", s.name.c_str(), j - i,
                  s.source_root.c_str(), s.exec_root.c_str());
      // lit's lines, as lit prints them, show what the configs define; what litbox adds about
      // the machine and the executor (can-run=, sandbox, %{exec}) gets lines of its own, with
      // --debug (a suite's block stays lit's five lines otherwise).
      const auto& facts = s.config->machine_facts;
      auto is_fact = [&](const std::string& f) {
        return std::find(facts.features.begin(), facts.features.end(), f) != facts.features.end();
      };
      std::vector<std::string> feats;
      for (const auto& f : s.config->features)
        if (!is_fact(f)) feats.push_back(f);
      std::printf("    Available Features: %s\n", join(feats, " ").c_str());
      std::vector<std::pair<std::string, std::string>> subs;
      for (const auto& sub : s.config->substitutions)
        if (!facts.exec || sub.pattern != facts.exec->pattern || sub.replacement != facts.exec->replacement)
          subs.emplace_back(sub.pattern, sub.replacement);
      std::sort(subs.begin(), subs.end());
      std::string text;
      for (size_t k = 0; k < subs.size(); ++k) {
        if (k) text += "\n" + std::string(29, ' ');
        text += subs[k].first + " => " + subs[k].second;
      }
      std::printf("    Available Substitutions: %s\n", text.c_str());
      if (debug && !facts.features.empty()) {
        std::vector<std::string> sorted(facts.features.begin(), facts.features.end());
        std::sort(sorted.begin(), sorted.end());
        std::printf("    Executor Features: %s\n", join(sorted, " ").c_str());
      }
      if (debug && facts.exec)
        std::printf("    Executor Substitutions: %s => %s\n", facts.exec->pattern.c_str(),
                    facts.exec->replacement.c_str());
      i = j;
    }
  }
  if (show_tests) {
    std::printf("-- Available Tests --\n");
    for (const Test* t : tests) std::printf("  %s\n", t->full_name().c_str());
  }
}

void print_used_features(const std::vector<Test*>& tests, Diagnostics& diag) {
  std::set<std::string> used;
  for (const Test* t : tests) {
    if (t->gtest) continue;  // a binary, not a test file
    auto ts = read_test_file(t->source_path, false);
    if (!ts) {
      diag.error(t->full_name() + ": " + ts.error().message);
      continue;
    }
    for (const auto* list : {&ts->requires_, &ts->unsupported, &ts->xfails})
      for (const auto& e : *list) {
        if (e == "*") continue;
        auto expr = FeatureExpr::parse(e);
        if (expr)
          for (const auto& term : expr->terms()) used.insert(term);
      }
  }
  std::printf("%s\n", join(std::vector<std::string>(used.begin(), used.end()), " ").c_str());
}

void order_tests(std::vector<Test*>& tests, Order order) {
  if (order == Order::kRandom) {
    std::shuffle(tests.begin(), tests.end(), std::mt19937(std::random_device{}()));
  } else if (order == Order::kLexical) {
    std::stable_sort(tests.begin(), tests.end(), [](const Test* a, const Test* b) { return a->full_name() < b->full_name(); });
  } else {
    std::stable_sort(tests.begin(), tests.end(), [](const Test* a, const Test* b) {
      if (a->previous_failure != b->previous_failure) return a->previous_failure;
      if (a->previous_elapsed != b->previous_elapsed) return a->previous_elapsed > b->previous_elapsed;
      return a->full_name() < b->full_name();
    });
  }
}

// lit raises RLIMIT_NPROC's soft limit so many parallel tests do not hit it.
void raise_process_limit(int workers, Diagnostics& diag) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NPROC, &rl) != 0) return;
  rlim_t desired = static_cast<rlim_t>(workers) * static_cast<rlim_t>(sysconf(_SC_NPROCESSORS_ONLN)) * 2;
  if (rl.rlim_max != RLIM_INFINITY) desired = std::min(desired, rl.rlim_max);
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < desired) {
    rlim_t old = rl.rlim_cur;
    rl.rlim_cur = desired;
    if (setrlimit(RLIMIT_NPROC, &rl) == 0)
      diag.note("Raised process limit from " + std::to_string(old) + " to " + std::to_string(desired));
  }
}

std::string host_name() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

// The JSON report's "__litbox_run__": litbox's version, the digests of the config files
// discovery loaded and of the tools the tests ran, the environment the tests shared.
RunRecord make_run_record(const Discovery& discovery, const ToolDigests* tools, const std::vector<Test*>& tests,
                          const std::string& tmp_dir, const report::ShardRecord& shard) {
  RunRecord r;
  r.litbox_version = kLitboxVersion;
  for (const auto& path : discovery.config_files()) {
    auto digest = sha256_of_file(path);
    r.configs[path] = digest ? *digest : "unreadable: " + digest.error().message;
  }
  if (tools) r.tools = tools->digests();
  // The results share their environments (Scheduler): each distinct one is compared once.
  std::vector<const std::map<std::string, std::string>*> envs;
  std::set<const std::map<std::string, std::string>*> seen;
  for (const Test* t : tests)
    if (seen.insert(t->result.environment.get()).second) envs.push_back(t->result.environment.get());
  r.environment = common_environment(envs, tmp_dir);
  r.shards.push_back({shard.index, shard.count, host_name()});
  return r;
}

}  // namespace

int run_main(int argc, char** argv) {
  ParseOutcome parsed = parse_options(argc, argv);
  if (parsed.exit_code >= 0) return parsed.exit_code;
  Options& opts = parsed.options;
  Diagnostics diag;
  diag.quiet = opts.quiet;
  // Under `bazel test` (docs/bazel.md): Bazel's report, warnings and temp-dir variables.
  const BazelTest bazel = bazel_test_from([](const char* n) { return std::getenv(n); });
  PrematureExitGuard premature_exit(bazel.premature_exit_file);
  diag.warnings_file = bazel.warnings_file;
  if (opts.xunit_output.empty()) opts.xunit_output = bazel.xml_output_file;
  if (opts.json_output.empty() && !bazel.undeclared_outputs_dir.empty())
    opts.json_output = bazel.undeclared_outputs_dir + "/litbox.json";
  if (!opts.shard_note.empty()) diag.note(opts.shard_note);
  if (!opts.shard_status_file.empty()) {
    // Bazel: the file says the test runner shards (else Bazel runs every test in every shard).
    int fd = open(opts.shard_status_file.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) diag.warning("cannot touch TEST_SHARD_STATUS_FILE '" + opts.shard_status_file + "': " + strerror(errno));
    else close(fd);
  }

  boost::asio::io_context io;
  RunContext ctx(io);
  ctx.litbox_exe = self_exe();
  ctx.no_execute = opts.no_execute;
  ctx.echo_all_commands = opts.echo_all_commands;
  ctx.gtest_shuffle = opts.order == Order::kRandom;
  ctx.path_prepend = opts.path;
  ctx.pass_env = opts.pass_env;
  ctx.cli_timeout = opts.timeout;
  ctx.strict_features = opts.strict_features;
  ctx.warn = [&](const std::string& m) { diag.warning(m); };
  auto executors = make_executor_provider(io, opts, diag);
  if (!executors) {
    diag.error(executors.error().message);
    return 2;
  }
  ctx.executors = executors->get();

  DiscoveryOptions dopts;
  dopts.params = opts.params;
  dopts.site_config = opts.site_config;
  dopts.names = config::ConfigNames::with_prefix(opts.config_prefix);
  dopts.indirectly_run_check = opts.indirectly_run_check;
  dopts.debug = opts.debug;
  dopts.finish_suite_config = [&](config::SuiteConfig& cfg) { (*executors)->finish_suite_config(cfg); };
  dopts.tool_environment = [&](const config::SuiteConfig& cfg) {
    EnvironmentOptions eo;
    eo.path_prepend = ctx.path_prepend;
    eo.hermetic = ctx.executors->sandboxed(cfg);
    eo.pass_env = ctx.pass_env;
    return build_environment(cfg, eo);
  };
  if (opts.use_valgrind || opts.valgrind_leak_check) {
    auto inner = dopts.finish_suite_config;
    dopts.finish_suite_config = [inner, &opts](config::SuiteConfig& cfg) {
      inner(cfg);
      cfg.features.insert("valgrind");
      if (opts.valgrind_leak_check) cfg.features.insert("vg_leak");
    };
  }
  Discovery discovery(dopts, diag);
  std::vector<std::unique_ptr<Test>> owned;
  for (const auto& p : opts.test_paths) discovery.discover(p, owned);
  if (std::string unused = discovery.unused_site_config(); !unused.empty()) {
    // Running with a config the user did not ask for would give misleading results.
    diag.error(unused);
    return 2;
  }
  if (diag.fatal()) {
    // lit exits at a fatal error in a config (a required tool not found), before any test.
    std::fprintf(stderr, "%d errors, exiting.\n", diag.errors());
    return 2;
  }
  // gtest binaries are listed (in their cells) and split into shards, as lit's discovery does.
  list_gtest_binaries(owned, ctx, opts.workers, diag);
  mark_output_collisions(owned);
  // lit stops here on any discovery error. litbox reports it, still runs every test it could
  // discover (tests under a broken lit.local.yaml are UNRESOLVED with the error), and exits
  // with lit's status 2 at the end.
  if (owned.empty()) {
    if (diag.errors()) {
      std::fprintf(stderr, "%d errors, exiting.\n", diag.errors());
      return 2;
    }
    std::fprintf(stderr, "error: did not discover any tests for provided path(s)\n");
    return 2;
  }
  std::vector<Test*> discovered;
  for (auto& t : owned) discovered.push_back(t.get());

  if (opts.show_suites || opts.show_tests) {
    print_discovered(discovered, opts.show_suites, opts.show_tests, opts.debug);
    return 0;
  }
  if (opts.show_used_features) {
    print_used_features(discovered, diag);
    return 0;
  }

  read_test_times(owned);
  order_tests(discovered, opts.order);
  auto filter = PyRegex::compile(opts.filter, {.ignore_case = true});
  auto filter_out = PyRegex::compile(opts.filter_out, {.ignore_case = true});
  std::vector<Test*> selected;
  for (Test* t : discovered) {
    std::string name = t->full_name();
    if (filter->search(name) && !filter_out->search(name)) selected.push_back(t);
  }
  if (selected.empty()) {
    std::fprintf(stderr, "error: filter did not match any tests (of %zu discovered).  ", discovered.size());
    if (opts.allow_empty_runs) {
      std::fprintf(stderr, "Suppressing error because '--allow-empty-runs' was specified.\n");
      return 0;
    }
    std::fprintf(stderr, "Use '--allow-empty-runs' to suppress this error.\n");
    return 2;
  }
  // What the shards together run, for the JSON report's "__litbox_shard__" (merge-results checks it).
  report::ShardRecord shard_record;
  if (!opts.json_output.empty()) {
    for (const Test* t : selected) shard_record.selected.push_back(shard_unit(*t));
    std::sort(shard_record.selected.begin(), shard_record.selected.end());
    shard_record.selected.erase(std::unique(shard_record.selected.begin(), shard_record.selected.end()),
                                shard_record.selected.end());
  }
  auto report_status = [&](const Status& st) {
    if (!st) diag.error(st.error().message);
  };
  if (opts.shard_count) {
    const size_t before = selected.size();
    selected = select_shard(selected, {opts.shard_index, opts.shard_count});
    shard_record.index = opts.shard_index;
    shard_record.count = opts.shard_count;
    diag.note("Selecting shard " + std::to_string(opts.shard_index) + "/" + std::to_string(opts.shard_count) +
              " = size " + std::to_string(selected.size()) + "/" + std::to_string(before) +
              " (stable hash of test names)");
    if (selected.empty()) {
      // Still write the reports: merge-results needs every shard's, empty or not.
      std::fprintf(stderr, "warning: shard does not contain any tests.  Consider decreasing the number of shards.\n");
      if (!opts.json_output.empty()) {
        RunRecord run = make_run_record(discovery, nullptr, {}, "", shard_record);
        report_status(report::write_json(opts.json_output, {}, 0, &shard_record, &run));
      }
      if (!opts.xunit_output.empty()) report_status(report::write_xunit(opts.xunit_output, {}, 0));
      return diag.errors() ? 2 : 0;
    }
  }
  if (opts.num_shards) {
    std::vector<Test*> shard;
    std::string preview;
    size_t shown = 0;
    for (size_t i = opts.run_shard - 1; i < selected.size(); i += opts.num_shards) {
      shard.push_back(selected[i]);
      if (shown < 3) preview += (shown ? ", " : "") + std::to_string(i + 1);
      else if (shown == 3) preview += ", ...";
      ++shown;
    }
    diag.note("Selecting shard " + std::to_string(opts.run_shard) + "/" + std::to_string(opts.num_shards) +
              " = size " + std::to_string(shard.size()) + "/" + std::to_string(selected.size()) + " = tests #(" +
              std::to_string(opts.num_shards) + "*k)+" + std::to_string(opts.run_shard) + " = [" + preview + "]");
    selected = std::move(shard);
    shard_record.index = opts.run_shard;
    shard_record.count = opts.num_shards;
    if (selected.empty()) {
      std::fprintf(stderr, "warning: shard does not contain any tests.  Consider decreasing the number of shards.\n");
      return 0;
    }
  }
  if (opts.max_tests > 0 && selected.size() > static_cast<size_t>(opts.max_tests)) selected.resize(opts.max_tests);
  for (Test* t : discovered) {
    std::string file = t->path_string();
    std::string full = t->full_name();
    auto in = [&](const std::vector<std::string>& l) {
      return std::find(l.begin(), l.end(), file) != l.end() || std::find(l.begin(), l.end(), full) != l.end();
    };
    if (in(opts.xfail)) t->xfail_all = true;
    if (in(opts.xfail_not)) t->xfail_not = true;
  }
  std::set<Test*> chosen(selected.begin(), selected.end());
  for (Test* t : discovered)
    if (!chosen.count(t)) {
      t->result = TestResult{ResultCode::kExcluded, "", 0, 0, {}};
      t->has_result = true;
    }

  std::string tmp_dir = make_run_tmp_dir();
  ctx.tmp_dir = tmp_dir;
  // The run record's tool log: executables outside the run's temp dir and the tests' Output dirs.
  std::optional<ToolDigests> tools;
  if (!opts.json_output.empty()) {
    std::vector<std::string> exec_roots;
    for (const auto& suite : discovery.suites()) exec_roots.push_back(suite->exec_root);
    tools.emplace(std::vector<std::string>{tmp_dir}, std::move(exec_roots));
    ctx.tools = &*tools;
  }

  // The results journal (runner/journal.h): each finished test is recorded as it ends; with
  // --resume, what a killed run finished comes from it and only the rest runs.
  Journal journal(selected, opts.resume, diag);
  std::vector<Test*> to_run;
  for (Test* t : selected)
    if (!(opts.resume && journal.restore(*t))) to_run.push_back(t);
  if (opts.resume)
    diag.note("resuming: " + std::to_string(selected.size() - to_run.size()) + " of " +
              std::to_string(selected.size()) + " tests have a result in the journal; running the other " +
              std::to_string(to_run.size()));

  int workers = std::max(1, std::min<int>(opts.workers, static_cast<int>(to_run.size())));
  raise_process_limit(workers, diag);
  report::Console console(opts, to_run, discovered.size(), workers);
  console.print_header();
  ScheduleOptions sopts;
  sopts.workers = workers;
  sopts.max_failures = opts.max_failures;
  sopts.max_time = opts.max_time;
  auto start = std::chrono::steady_clock::now();
  double start_epoch = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  StopReason stop = run_tests(
      to_run, ctx, sopts,
      [&](Test& t) {
        console.update(t);
        journal.record(t);
      },
      [&](Test& t) { console.deferred(t); });
  if (stop == StopReason::kNone) journal.finish();  // complete: nothing to resume
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  console.clear(stop == StopReason::kInterrupted);
  if (stop == StopReason::kInterrupted) std::fprintf(stderr, "  interrupted by user, skipping remaining tests\n");
  if (stop == StopReason::kMaxFailures)
    std::fprintf(stderr, "warning: reached maximum number of test failures, skipping remaining tests\n");
  if (stop == StopReason::kMaxTime) std::fprintf(stderr, "warning: reached timeout, skipping remaining tests\n");
  if (!tmp_dir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(tmp_dir, ec);
  }

  // Each gtest shard becomes one result per test case (lit's post_process_shard_results).
  replace_gtest_shards(owned, discovered, selected);
  record_test_times(selected);
  if (opts.time_tests) report::print_histogram(discovered);
  report::print_results(discovered, elapsed, opts);
  const std::vector<Test*>& for_report = opts.num_shards || opts.shard_count ? selected : discovered;
  if (!opts.json_output.empty() || !opts.xunit_output.empty()) {
    const auto entries = report::report_entries(for_report);
    if (!opts.json_output.empty()) {
      RunRecord run = make_run_record(discovery, tools ? &*tools : nullptr, for_report, tmp_dir, shard_record);
      report_status(report::write_json(opts.json_output, entries, elapsed, &shard_record, &run));
    }
    if (!opts.xunit_output.empty()) report_status(report::write_xunit(opts.xunit_output, entries, elapsed));
  }
  if (!opts.resultdb_output.empty()) report_status(report::write_resultdb(opts.resultdb_output, for_report, start_epoch));
  // What the batch targets spent: with -v / -a on stderr (lit has no such lines), and as spans
  // of their own in the time trace. A batch's run can end just after its last result; after
  // a complete run, wait for those (at most 10 s) so that every batch is counted.
  const auto settle_until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (stop == StopReason::kNone && (*executors)->batches_in_flight() > 0 &&
         ctx.io.run_one_until(settle_until) > 0) {
  }
  ctx.io.restart();
  const auto batch_targets = (*executors)->batch_targets();
  if (opts.show_output || opts.show_all)
    for (const auto& b : batch_targets)
      for (const auto& line : describe_batch_target(b.host, b.stats)) diag.note(line);
  if (!opts.time_trace_output.empty()) {
    std::vector<report::TraceSpan> spans;
    int lane = 2;
    for (const auto& b : batch_targets) {
      auto more = batch_trace_spans(b.host, b.stats, start, lane++);
      spans.insert(spans.end(), more.begin(), more.end());
    }
    report_status(report::write_time_trace(opts.time_trace_output, for_report, spans));
  }

  if (diag.errors()) {
    std::fprintf(stderr, "\n%d error(s) in tests\n", diag.errors());
    return 2;
  }
  if (diag.warnings()) std::fprintf(stderr, "\n%d warning(s) in tests\n", diag.warnings());
  bool failure = std::any_of(discovered.begin(), discovered.end(), [](const Test* t) { return is_failure(t->result.code); });
  if (failure) {
    if (opts.ignore_fail) {
      std::fprintf(stderr, "\nExiting with status 0 instead of 1 because '--ignore-fail' was specified.\n");
      return 0;
    }
    return 1;
  }
  // lit exits by the results even after Ctrl-C; litbox says the run is incomplete, so a
  // cancelled CI job never reads as green.
  return stop == StopReason::kInterrupted ? 2 : 0;
}

}  // namespace litbox::runner
