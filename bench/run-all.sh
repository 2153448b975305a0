#!/usr/bin/env bash
# Runs every benchmark of bench/ in turn and prints their figure lines (each ends in its
# ratio, litbox/peer). A benchmark that cannot run says so and the others still run.
# Usage: bench/run-all.sh     (env: see bench/lib.sh)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
status=0
# The machine facts that change the figures, at the start and again at the end (load).
bench_print_machine_facts "$BENCH_WORK"
for b in startup.sh trivial.sh "filecheck.sh FileCheck" "filecheck.sh Assembler" discovery.sh output-memory.sh soak.sh cross.sh executors.sh; do
  echo "== bench/$b"
  # shellcheck disable=SC2086  # $b holds a script name and its arguments
  bash "$here"/$b || { echo "(bench/$b exited $?)"; status=1; }
done
bench_print_machine_facts "$BENCH_WORK"
exit $status
