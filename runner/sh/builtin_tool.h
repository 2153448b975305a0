// lit's out-of-process builtins (builtin_commands/cat.py and diff.py), reimplemented. They run
// as separate processes (`litbox --litbox-builtin cat ...`) so that they work in pipelines and
// inside a sandbox, exactly where lit runs `python cat.py ...`.
#pragma once

#include <string>
#include <vector>

namespace litbox::runner::sh {

/// The names run_builtin_tool() knows, which the interpreter sends out of process.
bool is_builtin_tool(const std::string& name);

/// Entry for `litbox --litbox-builtin NAME ARGS...`: argv[0] is NAME (main() passes
/// argc - 2, argv + 2). Runs on fds 0/1/2 and returns the exit code.
int run_builtin_tool(int argc, char** argv);

/// lit 15's cat.py: `cat [-v|--show-nonprinting] FILE...`. Reads no stdin at all (lit 15 does
/// not); an unreadable file prints Python's OSError text (no newline) and exits 1.
int cat_main(const std::vector<std::string>& args);

/// lit 15's diff.py: `diff [-w] [-b] [-u] [-U N] [-r] [--strip-trailing-cr] A B`, `-` is stdin.
/// Prints difflib's context diff (unified with -u/-U, always unified for undecodable files) and
/// exits 1 when the inputs differ.
int diff_main(const std::vector<std::string>& args);

}  // namespace litbox::runner::sh
