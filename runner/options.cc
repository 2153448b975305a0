#include "runner/options.h"

#include <sched.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string_view>

#include "runner/shard.h"
#include "runner/shard_env.h"
#include "support/python_regex.h"
#include "support/strings.h"

namespace litbox::runner {

namespace {

constexpr const char* kLitVersion = "15.0.6";  // the lit whose behaviour litbox follows

int usable_cores() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set);
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<int>(n) : 1;
}

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v ? v : fallback;
}

std::optional<int> parse_int(const std::string& s) {
  try {
    size_t used = 0;
    int v = std::stoi(std::string(strip(s)), &used);
    if (used != strip(s).size()) return std::nullopt;
    return v;
  } catch (...) {
    return std::nullopt;
  }
}

// lit's _positive_int / _non_negative_int messages.
std::string int_check(const std::string& arg, bool positive) {
  auto v = parse_int(arg);
  if (!v || (positive ? *v <= 0 : *v < 0))
    return std::string("requires ") + (positive ? "positive" : "non-negative") + " integer, but found '" + arg + "'";
  return "";
}

// argparse's help layout: the usage line first, then the description.
class LitFormatter : public CLI::Formatter {
 public:
  explicit LitFormatter(std::string usage) : usage_(std::move(usage)) {}
  std::string make_description(const CLI::App*) const override { return ""; }
  std::string make_usage(const CLI::App* app, std::string) const override {
    return usage_ + "\n\n" + app->get_description() + "\n\n";
  }

 private:
  std::string usage_;
};

}  // namespace

std::string program_name(const char* argv0) {
  std::string_view name = argv0 ? argv0 : "";
  if (size_t slash = name.rfind('/'); slash != std::string_view::npos) name.remove_prefix(slash + 1);
  return name == "lit" ? "lit" : "litbox";
}

std::vector<std::string> shell_split(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  bool in_word = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\'') {
      in_word = true;
      size_t end = s.find('\'', i + 1);
      if (end == std::string::npos) end = s.size();
      cur += s.substr(i + 1, end - i - 1);
      i = end;
    } else if (c == '"') {
      in_word = true;
      for (++i; i < s.size() && s[i] != '"'; ++i) {
        if (s[i] == '\\' && i + 1 < s.size() && (s[i + 1] == '"' || s[i + 1] == '\\' || s[i + 1] == '$')) ++i;
        cur += s[i];
      }
    } else if (c == '\\' && i + 1 < s.size()) {
      in_word = true;
      cur += s[++i];
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) out.push_back(cur);
      cur.clear();
      in_word = false;
    } else {
      in_word = true;
      cur += c;
    }
  }
  if (in_word) out.push_back(cur);
  return out;
}

