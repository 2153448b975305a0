#!/usr/bin/env bash
# 2,000 trivial tests (`RUN: echo hello > %t` + `RUN: true`), lit vs litbox, -j$JOBS.
# One suite directory holds both configs: lit.cfg (ShTest with lit's internal shell) for lit,
# lit.yaml (format: sh) for litbox. Prints one line per figure, ending in litbox/lit:
# litbox with the sandbox required, and with it off. Target (docs: benchmarks.md): ≤ 0.33
# with the sandbox on.
# Usage: bench/trivial.sh [N_TESTS]     (env: see bench/lib.sh)
set -uo pipefail
source "$(dirname "$0")/lib.sh"
bench_need_litbox
n=${1:-2000}
dir=$BENCH_WORK/trivial-$n

if [ ! -f "$dir/.complete" ]; then
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
  # 20 directories of n/20 tests: a realistic shape for discovery and Output/ creation.
  for ((d = 0; d < 20; d++)); do mkdir -p "$dir/d$d"; done
  for ((i = 0; i < n; i++)); do
    printf 'RUN: echo hello > %%t\nRUN: true\n' > "$dir/d$((i % 20))/t$i.test"
  done
  touch "$dir/.complete"
fi

lit_cmd="'$PYTHON' '$LIT' -q -j$JOBS '$dir'"
compare_alternating "trivial $n tests, -j$JOBS, sandbox required" lit "$lit_cmd" \
  "'$LITBOX' -q -j$JOBS --sandbox=require '$dir'"
compare_alternating "trivial $n tests, -j$JOBS, sandbox off" lit "$lit_cmd" \
  "'$LITBOX' -q -j$JOBS --sandbox=off '$dir'"
