#include "runner/shell_command.h"

#include <signal.h>
#include <unistd.h>

#include <utility>
#include <boost/asio/io_context.hpp>
#include <climits>
#include <cstdio>
#include <filesystem>
#include <variant>

#include "runner/diagnostics.h"
#include "runner/discovery.h"
#include "runner/environment.h"
#include "runner/executors.h"
#include "runner/options.h"
#include "runner/prepared_test.h"
#include "runner/result_code.h"
#include "runner/test_session.h"
#include "runner/substitutions.h"
#include "runner/test_file.h"
#include "runner/test_formats.h"
#include "support/strings.h"

namespace litbox::runner {

int shell_main(int argc, char** argv) {
  ParseOutcome parsed = parse_options(argc, argv);
  if (parsed.exit_code >= 0) return parsed.exit_code;
  Options& opts = parsed.options;
  if (opts.test_paths.size() != 1) {
    std::fprintf(stderr, "usage: litbox shell [options] TEST\n");
    return 2;
  }
  Diagnostics diag;
  boost::asio::io_context io;
  auto executors = make_executor_provider(io, opts, diag);
  if (!executors) {
    diag.error(executors.error().message);
    return 2;
  }
  DiscoveryOptions dopts;
  dopts.params = opts.params;
  dopts.site_config = opts.site_config;
  dopts.names = config::ConfigNames::with_prefix(opts.config_prefix);
  dopts.indirectly_run_check = false;
  dopts.finish_suite_config = [&](config::SuiteConfig& cfg) { (*executors)->finish_suite_config(cfg); };
  Discovery discovery(dopts, diag);
  std::vector<std::unique_ptr<Test>> tests;
  discovery.discover(opts.test_paths[0], tests);
  if (std::string unused = discovery.unused_site_config(); !unused.empty()) {
    diag.error(unused);
    return 2;
  }
  if (tests.size() != 1) {
    std::fprintf(stderr, "litbox shell: '%s' must name exactly one test (found %zu)\n", opts.test_paths[0].c_str(),
                 tests.size());
    return 2;
  }
  Test& t = *tests[0];
  // The test as a run prepares it: the same gates, preamble, substitutions, environment
  // (the run's temp dir for TMP and the rest, or the cell's) and umask.
  RunContext ctx(io);
  ctx.executors = executors->get();
  ctx.path_prepend = opts.path;
  ctx.pass_env = opts.pass_env;
  ctx.tmp_dir = make_run_tmp_dir();
  ctx.warn = [&diag](const std::string& m) { diag.warning(m); };
  auto executor = (*executors)->executor_for(*t.config);
  if (!executor) {
    diag.error(executor.error().message);
    return 2;
  }
  TestPaths paths = test_paths(t.source_path, t.exec_path);
  auto session = (*executor)->open(session_spec(t, paths));
  if (!session) {
    diag.error("sandbox setup failed: " + session.error().message);
    return 2;
  }
  auto env = test_environment(t, ctx, **session);
  env["PS1"] = "litbox[" + t.path_in_suite.back() + "]$ ";
  const char* term = std::getenv("TERM");
  if (term) env["TERM"] = term;

  std::printf("litbox shell: %s (%s)\n", t.full_name().c_str(),
              (*executors)->sandboxed(*t.config) ? "inside its sandbox cell" : "unsandboxed");
  std::printf("  %%s = %s\n  %%t = %s.tmp\n  %%T = %s\n", paths.source_path.c_str(), paths.tmp_base.c_str(),
              paths.tmp_dir.c_str());
  if (t.config->format == "sh" || t.config->format == "sh-external") {
    auto prepared = prepare_sh_test(t, ctx);
    if (auto* early = std::get_if<TestResult>(&prepared)) {
      std::printf("  a run would not execute it: %s: %s\n", std::string(code_name(early->code)).c_str(),
                  early->output.c_str());
    } else if (const auto& lines = std::get<PreparedTest>(prepared).lines; !lines.empty()) {
      std::printf("  RUN lines (expanded, the config's preamble first):\n");
      for (const auto& l : lines) std::printf("    %s\n", l.c_str());
    }
  }
  std::printf("Exit the shell to close the cell; files under %%t are kept.\n");
  std::fflush(stdout);

  std::string exec_dir = t.exec_path.substr(0, t.exec_path.rfind('/'));
  exec::SpawnRequest req;
  req.argv = {"/bin/bash", "--norc", "-i"};
  req.env = to_envp(env);
  req.cwd = exec_dir;
  req.umask = test_umask(t, ctx);
  req.stdin_fd = 0;
  req.stdout_fd = 1;
  req.stderr_fd = 2;
  // Ctrl-C is for the shell's foreground command, not for litbox.
  signal(SIGINT, SIG_IGN);
  signal(SIGQUIT, SIG_IGN);
  int status = 2;
  bool done = false;
  (*session)->spawn(req, [&](exec::ExitStatus s) {
    if (!s.error.empty()) std::fprintf(stderr, "litbox shell: %s\n", s.error.c_str());
    status = s.signal ? 128 + s.signal : s.code;
    done = true;
  });
  // The executor keeps watchers of its own on the io_context: run until the shell is done.
  while (!done && io.run_one() > 0) {
  }
  (*session)->close();
  io.poll();
  if (!ctx.tmp_dir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(ctx.tmp_dir, ec);
  }
  return status;
}

}  // namespace litbox::runner
