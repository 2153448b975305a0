#!/usr/bin/env bash
# LLVM 15's llvm/test/FileCheck (77 tests, bound by FileCheck's own run time), lit vs litbox.
# First checks that both give the same result code for every test (scripts/compare-with-lit),
# then times them alternately. Also usable for other llvm/test directories:
#   bench/filecheck.sh Assembler        (450 tests; the spec's third workload)
# The last line compares with the floor: the same commands, expanded by lit's own code
# (bench/llvm-floor.py), run by bash with no runner at all (xargs -P$JOBS).
# Prints one line per figure ending in litbox/lit (or litbox/bash for the floor). Targets (benchmarks.md): same codes,
# ratio ≤ 0.9 with the sandbox on.
# Usage: bench/filecheck.sh [DIR under llvm/test, default FileCheck]   (env: see bench/lib.sh)
set -uo pipefail
source "$(dirname "$0")/lib.sh"
bench_need_litbox
bench_need_llvm_tests
sub=${1:-FileCheck}
tests=$LLVM_SRC/test/$sub

same=$("$BENCH_ROOT/scripts/compare-with-lit" --litbox "$LITBOX" --litbox-arg=--sandbox=require -j "$JOBS" "$tests" 2>&1)
rc=$?
ndiff=$(printf '%s\n' "$same" | sed -n 's/^differences: //p')
echo "llvm/test/$sub result codes (sandbox required): ${ndiff:-?} differences from lit (compare-with-lit exit $rc)"
[ "$rc" -ne 0 ] && printf '%s\n' "$same" | grep -v '^wall:' | head -20 | sed 's/^/  /'

# The generated lit.local.yaml files end in .yaml, a test suffix here: both runners would
# report them as tests without RUN lines (see scripts/compare-with-lit).
skip="--filter-out='/lit(\.local|\.site)?\.yaml$'"
lit_cmd="'$LLVM_BUILD/bin/llvm-lit' -q -j$JOBS $skip '$tests'"
compare_alternating "llvm/test/$sub, -j$JOBS, sandbox required" lit "$lit_cmd" \
  "'$LITBOX' -q -j$JOBS $skip --sandbox=require '$tests'"
compare_alternating "llvm/test/$sub, -j$JOBS, sandbox off" lit "$lit_cmd" \
  "'$LITBOX' -q -j$JOBS $skip --sandbox=off '$tests'"

floor=$BENCH_WORK/floor-$(echo "$sub" | tr / _)
rm -rf "$floor"
count=$("$BENCH_ROOT/bench/llvm-floor.py" --config-map "$LLVM_SRC/test/lit.cfg.py=$LLVM_BUILD/test/lit.site.cfg.py" \
  "$floor" "$tests" 2>/dev/null)
compare_alternating "llvm/test/$sub, -j$JOBS, the ${count:-?} tests' bare commands by bash vs litbox sandbox required" \
  bash "xargs -P$JOBS -n1 bash < '$floor/all.txt'" "'$LITBOX' -q -j$JOBS $skip --sandbox=require '$tests'"
