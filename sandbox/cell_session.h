// The runner's side of one cell: sends spawn requests to the cell's init, reads its records
// asynchronously on the io_context, and turns them into ExitStatus callbacks.
#pragma once

#include <sys/types.h>

#include <utility>  // Boost 1.74's Asio needs it before its headers
#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "executor/filesystem.h"
#include "sandbox/mount_plan.h"
#include "sandbox/output_view.h"
#include "sandbox/sandbox_executor.h"
#include "sandbox/seccomp_policy.h"

namespace litbox::sandbox {

/// A cell whose init may still be dying after close().
class DyingCell {
 public:
  virtual ~DyingCell() = default;
  /// Blocks until the cell's init is reaped and its resources are released.
  virtual void reap_blocking() = 0;
};

/// Remembers closed cells until they are reaped (asynchronously, on the io_context), so that an
/// executor going away can wait for the rest instead of leaving zombies or cgroups behind.
class CellReaper {
 public:
  ~CellReaper() { reap_all(); }
  void add(std::weak_ptr<DyingCell> cell);
  void reap_all();

 private:
  std::vector<std::weak_ptr<DyingCell>> cells_;
};

class CellState;  // cell_state.h

/// The idle cells of an executor, for reuse by the next test with the same key (the cell's
/// mount plan without its Output view: the test's directory). A cell gets here only after a
/// clean reset (docs/security.md, "Reused cells"); beyond `max_idle`, the least recently used
/// idle cell is closed.
class CellPool {
 public:
  explicit CellPool(size_t max_idle) : max_idle_(max_idle) {}
  ~CellPool() { close_all(); }
  CellPool(const CellPool&) = delete;
  CellPool& operator=(const CellPool&) = delete;

  /// An idle cell for `key` (removed from the pool), or null.
  std::shared_ptr<CellState> take(const std::string& key);
  /// A cell whose reset was clean; closed instead if the pool is closing.
  void put(const std::string& key, std::shared_ptr<CellState> cell);
  /// Resets in flight (their cells come back through put()).
  void track_reset(std::weak_ptr<CellState> cell);
  /// Waits for every reset in flight, then closes every idle cell; from now on put() closes.
  void close_all();
  bool closing() const { return closing_; }
  size_t idle() const { return idle_.size(); }

 private:
  struct Idle {
    std::string key;
    std::shared_ptr<CellState> cell;
  };
  std::vector<Idle> idle_;  // least recently used first
  std::vector<std::weak_ptr<CellState>> resetting_;
  size_t max_idle_;
  bool closing_ = false;
};

/// A cell that has just been cloned.
struct CellLaunch {
  int sock = -1;                 ///< the runner's end of the socketpair (owned from now on)
  std::shared_ptr<const MountPlan> plan;             ///< to describe a failed setup step
  std::shared_ptr<const SeccompProgram> seccomp;     ///< to name a syscall in kill mode
  std::optional<OutputView> output;                  ///< the first test's; published when it ends
  std::string staging_dir;                           ///< where every test's Output view is, or "" (outputs not isolated)
  std::function<void()> on_closed;                   ///< after init is reaped: e.g. remove the cgroup
  std::shared_ptr<CellReaper> reaper;                ///< where a closed cell waits to be reaped
  exec::RootedFileSystem::Ids fs_ids;                ///< the ids fs() works as (the cell user's on the host)
};

/// Wraps a launched cell in a Session. With a `pool`, closing the session resets the cell and
/// puts it there under `key` if it is clean (else the cell is closed, as without a pool).
std::unique_ptr<CellSession> make_cell_session(boost::asio::io_context& io, CellLaunch launch,
                                               std::shared_ptr<CellPool> pool = nullptr, std::string key = {});

/// A Session for a new test on an idle cell taken from `pool` (with `key`), its Output view
/// `view` in the cell's staging dir; null if the pool has no cell for `key`.
std::unique_ptr<CellSession> reuse_cell_session(const std::shared_ptr<CellPool>& pool, const std::string& key,
                                                const std::function<std::optional<OutputView>(const std::string& staging_dir)>& view);

/// The text of a setup failure: "sandbox: mount tmpfs on /tmp: No space left on device".
std::string setup_error_text(const MountPlan& plan, int step, int err);

}  // namespace litbox::sandbox
