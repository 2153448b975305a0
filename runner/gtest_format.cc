#include "runner/gtest_format.h"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cmath>
#include <cstring>
#include <map>
#include <optional>
#include <nlohmann/json.hpp>

#include "runner/capture.h"
#include "runner/environment.h"
#include "runner/sh/which.h"
#include "runner/substitutions.h"
#include "runner/test_formats.h"
#include "runner/test_session.h"
#include "support/strings.h"

namespace litbox::runner {

namespace asio = boost::asio;

namespace {

// A JSON report larger than this is not read (a real one is a few MB for 10,000 cases).
constexpr size_t kMaxJsonBytes = 64u << 20;
// Listing a binary never takes this long; without a configured timeout, a binary that hangs
// when listed is stopped after it (the run must not hang in discovery).
constexpr double kListingLimitSeconds = 300;

bool is_dir(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Python's repr() of a str (what lit's %r prints).
std::string py_repr(const std::string& s) {
  const bool dq = s.find('\'') != std::string::npos && s.find('"') == std::string::npos;
  const char q = dq ? '"' : '\'';
  std::string out(1, q);
  for (unsigned char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == static_cast<unsigned char>(q)) out += std::string("\\") + static_cast<char>(q);
    else if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c == '\r') out += "\\r";
    else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + q;
}

// Python's repr() of bytes: b'...' with every non-ASCII byte escaped.
std::string py_bytes_repr(const std::string& s) {
  std::string out = py_repr(s);
  std::string escaped;
  for (unsigned char c : out) {
    if (c >= 0x80) {
      char buf[8];
      snprintf(buf, sizeof buf, "\\x%02x", c);
      escaped += buf;
    } else {
      escaped += static_cast<char>(c);
    }
  }
  return "b" + escaped;
}

// lit's prepareCmd: a .py binary runs under Python, and all under `gtest_run_under`. Program
// names without a slash are found later, on PATH in the session's view (resolve_program).
std::vector<std::string> gtest_command(const config::SuiteConfig& cfg, const std::string& binary) {
  std::vector<std::string> cmd = {binary};
  if (ends_with(binary, ".py")) cmd.insert(cmd.begin(), "python3");
  cmd.insert(cmd.begin(), cfg.gtest_run_under.begin(), cfg.gtest_run_under.end());
  return cmd;
}

// `name` as lit's which() finds it on the environment's PATH, in what the session sees (a
// sandbox cell does not see every host directory on PATH).
std::string resolve_program(exec::Session& s, const std::string& name, const std::map<std::string, std::string>& env) {
  if (name.find('/') != std::string::npos) return name;
  auto path = env.find("PATH");
  auto found = sh::lit_which(s.fs(), name, path == env.end() ? "" : path->second);
  return found ? *found : name;
}

int usable_cores() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1L, sysconf(_SC_NPROCESSORS_ONLN));
}

// What running one binary in a session gave.
struct Ran {
  std::vector<std::string> argv;  // as run: the program found on PATH
  std::string setup_error;  // the session could not run it: UNRESOLVED
  exec::ExitStatus status;
  std::string out;  // stdout, and stderr when merged
  bool timed_out = false;
  bool json_found = false;
  std::string json;  // the report's text
  std::string json_error;
  exec::CloseReport closed;
};

struct RunSpec {
  std::vector<std::string> argv;
  std::map<std::string, std::string> env;
  std::string cwd;
  bool make_cwd = false;  // create cwd in the session's view first
  double timeout = 0;
  bool merge_stderr = false;
  std::string json_path;  // read (and removed) after the run when not empty
};

