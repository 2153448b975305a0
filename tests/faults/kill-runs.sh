#!/usr/bin/env bash
# Issue 14: SIGKILL and SIGTERM of litbox at random points of a 5,000-test sandboxed run leave
# no process, cell, cgroup, mount or staging dir behind, and `--resume` then runs only the
# tests that have no result yet, so that every test ends with one result.
#
# usage: kill-runs.sh [--unprivileged] LITBOX WORKDIR [ROUNDS] [TESTS]
#   --unprivileged: litbox runs as nobody (no cgroups then; the cells' own uid and RLIMIT_NPROC)
#
# Everything is checked from outside litbox, in a pid and mount namespace of this script's own
# (unshare): every process litbox or its cells leave is one of this namespace's, and a cgroup,
# staging dir or mount can only be litbox's. The kill points are random; the seed is printed
# (LITBOX_KILL_SEED=N repeats a run). Needs root (cgroups, the pid namespace); without it the
# test is skipped with the reason, or fails under LITBOX_REQUIRE_SANDBOX=1 (CI).
set -euo pipefail
as=()
if [ "${1:-}" = --unprivileged ]; then
  shift
  as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
litbox=$1 work=$2 rounds=${3:-6} ntests=${4:-5000}

skip() {
  echo "SKIP: $*"
  [ "${LITBOX_REQUIRE_SANDBOX:-}" != 1 ] || { echo "LITBOX_REQUIRE_SANDBOX=1: failing instead of skipping"; exit 1; }
  exit 77
}
fail() { echo "FAIL: $*" >&2; exit 1; }

if [ -z "${LITBOX_KILL_INNER:-}" ]; then
  [ "$(id -u)" = 0 ] || skip "needs root (a pid namespace and cgroups of its own)"
  unshare --pid --fork --mount-proc --mount true 2>/dev/null || skip "unshare --pid --mount is not permitted here"
  [ ${#as[@]} = 0 ] || command -v setpriv > /dev/null || skip "no setpriv to run litbox as nobody"
  exec unshare --pid --fork --mount-proc --mount --propagation private env LITBOX_KILL_INNER=1 "$0" ${as:+--unprivileged} "$@"
fi

seed=${LITBOX_KILL_SEED:-$(( $(date +%s%N) % 32768 ))}
RANDOM=$seed
echo "seed $seed (LITBOX_KILL_SEED=$seed repeats these kill points)"

rm -rf "$work" && mkdir -p "$work"
suite=$work/suite
mkdir -p "$suite"
printf 'name: kill-runs\nformat: sh\nsuffixes: [.test]\n' > "$suite/lit.yaml"
# 5,000 tests in 20 directories; a few take longer, so that kills land while commands run.
per_dir=$(( ntests / 20 ))
for d in $(seq -w 0 19); do
  mkdir -p "$suite/d$d"
  for i in $(seq -w 1 "$per_dir"); do
    if [ $(( 10#$i % 97 )) = 0 ]; then
      printf 'RUN: echo %%s > %%t\nRUN: sleep 0.2 && true\n' > "$suite/d$d/t$i.test"
    else
      printf 'RUN: echo %%s > %%t\nRUN: true\n' > "$suite/d$d/t$i.test"
    fi
  done
done
[ ${#as[@]} = 0 ] || chown -R 65534:65534 "$work"

# The processes of this namespace other than this script (pid 1); bash builtins only, so the
# check itself starts none.
others() {
  local p comm out=""
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    [ "$p" = 1 ] && continue
    [ "$p" = "$BASHPID" ] && continue
    comm=""
    read -r comm < "/proc/$p/comm" 2>/dev/null || continue
    out+="$p:$comm "
  done
  printf '%s' "$out"
}
leftover_cgroups() {
  find /sys/fs/cgroup -maxdepth 2 -name "litbox.$1.*" 2>/dev/null || true
}
leftover_staging() {
  find "$suite" -path '*/Output/.litbox/staging/*' 2>/dev/null || true
}
mounts_before=$(wc -l < /proc/self/mountinfo)

# The reference: one whole run.
start=$(date +%s%N)
"${as[@]}" "$litbox" --sandbox=require -j2 --no-progress-bar -q "$suite" > "$work/ref.out" 2>&1 ||
  { cat "$work/ref.out"; fail "the whole run failed"; }
whole_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "a whole run of $ntests tests: $whole_ms ms"
[ -z "$(leftover_staging)" ] || fail "a completed run left staging dirs: $(leftover_staging)"

for round in $(seq 1 "$rounds"); do
  sig=KILL
  [ $(( round % 2 )) = 0 ] && sig=TERM
  rm -rf "$suite"/d*/Output "$suite"/.litbox_journal.jsonl
  # A point in the first 90% of a whole run's time (at least 50 ms in).
  at_ms=$(( 50 + (RANDOM * 32768 + RANDOM) % (whole_ms * 9 / 10) ))
  "${as[@]}" "$litbox" --sandbox=require -j2 --no-progress-bar -q "$suite" > "$work/run$round.out" 2>&1 &
  pid=$!
  sleep "$(printf '%d.%03d' $(( at_ms / 1000 )) $(( at_ms % 1000 )))"
  kill -s "$sig" "$pid" 2>/dev/null || fail "round $round: litbox ended before the kill at $at_ms ms"
  status=0
  wait "$pid" || status=$?
  journaled=0
  [ -f "$suite/.litbox_journal.jsonl" ] && journaled=$(wc -l < "$suite/.litbox_journal.jsonl")
  echo "round $round: SIG$sig at $at_ms ms, exit $status, $journaled tests journaled"

  # From outside: within 10 s, nothing of that run is left.
  left="" cg="" st=""
  for _ in $(seq 100); do
    left=$(others) cg=$(leftover_cgroups "$pid") st=$(leftover_staging)
    [ -z "$left$cg$st" ] && break
    sleep 0.1
  done
  [ -z "$left" ] || { ps -ef; fail "round $round (SIG$sig at $at_ms ms): processes left: $left"; }
  [ -z "$cg" ] || fail "round $round (SIG$sig at $at_ms ms): cgroups left: $cg"
  [ -z "$st" ] || fail "round $round (SIG$sig at $at_ms ms): staging dirs left: $(echo "$st" | head -5)"
  [ "$(wc -l < /proc/self/mountinfo)" = "$mounts_before" ] || fail "round $round: the mount table changed"

  # --resume runs only the tests without a result, and the run ends with all of them.
  "${as[@]}" "$litbox" --sandbox=require -j2 --no-progress-bar --resume "$suite" > "$work/resume$round.out" 2>&1 ||
    { tail -20 "$work/resume$round.out"; fail "round $round: the resumed run failed"; }
  grep -q "Passed: *$ntests\b" "$work/resume$round.out" ||
    { tail -20 "$work/resume$round.out"; fail "round $round: the resumed run does not end with $ntests passed"; }
  if [ "$journaled" -gt 0 ]; then
    grep -q "resuming: $journaled of $ntests tests have a result in the journal" "$work/resume$round.out" ||
      { head -5 "$work/resume$round.out"; fail "round $round: --resume did not take the $journaled journaled tests"; }
  fi
  outputs=$(find "$suite" -path '*/Output/*.test.tmp' | wc -l)
  [ "$outputs" = "$ntests" ] || fail "round $round: $outputs of $ntests tests' %t files are in Output/"
  [ -z "$(leftover_staging)" ] || fail "round $round: the resumed run left staging dirs"
  [ ! -e "$suite/.litbox_journal.jsonl" ] || fail "round $round: the completed run left its journal"
done
echo "PASS: $rounds kills, nothing left behind, every test resumed to one result"
