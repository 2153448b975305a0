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

/// A cell that has just been cloned.
struct CellLaunch {
  int sock = -1;                 ///< the runner's end of the socketpair (owned from now on)
  std::shared_ptr<const MountPlan> plan;             ///< to describe a failed setup step
  std::shared_ptr<const SeccompProgram> seccomp;     ///< to name a syscall in kill mode
  std::optional<OutputView> output;                  ///< published at close
  std::function<void()> on_closed;                   ///< after init is reaped: e.g. remove the cgroup
  std::shared_ptr<CellReaper> reaper;                ///< where a closed cell waits to be reaped
};

/// Wraps a launched cell in a Session.
std::unique_ptr<CellSession> make_cell_session(boost::asio::io_context& io, CellLaunch launch);

/// The text of a setup failure: "sandbox: mount tmpfs on /tmp: No space left on device".
std::string setup_error_text(const MountPlan& plan, int step, int err);

}  // namespace litbox::sandbox