// Reads `path` in the session's view of the file system.
bool read_in_session(exec::Session& s, const std::string& path, std::string* out, std::string* error) {
  int fd = s.fs().open(path, O_RDONLY);
  if (fd < 0) {
    if (fd != -ENOENT) *error = "cannot read " + path + ": " + strerror(-fd);
    return false;
  }
  // The file may have been opened non-blocking; it is a regular file (fs() refuses others
  // on read-only mounts; a FIFO in the test's own dir would have no writer left).
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    *error = path + " is not a regular file";
    return false;
  }
  char buf[65536];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) {
    out->append(buf, static_cast<size_t>(n));
    if (out->size() > kMaxJsonBytes) {
      close(fd);
      *error = path + " is larger than " + std::to_string(kMaxJsonBytes >> 20) + " MiB";
      return false;
    }
  }
  close(fd);
  return true;
}

asio::awaitable<Ran> run_binary(Test& t, RunContext& ctx, const TestPaths& paths, RunSpec spec) {
  Ran r;
  auto executor = ctx.executors->executor_for(*t.config);
  if (!executor) {
    r.setup_error = executor.error().message;
    co_return r;
  }
  if (auto st = make_dirs(paths.tmp_dir); !st) {
    r.setup_error = st.error().message;
    co_return r;
  }
  auto opened = (*executor)->open(session_spec(t, paths));
  if (!opened) {
    r.setup_error = "sandbox setup failed: " + opened.error().message;
    co_return r;
  }
  std::unique_ptr<exec::Session> session = std::move(*opened);
  if (Status ready = co_await wait_ready(*session); !ready) {
    r.setup_error = "sandbox setup failed: " + ready.error().message;
    co_return r;
  }
  apply_overrides(spec.env, session->environment_overrides());
  spec.argv[0] = resolve_program(*session, spec.argv[0], spec.env);
  r.argv = spec.argv;
  // A report an earlier run left must not pass for this run's.
  if (!spec.json_path.empty()) session->fs().unlink(spec.json_path);
  if (spec.make_cwd) {
    if (int rc = session->fs().mkdir(spec.cwd, 0777); rc != 0 && rc != -EEXIST && rc != EEXIST) {
      r.setup_error = "cannot make " + spec.cwd + ": " + strerror(rc < 0 ? -rc : rc);
      co_return r;
    }
  }
  auto out = CaptureFile::create("stdout");
  auto err = CaptureFile::create("stderr");
  auto in = empty_stdin();
  if (!out || !err || !in) {
    if (in) close(*in);
    r.setup_error = "cannot capture output";
    co_return r;
  }
  exec::SpawnRequest req;
  req.argv = spec.argv;
  req.env = to_envp(spec.env);
  req.cwd = spec.cwd;
  req.umask = test_umask(t, ctx);
  req.stdin_fd = *in;
  req.stdout_fd = out->fd();
  req.stderr_fd = spec.merge_stderr ? out->fd() : err->fd();
  req.last = true;
  auto fired = std::make_shared<bool>(false);
  auto live = std::make_shared<exec::Session*>(session.get());
  asio::steady_timer timer(ctx.io);
  if (spec.timeout > 0) {
    timer.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(spec.timeout)));
    timer.async_wait([fired, live](const boost::system::error_code& ec) {
      if (ec || !*live) return;
      *fired = true;
      (*live)->terminate();
    });
  }
  ctx.live_sessions.insert(session.get());
  r.status = co_await spawn_and_wait(*session, std::move(req));
  ctx.live_sessions.erase(session.get());
  timer.cancel();
  *live = nullptr;
  close(*in);
  r.timed_out = *fired;
  r.out = out->read_all();
  if (!spec.merge_stderr) {
    // Listing: lit lets the binary's stderr through to its own.
    std::string e = err->read_all();
    if (!e.empty()) fwrite(e.data(), 1, e.size(), stderr);
  }
  if (r.status.setup_failure) r.setup_error = "sandbox setup failed: " + r.status.error;
  if (!spec.json_path.empty() && !r.timed_out && r.setup_error.empty()) {
    r.json_found = read_in_session(*session, spec.json_path, &r.json, &r.json_error);
    // lit removes the report once read.
    session->fs().unlink(spec.json_path);
  }
  r.closed = co_await close_and_wait(*session);
  co_return r;
}

