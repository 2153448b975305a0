// Per-test output isolation. Tests in one directory share its Output dir (lit's %T), so binding
// that dir writable would let a test overwrite its siblings' %t files. Instead each cell gets a
// private host directory, its staging dir <Output>/.litbox/cell.<runner pid>.<n>/, bound at
// <Output> inside the cell. When a test ends, the entries it owns (names starting with "<test
// file name>.", e.g. foo.test.tmp, foo.test.tmp.o, foo.test.tmp.d/) are moved to <Output> on the
// host, where lit keeps them, and anything else it wrote there to <Output>/.litbox/<test file
// name>/, for inspection. The staging dir is then empty again, for the cell's next test.
#pragma once

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "executor/executor.h"
#include "support/error.h"

namespace litbox::sandbox {

struct OutputView {
  std::string output_dir;   ///< the host's Output dir (%T), canonical
  std::string prefix;       ///< the test file's name: it owns "<prefix>" and "<prefix>.*"
  std::string private_dir;  ///< the cell's staging dir, seen as output_dir in the cell

  /// True if the entry `name` of the Output dir belongs to this test.
  bool owns(const std::string& name) const;
  /// Where the entries the test wrote but does not own go: <output_dir>/.litbox/<prefix>.
  std::string leftovers_dir() const { return output_dir + "/.litbox/" + prefix; }
};

/// The view of the test whose %t is `tmp_prefix`.tmp, in a cell staging at `staging_dir`.
Expected<OutputView> make_output_view(const std::string& output_dir, const std::string& tmp_prefix,
                                      const std::string& staging_dir);

/// The staging dirs of one runner: made on demand, handed back empty when their cell is gone,
/// and given to the next cell of the same Output dir, so a run makes a few, not one per test.
class StagingDirs {
 public:
  StagingDirs() = default;
  StagingDirs(const StagingDirs&) = delete;
  StagingDirs& operator=(const StagingDirs&) = delete;
  ~StagingDirs();  ///< removes the free ones

  /// A free, empty staging dir in `output_dir` (existing, canonical). The first call for an
  /// Output dir first recovers what killed runs left in theirs (see recover_staging_dirs).
  Expected<std::string> take(const std::string& output_dir);
  /// Hands back a dir from take() once no process can write to it: reused if empty, else left
  /// alone for the next run to publish.
  void give_back(const std::string& output_dir, const std::string& dir);

 private:
  std::unordered_map<std::string, std::vector<std::string>> free_;
  std::unordered_set<std::string> recovered_;
  unsigned next_ = 0;
};

/// Moves every entry of the staging dirs that an interrupted run (a dead runner's pid, or our
/// own pid before we made any) left in `output_dir`/.litbox to `output_dir`, replacing older
/// ones (they are %t files of some test: where lit would have them), and removes those dirs.
void recover_staging_dirs(const std::string& output_dir);

/// Ends the test's use of the view: moves the entries it owns to the Output dir (replacing
/// older ones) and the rest to leftovers_dir() (replacing what an older run left there). Call
/// only once no process of the cell is left. Afterwards the staging dir is empty.
Status finish_output_view(const OutputView& view);

/// Moves one entry `name` of the staging dir to the Output dir, replacing an older one.
Status publish_entry(const OutputView& view, const std::string& name);

}  // namespace litbox::sandbox
