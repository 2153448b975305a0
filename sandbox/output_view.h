// Per-test output isolation. Tests in one directory share its Output dir (lit's %T), so binding
// that dir writable would let a test overwrite its siblings' %t files. Instead each test gets a
// private host directory, <Output>/.litbox/<test file name>/, bound at <Output> inside its cell.
// When the session closes, the entries the test owns (names starting with "<test file name>.",
// e.g. foo.test.tmp, foo.test.tmp.o, foo.test.tmp.d/) are moved to <Output> on the host, where
// lit keeps them; anything else it wrote stays in the private dir until its next run.
#pragma once

#include <string>

#include "executor/executor.h"
#include "support/error.h"

namespace litbox::sandbox {

struct OutputView {
  std::string output_dir;   ///< the host's Output dir (%T), canonical
  std::string prefix;       ///< the test file's name: it owns "<prefix>" and "<prefix>.*"
  std::string private_dir;  ///< <output_dir>/.litbox/<prefix>

  /// True if the entry `name` of the Output dir belongs to this test.
  bool owns(const std::string& name) const;
};

/// Creates the private dir in `output_dir` (which must exist and be canonical), publishing what
/// an interrupted earlier run left in it and clearing the rest, so every run starts with an
/// empty Output view.
Expected<OutputView> prepare_output_view(const std::string& output_dir, const std::string& tmp_prefix);

/// Moves the owned entries of the private dir to the Output dir, replacing older ones. Call
/// only once no process of the cell is left.
Status publish_output_view(const OutputView& view);

/// Moves one owned entry `name` of the private dir to the Output dir.
Status publish_entry(const OutputView& view, const std::string& name);

}  // namespace litbox::sandbox