EnvironmentOptions env_options(const Test& t, const RunContext& ctx) {
  EnvironmentOptions eo;
  eo.path_prepend = ctx.path_prepend;
  eo.tmp_dir = ctx.tmp_dir;
  eo.hermetic = ctx.executors->sandboxed(*t.config);
  eo.pass_env = ctx.pass_env;
  return eo;
}

// The outcome of listing one binary.
struct Listing {
  int tests = -1;  // < 0: failed
  std::string warning;
  std::optional<TestResult> unresolved;
};

asio::awaitable<Listing> list_binary(Test& t, RunContext& ctx) {
  Listing l;
  const std::string& binary = t.gtest->binary;
  RunSpec spec;
  spec.argv = gtest_command(*t.config, binary);
  spec.argv.push_back("--gtest_list_tests");
  spec.argv.push_back("--gtest_filter=-*DISABLED_*");
  spec.env = build_environment(*t.config, env_options(t, ctx));
  spec.cwd = dirname_of(binary);
  spec.timeout = ctx.cli_timeout ? *ctx.cli_timeout : t.config->timeout;
  if (spec.timeout <= 0) spec.timeout = kListingLimitSeconds;
  Ran r = co_await run_binary(t, ctx, test_paths(binary, t.exec_path), spec);
  if (!r.setup_error.empty()) {
    l.unresolved = TestResult{ResultCode::kUnresolved, r.setup_error};
    co_return l;
  }
  if (r.timed_out) {
    char limit[32];
    snprintf(limit, sizeof limit, "%g", spec.timeout);
    l.warning = "unable to discover google-tests in " + py_repr(binary) + ": listing its tests (--gtest_list_tests) " +
                "did not end within " + limit + " seconds. Process output: " + py_bytes_repr(r.out);
    co_return l;
  }
  if (r.status.code == 0 && r.status.signal == 0 && r.status.error.empty()) {
    int n = 0;
    for (const auto& line : split(r.out, '\n'))
      if (starts_with(line, "  ")) ++n;
    l.tests = n;
    co_return l;
  }
  // As Python's CalledProcessError prints itself.
  std::string cmd = "[";
  for (size_t i = 0; i < r.argv.size(); ++i) cmd += (i ? ", " : "") + py_repr(r.argv[i]);
  cmd += "]";
  std::string why = r.status.signal ? "died with signal " + std::to_string(r.status.signal) + "."
                                    : "returned non-zero exit status " + std::to_string(r.status.code) + ".";
  if (!r.status.error.empty() && !r.status.signal) why = "could not run: " + r.status.error + ".";
  l.warning = "unable to discover google-tests in " + py_repr(binary) + ": Command '" + cmd + "' " + why +
              ". Process output: " + py_bytes_repr(r.out);
  co_return l;
}

std::unique_ptr<Test> derived_test(const Test& from, std::vector<std::string> path) {
  auto t = std::make_unique<Test>();
  t->suite = from.suite;
  t->config = from.config;
  t->path_in_suite = std::move(path);
  t->source_path = from.source_path;
  t->exec_path = from.exec_path;
  t->xfail_all = from.xfail_all;
  t->xfail_not = from.xfail_not;
  return t;
}

std::string shard_header(const std::vector<std::pair<std::string, std::string>>& shard_env,
                         const std::vector<std::string>& cmd) {
  std::vector<std::string> kv;
  for (const auto& [k, v] : shard_env) kv.push_back(k + "=" + v);
  return "Script(shard):\n--\n" + join(kv, " ") + " " + join(cmd, " ") + "\n--\n";
}

std::string case_header(const std::string& command, const std::string& name) {
  return "Script:\n--\n" + command + " --gtest_filter=" + name + "\n--\n";
}

// The lines gtest printed for `name` between its RUN and FAILED lines.
std::string case_stdout(const std::string& out, const std::string& name) {
  const std::string header = "[ RUN      ] " + name, footer = "[  FAILED  ] " + name;
  std::vector<std::string> lines;
  bool in_range = false;
  for (const auto& l : split(out, '\n')) {
    if (starts_with(l, header)) {
      in_range = true;
    } else if (starts_with(l, footer)) {
      return join(lines, "\n");
    } else if (in_range) {
      lines.push_back(l);
    }
  }
  return "";
}

