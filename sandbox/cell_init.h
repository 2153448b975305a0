// The cell's init (pid 1 of the cell: sets up the filesystem, drops privileges, then forks and
// execs spawn requests and reports exits). It runs after clone() in a copy of the runner: no
// allocation, no exceptions, no logging; failures go back as fixed-size {step, errno} records.
#pragma once

#include <sys/types.h>

#include <linux/filter.h>

#include <cstddef>
#include <cstdint>

#include "sandbox/mount_plan.h"

namespace litbox::sandbox {

/// One resource limit set on the cell's init (inherited by every process of the cell).
struct CellLimit {
  int resource;
  uint64_t value;
};

/// What every cell of an executor shares, in a fixed layout with no pointers: it lives in
/// CellMemory, so the zygote and the inits never read the runner's heap (the zygote drops its
/// copy of that heap, see zygote.cc). Written once by the runner before the zygote is cloned.
struct CellConfig {
  static constexpr int kMaxLimits = 8;
  static constexpr int kMaxSignals = 65;
  static constexpr int kMaxBpf = 4096;  // BPF_MAXINSNS
  static constexpr int kMaxDenied = 1024;

  struct Denied {
    uint32_t arch;
    int nr;
    char name[40];
  };

  bool private_netns = false;  ///< a network namespace per cell instead of the zygote's
  bool cgroup_ns = true;       ///< the kernel has cgroup namespaces
  bool seccomp_kill = false;   ///< kill mode: init installs the filter with a listener
  /// The cell's id maps ("inner outer 1\n" lines, see CellIdentity). Written by init itself,
  /// or, with zygote_maps, by the zygote before init goes on.
  char uid_map[96] = {};
  char gid_map[96] = {};
  bool zygote_maps = false;
  /// Init sets the cell up as the mapped host root (inner 65534), then becomes the cell user
  /// (inner 0) for good, with no supplementary groups, before any test process starts.
  bool switch_to_cell_user = false;
  char hostname[65] = {};
  int cap_last_cap = 40;
  int nlimits = 0;
  CellLimit limits[kMaxLimits] = {};
  int nsignals = 0;
  int ignored_signals[kMaxSignals] = {};  ///< signals the runner ignores: reset to default in init
  int nbpf = 0;
  sock_filter bpf[kMaxBpf] = {};
  int nknown = 0;                   ///< SeccompProgram::known: the allow-list, loaded first
  sock_filter known[kMaxBpf] = {};
  int ndenied = 0;
  Denied denied[kMaxDenied] = {};

  /// The name of syscall `nr` on `arch` if the filter denies it, else nullptr. Allocation-free.
  const char* syscall_name(uint32_t arch, int nr) const;
};

/// Memory the zygote and the cells' inits work in: mapped once per executor, touched by the
/// runner only to write the CellConfig, so a clone copies almost nothing of it.
class CellMemory {
 public:
  static constexpr size_t kPayloadSize = 2u << 20;  ///< argv + env + cwd (execve's own limit is 2 MiB)
  static constexpr size_t kMaxStrings = 128u << 10;
  static constexpr size_t kStackSize = 256u << 10;  ///< stack of the vfork-style spawn child
  static constexpr size_t kMaxTracked = 1024;       ///< live processes started by requests
  static constexpr size_t kMaxKills = 64;           ///< recent seccomp kills (kill mode)
  static constexpr size_t kMaxPlan = 1u << 20;      ///< the zygote's receive buffer for a plan
  static constexpr int kMaxSlots = 1024;            ///< bind mounts of one plan

  CellMemory();  ///< maps a new area (ok() tells whether it worked)
  CellMemory(char* base, size_t size) : base_(base), size_(size), owned_(false) {}  ///< a view of one
  ~CellMemory();
  CellMemory(const CellMemory&) = delete;
  CellMemory& operator=(const CellMemory&) = delete;
  bool ok() const { return base_ != nullptr; }

  CellConfig* config() const { return reinterpret_cast<CellConfig*>(base_); }
  char* payload() const { return base_ + kConfigSize; }
  char** strings() const { return reinterpret_cast<char**>(payload() + kPayloadSize); }
  char* stack_top() const { return payload() + kPayloadSize + kMaxStrings * sizeof(char*) + kStackSize; }
  int32_t* tracked_pids() const { return reinterpret_cast<int32_t*>(stack_top()); }
  uint32_t* tracked_ids() const { return reinterpret_cast<uint32_t*>(tracked_pids() + kMaxTracked); }
  int32_t* kills() const { return reinterpret_cast<int32_t*>(tracked_ids() + kMaxTracked); }  ///< {tid, nr, arch}
  int* slot_fds() const { return reinterpret_cast<int*>(kills() + 3 * kMaxKills); }
  char* plan_buffer() const { return reinterpret_cast<char*>(slot_fds() + kMaxSlots); }
  /// The whole mapping, which the zygote keeps when it drops the rest of the runner's memory.
  char* begin() const { return base_; }
  size_t size() const { return size_; }

 private:
  static constexpr size_t kConfigSize = (sizeof(CellConfig) + 4095) & ~size_t{4095};
  char* base_ = nullptr;
  size_t size_ = 0;
  bool owned_ = true;
};

/// One cell's own inputs, as the zygote received them.
struct CellRequest {
  const char* plan = nullptr;  ///< the flattened mount plan
  size_t plan_size = 0;
  int sock = -1;       ///< the cell's end of its socketpair with the runner
  int cgroup_fd = -1;  ///< cgroup.procs of the cell's cgroup (init writes "0"), or -1
  int maps_fd = -1;    ///< with zygote_maps: init reads an int here (0: maps written, else errno)
};

/// The cell's init, in a fresh clone(CLONE_NEWUSER|NEWNS|NEWPID|NEWIPC|NEWUTS) child of the
/// zygote: sets the cell up, reports `ready`, then serves spawn requests. Never returns.
[[noreturn]] void run_init(const CellMemory& mem, const CellRequest& req);

/// Closes every fd but the `n` in `keep` (close_range over the gaps).
void close_all_except(int* keep, int n);

/// Brings up `lo` in the current network namespace. Returns 0 or an errno.
int bring_up_loopback();

/// Writes one record to the runner (optionally passing an fd); used by the zygote and init.
void send_record(int sock, const void* record, size_t size, int fd_to_pass = -1);

}  // namespace litbox::sandbox
