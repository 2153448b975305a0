// One entry of lit's results list (ShellCommandResult) and the log lit 15 prints from them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace litbox::runner::sh {

/// A file a failed command's pipeline wrote through a redirection, shown in the log.
struct OutputFile {
  std::string name_repr;  ///< Python repr() of the target as written
  std::string data;       ///< raw bytes: the file's first bytes, enough for the log's excerpt
  bool more = false;      ///< the file goes on past `data`, and not only with whitespace
};

/// What one command did, as lit records it.
struct CommandResult {
  std::vector<std::string> args;  ///< the words as written (globs unexpanded, env/not kept)
  std::string out;                ///< decoded stdout (UTF-8, replacement characters)
  std::string err;
  int exit_code = 0;
  bool exit_code_is_bool = false;  ///< lit holds a Python bool (`not` of an external command):
                                   ///< the log prints "True"
  bool timeout_reached = false;
  std::vector<OutputFile> output_files;
  /// Bytes of stdout/stderr beyond the config's output_limit: counted, not kept.
  uint64_t out_dropped = 0, err_dropped = 0;
};

/// lit 15's executeScriptInternal log: `$ "arg" "arg"` per command, then for failed or
/// talkative commands (every command when `timeout_active`) the redirected files,
/// "# command output:", "# command stderr:", "note: command had no output on stdout or
/// stderr", "error: command failed with exit status: N", "error: command reached timeout: True".
std::string format_log(const std::vector<CommandResult>& results, bool timeout_active);

}  // namespace litbox::runner::sh