// Reads gtest's JSON report into `g`. lit raises on a malformed one.
Status parse_report(const std::string& text, const std::string& path, GtestShard& g, std::string* random_seed) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  auto bad = [&](const std::string& why) { return Error("invalid gtest JSON report " + path + ": " + why); };
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  if (j.contains("random_seed")) *random_seed = j["random_seed"].dump();
  if (!j.contains("testsuites") || !j["testsuites"].is_array()) return bad("no 'testsuites' list");
  for (const auto& suite : j["testsuites"]) {
    if (!suite.is_object() || !suite.contains("name") || !suite["name"].is_string() || !suite.contains("testsuite") ||
        !suite["testsuite"].is_array())
      return bad("a test suite without 'name' or 'testsuite'");
    for (const auto& info : suite["testsuite"]) {
      if (!info.is_object() || !info.contains("name") || !info["name"].is_string() || !info.contains("result") ||
          !info["result"].is_string())
        return bad("a test without 'name' or 'result'");
      GtestCase c;
      c.suite = suite["name"].get<std::string>();
      c.name = info["name"].get<std::string>();
      c.result = info["result"].get<std::string>();
      if (info.contains("time") && info["time"].is_string()) {
        std::string time = info["time"].get<std::string>();
        if (!time.empty()) c.elapsed = std::atof(time.substr(0, time.size() - 1).c_str());
      }
      if (info.contains("failures")) {
        c.has_failures = true;
        if (info["failures"].is_array())
          for (const auto& f : info["failures"])
            if (f.is_object() && f.contains("failure") && f["failure"].is_string())
              c.failures.push_back(f["failure"].get<std::string>());
      }
      g.cases.push_back(std::move(c));
    }
  }
  return {};
}

}  // namespace

std::vector<std::pair<std::string, std::string>> gtest_binaries(const std::string& source_dir,
                                                                const config::SuiteConfig& config) {
  std::vector<std::pair<std::string, std::string>> out;
  const std::string exe = config.gtest_suffix, py = config.gtest_suffix + ".py";
  for (const auto& sub : split(config.gtest_sub_dirs, ';')) {
    // os.path.join: an absolute sub dir stands alone.
    std::string dir = !sub.empty() && sub[0] == '/' ? sub : source_dir + "/" + sub;
    if (!is_dir(dir)) continue;
    std::vector<std::string> names;
    if (DIR* d = opendir(dir.c_str())) {
      while (auto* e = readdir(d)) {
        std::string n = e->d_name;
        if (n == "." || n == ".." || is_dir(dir + "/" + n)) continue;
        if (ends_with(n, exe) || ends_with(n, py)) names.push_back(n);
      }
      closedir(d);
    }
    std::sort(names.begin(), names.end());
    for (auto& n : names) out.emplace_back(sub, std::move(n));
  }
  return out;
}

int gtest_shard_count(int tests, int cores) {
  int shard_size = 512;
  auto shards = [&] { return static_cast<int>(std::ceil(static_cast<double>(tests) / shard_size)); };
  int n = shards();
  while (n < cores && shard_size > 1) {
    shard_size /= 2;
    n = shards();
  }
  return n;
}

