// Running one pipeline the way lit 15's _executeShCmd does: prefix words (env, not, !),
// builtins, redirections, executable lookup, globbing, then every process spawned at once
// through the exec::Session and awaited on the io_context.
#pragma once

#include <utility>  // Boost 1.74's Asio needs it before its headers
#include <boost/asio/awaitable.hpp>
#include <string>
#include <vector>

#include "runner/sh/ast.h"
#include "runner/sh/command_result.h"
#include "runner/sh/shell_state.h"

namespace litbox::runner::sh {

/// Why a script stopped early.
struct Abort {
  enum class Kind {
    kNone,
    kShellError,   ///< lit's InternalShellError: logged as the command's stderr, exit 127
    kException,    ///< lit 15 raises a Python exception: the test is UNRESOLVED
    kSetup,        ///< the session could not run a process (sandbox setup): UNRESOLVED
    kInterrupted,  ///< a process died of SIGINT: lit stops the whole run (KeyboardInterrupt)
  };
  Kind kind = Kind::kNone;
  std::string message;
};

/// The value of a node: an exit code, lit's None (the timeout fired before it ran), or an abort.
struct ExecStatus {
  enum class Kind { kCode, kNone, kAbort };
  Kind kind = Kind::kCode;
  int code = 0;
  bool is_bool = false;  ///< the code is a Python bool (see CommandResult::exit_code_is_bool)

  static ExecStatus none() { return {Kind::kNone, 0, false}; }
  static ExecStatus aborted() { return {Kind::kAbort, 0, false}; }
  /// Python's `value != 0`; None counts as non-zero.
  bool nonzero() const { return kind != Kind::kCode || code != 0; }
};

/// Everything a pipeline reads and writes.
struct ShellContext {
  ShellState& state;
  const ShellOptions& opts;
  std::vector<CommandResult>& results;  ///< lit's results list, appended in execution order
  Abort& abort;                         ///< set when a pipeline returns ExecStatus::aborted()
  bool tail = false;                    ///< the pipeline being run is the script's last (nothing
                                        ///< can run after it)
};

/// Runs `p` and appends the results of its commands. An InternalShellError appends its own
/// result (stderr = the message, exit 127) before returning aborted(). The shell's own file
/// work (redirections, globs, lookups, builtins) goes through ctx.opts.session->fs().
boost::asio::awaitable<ExecStatus> run_pipeline(const Pipeline& p, ShellContext& ctx);

/// The %{readfile:PATH} substitution (lit 22), applied when a command runs: PATH relative to
/// `cwd`, read from `fs`; the file's text with universal newlines. Errors: "File specified in readfile
/// substitution does not exist: <path>" (a shell error) or, for other failures, a Python
/// exception text (starting with the exception class).
struct ReadfileResult {
  std::string text;
  std::string error;
  bool is_exception = false;
};
ReadfileResult expand_readfile(exec::FileSystem& fs, const std::string& word, const std::string& cwd);

}  // namespace litbox::runner::sh
