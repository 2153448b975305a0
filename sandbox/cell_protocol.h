// The wire format between the runner and a cell's init (one SOCK_STREAM socketpair per cell).
// Runner -> init: SpawnHeader (+ the stdio fds as SCM_RIGHTS) followed by the strings.
// Init -> runner: fixed-size Records (the `ready` record carries the cell's root dir as an fd).
#pragma once

#include <cstdint>

namespace litbox::sandbox::protocol {

/// Setup steps that are not part of the mount plan. Mount plan steps are reported by their
/// index (>= 0); these are negative.
enum Step : int32_t {
  kStepNone = -1000,
  kStepCloneLauncher,  // runner: clone() of the launcher
  kStepCgroup,         // launcher: join the cell's cgroup
  kStepSetnsUser,      // launcher: setns(run user namespace)
  kStepSetnsNet,       // launcher: setns(empty network namespace)
  kStepUnshare,        // launcher: unshare(user, mount, pid, ipc, uts, cgroup)
  kStepSetgroups,      // launcher: write /proc/self/setgroups
  kStepUidMap,         // launcher: write /proc/self/uid_map
  kStepGidMap,         // launcher: write /proc/self/gid_map
  kStepCloneInit,      // launcher: clone() of init
  kStepPdeathsig,      // init: prctl(PR_SET_PDEATHSIG)
  kStepSetsid,         // init: setsid()
  kStepHostname,       // init: sethostname()
  kStepRlimit,         // init: setrlimit()
  kStepRootFd,         // init: open("/")
  kStepCapabilities,   // init: drop capabilities
  kStepNoNewPrivs,     // init: prctl(PR_SET_NO_NEW_PRIVS)
  kStepSeccomp,        // init: seccomp(SECCOMP_SET_MODE_FILTER)
  kStepSignalfd,       // init: signalfd()
  kStepLoopback,       // run setup: bring up lo in the empty network namespace
  // Per-spawn steps (reported in Record::step of a kSpawned record).
  kStepSpawnClone,     // init: clone() of the test process
  kStepSpawnTooBig,    // request larger than the init's buffers (E2BIG)
  kStepSpawnTable,     // too many live processes started in this cell
  kStepSpawnStdio,     // dup2 of stdio
  kStepSpawnChdir,     // chdir(cwd)
  kStepSpawnRlimit,    // setrlimit
  kStepSpawnExec,      // execve
};

/// A short text for a fixed step ("setns(user)"), nullptr for plan indices.
const char* step_name(int32_t step);

enum class Kind : uint32_t {
  kInitPid = 1,  ///< launcher: init runs, `pid` is its pid in the runner's pid namespace
  kReady,        ///< init: setup done; carries an O_PATH fd of the cell's "/"
  kSetupFailed,  ///< launcher or init: `step` failed with `err`; the cell is unusable
  kSpawned,      ///< init: request `id` started as `pid`; step/err set if it failed before exec
  kExited,       ///< init: process `pid` ended with wait status `status`
};

struct Record {
  Kind kind;
  uint32_t id = 0;
  int32_t pid = 0;
  int32_t status = 0;
  int32_t step = kStepNone;
  int32_t err = 0;
  int32_t syscall_nr = -1;   ///< kExited: the syscall seccomp killed it for (kill mode), or -1
  uint32_t syscall_arch = 0;
};

/// Index of the rlimits in SpawnHeader::limits.
enum LimitIndex { kAs, kCpu, kFsize, kNofile, kNproc, kStack, kLimitCount };

struct SpawnHeader {
  uint32_t magic = 0x6c626f78;  // "lbox"
  uint32_t id = 0;
  uint32_t payload_size = 0;    ///< bytes of strings that follow: cwd, argv..., env..., each NUL-ended
  uint32_t argc = 0;
  uint32_t envc = 0;
  uint32_t umask = 022;
  uint32_t fd_mask = 0;         ///< bit i set: stdio fd i is among the SCM_RIGHTS fds, in order
  uint32_t reserved = 0;
  uint64_t limits[kLimitCount] = {};
};

}  // namespace litbox::sandbox::protocol
