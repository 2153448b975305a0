#!/usr/bin/env bash
# 2,000 trivial tests (`RUN: echo hello > %t` + `RUN: true`), lit vs litbox, -j$JOBS.
# One suite directory holds both configs: lit.cfg (ShTest with lit's internal shell) for lit,
# lit.yaml (format: sh) for litbox. Prints one line per figure, ending in litbox/lit:
# litbox with the sandbox required (cells reset and reused between the tests of a directory,
# the default), with a new cell for every test (`sandbox: {reuse_cells: false}`, a copy of the
# suite), and with the sandbox off. Target (docs: benchmarks.md): ≤ 0.33 with the sandbox on.
# Every timed run starts without Output/ directories (deleted untimed, then `sync`): on this
# VM's ext4 (mounted with `discard`) truncating a non-empty file costs ~3 ms, so runs that
# overwrite the previous run's %t files measure the disk, not the runner. A last line runs
# the same on /dev/shm (tmpfs; sandbox off only, as the cell has its own /dev).
# Usage: bench/trivial.sh [N_TESTS]     (env: see bench/lib.sh)
set -uo pipefail
source "$(dirname "$0")/lib.sh"
bench_need_litbox
n=${1:-2000}
dir=$BENCH_WORK/trivial-$n

make_suite() {
  local dir=$1 extra=${2:-}
  [ -f "$dir/.complete" ] && return
  rm -rf "$dir"
  mkdir -p "$dir"
  cat > "$dir/lit.cfg" <<'EOF'
import lit.formats
config.name = 'trivial'
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = ['.test']
EOF
  cat > "$dir/lit.yaml" <<'EOF'
name: trivial
format: sh
suffixes: [.test]
EOF
  [ -n "$extra" ] && echo "$extra" >> "$dir/lit.yaml"
  local d i
  # 20 directories of n/20 tests: a realistic shape for discovery and Output/ creation.
  for ((d = 0; d < 20; d++)); do mkdir -p "$dir/d$d"; done
  for ((i = 0; i < n; i++)); do
    printf 'RUN: echo hello > %%t\nRUN: true\n' > "$dir/d$((i % 20))/t$i.test"
  done
  touch "$dir/.complete"
}
make_suite "$dir"
make_suite "$dir-fresh" "sandbox: {reuse_cells: false}"

export BENCH_PREP="rm -rf '$dir'/d*/Output; sync"
lit_cmd="'$PYTHON' '$LIT' -q -j$JOBS '$dir'"
compare_alternating "trivial $n tests, -j$JOBS, sandbox required" lit "$lit_cmd" \
  "'$LITBOX' -q -j$JOBS --sandbox=require '$dir'"
BENCH_PREP="rm -rf '$dir'/d*/Output '$dir-fresh'/d*/Output; sync" \
  compare_alternating "trivial $n tests, -j$JOBS, sandbox required, a new cell per test" lit "$lit_cmd" \
  "'$LITBOX' -q -j$JOBS --sandbox=require '$dir-fresh'"
compare_alternating "trivial $n tests, -j$JOBS, sandbox off" lit "$lit_cmd" \
  "'$LITBOX' -q -j$JOBS --sandbox=off '$dir'"

if [ -d /dev/shm ] && [ -w /dev/shm ]; then
  shm=/dev/shm/litbox-bench-$$/trivial-$n
  make_suite "$shm"
  export BENCH_PREP="rm -rf '$shm'/d*/Output"
  compare_alternating "trivial $n tests, -j$JOBS, sandbox off, on tmpfs" lit "'$PYTHON' '$LIT' -q -j$JOBS '$shm'" \
    "'$LITBOX' -q -j$JOBS --sandbox=off '$shm'"
  rm -rf "/dev/shm/litbox-bench-$$"
fi
