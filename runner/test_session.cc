#include "runner/test_session.h"

#include "runner/environment.h"

#include <sys/stat.h>

#include <boost/asio/async_result.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <cstring>
#include <cstdlib>
#include <memory>
#include <vector>

namespace litbox::runner {

namespace asio = boost::asio;

std::string dirname_of(const std::string& p) {
  size_t s = p.rfind('/');
  return s == 0 ? "/" : p.substr(0, s);
}

Status make_dirs(const std::string& path) {
  if (mkdir(path.c_str(), 0777) == 0 || errno == EEXIST) return {};
  if (errno == ENOENT) {
    if (auto st = make_dirs(dirname_of(path)); !st) return st;
    if (mkdir(path.c_str(), 0777) == 0 || errno == EEXIST) return {};
  }
  return Error("mkdir " + path + ": " + strerror(errno));
}

// (GCC 12 destroys a temporary lambda inside a co_await expression twice, so each initiation
// is a named object capturing only pointers.)
asio::awaitable<exec::ExitStatus> spawn_and_wait(exec::Session& session, exec::SpawnRequest req) {
  exec::SpawnRequest* r = &req;
  exec::Session* sp = &session;
  auto init = [sp, r](auto handler) {
    auto h = std::make_shared<decltype(handler)>(std::move(handler));
    sp->spawn(std::move(*r), [h](exec::ExitStatus s) { (*h)(std::move(s)); });
  };
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(exec::ExitStatus)>(init, asio::use_awaitable);
}

asio::awaitable<Status> wait_ready(exec::Session& session) {
  exec::Session* sp = &session;
  auto init = [sp](auto handler) {
    auto h = std::make_shared<decltype(handler)>(std::move(handler));
    sp->async_wait_ready([h](Status st) { (*h)(std::move(st)); });
  };
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(Status)>(init, asio::use_awaitable);
}

asio::awaitable<exec::CloseReport> close_and_wait(exec::Session& session) {
  exec::Session* sp = &session;
  auto init = [sp](auto handler) {
    auto h = std::make_shared<decltype(handler)>(std::move(handler));
    sp->async_close([h](exec::CloseReport r) { (*h)(std::move(r)); });
  };
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(exec::CloseReport)>(init,
                                                                                                  asio::use_awaitable);
}

void add_close_report(TestResult& result, const exec::CloseReport& closed) {
  for (const auto& n : closed.notes) result.output += "Note: " + n + "\n";
  if (!closed.status) {
    result.code = ResultCode::kUnresolved;
    result.output += closed.status.error().message + "\n";
  }
}

void apply_overrides(std::map<std::string, std::string>& env, const std::map<std::string, std::string>& overrides) {
  for (const auto& [k, v] : overrides) env[k] = v;
  auto tmp = overrides.find("TMPDIR");
  if (tmp != overrides.end())
    for (const char* name : {"TMP", "TEMP", "TEMPDIR"}) env[name] = tmp->second;
}

namespace {

// The umask litbox was started with: what lit's processes inherit.
mode_t process_umask() {
  static const mode_t mask = [] {
    mode_t m = umask(022);
    umask(m);
    return m;
  }();
  return mask;
}

}  // namespace

// The environment a test starts with: the config's policy, then the session's variables.
std::map<std::string, std::string> test_environment(const Test& t, RunContext& ctx, exec::Session& session) {
  EnvironmentOptions eo;
  eo.path_prepend = ctx.path_prepend;
  eo.tmp_dir = ctx.tmp_dir;
  eo.hermetic = ctx.executors->sandboxed(*t.config);
  eo.pass_env = ctx.pass_env;
  auto env = build_environment(*t.config, eo);
  apply_overrides(env, session.environment_overrides());
  return env;
}

std::string make_run_tmp_dir() {
  if (std::getenv("LIT_PRESERVES_TMP")) return "";
  const char* base = std::getenv("TEST_TMPDIR");  // Bazel's private temp dir, when under bazel test
  if (!base || !*base) base = std::getenv("TMPDIR");
  std::string templ = std::string(base && *base ? base : "/tmp") + "/lit-tmp-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back(0);
  return mkdtemp(buf.data()) ? buf.data() : "";
}

mode_t test_umask(const Test& t, RunContext& ctx) {
  return ctx.executors->sandboxed(*t.config) ? mode_t{022} : process_umask();
}

}  // namespace litbox::runner
