// The filesystem of a cell as a list of typed steps (bubblewrap's idea): built in the parent
// from the policy and the facts about host paths, printable (a dry run), testable without
// namespaces, and executed in the cell's init by apply_mount_plan() without allocating.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace litbox::sandbox {

/// One step of the plan. The strings are prepared in the parent; the child only reads c_str().
struct MountStep {
  enum class Op {
    kClone,       ///< slot = open_tree(source, OPEN_TREE_CLONE[|AT_RECURSIVE]): a detached copy
    kRootLock,    ///< "/" and every mount below: read-only, nosuid, nodev, private propagation
    kTmpfs,       ///< mount a tmpfs on `target` with `source` as its option string
    kMkdir,       ///< mkdir(target, mode); an existing directory is fine
    kTouch,       ///< create an empty file `target` (a mount point for a file bind)
    kSymlink,     ///< symlink(source, target)
    kAttach,      ///< move_mount(slot, target): put a clone in place
    kReadOnly,    ///< mount_setattr(target): read-only (+ nosuid, nodev) [recursive]
    kProc,        ///< mount a new procfs (of the cell's pid namespace) on `target`, read-only
    kBinfmt,      ///< mount a binfmt_misc instance (of the cell's user namespace) on `target`
    kRegister,    ///< write `source` (a binfmt_misc rule) to `target` (.../register)
    kWritable,    ///< no mount: `target` is a writable bind, where Landlock lets the cell write
  };
  Op op;
  std::string target;
  std::string source;
  int slot = -1;
  unsigned mode = 0;
  bool recursive = false;
  bool nodev = true;  ///< kReadOnly: also nodev (false for /dev itself)

  /// What the step does, for plan listings and setup-failure messages ("mount tmpfs on /tmp").
  std::string describe() const;
};

/// What a host path is, as far as the plan cares.
enum class PathKind { kMissing, kDirectory, kFile };

/// Answers "what is at this host path?" (stat). Tests pass a fake.
using PathProbe = std::function<PathKind(const std::string&)>;

/// A bind of a host path into the cell.
struct Bind {
  std::string source;  ///< host path
  std::string target;  ///< path inside the cell
  bool writable = false;
};

/// Everything a cell's filesystem depends on. Paths are absolute and normalized (no "..", no
/// trailing slash); the caller resolves symlinks.
struct MountLayout {
  uint64_t tmp_size = 64 << 20;           ///< bytes of the private /tmp
  std::vector<std::string> hidden;        ///< masked: empty read-only dir, or /dev/null for a file
  std::vector<std::string> readonly;      ///< visible read-only, even below a hidden path
  std::vector<std::string> writable;      ///< visible read-write
  std::vector<Bind> binds;                ///< session binds (the per-test output dir), last word
  std::vector<std::string> binfmt_rules;  ///< registered in the cell's own binfmt_misc
};

/// The cell's private directories inside its /tmp (created by the plan).
inline constexpr const char* kCellHome = "/tmp/.litbox/home";
inline constexpr const char* kCellShm = "/tmp/.litbox/shm";
/// The cell's temp dir (TMPDIR) when host trees are bound inside its /tmp (MountPlan::tmp_dir);
/// made in every cell, so that its skeleton is the same.
inline constexpr const char* kCellTmp = "/tmp/.litbox/tmp";

/// A plan: steps in execution order, and how many clone slots they use.
struct MountPlan {
  std::vector<MountStep> steps;
  int slots = 0;
  /// The cell's temp dir: /tmp, or kCellTmp when a host tree (a suite or build tree under the
  /// host's /tmp) is bound inside the cell's /tmp. Landlock's rules cover everything beneath
  /// their path, mounts included, so a rule on /tmp would let the cell open that tree's FIFOs
  /// for writing: then only kCellTmp, kCellHome and kCellShm are writable, not all of /tmp.
  std::string tmp_dir = "/tmp";

  /// One line per step: the dry run.
  std::string str() const;
};

/// Builds the plan for `layout`. Missing hidden/readonly/writable paths are skipped (there is
/// nothing to hide or show); a missing bind source is skipped too.
MountPlan build_mount_plan(const MountLayout& layout, const PathProbe& probe);

/// The plan as one flat byte string (no pointers): what the runner sends to the process that
/// makes cells.
std::string flatten(const MountPlan& plan);

/// Child side: checks and runs a flattened plan in the cell's fresh mount namespace, with up
/// to `max_slots` clone slots in `slot_fds`. Returns 0, or the errno of the failed step with
/// its index in *failed_step (EINVAL and -1 for a malformed blob). Allocation-free.
int apply_flat_mount_plan(const char* blob, size_t size, int* slot_fds, int max_slots, int* failed_step);

/// Calls `fn(target, ctx)` for every step of a flattened plan that puts a mount on its target
/// (tmpfs, attach, proc, binfmt_misc), in plan order. Allocation-free (for the cell's init).
/// False if the blob is malformed.
bool for_each_mount_target(const char* blob, size_t size, void (*fn)(const char* target, void* ctx), void* ctx);

/// Calls `fn(target, ctx)` for every directory or file the plan creates (kMkdir, kTouch), in
/// plan order. Allocation-free. False if the blob is malformed.
bool for_each_made_path(const char* blob, size_t size, void (*fn)(const char* target, void* ctx), void* ctx);

/// Calls `fn(target, ctx)` for every writable bind of the plan (kWritable), in plan order.
/// Allocation-free. False if the blob is malformed.
bool for_each_writable(const char* blob, size_t size, void (*fn)(const char* target, void* ctx), void* ctx);

/// True if `path` is `dir` or lies below it (string comparison on normalized paths).
bool path_within(const std::string& path, const std::string& dir);

}  // namespace litbox::sandbox
