#!/usr/bin/env bash
# `litbox slurm` against a real single-node Slurm (issue 13): starts munged, slurmctld and slurmd
# in a temporary directory on 127.0.0.1 with their own ports (slurm-cluster.sh), then checks
#   a) a 40-test suite run as a job array of 4 shards merges to the codes of an unsharded run;
#   b) a task cancelled mid-run (scancel JOB_TASK) leaves its tests UNRESOLVED, the reason
#      naming the task, and the exit status 1;
#   c) --no-wait prints the job id and the merge command, and that command merges the job.
# Every daemon is stopped by its pid on exit, failure or not.
#
# Usage: run-slurm-test.sh [path/to/litbox]   (default: build/bin/litbox of this checkout)
# Exit: 0 passed (or skipped: not root, or Slurm/munge not installed), 1 failed. With
# LITBOX_REQUIRE_SANDBOX=1 (CI), a missing privilege or package is a failure, not a skip.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
litbox=${1:-$here/../../build/bin/litbox}
litbox=$(cd "$(dirname "$litbox")" && pwd)/$(basename "$litbox")

die() { echo "FAIL: $*" >&2; exit 1; }
skip() {
  [ "${LITBOX_REQUIRE_SANDBOX:-}" != 1 ] || die "LITBOX_REQUIRE_SANDBOX=1, but $*"
  echo "SKIPPED: $*"
  exit 0
}

[ -x "$litbox" ] || die "no litbox at $litbox"
[ "$(id -u)" = 0 ] || skip "a private Slurm (SlurmUser=root, slurmd) needs root"
for tool in munged slurmctld slurmd sbatch squeue scontrol scancel sinfo python3; do
  command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed (apt-get install slurm-wlm munge)"
done

