// What lit prints on the console: the header, one line per finished test (with the failure
// report under -v/-a), the progress bar under -s, the groups and the summary at the end.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "runner/options.h"
#include "runner/test.h"

namespace litbox::runner::report {

/// Prints per-test lines as results arrive. Output goes to stdout, as lit's does.
class Console {
 public:
  Console(const Options& options, const std::vector<Test*>& tests, size_t total_discovered, int workers);
  void print_header();
  /// Called once per finished test, in completion order.
  void update(const Test& test);
  /// Clears the progress bar (before the summary).
  void clear(bool interrupted);
  /// Marks a test as DEFERRED in the progress display (batch executors).
  void deferred(const Test& test);

 private:
  void print_result(const Test& test);
  void draw_bar();

  const Options& options_;
  size_t num_tests_;
  std::string header_;
  bool progress_bar_ = false;
  bool tty_ = false;
  size_t completed_ = 0;
  size_t deferred_ = 0;
  double elapsed_done_ = 0;
  size_t predictable_left_ = 0, unpredictable_left_ = 0;
  double predictable_time_left_ = 0;
  std::string last_name_;
  int simple_index_ = -1;  ///< lit's SimpleProgressBar position (non-tty), -1: not started
};

/// The failure/--show-* groups and the "Testing Time" summary (lit's print_results).
void print_results(const std::vector<Test*>& tests, double elapsed, const Options& options);

/// --time-tests: the slowest tests and the histogram (lit's printHistogram).
void print_histogram(const std::vector<Test*>& tests);

}  // namespace litbox::runner::report