void list_gtest_binaries(std::vector<std::unique_ptr<Test>>& tests, RunContext& ctx, int workers, Diagnostics& diag) {
  std::vector<size_t> todo;
  for (size_t i = 0; i < tests.size(); ++i)
    if (tests[i]->gtest && tests[i]->gtest->index < 0 && !tests[i]->has_result) todo.push_back(i);
  if (todo.empty()) return;
  std::vector<Listing> listed(tests.size());
  size_t next = 0;
  int running = 0;
  auto worker = [&]() -> asio::awaitable<void> {
    while (next < todo.size()) {
      size_t i = todo[next++];
      listed[i] = co_await list_binary(*tests[i], ctx);
    }
    --running;
  };
  for (int w = 0; w < std::max(1, workers) && w < static_cast<int>(todo.size()); ++w) {
    ++running;
    asio::co_spawn(ctx.io, worker(), asio::detached);
  }
  ctx.io.restart();
  while (running > 0 && ctx.io.run_one() > 0) {
  }
  ctx.io.restart();

  const int cores = usable_cores();
  std::vector<std::unique_ptr<Test>> out;
  for (size_t i = 0; i < tests.size(); ++i) {
    Test& t = *tests[i];
    if (!t.gtest || t.gtest->index >= 0 || t.has_result) {
      out.push_back(std::move(tests[i]));
      continue;
    }
    Listing& l = listed[i];
    if (l.unresolved) {
      t.result = *l.unresolved;
      t.has_result = true;
      out.push_back(std::move(tests[i]));
      continue;
    }
    if (l.tests < 0) {
      diag.warning(l.warning);
      auto path = t.path_in_suite;
      path.push_back("failed_to_discover_tests_from_gtest");
      auto failed = derived_test(t, path);
      failed->gtest = std::make_shared<GtestShard>(*t.gtest);
      failed->gtest->discovery_failed = true;
      out.push_back(std::move(failed));
      continue;
    }
    const int n = gtest_shard_count(l.tests, cores);
    for (int k = 0; k < n; ++k) {
      auto path = t.path_in_suite;
      path.push_back(std::to_string(k));
      path.push_back(std::to_string(n));
      auto shard = derived_test(t, path);
      // Its own %t in the binary's Output dir: the shards of a binary run in parallel.
      shard->exec_path = t.exec_path + "-" + std::to_string(k) + "-" + std::to_string(n);
      shard->gtest = std::make_shared<GtestShard>(*t.gtest);
      shard->gtest->index = k;
      shard->gtest->count = n;
      out.push_back(std::move(shard));
    }
  }
  tests = std::move(out);
}

asio::awaitable<TestResult> execute_gtest_shard(Test& t, RunContext& ctx) {
  GtestShard& g = *t.gtest;
  if (g.discovery_failed) co_return TestResult{ResultCode::kFail, ""};
  const config::SuiteConfig& cfg = *t.config;
  TestPaths paths = test_paths(g.binary, t.exec_path);
  const std::string json = paths.tmp_base + ".tmp.json";
  std::vector<std::pair<std::string, std::string>> shard_env = {
      {"GTEST_OUTPUT", "json:" + json},
      {"GTEST_SHUFFLE", ctx.gtest_shuffle ? "1" : "0"},
      {"GTEST_TOTAL_SHARDS", std::to_string(g.count)},
      {"GTEST_SHARD_INDEX", std::to_string(g.index)}};
  if (ctx.no_execute) co_return TestResult{ResultCode::kPass, ""};
  auto env = build_environment(cfg, env_options(t, ctx));
  for (const auto& [k, v] : shard_env) env[k] = v;
  RunSpec spec;
  spec.argv = gtest_command(cfg, g.binary);
  spec.env = std::move(env);
  // lit runs the binary in its own working directory; here each shard gets a directory of
  // its own (published with its outputs), so shards running at once never share files.
  spec.cwd = paths.tmp_base + ".tmp";
  spec.make_cwd = true;
  spec.timeout = ctx.cli_timeout ? *ctx.cli_timeout : cfg.timeout;
  spec.merge_stderr = true;
  spec.json_path = json;
  Ran r = co_await run_binary(t, ctx, paths, spec);
  if (!r.setup_error.empty()) co_return TestResult{ResultCode::kUnresolved, r.setup_error};
  const std::vector<std::string>& cmd = r.argv;
  const std::string header = shard_header(shard_env, cmd);
  const std::string stream = "\n" + r.out + "\n--\nexit: " + std::to_string(r.status.lit_code()) + "\n--\n";
  TestResult result;
  if (r.timed_out) {
    char t_text[64];
    snprintf(t_text, sizeof t_text, "%g", spec.timeout);
    result = {ResultCode::kTimeout, header + stream + "Reached timeout of " + t_text + " seconds"};
  } else if (!r.json_found) {
    result = {ResultCode::kFail, header + stream + (r.json_error.empty() ? "shard JSON output does not exist: " + json
                                                                           : r.json_error)};
  } else {
    std::string seed;
    if (Status st = parse_report(r.json, json, g, &seed); !st) {
      g.cases.clear();
      result = {ResultCode::kUnresolved, header + stream + st.error().message};
    } else {
      g.json_read = true;
      if (r.status.lit_code() == 0) {
        result = {ResultCode::kPass, ""};
      } else {
        if (ctx.gtest_shuffle) shard_env.emplace_back("GTEST_RANDOM_SEED", seed);
        std::string output = shard_header(shard_env, cmd) + "\n";
        bool found_failed = false;
        const std::string command = join(cmd, " ");
        for (const auto& c : g.cases) {
          if (c.result == "SUPPRESSED" || c.result == "SKIPPED") continue;
          const std::string name = c.suite + "." + c.name;
          if (c.has_failures) {
            found_failed = true;
            output += case_header(command, name);
            if (std::string o = case_stdout(r.out, name); !o.empty()) output += o + "\n\n";
            for (const auto& f : c.failures) output += f + "\n";
            output += "\n";
          } else if (c.result != "COMPLETED") {
            output += case_header(command, name) + "unresolved test result\n";
          }
        }
        // A sanitizer report after the last test fails the shard with every case passed.
        if (!found_failed) output += stream;
        result = {ResultCode::kFail, std::move(output)};
      }
    }
  }
  add_close_report(result, r.closed);
  co_return result;
}

