// The zygote: one small clone of the runner per executor that lives in the run's own user
// namespace and (without network) an empty network namespace with only `lo` up, and clones one
// cell init per request with CLONE_PARENT, so each init is the runner's child. A cell thus
// costs one clone of the zygote instead of clones of the (possibly large) runner, the runner's
// thread only sends a message, and every cell shares the network namespace (entering one is
// cheap; creating and tearing one down per test is not).
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "sandbox/cell_identity.h"
#include "sandbox/cell_init.h"
#include "support/error.h"

namespace litbox::sandbox {

class Zygote {
 public:
  /// Clones the zygote now. It works from its copy of `memory` (whose CellConfig must be
  /// filled in already) and drops its copy of the runner's heap, so what the runner allocates
  /// does not make cells more expensive. Errors name the failed step:
  /// "clone(CLONE_NEWUSER|CLONE_NEWNET): Operation not permitted".
  /// `ids` gives the maps of the zygote's user namespace (the cells' are in the CellConfig).
  /// The zygote and every init overwrite their copy of the runner's command line (shown in
  /// the cell's /proc/1/cmdline; `-D` parameters can be secrets).
  static Expected<std::unique_ptr<Zygote>> start(const CellMemory& memory, bool network, const CellIdentity& ids);
  ~Zygote();  ///< closes the zygote's socket (it exits) and reaps it

  /// Asks for a cell with the flattened mount plan; passes the cell's socket end and cgroup
  /// (-1: none). The zygote reports the init's pid, or a clone failure, on that socket.
  Status launch(const std::string& flat_plan, int cell_sock, int cgroup_fd);

 private:
  Zygote(int sock, pid_t pid) : sock_(sock), pid_(pid) {}
  int sock_;
  pid_t pid_;
};

}  // namespace litbox::sandbox
