// `tools:` entries (lit's LLVMConfig.use_llvm_tool), looked up when discovery loads the config
// that names them, on the machine that runs the tests.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "configs/suite_config.h"
#include "runner/diagnostics.h"

namespace litbox::runner {

struct FoundTool {
  std::string name;
  std::string path;  ///< normalized as lit's which() gives it
};

/// Each of `config.tools` in order, as lit 15's use_llvm_tool looks it up: the value of
/// `search_env` in the tests' environment `env`, if set and not empty; else NAME in the first
/// of `search_paths` that has it (any file that is not a directory, as lit's which()); else,
/// with `use_installed`, the first directory of env's PATH that has it. A tool found is noted
/// ("<where>: note: using NAME: PATH", unless `quiet` or diag.quiet); a required one not found
/// is lit's fatal error ("couldn't find 'NAME' program[, try setting VAR in your environment]"),
/// which ends the run. Returns the tools found.
std::vector<FoundTool> look_up_tools(const config::SuiteConfig& config, const std::map<std::string, std::string>& env,
                                     Diagnostics& diag);

}  // namespace litbox::runner
