// Per-test output isolation. Tests in one directory share its Output dir (lit's %T), so binding
// that dir writable would let a test overwrite its siblings' %t files. Instead each cell gets a
// private host directory, its staging dir, bound at <Output> inside the cell. When a test ends
// (no process of it left), the entries it owns (names starting with "<test file name>.tmp":
// %t, %t.o, %t.d/, %t2; and the external shell's "<test file name>.script") are published to <Output> on the host, where lit keeps them, and
// anything else it wrote there goes to <Output>/.litbox/leftovers/<test file name>/, for
// inspection. The staging dir is then empty again, for the cell's next test.
//
// What a test leaves is hostile input to the runner (often root): publishing keeps regular
// files, directories and symlinks only, gives them to the runner with safe modes, and never
// follows a symlink (publish.h). The layout of <Output>/.litbox, which no test can write:
//
//   .litbox/                         the runner's, 0711 (checked: a real dir, not group/other-writable)
//     staging/                       the runner's, 0711
//       <run id>/                    one run's (16 random hex digits), the runner's, 0711
//         run                        "<pid> <start time> <boot id>": is the run still alive?
//         <n>/                       a staging dir, the cell owner's, 0755
//         <n>.test                   "o <test file name>" (or "a ...": publish_all, "d ...": owns
//                                    <name>.dir too): whom <n> serves
//     leftovers/                     the runner's, 0711
//       <test file name>/            what the test wrote but does not own
#pragma once

#include <sys/types.h>

#include <string>
#include <unordered_map>
#include <vector>

#include "executor/executor.h"
#include "support/error.h"

namespace litbox::sandbox {

struct OutputView {
  std::string output_dir;    ///< the host's Output dir (%T), canonical
  std::string prefix;        ///< the test file's name: it owns the names starting with "<prefix>.tmp"
                             ///< (and "<prefix>.script", the external shell's script)
  std::string private_dir;   ///< the cell's staging dir, seen as output_dir in the cell
  bool publish_all = false;  ///< sandbox.publish_all_outputs: it owns every name but ".litbox"
  bool owns_dir = false;     ///< libc++'s layout: it also owns "<prefix>.dir", its %T

  /// True if the entry `name` of the Output dir belongs to this test.
  bool owns(const std::string& name) const;
  /// Where the entries the test wrote but does not own go.
  std::string leftovers_dir() const { return output_dir + "/.litbox/leftovers/" + prefix; }
};

/// The view of the test whose %t is `tmp_prefix`.tmp, in a cell staging at `staging_dir`.
Expected<OutputView> make_output_view(const std::string& output_dir, const std::string& tmp_prefix,
                                      const std::string& staging_dir, bool publish_all = false,
                                      bool owns_dir = false);

/// What publishing a test's outputs did besides publishing them.
struct PublishReport {
  std::vector<std::string> leftovers;  ///< names the test wrote but does not own: in leftovers_dir()
  std::vector<std::string> dropped;    ///< FIFOs, sockets, devices removed (paths below the view)
};

/// Ends the test's use of the view: sanitizes what it wrote, moves the entries it owns to the
/// Output dir (replacing older ones) and the rest to leftovers_dir() (replacing what an older
/// run left there). Call only once no process of the cell is left. Afterwards the staging dir
/// is empty, with its mode restored. An error (the test should be UNRESOLVED) means that some
/// entry could not be published; what could not be sanitized or moved is removed, never
/// published and never left in the staging dir. An older directory of the runner's that is
/// read-only (left so by an unsandboxed run or lit) is made writable to take the new entries.
Status finish_output_view(const OutputView& view, PublishReport* report = nullptr);

/// The staging dirs of one runner: made on demand, handed back empty when their cell is gone,
/// and given to the next cell of the same Output dir, so a run makes a few, not one per test.
class StagingDirs {
 public:
  /// Staging dirs owned by the runner: cell processes run as the runner's own uid.
  StagingDirs();
  /// Staging dirs owned by `cell_uid`:`cell_gid`, the host ids cell processes run as (the
  /// runner must be root to make them, unless they are its own).
  StagingDirs(uid_t cell_uid, gid_t cell_gid);
  StagingDirs(const StagingDirs&) = delete;
  StagingDirs& operator=(const StagingDirs&) = delete;
  ~StagingDirs();  ///< removes the free ones, and the run's dir where no other is left

  /// The owner of the staging dirs made from now on.
  void set_cell_owner(uid_t uid, gid_t gid) {
    cell_uid_ = uid;
    cell_gid_ = gid;
  }
  /// This run's id: its staging dirs are in <Output>/.litbox/staging/<run id>/.
  const std::string& run_id() const { return run_id_; }

  /// A free, empty staging dir in `output_dir` (existing, canonical). The first call for an
  /// Output dir checks its .litbox (an error if it is not a directory of the runner's that
  /// only the runner can write) and first recovers what dead runs left there (see
  /// recover_staging_dirs).
  Expected<std::string> take(const std::string& output_dir);
  /// Records that the staging dir of `view` now serves its test, so that a later run can
  /// publish its outputs if this one dies. On failure, no record is left: such outputs are
  /// then dropped, never published under another test's name.
  Status record_test(const OutputView& view);
  /// Hands back a dir from take() once no process can write to it: reused if empty, else left
  /// alone for the next run to publish.
  void give_back(const std::string& output_dir, const std::string& dir);

 private:
  struct Dirs {
    std::string run_dir;            // <Output>/.litbox/staging/<run id>, once made
    std::vector<std::string> free;  // empty staging dirs
    size_t made = 0;
  };
  Status prepare(const std::string& output_dir, Dirs& d);

  std::unordered_map<std::string, Dirs> dirs_;
  std::string run_id_;
  uid_t cell_uid_;
  gid_t cell_gid_;
  unsigned next_ = 0;
};

/// Publishes what dead runs left in `output_dir`/.litbox/staging: only run dirs that are the
/// runner's, not group/other-writable, with a valid record of a run that is no longer alive (its
/// pid gone, a zombie, or another process with a different start time or boot). Each staging
/// dir's outputs go through finish_output_view() for the test its record names (without a
/// record, they are removed); then the run's dir goes. `own_run_id` is skipped. Never follows a
/// symlink; a .litbox that fails the check is an error, and nothing is recovered from it.
Status recover_staging_dirs(const std::string& output_dir, const std::string& own_run_id = "");

}  // namespace litbox::sandbox
