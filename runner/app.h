// The whole run, as lit's main(): discovery → order, filter, shard → run → reports → exit
// status. main.cc only dispatches subcommands here.
#pragma once

namespace litbox::runner {

/// `litbox [options] TEST_PATH...`; returns the process exit status (0, 1 or 2 as lit).
int run_main(int argc, char** argv);

}  // namespace litbox::runner
