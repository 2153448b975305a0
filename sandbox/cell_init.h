// The cell side of clone(): the launcher (a plain clone of the runner that enters the run's
// namespaces and creates the cell's own) and the cell's init (pid 1: sets up the filesystem,
// drops privileges, then forks+execs spawn requests and reports exits). Everything here runs
// after clone() in a copy of the runner: no allocation, no exceptions, no logging; failures go
// back as fixed-size {step, errno} records.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sandbox/mount_plan.h"
#include "sandbox/seccomp_policy.h"

namespace litbox::sandbox {

/// Memory the cell's init works in, mapped once per executor in the parent and never touched
/// there, so a clone copies no page of it.
class CellMemory {
 public:
  static constexpr size_t kPayloadSize = 2u << 20;  ///< argv + env + cwd (execve's own limit is 2 MiB)
  static constexpr size_t kMaxStrings = 128u << 10;
  static constexpr size_t kStackSize = 256u << 10;  ///< stack of the vfork-style spawn child
  static constexpr size_t kMaxTracked = 1024;       ///< live processes started by requests
  static constexpr size_t kMaxKills = 64;           ///< recent seccomp kills (kill mode)

  CellMemory();
  ~CellMemory();
  CellMemory(const CellMemory&) = delete;
  CellMemory& operator=(const CellMemory&) = delete;
  bool ok() const { return base_ != nullptr; }

  char* payload() const { return base_; }
  char** strings() const { return reinterpret_cast<char**>(base_ + kPayloadSize); }
  char* stack_top() const { return base_ + kPayloadSize + kMaxStrings * sizeof(char*) + kStackSize; }
  int32_t* tracked_pids() const { return reinterpret_cast<int32_t*>(stack_top()); }
  uint32_t* tracked_ids() const { return reinterpret_cast<uint32_t*>(tracked_pids() + kMaxTracked); }
  int32_t* kills() const { return reinterpret_cast<int32_t*>(tracked_ids() + kMaxTracked); }  ///< {tid, nr, arch}

 private:
  char* base_ = nullptr;
  size_t size_ = 0;
};

/// One resource limit set on the cell's init (inherited by every process of the cell).
struct CellLimit {
  int resource;
  uint64_t value;
};

/// Everything the launcher and init read. Built in the parent; the children read their copy.
struct CellConfig {
  int sock = -1;        ///< the cell's end of the socketpair
  int userns_fd = -1;   ///< the run's user namespace (setns), or -1: new one directly below the runner's
  int netns_fd = -1;    ///< the run's empty network namespace, or -1 (see private_netns)
  bool private_netns = false;  ///< unshare a network namespace per cell instead of netns_fd
  int cgroup_fd = -1;   ///< cgroup.procs of the cell's cgroup (the launcher writes "0"), or -1
  bool cgroup_ns = true;
  std::string uid_map, gid_map;  ///< "inner outer 1\n"
  const MountPlan* plan = nullptr;
  int* slot_fds = nullptr;       ///< plan->slots entries
  std::string hostname;
  const SeccompProgram* seccomp = nullptr;
  std::vector<CellLimit> limits;
  std::vector<int> ignored_signals;  ///< signals the runner ignores: reset to default in init
  int cap_last_cap = 40;
  const CellMemory* memory = nullptr;
};

/// The launcher: runs in a clone() of the runner, never returns.
[[noreturn]] void run_launcher(const CellConfig& cfg);

/// Brings up `lo` in the current network namespace. Returns 0 or an errno.
int bring_up_loopback();

/// Writes one record to the runner; used by the launcher, init, and the run setup.
void send_record(int sock, const void* record, size_t size, int fd_to_pass = -1);

}  // namespace litbox::sandbox
