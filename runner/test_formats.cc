#include "runner/test_formats.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utility>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/async_result.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>

#include "runner/capture.h"
#include "runner/gtest_format.h"
#include "runner/libcxx_format.h"
#include "runner/prepared_test.h"
#include "runner/environment.h"
#include "runner/sh/interpreter.h"
#include "runner/substitutions.h"
#include "runner/test_file.h"
#include "runner/test_session.h"
#include "runner/tool_digests.h"
#include "sandbox/publish.h"
#include "support/feature_expr.h"
#include "support/strings.h"

namespace litbox::runner {

namespace asio = boost::asio;

namespace {

struct Timeout {
  bool fired = false;
  exec::Session* session = nullptr;
};

exec::SessionSpec session_spec(Test& t, RunContext& ctx, const TestPaths& paths) {
  exec::SessionSpec spec = session_spec(t, paths);
  spec.deferred = [&ctx, &t](int delta) {
    if (ctx.on_deferred) ctx.on_deferred(t, delta);
  };
  return spec;
}

struct RunOutcome {
  std::map<std::string, std::string> environment;  ///< what the script started with
  std::string out, err;
  int exit_code = 0;
  bool timed_out = false;
  std::optional<TestResult> early;  // a result that ends the test at once
};

// Marks the test timed out when its target reports a command killed by the target-side
// timeout (batch executors enforce the per-test timeout on the target).
class TargetTimeoutObserver : public exec::Session {
 public:
  TargetTimeoutObserver(std::unique_ptr<exec::Session> inner, std::shared_ptr<bool> timed_out)
      : inner_(std::move(inner)), timed_out_(std::move(timed_out)) {}
  void spawn(exec::SpawnRequest req, exec::ExitHandler on_exit) override {
    inner_->spawn(std::move(req), [t = timed_out_, on_exit = std::move(on_exit)](exec::ExitStatus st) {
      if (st.target_timeout) *t = true;
      on_exit(std::move(st));
    });
  }
  void async_wait_ready(std::function<void(Status)> cb) override { inner_->async_wait_ready(std::move(cb)); }
  void terminate() override { inner_->terminate(); }
  exec::FileSystem& fs() override { return inner_->fs(); }
  std::map<std::string, std::string> environment_overrides() const override { return inner_->environment_overrides(); }
  void close() override { inner_->close(); }
  void async_close(std::function<void(exec::CloseReport)> done) override { inner_->async_close(std::move(done)); }

 private:
  std::unique_ptr<exec::Session> inner_;
  std::shared_ptr<bool> timed_out_;
};

// The sessions of one test: every attempt (ALLOW_RETRIES) runs in the same cell, so files an
// attempt leaves under %t and /tmp are there for the next one, as with lit.
struct TestSessions {
  std::unique_ptr<exec::Session> session;
  std::unique_ptr<exec::Session> target;  // for `litbox-exec` commands, or null
  std::shared_ptr<bool> target_timed_out = std::make_shared<bool>(false);
  bool target_enforces_timeout = false;
  RunContext* ctx = nullptr;

