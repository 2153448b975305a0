#!/usr/bin/env bash
# Soak (issue 14): 20,000 trivial tests sandboxed, at -j2 and -j8, twice each (a fresh run and
# a rerun over its outputs). While litbox runs, its open descriptors, threads and RSS are
# sampled every 0.1 s (from /proc, outside it); printed at the start (after 5% of the run's
# time), the middle and the end (95%), with the peak. Flat means the end is no higher than the
# start but for noise: a descriptor or memory leak per test shows as thousands of fds or tens of
# MB over 20,000 tests. Nothing asserts; the figures are printed.
# Usage: bench/soak.sh [N_TESTS] [JOBS...]   (default 20000, jobs 2 8; env: see bench/lib.sh)
set -uo pipefail
source "$(dirname "$0")/lib.sh"
bench_need_litbox
n=${1:-20000}
shift || true
jobs_list=("$@")
[ ${#jobs_list[@]} = 0 ] && jobs_list=(2 8)
dir=$BENCH_WORK/soak-$n
bench_make_trivial_suite "$dir"
bench_print_machine_facts "$BENCH_WORK"

# sample PID OUT: "seconds fds threads rss_kib" lines every 0.1 s while PID lives.
sample() {
  local pid=$1 out=$2 t0 now fds threads rss
  t0=$(date +%s%N)
  while [ -d "/proc/$pid" ]; do
    fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
    threads=$(awk '/^Threads:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
    now=$(date +%s%N)
    [ -n "$rss" ] && echo "$(( (now - t0) / 1000000 )) $fds $threads $rss" >> "$out"
    sleep 0.1
  done
}

for jobs in "${jobs_list[@]}"; do
  for regime in fresh rerun; do
    [ "$regime" = fresh ] && rm -rf "$dir"/d*/Output
    sync
    samples=$BENCH_WORK/soak-samples-$jobs-$regime
    rm -f "$samples"
    start=$(date +%s.%N)
    "$LITBOX" -q -j"$jobs" --sandbox=require "$dir" > "$BENCH_WORK/soak-$jobs-$regime.log" 2>&1 &
    pid=$!
    sample "$pid" "$samples"
    wait "$pid"
    rc=$?
    wall=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
    awk -v label="soak $n tests, -j$jobs, sandbox required, $regime: ${wall} s, exit $rc" '
      { t[NR] = $1; f[NR] = $2; th[NR] = $3; r[NR] = $4; if ($2 > pf) pf = $2; if ($4 > pr) pr = $4 }
      function at(frac,   i, want) {
        want = t[NR] * frac
        for (i = 1; i < NR && t[i] < want; i++) {}
        return sprintf("%d fds, %d threads, %.1f MB", f[i], th[i], r[i] / 1024)
      }
      END {
        if (NR < 3) { print label ": too short to sample (" NR " samples)"; exit }
        print label
        print "  start (5%):  " at(0.05)
        print "  middle:      " at(0.5)
        print "  end (95%):   " at(0.95)
        printf "  peak:        %d fds, %.1f MB RSS (%d samples)\n", pf, pr / 1024, NR
      }' "$samples"
  done
done
