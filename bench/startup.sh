#!/usr/bin/env bash
# Start-up: one trivial test, the whole runner process (discovery, config loading, one test,
# report, exit). Prints the medians and litbox/lit, and litbox's figure against the 30 ms
# target of benchmarks.md (as a ratio too: litbox/30ms).
# Usage: bench/startup.sh     (env: see bench/lib.sh; ROUNDS defaults to 21 here)
set -uo pipefail
source "$(dirname "$0")/lib.sh"
bench_need_litbox
rounds=${STARTUP_ROUNDS:-21}
dir=$BENCH_WORK/startup
if [ ! -f "$dir/lit.yaml" ]; then
  mkdir -p "$dir"
  cat > "$dir/lit.cfg" <<'EOF'
import lit.formats
config.name = 'startup'
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = ['.test']
EOF
  printf 'name: startup\nformat: sh\nsuffixes: [.test]\n' > "$dir/lit.yaml"
  printf 'RUN: true\n' > "$dir/one.test"
fi

lit_cmd="'$PYTHON' '$LIT' -q -j1 '$dir/one.test'"
line=$(compare_alternating "start-up, one test, sandbox required" lit "$lit_cmd" \
  "'$LITBOX' -q -j1 --sandbox=require '$dir/one.test'" "$rounds")
echo "$line"
compare_alternating "start-up, one test, sandbox off" lit "$lit_cmd" \
  "'$LITBOX' -q -j1 --sandbox=off '$dir/one.test'" "$rounds"
# The absolute target, as a ratio against 30 ms.
box=$(printf '%s\n' "$line" | sed -n 's/.* litbox \([0-9.]*\)\(ms\|s\) .*/\1 \2/p')
if [ -n "$box" ]; then
  set -- $box
  ms=$(awk -v v="$1" -v u="$2" 'BEGIN { printf "%.1f\n", (u == "s") ? v * 1000 : v }')
  echo "start-up, one test, sandbox required: litbox ${ms}ms vs the 30ms target ratio (litbox/target) $(ratio "$ms" 30)"
fi