void replace_gtest_shards(std::vector<std::unique_ptr<Test>>& owned, std::vector<Test*>& discovered,
                          std::vector<Test*>& selected) {
  std::map<Test*, std::vector<Test*>> replacement;
  for (Test* shard : selected) {
    if (!shard->gtest || shard->gtest->index < 0 || !shard->gtest->json_read) continue;
    const GtestShard& g = *shard->gtest;
    std::vector<Test*>& cases = replacement[shard];
    double start = shard->result.start;
    bool failed_case = false;
    for (const auto& c : g.cases) {
      if (c.result == "SUPPRESSED") continue;
      std::vector<std::string> path(shard->path_in_suite.begin(), shard->path_in_suite.end() - 2);
      path.push_back(c.suite);
      path.push_back(c.name);
      auto t = derived_test(*shard, std::move(path));
      const std::string header = case_header(g.binary, c.suite + "." + c.name);
      TestResult r;
      if (c.result == "SKIPPED") {
        r.code = ResultCode::kSkipped;
      } else if (c.has_failures) {
        failed_case = true;
        r.code = ResultCode::kFail;
        r.output = header;
        for (const auto& f : c.failures) r.output += f + "\n";
      } else if (c.result == "COMPLETED") {
        r.code = ResultCode::kPass;
      } else {
        r.code = ResultCode::kUnresolved;
        r.output = header + "unresolved test result\n";
      }
      r.elapsed = c.elapsed;
      r.start = start;
      start += c.elapsed;
      t->result = std::move(r);
      t->has_result = true;
      cases.push_back(t.get());
      owned.push_back(std::move(t));
    }
    if (!failed_case && is_failure(shard->result.code)) cases.push_back(shard);
  }
  if (replacement.empty()) return;
  auto rebuild = [&](std::vector<Test*>& list) {
    std::vector<Test*> out;
    for (Test* t : list) {
      auto it = replacement.find(t);
      if (it == replacement.end()) out.push_back(t);
      else out.insert(out.end(), it->second.begin(), it->second.end());
    }
    list = std::move(out);
  };
  rebuild(discovered);
  rebuild(selected);
}

}  // namespace litbox::runner