ParseOutcome parse_options(int argc, char** argv) {
  ParseOutcome r;
  Options& o = r.options;
  // Started as `lit` (a symlink), litbox stands in for lit: lit's name in the usage, the
  // errors and --version (lit 15's version, then litbox's own).
  const std::string prog = program_name(argc > 0 ? argv[0] : nullptr);
  // `litbox shell ...` parses the same options (shell_main passes "shell" as argv[0]).
  const bool shell = argc > 0 && argv[0] && std::string_view(argv[0]) == "shell";
  const std::string usage = shell ? "usage: litbox shell [-h] [options] TEST"
                                  : "usage: " + prog + " [-h] [--version] [options] TEST_PATH [TEST_PATH ...]";
  CLI::App app{"litbox - a hermetic, lit-compatible test runner", prog};
  app.formatter(std::make_shared<LitFormatter>(usage));
  app.set_help_flag("-h,--help", "show this help message and exit");
  app.allow_windows_style_options(false);
  if (prog == "litbox")
    app.footer(
        "Commands (before any option):\n"
        "  litbox shell TEST       an interactive shell in the sandbox cell TEST would run in\n"
        "  litbox translate PATH   lit's Python configs (lit.cfg.py, lit.local.cfg, lit.site.cfg.py)\n"
        "                          under PATH into lit.yaml, lit.local.yaml, lit.site.yaml\n"
        "                          (litbox translate --help)\n"
        "  litbox merge-results A.json B.json ...\n"
        "                          the -o reports of --shard runs into one JSON and xUnit report,\n"
        "                          checking every test ran once (litbox merge-results --help)\n"
        "  litbox diff-runs A.json B.json\n"
        "                          the tests whose result code changed between two -o reports,\n"
        "                          and the recorded inputs that changed (litbox diff-runs --help)\n"
        "  litbox slurm [--shards N] SUITE... [-- OPTIONS]\n"
        "                          a run as one Slurm job array, one shard per task, merged\n"
        "                          (litbox slurm --help)");

  std::vector<std::string> params, xfail_list, xfail_not_list;
  std::string shard;
  std::string workers, timeout, max_failures, max_tests, max_time, num_shards, run_shard, order = "smart", sandbox = "auto";
  std::string xfail = env_or("LIT_XFAIL", ""), xfail_not = env_or("LIT_XFAIL_NOT", "");
  o.filter = env_or("LIT_FILTER", ".*");
  o.filter_out = env_or("LIT_FILTER_OUT", "^$");
  num_shards = env_or("LIT_NUM_SHARDS", "");
  run_shard = env_or("LIT_RUN_SHARD", "");
  o.site_config = env_or("LITBOX_SITE_CONFIG", "");
  bool version = false, shuffle = false, incremental = false;
  int verbose = 0;

  app.add_option("TEST_PATH", o.test_paths, "File or path to include in the test suite");
  app.add_flag("--version", version, "show program's version number and exit");
  app.add_option("-j,--threads,--workers", workers, "Number of workers used for testing")->type_name("N");
  app.add_option("-D,--param", params, "Add 'NAME' = 'VAL' to the user defined parameters")->type_name("NAME=VAL")->allow_extra_args(false);
  app.add_flag("-q,--quiet", o.quiet, "Suppress no error output");
  app.add_flag("-s,--succinct", o.succinct, "Reduce amount of output. Additionally, show a progress bar, unless --no-progress-bar is specified.");
  app.add_flag("-v,--verbose", verbose, "Show test output for failures (-vv: --echo-all-commands)");
  app.add_flag("--echo-all-commands", o.echo_all_commands, "Echo all commands as they are executed to stdout");
  app.add_flag("-a,--show-all", o.show_all, "Display all commandlines and output");
  app.add_option("-o,--output", o.json_output, "Write test results to the provided path")->type_name("PATH");
  bool no_progress = false;
  app.add_flag("--no-progress-bar", no_progress, "Do not use curses based progress bar");
  struct Shown {
    ResultCode code;
    bool on = false;
  };
  std::vector<Shown> shown;
  for (ResultCode c : kAllResultCodes)
    if (!is_failure(c)) shown.push_back({c});
  for (auto& s : shown) {
    std::string name(code_name(s.code));
    for (auto& ch : name) ch = static_cast<char>(std::tolower(ch));
    std::string label(code_label(s.code));
    for (auto& ch : label) ch = static_cast<char>(std::tolower(ch));
    app.add_flag("--show-" + name, s.on, "Show " + label + " tests (" + std::string(code_name(s.code)) + ")");
  }
  app.add_option("--path", o.path, "Additional paths to add to testing environment")->allow_extra_args(false);
  app.add_flag("--vg", o.use_valgrind, "Run tests under valgrind");
  app.add_flag("--vg-leak", o.valgrind_leak_check, "Check for memory leaks under valgrind");
  app.add_option("--vg-arg", o.valgrind_args, "Specify an extra argument for valgrind")->type_name("ARG")->allow_extra_args(false);
  app.add_flag("--time-tests", o.time_tests, "Track elapsed wall time for each test");
  app.add_flag("--no-execute", o.no_execute, "Don't execute any tests (assume PASS)");
  app.add_option("--xunit-xml-output", o.xunit_output, "Write XUnit-compatible XML test reports to the specified file");
  app.add_option("--resultdb-output", o.resultdb_output, "Write LuCI ResuldDB compatible JSON to the specified file");
  app.add_option("--time-trace-output", o.time_trace_output, "Write Chrome tracing compatible JSON to the specified file");
  app.add_option("--timeout", timeout, "Maximum time to spend running a single test (in seconds). 0 means no time limit. [Default: 0]");
  app.add_option("--max-failures", max_failures, "Stop execution after the given number of failures.");
  app.add_flag("--allow-empty-runs", o.allow_empty_runs, "Do not fail the run if all tests are filtered out");
  app.add_flag("--resume", o.resume,
               "Take the results of tests an interrupted or killed run finished from its journal "
               "(.litbox_journal.jsonl in each suite's exec root) and run only the others");
  app.add_flag("--ignore-fail", o.ignore_fail, "Exit with status zero even if some tests fail");
  bool no_indirect = false;
  app.add_flag("--no-indirectly-run-check", no_indirect, "Do not error if a test would not be run if the user had specified the containing directory instead of naming the test directly.");
  app.add_option("--max-tests", max_tests, "Maximum number of tests to run")->type_name("N");
  app.add_option("--max-time", max_time, "Maximum time to spend testing (in seconds)")->type_name("N");
  app.add_option("--order", order, "Test order to use (default: smart)")->check(CLI::IsMember({"lexical", "random", "smart"}));
  app.add_flag("--shuffle", shuffle, "Run tests in random order (DEPRECATED: use --order=random)");
  app.add_flag("-i,--incremental", incremental, "Run failed tests first (DEPRECATED: use --order=smart)");
  app.add_option("--filter", o.filter, "Only run tests with paths matching the given regular expression")->type_name("REGEX");
  app.add_option("--filter-out", o.filter_out, "Filter out tests with paths matching the given regular expression")->type_name("REGEX");
  app.add_option("--xfail", xfail, "XFAIL tests with paths in the semicolon separated list")->type_name("LIST");
  app.add_option("--xfail-not", xfail_not, "do not XFAIL tests with paths in the semicolon separated list")->type_name("LIST");
  app.add_option("--num-shards", num_shards, "Split testsuite into M pieces and only run one")->type_name("M");
  app.add_option("--run-shard", run_shard, "Run shard #N of the testsuite")->type_name("N");
  app.add_option("--shard", shard,
                 "Run shard I of N (1 <= I <= N), chosen by a stable hash of each test's name: the same tests on any "
                 "machine, in any order, with any -j; 'auto' reads I and N from the CI's variables (GitLab, "
                 "Buildkite, CircleCI, Bazel, Slurm arrays, Kubernetes Indexed Jobs with LITBOX_SHARD_COUNT). "
                 "Applied after --filter/--filter-out, like --num-shards, which it replaces")
      ->type_name("I/N|auto");
  app.add_flag("--debug", o.debug, "Enable debugging");
  app.add_option("--config-prefix", o.config_prefix, "Prefix for 'lit' config files (NAME.yaml, NAME.local.yaml, NAME.site.yaml)")
      ->type_name("NAME");
  app.add_flag("--show-suites", o.show_suites, "Show discovered test suites and exit");
  app.add_flag("--show-tests", o.show_tests, "Show all discovered tests and exit");
  app.add_flag("--show-used-features", o.show_used_features, "Show all features used in the test suite (in XFAIL, UNSUPPORTED and REQUIRES) and exit");
  app.add_option("--sandbox", sandbox, "Run each test in a sandbox cell: require, auto (default: sandbox if the kernel allows, else warn and run unsandboxed), off")
      ->check(CLI::IsMember({"require", "auto", "off"}));
  app.add_option("--pass-env", o.pass_env,
                 "Pass the host's variable NAME to every test (a sandboxed test gets only those the config or this option names; repeatable)")
      ->type_name("NAME")
      ->allow_extra_args(false);
  bool site_from_option = false;
  app.add_option_function<std::string>(
         "--site",
         [&](const std::string& v) {
           o.site_config = v;
           site_from_option = true;
         }, "lit.site.yaml to use when running a suite from its source tree (also LITBOX_SITE_CONFIG)")->type_name("PATH");
  app.add_flag("--strict-features", o.strict_features, "Make REQUIRES/UNSUPPORTED/XFAIL names that no config can define an error instead of a warning");

  // argparse keeps the last of an option given twice (`--order=lexical ... --order=random`,
  // `-j1 ... -j2`, or LIT_OPTS overriding argv); CLI11 would refuse it.
  for (CLI::Option* opt : app.get_options())
    if (opt->get_items_expected_max() == 1) opt->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);

  // lit: `-vv` is its own option; LIT_OPTS is appended after argv; @file reads arguments.
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.size() > 1 && a[0] == '@') {
      FILE* f = std::fopen(a.c_str() + 1, "r");
      if (f) {
        char line[4096];
        while (std::fgets(line, sizeof line, f)) {
          std::string l(rstrip(line));
          if (!l.empty()) args.push_back(l);
        }
        std::fclose(f);
        continue;
      }
    }
    args.push_back(a == "-vv" ? "--echo-all-commands" : a);
  }
  for (auto& a : shell_split(env_or("LIT_OPTS", ""))) args.push_back(a == "-vv" ? "--echo-all-commands" : a);
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    std::printf("%s", app.help().c_str());
    r.exit_code = 0;
    return r;
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "%s\n%s: error: %s\n", usage.c_str(), prog.c_str(), e.what());
    r.exit_code = 2;
    return r;
  }
  if (version) {
    if (prog == "lit") std::printf("lit %s (litbox %s)\n", kLitVersion, kLitboxVersion);
    else std::printf("litbox %s (compatible with lit %s)\n", kLitboxVersion, kLitVersion);
    r.exit_code = 0;
    return r;
  }
  auto usage_error = [&](const std::string& msg) {
    std::fprintf(stderr, "%s\n%s: error: %s\n", usage.c_str(), prog.c_str(), msg.c_str());
    r.exit_code = 2;
    return r;
  };
  if (o.test_paths.empty())
    return usage_error(std::string("the following arguments are required: ") + (shell ? "TEST" : "TEST_PATH"));
  if (!o.site_config.empty() && access(o.site_config.c_str(), R_OK) != 0)
    return usage_error((site_from_option ? "--site " : "LITBOX_SITE_CONFIG=") + o.site_config + ": " +
                       strerror(errno));
  for (auto& p : params) {
    size_t eq = p.find('=');
    if (eq == std::string::npos) o.params[p] = "";
    else o.params[p.substr(0, eq)] = p.substr(eq + 1);
  }
  if (verbose >= 2) o.echo_all_commands = true;
  o.show_output = verbose >= 1 || o.echo_all_commands;
  o.use_progress_bar = !no_progress;
  for (auto& s : shown)
    if (s.on) o.shown_codes.push_back(s.code);
  o.indirectly_run_check = !no_indirect;
  std::string err;
  auto check = [&](const std::string& value, const char* opt, bool positive, auto& out) -> bool {
    if (value.empty()) return true;
    err = int_check(value, positive);
    if (!err.empty()) {
      err = std::string("argument ") + opt + ": " + err;
      return false;
    }
    out = *parse_int(value);
    return true;
  };
  std::string max_workers = env_or("LIT_MAX_WORKERS", "");
  if (workers.empty() && !max_workers.empty()) workers = max_workers;
  int timeout_value = 0;
  if (!check(workers, "-j/--threads/--workers", true, o.workers) || !check(timeout, "--timeout", false, timeout_value) ||
      !check(max_failures, "--max-failures", true, o.max_failures) || !check(max_tests, "--max-tests", true, o.max_tests) ||
      !check(num_shards, "--num-shards", true, o.num_shards) || !check(run_shard, "--run-shard", true, o.run_shard))
    return usage_error(err);
  int max_time_value = 0;
  if (!check(max_time, "--max-time", true, max_time_value)) return usage_error(err);
  o.max_time = max_time_value;
  if (!timeout.empty()) o.timeout = timeout_value;
  if (o.workers == 0) o.workers = usable_cores();
  for (const auto* re : {&o.filter, &o.filter_out}) {
    if (!PyRegex::compile(*re).ok())
      return usage_error("argument --filter: invalid regular expression: '" + *re + "'");
  }
  if (!xfail.empty()) o.xfail = split(xfail, ';');
  if (!xfail_not.empty()) o.xfail_not = split(xfail_not, ';');
  o.order = order == "lexical" ? Order::kLexical : order == "random" ? Order::kRandom : Order::kSmart;
  if (shuffle) o.order = Order::kRandom;
  if (incremental) std::printf("WARNING: --incremental is deprecated. Failing tests now always run first.\n");
  if (o.num_shards || o.run_shard) {
    if (!o.num_shards || !o.run_shard) return usage_error("--num-shards and --run-shard must be used together");
    if (o.run_shard > o.num_shards) return usage_error("--run-shard must be between 1 and --num-shards (inclusive)");
  }
  if (!shard.empty()) {
    if (o.num_shards || o.run_shard)
      return usage_error("--shard cannot be combined with --num-shards/--run-shard (nor LIT_NUM_SHARDS/LIT_RUN_SHARD)");
    if (shard == "auto") {
      auto found = shard_from_environment(environment_map());
      if (!found) return usage_error(found.error().message);
      o.shard_index = found->spec.index;
      o.shard_count = found->spec.count;
      o.shard_note = "--shard=auto: shard " + std::to_string(o.shard_index) + "/" + std::to_string(o.shard_count) +
                     " from " + found->source + " (" + found->variables + ")";
      o.shard_status_file = found->status_file;
    } else {
      auto spec = parse_shard_spec(shard);
      if (!spec) return usage_error("argument --shard: " + spec.error().message);
      o.shard_index = spec->index;
      o.shard_count = spec->count;
    }
  }
  for (const auto& name : o.pass_env)
    if (name.empty() || name.find('=') != std::string::npos)
      return usage_error("argument --pass-env: not a variable name: '" + name + "'");
  o.sandbox = sandbox == "require" ? SandboxMode::kRequire : sandbox == "off" ? SandboxMode::kOff : SandboxMode::kAuto;
  for (auto& p : o.path) {
    if (!p.empty() && p[0] != '/') {
      char buf[4096];
      if (getcwd(buf, sizeof buf)) p = std::string(buf) + "/" + p;
    }
  }
  return r;
}

}  // namespace litbox::runner
