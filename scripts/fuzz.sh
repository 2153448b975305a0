#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang (ASan + UBSan; scripts/build-sanitized.sh,
# in build-asan/) and runs each for SECONDS (default 30) on a scratch copy of its seed corpus
# (fuzz/corpus/<name>/). Exit status 1 when any target crashed, leaked or hit undefined
# behaviour: its reproducer is left in build-asan/crashes/ and the first lines of the report
# are printed.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]     (env: CXX_FUZZ, default clang++-14)
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-30}
shift || true
build=${LITBOX_ASAN_BUILD_DIR:-$root/build-asan}
"$root/scripts/build-sanitized.sh" fuzzers >/dev/null || { "$root/scripts/build-sanitized.sh" fuzzers | tail -30; exit 2; }
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(sh_parser feature_expr test_file python_regex yaml_config)
mkdir -p "$build/crashes"
status=0
for t in "${targets[@]}"; do
  corpus=$(mktemp -d)
  cp "$root/fuzz/corpus/$t/"* "$corpus/"
  log=$build/crashes/$t.log
  # -rss_limit_mb: a parser must not need more; -timeout: nor take a second on one input.
  "$build/bin/fuzz_$t" -max_total_time="$secs" -rss_limit_mb=1024 -timeout=5 -print_final_stats=1 \
    -artifact_prefix="$build/crashes/$t-" "$corpus" > "$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  if [ $rc -eq 0 ]; then
    echo "fuzz $t: ${runs:-?} inputs in ${secs}s, $cov, no crash"
  else
    echo "fuzz $t: FAILED (exit $rc) after ${runs:-?} inputs; reproducer and log in $build/crashes/"
    grep -m1 -A12 -E "ERROR: |runtime error|SUMMARY" "$log" | head -20
    status=1
  fi
  rm -rf "$corpus"
done
exit $status
