// `litbox diff-runs A.json B.json`: which tests changed result code between two runs (or
// appeared, or disappeared), and which of their recorded inputs changed (runner/diff_runs.h).
#pragma once

namespace litbox::runner {

/// Runs the command; argv[0] is "diff-runs". Exit status: 0 every test has the same code in
/// both (and both have the same tests), 1 a code differs or a test is in one report only,
/// 2 a usage error, or a report unreadable, malformed or of another suite.
int diff_runs_main(int argc, char** argv);

}  // namespace litbox::runner
