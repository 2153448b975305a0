// lit's in-process builtins: cd, pushd, popd, export, echo, mkdir, rm, `:`, plus the post-15
// umask and ulimit. They act on the shell state directly and never spawn a process.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "executor/filesystem.h"
#include "runner/sh/ast.h"
#include "runner/sh/shell_state.h"

namespace litbox::runner::sh {

/// What an in-process builtin did.
struct BuiltinOutcome {
  int exit_code = 0;
  std::string out;  ///< what echo printed when its stdout is not redirected
  std::string err;
  std::optional<std::string> shell_error;  ///< lit's InternalShellError: the script stops, exit 127
  std::optional<std::string> exception;    ///< lit 15 raises a Python exception here (UNRESOLVED)
};

/// True for the names lit runs in-process (echo only when it is alone in its pipeline, which
/// the caller checks).
bool is_inproc_builtin(const std::string& name);

/// Runs builtin args[0] with lit's semantics and messages. Only echo looks at `redirects`.
/// Every file the builtin touches (echo's redirection, mkdir, rm, cd's realpath, globs) is
/// looked up in `fs`, the view of the session the test's processes run in.
BuiltinOutcome run_inproc_builtin(exec::FileSystem& fs, const std::vector<Word>& args,
                                  const std::vector<Redirect>& redirects, ShellState& state);

/// lit's updateEnv() for `env` and `export`: `-u NAME` unsets, `NAME=VALUE` sets, the first
/// other word stops; returns the index of that word (args.size() if none). A glob word makes
/// lit crash: `*glob_error` is set then.
size_t update_env(std::map<std::string, std::string>& env, const std::vector<Word>& args, bool* glob_error);

/// lit's mkdir and rm builtins (file_builtins.cc), acting on the files of `fs`.
BuiltinOutcome builtin_mkdir(exec::FileSystem& fs, const std::vector<Word>& args, const ShellState& state);
BuiltinOutcome builtin_rm(exec::FileSystem& fs, const std::vector<Word>& args, const ShellState& state);

}  // namespace litbox::runner::sh
