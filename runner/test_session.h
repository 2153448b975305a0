// The steps every test format takes with its executor session: the Output dir, awaiting a
// spawned process, a cell's readiness and the session's close, and what the close reported.
#pragma once

#include <utility>  // before Asio (Boost 1.74)
#include <boost/asio/awaitable.hpp>
#include <sys/types.h>

#include <map>
#include <string>

#include "executor/executor.h"
#include "runner/run_context.h"
#include "runner/test.h"
#include "support/error.h"

namespace litbox::runner {

/// The directory part of an absolute path ("/" for "/x").
std::string dirname_of(const std::string& path);

/// mkdir -p.
Status make_dirs(const std::string& path);

/// Awaits `session.spawn`: resumes the coroutine when the process has exited.
boost::asio::awaitable<exec::ExitStatus> spawn_and_wait(exec::Session& session, exec::SpawnRequest req);

/// Awaits Session::async_wait_ready: a sandbox cell is set up while other tests run.
boost::asio::awaitable<Status> wait_ready(exec::Session& session);

/// Awaits Session::async_close: a sandbox cell's outputs are published before the test's
/// result is reported, and what was not published is part of it.
boost::asio::awaitable<exec::CloseReport> close_and_wait(exec::Session& session);

/// Adds what closing the test's session reported to its result: notes, and UNRESOLVED if its
/// outputs could not all be published.
void add_close_report(TestResult& result, const exec::CloseReport& closed);

/// The session's variables (Session::environment_overrides) win over the test's; lit's four
/// temp-dir variables all follow TMPDIR, so none of them points at a host directory a sandbox
/// cell cannot see.
void apply_overrides(std::map<std::string, std::string>& env, const std::map<std::string, std::string>& overrides);

/// A test's umask: lit's (litbox's own) unsandboxed; 022 in a sandbox cell, so that a test
/// sees the same machine whoever starts it.
/// The environment a test starts with: the config's policy (hermetic in a sandbox, else
/// lit's pass-through), the run's temp dir, then the session's variables (apply_overrides).
std::map<std::string, std::string> test_environment(const Test& t, RunContext& ctx, exec::Session& session);

/// The run's temp dir (lit's $TMPDIR/lit-tmp-*, under Bazel's $TEST_TMPDIR when set; TMP, TMPDIR... of unsandboxed tests), or ""
/// with LIT_PRESERVES_TMP set. The caller removes it.
std::string make_run_tmp_dir();

mode_t test_umask(const Test& t, RunContext& ctx);

}  // namespace litbox::runner
