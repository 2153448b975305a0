#include "sandbox/cell_protocol.h"

namespace litbox::sandbox::protocol {

const char* step_name(int32_t step) {
  switch (step) {
    case kStepPlan: return "read the mount plan";
    case kStepCgroup: return "join the cell's cgroup";
    case kStepUnshare: return "unshare(CLONE_NEWCGROUP)";
    case kStepSetgroups: return "write /proc/self/setgroups";
    case kStepUidMap: return "write /proc/self/uid_map";
    case kStepGidMap: return "write /proc/self/gid_map";
    case kStepCloneInit: return "clone(CLONE_NEWUSER|CLONE_NEWNS|CLONE_NEWPID|CLONE_NEWIPC|CLONE_NEWUTS)";
    case kStepPdeathsig: return "prctl(PR_SET_PDEATHSIG)";
    case kStepSetsid: return "setsid()";
    case kStepHostname: return "sethostname()";
    case kStepRlimit: return "setrlimit()";
    case kStepRootFd: return "open(\"/\")";
    case kStepCapabilities: return "drop capabilities";
    case kStepNoNewPrivs: return "prctl(PR_SET_NO_NEW_PRIVS)";
    case kStepSeccomp: return "seccomp(SECCOMP_SET_MODE_FILTER)";
    case kStepSignalfd: return "signalfd()";
    case kStepLoopback: return "bring up lo";
    case kStepCellUser: return "become the cell user";
    case kStepLandlock: return "landlock_restrict_self()";
    case kStepSpawnClone: return "clone";
    case kStepSpawnTooBig: return "exec";
    case kStepSpawnTable: return "sandbox: too many processes started in this cell";
    case kStepSpawnStdio: return "dup2";
    case kStepSpawnChdir: return "chdir";
    case kStepSpawnRlimit: return "setrlimit";
    case kStepSpawnExec: return "exec";
    case kStepResetKill: return "reset: a process of the cell did not die";
    case kStepResetTmp: return "reset: empty /tmp";
    case kStepResetIpc: return "reset: System V IPC objects are left";
    case kStepResetMqueue: return "reset: POSIX message queues are left";
    case kStepResetInit: return "reset: the test changed the cell's init (limits, priority, affinity or scheduling)";
    default: return nullptr;
  }
}

}  // namespace litbox::sandbox::protocol
