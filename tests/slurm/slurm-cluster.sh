# shellcheck shell=bash
# A single-node Slurm cluster in a temporary directory, for tests/slurm/run-slurm-test.sh:
# munged (its own key, socket, pid and log files), slurmctld and slurmd on 127.0.0.1 with
# their own slurm.conf and ports. Sourced, not run. Every daemon runs in the foreground (-F,
# -D) as a child of the test, so it is stopped by its pid (slurm_cluster_stop).
#
# slurm_cluster_start DIR   starts the daemons, exports SLURM_CONF, waits until the node is idle
# slurm_cluster_stop        stops each daemon started, by pid

SLURM_CLUSTER_PIDS=()

slurm_cluster_start() {
  local dir=$1
  mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log"
  chmod 700 "$dir/munge"
  # munged's own key (1024 random bytes, as mungekey makes), socket, pid, seed and log.
  dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
  chmod 400 "$dir/munge/munge.key"
  SLURM_MUNGE_SOCKET=$dir/munge/munge.socket
  munged -F --force --key-file="$dir/munge/munge.key" --socket="$SLURM_MUNGE_SOCKET" \
    --pid-file="$dir/munge/munged.pid" --seed-file="$dir/munge/munged.seed" \
    --log-file="$dir/log/munged.log" >"$dir/log/munged.out" 2>&1 &
  SLURM_CLUSTER_PIDS+=($!)

  for _ in $(seq 50); do [ -S "$SLURM_MUNGE_SOCKET" ] && break; sleep 0.1; done
  [ -S "$SLURM_MUNGE_SOCKET" ] || { echo "munged did not start:"; cat "$dir/log/munged.out" "$dir/log/munged.log"; return 1; }

  # This machine's CPUs and memory, as slurmd sees them; ports nothing else here uses.
  local host cpus mem base
  host=$(hostname -s)
  cpus=$(nproc)
  mem=$(awk '/MemTotal/ {print int($2 / 1024) - 256}' /proc/meminfo)
  # Two free ports in a row (ss lists the ones listening).
  for _ in $(seq 20); do
    base=$((21000 + RANDOM % 2000 * 2))
    ss -Hltn "( sport = :$base or sport = :$((base + 1)) )" 2>/dev/null | grep -q . || break
  done
  cat >"$dir/slurm.conf" <<EOF
ClusterName=litbox-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$base
SlurmdPort=$((base + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$SLURM_MUNGE_SOCKET
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SwitchType=switch/none
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
ReturnToService=2
MinJobAge=600
SchedulerType=sched/builtin
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=2
MessageTimeout=10
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
EOF
  export SLURM_CONF=$dir/slurm.conf
  slurmctld -D -i -f "$SLURM_CONF" >"$dir/log/slurmctld.out" 2>&1 &
  SLURM_CLUSTER_PIDS+=($!)
  slurmd -D -f "$SLURM_CONF" >"$dir/log/slurmd.out" 2>&1 &
  SLURM_CLUSTER_PIDS+=($!)
  # The node is up when sinfo shows it idle.
  for _ in $(seq 120); do
    if sinfo -h -N -o '%T' 2>/dev/null | grep -qx idle; then return 0; fi
    sleep 0.5
  done
  echo "the Slurm node did not become idle in 60 s; sinfo says: $(sinfo -h -N -o '%N %T %E' 2>&1)"
  tail -n 20 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" "$dir/log/slurmctld.out" "$dir/log/slurmd.out" 2>/dev/null
  return 1
}

slurm_cluster_stop() {
  local pid
  # Jobs still running (a check that failed midway) end first, or their slurmstepd would
  # outlive slurmd: cancelled through this private cluster's controller only (SLURM_CONF).
  if [ ${#SLURM_CLUSTER_PIDS[@]} -gt 0 ] && [ -n "${SLURM_CONF:-}" ]; then
    scancel -u "$(id -un)" 2>/dev/null || true
    for _ in $(seq 50); do [ -z "$(squeue -h 2>/dev/null)" ] && break; sleep 0.1; done
  fi
  for pid in "${SLURM_CLUSTER_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${SLURM_CLUSTER_PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  SLURM_CLUSTER_PIDS=()
}