  ~TestSessions() {
    if (!ctx) return;
    close_target();
    if (session) {
      ctx->live_sessions.erase(session.get());
      session->close();
    }
  }
  void close_target() {
    if (!target) return;
    ctx->live_sessions.erase(target.get());
    target->close();
    target.reset();
  }
  // Closes both sessions once the test is over, and waits until its outputs are published.
  asio::awaitable<exec::CloseReport> close() {
    close_target();
    std::unique_ptr<exec::Session> s = std::move(session);
    ctx->live_sessions.erase(s.get());
    co_return co_await close_and_wait(*s);
  }
};

// Opens the test's sessions, or returns the UNRESOLVED result that explains why not.
// `own_tmp_dir`: libc++'s layout, where %T (paths.tmp_dir) is Output/<name>.dir.
std::optional<TestResult> open_sessions(Test& t, RunContext& ctx, const TestPaths& paths, bool own_tmp_dir,
                                        TestSessions& out) {
  auto executor = ctx.executors->executor_for(*t.config);
  if (!executor) return TestResult{ResultCode::kUnresolved, executor.error().message};
  exec::SessionSpec spec = session_spec(t, ctx, paths);
  exec::SessionSpec target_spec = spec;
  if (own_tmp_dir) {
    // The cell's view is the Output dir, where the test owns <name>.dir; the target runs
    // commands in %T itself and gets all of it, as libc++'s executors do with --execdir.
    spec.output_dir = dirname_of(paths.tmp_dir);
    spec.tmp_prefix = paths.tmp_dir.substr(0, paths.tmp_dir.size() - 4);
    spec.owns_tmp_dir = true;
    target_spec.ship_output_dir = true;
  }
  auto session = (*executor)->open(spec);
  if (!session) return TestResult{ResultCode::kUnresolved, "sandbox setup failed: " + session.error().message};
  out.ctx = &ctx;
  out.session = std::move(*session);
  ctx.live_sessions.insert(out.session.get());
  auto target = ctx.executors->target_executor_for(*t.config);
  if (!target) return TestResult{ResultCode::kUnresolved, target.error().message};
  if (*target) {
    auto ts = (*target)->open(target_spec);
    if (!ts) return TestResult{ResultCode::kUnresolved, "target setup failed: " + ts.error().message};
    out.target = std::make_unique<TargetTimeoutObserver>(std::move(*ts), out.target_timed_out);
    out.target_enforces_timeout = ctx.executors->target_enforces_timeout(*t.config);
    ctx.live_sessions.insert(out.target.get());
  }
  return std::nullopt;
}

// One attempt of the script; `last_attempt`: nothing runs in the sessions after it.
asio::awaitable<RunOutcome> run_once(Test& t, RunContext& ctx, std::vector<std::string>& lines, double timeout,
                                     const TestPaths& paths, TestSessions& sessions, bool last_attempt) {
  RunOutcome o;
  auto* session = &sessions.session;
  auto& target_session = sessions.target;

  auto env = test_environment(t, ctx, **session);
  o.environment = env;

  auto timeout_state = std::make_shared<Timeout>();
  timeout_state->session = session->get();
  asio::steady_timer timer(ctx.io);
  // A batch target applies the timeout to each deferred command itself; a local timer would
  // count the time the test waits for its batch.
  if (timeout > 0 && !sessions.target_enforces_timeout) {
    timer.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(timeout)));
    timer.async_wait([timeout_state, ts = target_session.get()](const boost::system::error_code& ec) {
      if (ec || !timeout_state->session) return;
      timeout_state->fired = true;
      timeout_state->session->terminate();
      if (ts) ts->terminate();
    });
  }

