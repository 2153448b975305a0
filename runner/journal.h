// The results journal: as a run goes, each finished test's result is appended (one JSON line,
// written at once) to `.litbox_journal.jsonl` in its suite's exec root, so a run that is
// killed (SIGKILL, a lost CI machine, Ctrl-C) keeps what finished. `--resume` takes the
// recorded results of those tests and runs only the rest. A run that completes removes its
// journals; a run without --resume starts them afresh.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "runner/diagnostics.h"
#include "runner/test.h"

namespace litbox::runner {

class Journal {
 public:
  /// Opens the journals of `tests`' suites. With `resume`, reads what they recorded (a line
  /// that cannot be read, e.g. cut by the kill, is ignored); otherwise empties them.
  Journal(const std::vector<Test*>& tests, bool resume, Diagnostics& diag);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  /// Gives `t` its recorded result, if the journal has one; returns whether it did. (gtest
  /// shards are always run again: their per-case results come from files of the run.)
  bool restore(Test& t) const;
  /// Appends `t`'s result to its suite's journal.
  void record(const Test& t);
  /// The run completed: the journals are removed.
  void finish();

 private:
  std::map<std::string, int> fds_;              // exec root → journal fd (-1: not writable)
  std::map<std::string, TestResult> recorded_;  // full test name → result
};

}  // namespace litbox::runner
