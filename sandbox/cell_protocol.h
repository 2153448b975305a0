// The wire format between the runner and a cell's init (one SOCK_STREAM socketpair per cell),
// and between the runner and the zygote that clones the inits (one SOCK_SEQPACKET socketpair).
// Runner -> init: SpawnHeader (+ the stdio fds as SCM_RIGHTS) followed by the strings.
// Init -> runner: fixed-size Records (the `ready` record carries the cell's root dir as an fd).
#pragma once

#include <cstdint>

namespace litbox::sandbox::protocol {

/// Setup steps that are not part of the mount plan. Mount plan steps are reported by their
/// index (>= 0); these are negative.
enum Step : int32_t {
  kStepNone = -1000,
  kStepPlan,           // init: the mount plan it received is malformed
  kStepCgroup,         // init: join the cell's cgroup
  kStepUnshare,        // init: unshare(CLONE_NEWCGROUP)
  kStepSetgroups,      // init: write /proc/self/setgroups
  kStepUidMap,         // init: write /proc/self/uid_map
  kStepGidMap,         // init: write /proc/self/gid_map
  kStepCloneInit,      // zygote: clone() of init
  kStepPdeathsig,      // init: prctl(PR_SET_PDEATHSIG)
  kStepSetsid,         // init: setsid()
  kStepHostname,       // init: sethostname()
  kStepRlimit,         // init: setrlimit()
  kStepRootFd,         // init: open("/")
  kStepCapabilities,   // init: drop capabilities
  kStepNoNewPrivs,     // init: prctl(PR_SET_NO_NEW_PRIVS)
  kStepSeccomp,        // init: seccomp(SECCOMP_SET_MODE_FILTER)
  kStepSignalfd,       // init: signalfd()
  kStepLoopback,       // init (private network namespace): bring up lo in the empty network namespace
  kStepLandlock,       // init: restrict writes to the cell's writable paths (Landlock)
  kStepCellUser,       // init: become the cell user (chown of /tmp's skeleton, setgroups, setresgid, setresuid)
  // Per-spawn steps (reported in Record::step of a kSpawned record).
  kStepSpawnClone,     // init: clone() of the test process
  kStepSpawnTooBig,    // request larger than the init's buffers (E2BIG)
  kStepSpawnTable,     // too many live processes started in this cell
  kStepSpawnStdio,     // dup2 of stdio
  kStepSpawnChdir,     // chdir(cwd)
  kStepSpawnRlimit,    // setrlimit
  kStepSpawnExec,      // execve
  // Reset steps (reported in Record::step of a kResetDone record whose err is not 0: the cell
  // is not clean and must not serve another test).
  kStepResetKill,      // some process of the cell did not die
  kStepResetTmp,       // /tmp could not be emptied back to its skeleton
  kStepResetIpc,       // System V IPC objects are left
  kStepResetMqueue,    // POSIX message queues are left (or cannot be checked)
  kStepResetInit,      // init's own limits, priority, affinity or scheduling policy were changed
};

/// A short text for a fixed step ("setns(user)"), nullptr for plan indices.
const char* step_name(int32_t step);

enum class Kind : uint32_t {
  kInitPid = 1,  ///< zygote: init runs, `pid` is its pid in the runner's pid namespace
  kReady,        ///< init: setup done; carries an O_PATH fd of the cell's "/"
  kSetupFailed,  ///< zygote or init: `step` failed with `err`; the cell is unusable
  kSpawned,      ///< init: request `id` failed: not started (pid -1), or started as `pid` but failed
                 ///< before exec (step/err say how; its kExited follows). Not sent on success.
  kExited,       ///< init: process `pid` ended with wait status `status`
  kResetDone,    ///< init: a reset (asked, or after kOpSpawnLast) is done; err 0: the cell is clean,
                 ///< else step/err say why not
};

/// What a SpawnHeader asks for.
enum Op : uint32_t {
  kOpSpawn = 0,  ///< start a process
  kOpReset = 1,  ///< end the test: kill every process but init, empty /tmp, check IPC (no payload)
  kOpSpawnLast = 2,  ///< start the test's last process: once no process of the test is left, reset
                     ///< (as kOpReset asks) without being asked, saving the runner a round trip
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
  uint32_t payload_size = 0;    ///< bytes of strings that follow: cwd, executable (empty: argv[0]),
                                ///< argv..., env..., each NUL-ended
  uint32_t argc = 0;
  uint32_t envc = 0;
  uint32_t umask = 022;
  uint32_t fd_mask = 0;         ///< bit i set: stdio fd i is among the SCM_RIGHTS fds, in order
  uint32_t op = kOpSpawn;
  uint64_t limits[kLimitCount] = {};
};

/// Runner -> zygote: make a cell. The flattened mount plan follows; SCM_RIGHTS carries the
/// cell's socket end and, if has_cgroup, the cell's cgroup.procs.
struct ZygoteRequest {
  uint32_t magic = 0x7a79676f;  // "zygo"
  uint32_t plan_size = 0;
  uint32_t has_cgroup = 0;
  uint32_t reserved = 0;
};

}  // namespace litbox::sandbox::protocol
