// What every cell of a run shares, created once per executor: a user namespace owned by the
// runner and, inside it, an empty network namespace with only `lo` up. Cells enter both with
// setns() (cheap) instead of creating a network namespace each (slow to create, slower to
// tear down).
#pragma once

#include "support/error.h"

namespace litbox::sandbox {

/// Owns the namespace fds (closed on destruction; cells keep their own references).
class RunNamespaces {
 public:
  /// Creates the namespaces. With `network`, no network namespace is made (cells use the
  /// host's). Errors name the failed step: "clone(CLONE_NEWUSER|CLONE_NEWNET): Operation not
  /// permitted".
  static Expected<RunNamespaces> create(bool network);

  RunNamespaces() = default;
  RunNamespaces(RunNamespaces&& o) noexcept { *this = std::move(o); }
  RunNamespaces& operator=(RunNamespaces&& o) noexcept;
  ~RunNamespaces();

  int userns_fd() const { return userns_fd_; }
  int netns_fd() const { return netns_fd_; }  ///< -1 when the host network is used

 private:
  int userns_fd_ = -1;
  int netns_fd_ = -1;
};

}  // namespace litbox::sandbox
