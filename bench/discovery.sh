#!/usr/bin/env bash
# Discovery and planning of 20,000 tests: `--show-tests`, wall time and peak RSS measured by
# /usr/bin/time -v, lit vs litbox. Tests are spread over 200 directories, one in ten of them
# with a local config (lit.local.cfg / lit.local.yaml) adding a suffix, so local config
# loading is part of the work. Prints one line per figure ending in litbox/lit; targets
# (benchmarks.md): < 1 s and < 200 MB for litbox.
# Usage: bench/discovery.sh [N_TESTS]     (env: see bench/lib.sh; ROUNDS defaults to 3 here)
set -uo pipefail
source "$(dirname "$0")/lib.sh"
bench_need_litbox
n=${1:-20000}
rounds=${DISCOVERY_ROUNDS:-3}
dir=$BENCH_WORK/discovery-$n

if [ ! -f "$dir/.complete" ]; then
  rm -rf "$dir"
  mkdir -p "$dir"
  cat > "$dir/lit.cfg" <<'EOF'
import lit.formats
config.name = 'discovery'
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = ['.test', '.ll']
config.excludes = ['Inputs']
EOF
  printf 'name: discovery\nformat: sh\nsuffixes: [.test, .ll]\nexcludes: [Inputs]\n' > "$dir/lit.yaml"
  for ((d = 0; d < 200; d++)); do
    sd=$dir/g$((d / 20))/d$d
    mkdir -p "$sd/Inputs"
    echo "not a test" > "$sd/Inputs/input.test"
    if ((d % 10 == 0)); then
      echo "config.suffixes = ['.test', '.ll', '.mir']" > "$sd/lit.local.cfg"
      echo "suffixes: {add: [.mir]}" > "$sd/lit.local.yaml"
    fi
  done
  for ((i = 0; i < n; i++)); do
    d=$((i % 200))
    printf '; RUN: true\n' > "$dir/g$((d / 20))/d$d/t$i.test"
  done
  touch "$dir/.complete"
fi

declare -a lw=() lm=() bw=() bm=()
fails=""
for ((r = 0; r < rounds; r++)); do
  read -r w m rc < <(measure_rss "$PYTHON" "$LIT" --show-tests "$dir")
  lw+=("$w"); lm+=("$m"); [ "$rc" != 0 ] && fails+=" [lit exit $rc]"
  read -r w m rc < <(measure_rss "$LITBOX" --show-tests "$dir")
  bw+=("$w"); bm+=("$m"); [ "$rc" != 0 ] && fails+=" [litbox exit $rc]"
done
count_lit=$("$PYTHON" "$LIT" --show-tests "$dir" 2>/dev/null | grep -c '::')
count_box=$("$LITBOX" --show-tests "$dir" 2>/dev/null | grep -c '::')
mlw=$(median "${lw[@]}"); mbw=$(median "${bw[@]}")
mlm=$(median "${lm[@]}"); mbm=$(median "${bm[@]}")
echo "discovery --show-tests, $n tests (lit lists $count_lit, litbox $count_box)$fails: wall lit $(fmt_s "$mlw") litbox $(fmt_s "$mbw") ratio (litbox/lit) $(ratio "$mbw" "$mlw")"
echo "discovery --show-tests, $n tests: peak RSS lit $((mlm / 1024))MB litbox $((mbm / 1024))MB ratio (litbox/lit) $(ratio "$mbm" "$mlm")"
echo "discovery --show-tests, $n tests: litbox vs the 1s / 200MB targets ratio (wall/1s, rss/200MB) $(ratio "$mbw" 1) $(ratio "$mbm" 204800)"
