// An executor decorator that runs every command under a fixed prefix, e.g. lit's --vg:
// `valgrind -q ... --error-exitcode=123 <command>`.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "executor/executor.h"

namespace litbox::runner {

/// Wraps `inner`: each spawned argv becomes `prefix + [resolved program] + argv[1:]`.
/// `prefix[0]` must be an absolute path.
std::unique_ptr<exec::Executor> make_prefix_executor(std::unique_ptr<exec::Executor> inner,
                                                     std::vector<std::string> prefix);

/// lit's valgrind command line for --vg / --vg-leak / --vg-arg.
std::vector<std::string> valgrind_prefix(const std::string& valgrind, bool leak_check,
                                         const std::vector<std::string>& extra_args);

}  // namespace litbox::runner
