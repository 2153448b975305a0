// Whole-cell process caps with the cgroup pids controller, where the runner can make a cgroup
// (as root). A second line of defence: the cap itself is RLIMIT_NPROC, which counts per cell
// (every cell has its own user namespace) and always applies, since a cell's user is never
// host root (cell_identity.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "support/error.h"

namespace litbox::sandbox {

/// One cell's cgroup: its path and an open fd of its cgroup.procs (the cell's init writes "0").
struct CellCgroup {
  std::string path;
  int procs_fd = -1;
};

/// A directory "litbox.<pid>.<n>" (n: the process's n-th pool) at the top of the pids hierarchy (cgroup v2 root with pids in
/// its subtree_control, or the v1 pids mount) holding one cgroup per live cell.
class CgroupPool {
 public:
  /// Where cells' cgroups can be made, or nullptr with the reason in *why_not.
  static std::unique_ptr<CgroupPool> create(std::string* why_not);
  ~CgroupPool();

  /// Creates a cgroup with pids.max = max_pids.
  Expected<CellCgroup> make_cell(uint64_t max_pids);
  /// Removes a cell's cgroup once its processes are gone (retried later if still busy).
  void remove(const std::string& path);

 private:
  explicit CgroupPool(std::string base) : base_(std::move(base)) {}
  std::string base_;
  uint64_t next_ = 0;
  std::vector<std::string> busy_;
};

/// Removes the pool dir of a runner that has ended (see run_guard.h): waits up to about a
/// second for its cells' processes to go, kills those still there, and removes every cell's
/// cgroup and the pool dir (waiting up to ten seconds for the kernel to release them).
void remove_dead_pool(const std::string& dir);

}  // namespace litbox::sandbox
