// Who a cell's processes are on the host. An unprivileged runner's tests keep its uid (it can
// map nothing else). A root runner's tests must never be host root: they run as one
// unprivileged host uid/gid (the first subordinate id of root in /etc/subuid and /etc/subgid,
// as rootless containers use, else a fixed default), seen as uid 0 inside the cell, so that
// file permissions and per-user process limits apply to them.
#pragma once

#include <sys/types.h>

#include <string>

namespace litbox::sandbox {

/// The default host uid/gid of a root runner's cells when /etc/subuid (subgid) has no entry
/// for root: just above systemd's container range (0x00080000-0x6FFFFFFF).
inline constexpr uid_t kDefaultCellHostId = 0x70000000;

/// The id maps of the run's user namespace (the zygote's) and of every cell's.
struct CellIdentity {
  /// true for a root runner: tests run as host_uid/host_gid, which differ from the runner's.
  bool separate = false;
  uid_t host_uid = 0;  ///< the test processes' uid on the host
  gid_t host_gid = 0;
  /// Written by the runner into the zygote's /proc/<pid>/{uid,gid}_map.
  std::string zygote_uid_map, zygote_gid_map;
  /// The cell's maps, in the zygote namespace's ids. Unprivileged: one line mapping the
  /// runner's own id, written by init itself. Separate: the cell user as inner 0 plus host root
  /// as inner 65534 (init sets the cell up with it, then becomes inner 0 for good); only the
  /// zygote, which has CAP_SETUID over its own namespace, may write that.
  std::string cell_uid_map, cell_gid_map;
};

/// The identity for a runner with effective ids `euid`/`egid`. `inner_root`: the unprivileged
/// runner's id is 0 inside the cell (binfmt_misc's register file belongs to the namespace's
/// root). `subuid`/`subgid`: the contents of /etc/subuid and /etc/subgid ("" if missing).
CellIdentity cell_identity(uid_t euid, gid_t egid, bool inner_root, const std::string& subuid,
                           const std::string& subgid);

/// The identity of this process's cells (reads /etc/subuid and /etc/subgid when root).
CellIdentity cell_identity(bool inner_root);

/// The first id of `user`'s range in a subordinate id file ("user:first:count" lines), or
/// `fallback` when there is none.
unsigned long first_subordinate_id(const std::string& file_text, const std::string& user, unsigned long fallback);

}  // namespace litbox::sandbox
