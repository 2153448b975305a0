#!/usr/bin/env bash
# The executor-level benchmarks, each measuring litbox against its peer in the same run:
#   litbox_cell_bench      a sandbox cell per test vs the local executor (target: ≤ +1.5 ms)
#   litbox_emulation_bench QEMU decorator vs bare qemu; the ssh executor per test with and
#                          without connection sharing (needs sshd, started by the bench)
#   litbox_batch_bench     200 tests: batch vs per-test ssh with a shared connection
#                          (targets: ≤ 15 ms/test, ≥ 15× faster)
# Usage: bench/executors.sh [BUILD_DIR]   (default: build)
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build}/bin
status=0
for b in litbox_cell_bench litbox_emulation_bench litbox_batch_bench; do
  echo "== $b"
  if [ ! -x "$bin/$b" ]; then echo "($b not built in $bin)"; status=1; continue; fi
  "$bin/$b" || { echo "($b exited $?)"; status=1; }
done
exit $status
