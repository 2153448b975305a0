// What litbox's subcommands (merge-results, diff-runs, slurm) share: parsing their command
// line the way lit's argparse reports problems, and finding this binary.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

namespace litbox::runner {

/// Parses argv into `app`. For -h/--help it prints `usage` and the help and returns 0; for a
/// bad command line it prints `usage` and "<prog>: error: <why>" to stderr and returns 2;
/// when parsing succeeded, nullopt (go on).
std::optional<int> parse_subcommand(CLI::App& app, int argc, char** argv, const std::string& usage,
                                    const char* prog);

/// The absolute path of the running litbox binary (/proc/self/exe), or "litbox".
std::string self_exe();

}  // namespace litbox::runner