# Outside /tmp: sandbox cells shadow /tmp, and the tasks' litbox reads the suite there.
work=$(mktemp -d /var/tmp/litbox-slurm.XXXXXX)
# shellcheck source=slurm-cluster.sh
. "$here/slurm-cluster.sh"
cleanup() {
  local rc=$?
  slurm_cluster_stop
  if [ "$rc" = 0 ]; then rm -rf "$work"; else echo "(kept $work)"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

start=$(date +%s)
slurm_cluster_start "$work/cluster" || die "could not start the Slurm cluster (logs in $work/cluster/log)"
echo "slurm node idle after $(($(date +%s) - start)) s"

# The suite: 34 PASS, 4 FAIL, 1 XFAIL, 1 UNSUPPORTED.
suite=$work/suite
mkdir -p "$suite/sub"
printf 'name: slurm-suite\nformat: sh\nsuffixes: [.test]\n' > "$suite/lit.yaml"
for i in $(seq -w 1 30); do printf 'RUN: true\n' > "$suite/pass-$i.test"; done
for i in 1 2 3 4; do printf 'RUN: echo pass | grep -q pass\n' > "$suite/sub/grep-$i.test"; done
for i in 1 2 3 4; do printf 'RUN: false\n' > "$suite/fail-$i.test"; done
printf 'XFAIL: *\nRUN: false\n' > "$suite/xfail.test"
printf 'UNSUPPORTED: true\nRUN: false\n' > "$suite/unsupported.test"

codes() {  # name<TAB>code of each test of a JSON report, sorted
  python3 -c 'import json, sys
for t in sorted(json.load(open(sys.argv[1]))["tests"], key=lambda t: t["name"]): print(t["name"] + "\t" + t["code"])' "$1"
}

# a) sharded over 4 tasks = unsharded.
rc=0; "$litbox" -q -o "$work/full.json" "$suite" > "$work/full.out" 2>&1 || rc=$?
[ "$rc" = 1 ] || die "the unsharded run exited $rc, not 1: $(cat "$work/full.out")"
[ "$(codes "$work/full.json" | wc -l)" = 40 ] || die "the unsharded run has not 40 tests"
rc=0; "$litbox" slurm --shards 4 --poll 1 --dir "$work/a" -o "$work/a.json" "$suite" -- -q > "$work/a.out" 2>&1 || rc=$?
cat "$work/a.out"
[ "$rc" = 1 ] || die "litbox slurm exited $rc, not 1 (some tests FAIL)"
codes "$work/full.json" > "$work/full.codes"
codes "$work/a.json" > "$work/a.codes"
diff "$work/full.codes" "$work/a.codes" || die "the merged codes differ from the unsharded run's"
grep -q '^Merged 4 reports (4 shards): 40 tests$' "$work/a.out" || die "no 'Merged 4 reports' line"
for i in 0 1 2 3; do [ -s "$work/a/shard-$i.json" ] || die "task $i wrote no report"; done
"$litbox" diff-runs "$work/full.json" "$work/a.json" > "$work/a.diff" || die "diff-runs: $(cat "$work/a.diff")"
echo "a) OK: 4 shards merge to the unsharded codes ($(grep -c PASS "$work/a.codes") PASS)"

# job_id_of OUT PID: the job id `litbox slurm` (PID, in the background) printed to OUT.
job_id_of() {
  local id
  for _ in $(seq 100); do
    id=$(sed -n 's/^Submitted job array \([0-9]*\) .*/\1/p' "$1")
    [ -n "$id" ] && { echo "$id"; return; }
    sleep 0.2
  done
  kill "$2"
  die "no job id from litbox slurm: $(cat "$1")"
}

# b) one task cancelled mid-run: its tests UNRESOLVED, naming the task; exit status 1.
cp -r "$suite" "$work/suite-b"
printf 'RUN: sleep 300\n' > "$work/suite-b/slow.test"
"$litbox" slurm --shards 4 --poll 1 --dir "$work/b" -o "$work/b.json" "$work/suite-b" -- -q > "$work/b.out" 2>&1 &
slurm_pid=$!
job=$(job_id_of "$work/b.out" "$slurm_pid") || exit 1
# The task running slow.test is the one left running when the others have ended.
task=
for _ in $(seq 120); do
  running=$(squeue -h -j "$job" -o '%K %T' | awk '$2 == "RUNNING" {print $1}')
  pending=$(squeue -h -j "$job" -t PENDING -o '%K' | wc -l)
  if [ "$pending" = 0 ] && [ "$(echo "$running" | grep -c .)" = 1 ]; then task=$running; break; fi
  sleep 0.5
done
[ -n "$task" ] || { kill "$slurm_pid"; die "job $job: no lone running task: $(squeue -j "$job" 2>&1)"; }
sleep 1  # let it start slow.test
scancel "${job}_${task}"
rc=0; wait "$slurm_pid" || rc=$?
cat "$work/b.out"
[ "$rc" = 1 ] || die "litbox slurm with a cancelled task exited $rc, not 1"
grep -q "slurm task $task of job $job ended CANCELLED" "$work/b.out" || die "no line naming the cancelled task"
python3 - "$work/b.json" "$job" "$task" <<'PY' || die "the cancelled task's tests are not UNRESOLVED naming it"
import json, sys
tests = json.load(open(sys.argv[1]))["tests"]
assert len(tests) == 41, len(tests)
unresolved = [t for t in tests if t["code"] == "UNRESOLVED"]
assert unresolved, "no UNRESOLVED test"
assert any(t["name"] == "slurm-suite :: slow.test" for t in unresolved), "slow.test is not UNRESOLVED"
for t in unresolved:
    assert t["output"].startswith("slurm task %s of job %s ended CANCELLED" % (sys.argv[3], sys.argv[2])), t["output"]
print("b) OK: %d tests UNRESOLVED: %s" % (len(unresolved), unresolved[0]["output"]))
PY

# c) --no-wait: the job id and the merge command, which works.
"$litbox" slurm --shards 4 --no-wait --poll 1 --dir "$work/c" -o "$work/c.json" "$suite" -- -q > "$work/c.out" 2>&1 \
  || die "litbox slurm --no-wait failed: $(cat "$work/c.out")"
cat "$work/c.out"
grep -q '^Job: [0-9][0-9]*$' "$work/c.out" || die "--no-wait printed no job id"
merge=$(sed -n 's/^To wait for it and merge its reports: //p' "$work/c.out")
[ -n "$merge" ] || die "--no-wait printed no merge command"
rc=0; eval "$merge" > "$work/c-merge.out" 2>&1 || rc=$?
cat "$work/c-merge.out"
[ "$rc" = 1 ] || die "the merge command exited $rc, not 1"
codes "$work/c.json" > "$work/c.codes"
diff "$work/full.codes" "$work/c.codes" || die "the --no-wait job's merged codes differ from the unsharded run's"
echo "c) OK: --no-wait, then: $merge"
# d) the whole job cancelled before any task started: no report at all, so the tests are
#    listed here (--no-execute) and each is UNRESOLVED, naming its task.
"$litbox" slurm --shards 4 --poll 1 --dir "$work/d" -o "$work/d.json" --sbatch=--begin=now+3600 "$suite" -- -q \
  > "$work/d.out" 2>&1 &
slurm_pid=$!
job=$(job_id_of "$work/d.out" "$slurm_pid") || exit 1
scancel "$job"
rc=0; wait "$slurm_pid" || rc=$?
cat "$work/d.out"
[ "$rc" = 1 ] || die "litbox slurm with its job cancelled exited $rc, not 1"
python3 - "$work/d.json" "$job" <<'PY' || die "the tests of a cancelled job are not all UNRESOLVED naming their task"
import json, re, sys
tests = json.load(open(sys.argv[1]))["tests"]
assert len(tests) == 40, len(tests)
tasks = set()
for t in tests:
    assert t["code"] == "UNRESOLVED", t
    m = re.match(r"slurm task (\d) of job %s ended CANCELLED without a report" % sys.argv[2], t["output"])
    assert m, t["output"]
    tasks.add(m.group(1))
assert len(tasks) == 4, tasks
print("d) OK: job cancelled before it ran: 40 tests UNRESOLVED over tasks " + ", ".join(sorted(tasks)))
PY
echo "PASS: litbox slurm on a single-node Slurm in $(($(date +%s) - start)) s"
