// The words lit's shell strips off a command before running it: `env` (a changed environment
// for this command), `not` / `!` (inverted exit status, `not --crash`), and litbox's own
// `litbox-exec [--execdir DIR [--]]` (run it on the target session).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "runner/sh/ast.h"

namespace litbox::runner::sh {

/// What the prefix words of one command asked for.
struct PrefixWords {
  std::optional<std::map<std::string, std::string>> env;  ///< `env` edited a copy of the shell's
  std::vector<Word> not_words;  ///< the `not`, `--crash` and `!` words, in order
  int not_count = 0;            ///< how many `not` / `!` words
  bool not_crash = false;       ///< `not --crash` was among them
  bool on_target = false;       ///< `litbox-exec`: the command runs on the target session
  std::optional<std::string> exec_dir;  ///< `litbox-exec --execdir DIR`, normalized against the cwd
};

/// A failed step of running a command, reported as lit reports it.
struct StepError {
  bool exception = false;  ///< a Python exception (UNRESOLVED), not an InternalShellError
  std::string message;
};

/// Removes the prefix words from the front of `args` (a command's words, at least one) into
/// `out`, with `shell_env` the environment `env` starts from and `cwd` the shell's directory.
/// On an error (a prefix with no command after it, a glob where lit needs a plain word) `args`
/// is left in an unspecified state.
std::optional<StepError> strip_prefix_words(std::vector<Word>& args, const std::map<std::string, std::string>& shell_env,
                                            const std::string& cwd, PrefixWords* out);

}  // namespace litbox::runner::sh
