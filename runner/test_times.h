// .lit_test_times.txt: per-suite recorded test times, read for --order=smart and the
// progress bar, written back after the run (lit's format: "%e <path/in/suite>").
#pragma once

#include <vector>

#include "runner/test.h"

namespace litbox::runner {

/// Sets previous_elapsed/previous_failure of each test from its suite's times file
/// (exec root first, then source root).
void read_test_times(const std::vector<std::unique_ptr<Test>>& tests);

/// Merges the elapsed times of the tests that ran (in `tests` order) into each suite's file in
/// its exec root, as lit does: known tests keep their line, new ones are appended.
/// A failed test's time is recorded negative, so smart ordering runs it first next time
/// (lit 15 computes the sign and then drops it; litbox keeps it, as later lit does).
void record_test_times(const std::vector<Test*>& tests);

}  // namespace litbox::runner
