// `litbox shell [options] TEST`: an interactive shell inside a test's sandbox cell, with the
// test's environment, working directory and %t, to debug a failure the way it ran.
#pragma once

namespace litbox::runner {

/// Runs the subcommand; argv[0] is "shell". Returns the shell's exit status (2 on errors).
int shell_main(int argc, char** argv);

}  // namespace litbox::runner
