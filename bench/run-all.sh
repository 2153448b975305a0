#!/usr/bin/env bash
# Runs every benchmark of bench/ in turn and prints their figure lines (each ends in its
# ratio, litbox/peer). A benchmark that cannot run says so and the others still run.
# Usage: bench/run-all.sh     (env: see bench/lib.sh)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
status=0
for b in startup.sh trivial.sh "filecheck.sh FileCheck" "filecheck.sh Assembler" discovery.sh cross.sh executors.sh; do
  echo "== bench/$b"
  # shellcheck disable=SC2086  # $b holds a script name and its arguments
  bash "$here"/$b || { echo "(bench/$b exited $?)"; status=1; }
done
exit $status