  const std::string exec_dir = dirname_of(t.exec_path);
  if (t.config->format == "sh-external") {
    // lit's executeScript: one bash script, stdout and stderr of the whole script.
    std::string script_path = paths.tmp_base + ".script";
    {
      // Written through the session's view of the filesystem: in a sandbox cell, Output/ is
      // the test's private view.
      std::string text;
      if (t.config->pipefail) text += "set -o pipefail;";
      if (ctx.echo_all_commands) text += "set -x;";
      text += "{ " + join(lines, "; } &&\n{ ") + "; }\n";
      int fd = (*session)->fs().open(script_path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
      if (fd < 0) {
        o.early = TestResult{ResultCode::kUnresolved, "cannot write " + script_path + ": " + strerror(-fd)};
        co_return o;
      }
      size_t done = 0;
      while (done < text.size()) {
        ssize_t n = write(fd, text.data() + done, text.size() - done);
        if (n <= 0) break;
        done += static_cast<size_t>(n);
      }
      close(fd);
    }
    auto out = CaptureFile::create("stdout");
    auto err = CaptureFile::create("stderr");
    auto in = empty_stdin();
    if (!out || !err || !in) {
      o.early = TestResult{ResultCode::kUnresolved, "cannot capture output"};
      co_return o;
    }
    exec::SpawnRequest req;
    std::string bash = "/bin/bash";
    for (const auto& p : ctx.path_prepend)
      if (access((p + "/bash").c_str(), X_OK) == 0) {
        bash = p + "/bash";
        break;
      }
    req.argv = {bash, script_path};
    req.env = to_envp(env);
    req.cwd = exec_dir;
    req.umask = test_umask(t, ctx);
    req.stdin_fd = *in;
    req.stdout_fd = out->fd();
    req.stderr_fd = err->fd();
    req.last = last_attempt;
    auto st = co_await spawn_and_wait(**session, std::move(req));
    close(*in);
    if (st.setup_failure) {
      o.early = TestResult{ResultCode::kUnresolved, "sandbox setup failed: " + st.error};
    }
    o.out = out->read_all();
    o.err = err->read_all();
    if (!st.error.empty() && !st.setup_failure) o.err += st.error + "\n";
    o.exit_code = st.lit_code();
  } else {
    sh::ShellState state;
    state.umask = test_umask(t, ctx);
    state.cwd = exec_dir;
    state.env = std::move(env);
    sh::ShellOptions opts;
    opts.pipefail = t.config->pipefail;
    opts.output_limit = t.config->output_limit;
    opts.builtin_exe = ctx.litbox_exe;
    opts.session = session->get();
    opts.target_session = target_session.get();
    opts.timed_out = &timeout_state->fired;
    opts.timeout_active = timeout > 0;
    opts.ends_session = last_attempt;
    if (ctx.tools) opts.on_executable = [tools = ctx.tools](exec::FileSystem& fs, const std::string& path) {
      tools->note(fs, path);
    };
    sh::ScriptResult r = co_await sh::run_script(lines, state, opts);
    if (!r.setup_error.empty()) {
      o.early = TestResult{ResultCode::kUnresolved, r.setup_error};
    } else if (r.parse_error) {
      o.early = TestResult{ResultCode::kFail, r.out};
    } else if (!r.exception.empty()) {
      o.early = TestResult{ResultCode::kUnresolved, "Exception during script execution:\n" + r.exception};
    }
    o.out = std::move(r.out);
    o.err = std::move(r.err);
    o.exit_code = r.exit_code;
  }
  timer.cancel();
  timeout_state->session = nullptr;
  o.timed_out = timeout_state->fired || *sessions.target_timed_out;
  co_return o;
}

std::string format_timeout(double timeout) {
  // lit prints the number as Python formats it: an int stays "10", a float "0.5".
  char buf[64];
  if (timeout == static_cast<long long>(timeout)) {
    snprintf(buf, sizeof buf, "%lld", static_cast<long long>(timeout));
  } else {
    snprintf(buf, sizeof buf, "%g", timeout);
  }
  return buf;
}

// A ShTest-like script (format sh, sh-external, libcxx), prepared by its format.
asio::awaitable<TestResult> execute_script_test(Test& t, RunContext& ctx,
                                                std::variant<PreparedTest, TestResult> prepared) {
  if (auto* early = std::get_if<TestResult>(&prepared)) co_return std::move(*early);
  PreparedTest& pt = std::get<PreparedTest>(prepared);
  const config::SuiteConfig& cfg = *t.config;
  TestScript& ts = pt.directives;
  const TestPaths& paths = pt.paths;
  std::vector<std::string>* lines = &pt.lines;
  const auto& features = test_features(t);

  // lit makes %T before running; libc++'s own %T is made in the test's view, below.
  const std::string host_dir = pt.own_tmp_dir ? dirname_of(paths.tmp_dir) : paths.tmp_dir;
  if (auto st = make_dirs(host_dir); !st) co_return TestResult{ResultCode::kUnresolved, st.error().message};
  if (pt.own_tmp_dir) {
    // An older run's %T goes first: a sandboxed test starts from an empty one in any case,
    // and one that lit or another user left would not be writable for the cell's user when
    // outputs are not isolated (remote targets). Tests may write that tree: it is walked by
    // file descriptor, never following a symlink.
    int out = open(host_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    Status removed = out < 0 ? Status{Error{"open " + host_dir + ": " + strerror(errno)}}
                             : sandbox::remove_entry(out, paths.tmp_dir.substr(host_dir.size() + 1));
    if (out >= 0) close(out);
    if (!removed)
      co_return TestResult{ResultCode::kUnresolved, "cannot remove the older " + paths.tmp_dir + ": " + removed.error().message};
  }

  double timeout = ctx.cli_timeout ? *ctx.cli_timeout : cfg.timeout;
  int attempts = (ts.allowed_retries ? *ts.allowed_retries : cfg.test_retry_attempts) + 1;
  TestSessions sessions;
  if (auto failed = open_sessions(t, ctx, paths, pt.own_tmp_dir, sessions)) co_return *failed;
  if (Status ready = co_await wait_ready(*sessions.session); !ready)
    co_return TestResult{ResultCode::kUnresolved, "sandbox setup failed: " + ready.error().message};
  if (pt.own_tmp_dir) {
    // As the test's user, in its view of Output (a cell's private one, or the shared one).
    int r = sessions.session->fs().mkdir(paths.tmp_dir, 0777);
    if (r < 0 && r != -EEXIST)
      co_return TestResult{ResultCode::kUnresolved, "cannot create " + paths.tmp_dir + ": " + strerror(-r)};
  }
  // lit's Test.setResult: XFAIL: turns PASS into XPASS and FAIL into XFAIL; a bad expression
  // makes the test UNRESOLVED.
  auto apply_xfail = [&](TestResult& result) {
    std::string xfail_error;
    bool xfail = expected_to_fail(t, ts, features, xfail_error);
    if (!xfail_error.empty()) {
      result.code = ResultCode::kUnresolved;
      result.output = xfail_error;
    } else if (xfail) {
      if (result.code == ResultCode::kPass) result.code = ResultCode::kXPass;
      else if (result.code == ResultCode::kFail) result.code = ResultCode::kXFail;
    }
  };
  RunOutcome o;
  ResultCode code = ResultCode::kFail;
  int i = 0;
  for (; i < std::max(attempts, 1); ++i) {
    o = co_await run_once(t, ctx, *lines, timeout, paths, sessions, i + 1 >= attempts);
    if (o.early) {
      // A shell parse error is a FAIL, which XFAIL: turns into XFAIL, as lit's setResult does.
      apply_xfail(*o.early);
      co_return *o.early;
    }
    code = o.exit_code == 0 ? ResultCode::kPass : o.timed_out ? ResultCode::kTimeout : ResultCode::kFail;
    if (code != ResultCode::kFail) break;
  }
  if (i > 0 && code == ResultCode::kPass) code = ResultCode::kFlakyPass;
  const exec::CloseReport closed = co_await sessions.close();

  std::string output = "Script:\n--\n" + join(*lines, "\n") + "\n--\nExit Code: " + std::to_string(o.exit_code) + "\n";
  if (o.timed_out) output += "Timeout: Reached timeout of " + format_timeout(timeout) + " seconds\n";
  output += "\n";
  if (!o.out.empty()) output += "Command Output (stdout):\n--\n" + o.out + "\n--\n";
  if (!o.err.empty()) output += "Command Output (stderr):\n--\n" + o.err + "\n--\n";
  TestResult result{code, std::move(output)};
  result.environment = std::make_shared<const std::map<std::string, std::string>>(std::move(o.environment));

  apply_xfail(result);
  add_close_report(result, closed);
  co_return result;
}

// lit's ExecutableTest: run the file itself; exit 0 passes.
asio::awaitable<TestResult> execute_executable_test(Test& t, RunContext& ctx) {
  if (t.config->unsupported) co_return TestResult{ResultCode::kUnsupported, "Test is unsupported"};
  auto executor = ctx.executors->executor_for(*t.config);
  if (!executor) co_return TestResult{ResultCode::kUnresolved, executor.error().message};
  TestPaths paths = test_paths(t.source_path, t.exec_path);
  if (auto st = make_dirs(paths.tmp_dir); !st) co_return TestResult{ResultCode::kUnresolved, st.error().message};
  auto session = (*executor)->open(session_spec(t, ctx, paths));
  if (!session) co_return TestResult{ResultCode::kUnresolved, "sandbox setup failed: " + session.error().message};
  if (Status ready = co_await wait_ready(**session); !ready)
    co_return TestResult{ResultCode::kUnresolved, "sandbox setup failed: " + ready.error().message};
  auto env = test_environment(t, ctx, **session);
  auto out = CaptureFile::create("stdout");
  auto in = empty_stdin();
  if (!out || !in) co_return TestResult{ResultCode::kUnresolved, "cannot capture output"};
  exec::SpawnRequest req;
  req.argv = {t.source_path};
  req.env = to_envp(env);
  req.cwd = dirname_of(t.exec_path);
  req.umask = test_umask(t, ctx);
  req.stdin_fd = *in;
  req.stdout_fd = out->fd();
  req.stderr_fd = out->fd();
  req.last = true;
  ctx.live_sessions.insert(session->get());
  auto st = co_await spawn_and_wait(**session, std::move(req));
  ctx.live_sessions.erase(session->get());
  close(*in);
  const exec::CloseReport closed = co_await close_and_wait(**session);
  if (st.setup_failure) co_return TestResult{ResultCode::kUnresolved, "sandbox setup failed: " + st.error};
  TestResult result{st.lit_code() == 0 ? ResultCode::kPass : ResultCode::kFail, out->read_all() + st.error};
  result.environment = std::make_shared<const std::map<std::string, std::string>>(std::move(env));
  add_close_report(result, closed);
  co_return result;
}

}  // namespace

const std::set<std::string>& test_features(const Test& test) { return test.config->features; }

asio::awaitable<TestResult> execute_test(Test& test, RunContext& ctx) {
  const std::string& format = test.config->format;
  if (format == "sh" || format == "sh-external") co_return co_await execute_script_test(test, ctx, prepare_sh_test(test, ctx));
  if (format == "libcxx") co_return co_await execute_script_test(test, ctx, prepare_libcxx_test(test, ctx));
  if (format == "executable") co_return co_await execute_executable_test(test, ctx);
  if (format == "gtest" && test.gtest) co_return co_await execute_gtest_shard(test, ctx);
  co_return TestResult{ResultCode::kUnresolved, "unsupported test format '" + format + "' in " +
                                                    (test.config->files.empty() ? std::string("config")
                                                                                : test.config->files.back())};
}

exec::SessionSpec session_spec(const Test& test, const TestPaths& paths) {
  exec::SessionSpec spec;
  spec.test_name = test.full_name();
  spec.source_path = paths.source_path;
  spec.source_dir = paths.source_dir;
  spec.output_dir = paths.tmp_dir;
  spec.tmp_prefix = paths.tmp_base;
  return spec;
}

}  // namespace litbox::runner
