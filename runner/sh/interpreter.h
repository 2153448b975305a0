// lit 15's internal shell (ShTest with execute_external=False): runs the RUN lines of one
// test and produces lit's log. Asynchronous: every process goes through an exec::Session and
// is awaited on the caller's io_context.
#pragma once

#include <utility>  // Boost 1.74's Asio needs it before its headers
#include <boost/asio/awaitable.hpp>
#include <string>
#include <vector>

#include "runner/sh/builtin_tool.h"
#include "runner/sh/parser.h"
#include "runner/sh/shell_state.h"

namespace litbox::runner::sh {

/// The outcome of a script, in the shape lit's executeScriptInternal returns it.
struct ScriptResult {
  std::string out;  ///< lit's log ($ "cmd" "args" lines, # command output: ..., errors)
  std::string err;  ///< always empty for the internal shell (kept for symmetry with lit)
  int exit_code = 0;
  bool parse_error = false;  ///< then `out` is exactly lit's FAIL output
                             ///< "shell parser error on: <Python repr of the line>" and nothing ran
  std::string setup_error;   ///< the session failed to start a process (ExitStatus::setup_failure):
                             ///< the test is UNRESOLVED
  std::string exception;     ///< lit 15 itself would crash here with this Python exception (e.g.
                             ///< "FileNotFoundError: [Errno 2] No such file or directory: b'/x'"
                             ///< for `< missing`): lit reports the test UNRESOLVED with
                             ///< "Exception during script execution:" and a traceback. `out` holds
                             ///< the log so far, exit_code is 127.
  bool exit_code_none = false;  ///< lit's exit code is None: the timeout fired between commands
                                ///< (`a ; b` after a was killed). lit 15 then crashes formatting
                                ///< "Exit Code: %d"; exit_code is 1.
  bool interrupted = false;     ///< a process died of SIGINT: lit aborts the whole run
                                ///< (KeyboardInterrupt); exit_code is -2.
};

/// Parses every line first (a parse error → parse_error result, nothing runs), chains the
/// lines with `&&` and executes them. `lines` are RUN lines after substitution, with
/// `%dbg(RUN: at line N)` already turned into `: 'RUN: at line N';`. `state` persists across
/// calls for the same test only if the caller wants it to; `lines`, `state` and `opts` must
/// outlive the coroutine.
boost::asio::awaitable<ScriptResult> run_script(const std::vector<std::string>& lines, ShellState& state,
                                                const ShellOptions& opts);

}  // namespace litbox::runner::sh
