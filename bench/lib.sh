# Shared helpers of the bench/ scripts (sourced, not run).
#
# Environment (all optional):
#   LITBOX       litbox binary (default: build-bench/bin/litbox, else build/bin/litbox)
#   LIT          lit 15's lit.py (default: Debian's /usr/lib/llvm-15/build/utils/lit/lit.py)
#   PYTHON       interpreter for lit (default /usr/bin/python3, as Debian's lit uses)
#   ROUNDS       timed rounds per runner (default 5); the median is reported
#   JOBS         workers for both runners (default 2)
#   BENCH_WORK   where generated inputs go (default /tmp/litbox-bench)
#
# Timing is plain `date +%s.%N` around each process, runners alternating round by round so
# that machine noise hits both alike. Nothing here asserts on time: a slow figure is printed.

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-/usr/bin/python3}
LIT=${LIT:-/usr/lib/llvm-15/build/utils/lit/lit.py}
ROUNDS=${ROUNDS:-5}
JOBS=${JOBS:-2}
BENCH_WORK=${BENCH_WORK:-/tmp/litbox-bench}
if [ -z "${LITBOX:-}" ]; then
  for d in build-bench build; do
    if [ -x "$BENCH_ROOT/$d/bin/litbox" ]; then LITBOX=$BENCH_ROOT/$d/bin/litbox; break; fi
  done
fi

bench_need_litbox() {
  if [ -z "${LITBOX:-}" ] || [ ! -x "$LITBOX" ]; then
    echo "no litbox binary (build it: ninja -C build-bench litbox, or set LITBOX=...)" >&2
    exit 2
  fi
}

# wall_of CMD...: runs CMD, its output to $BENCH_LOG when set (else /dev/null); prints
# "<wall seconds> <exit status>" (callers run it in $(...), so the status travels in the text).
wall_of() {
  local start end rc
  start=$(date +%s.%N)
  "$@" >"${BENCH_LOG:-/dev/null}" 2>&1
  rc=$?
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" -v rc="$rc" 'BEGIN { printf "%.4f %d\n", e - s, rc }'
}

# median NUMBERS...
median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# ratio A B: A / B with two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f\n", a / b; else print "inf" }'; }

# fmt_s SECONDS: "1.234s" (or "12.3ms" below one second).
fmt_s() { awk -v s="$1" 'BEGIN { if (s < 1) printf "%.1fms\n", s * 1000; else printf "%.3fs\n", s }'; }

# compare_alternating LABEL PEER_NAME "PEER CMD" "LITBOX CMD" [ROUNDS]
# Runs peer and litbox alternately ROUNDS times (after one untimed warm-up of each) and prints
#   LABEL: PEER_NAME <median> litbox <median> [failures] ratio (litbox/PEER_NAME) <r>
# The commands are strings evaluated by bash (so they may hold env assignments and quotes).
# If BENCH_PREP is set, it is evaluated (untimed) before every run, e.g. to delete Output/.
# BENCH_NAME names the second command in the line (default: litbox).
compare_alternating() {
  local label=$1 peer=$2 peer_cmd=$3 box_cmd=$4 rounds=${5:-$ROUNDS} name=${BENCH_NAME:-litbox}
  local -a tp=() tb=()
  local fails_p=0 fails_b=0 i t
  mkdir -p "$BENCH_WORK"
  local log=$BENCH_WORK/last-run.log
  # Warm-up (untimed), then alternate. A failing run's output is kept in
  # $BENCH_WORK/failed-<runner>.log for a look afterwards.
  [ -n "${BENCH_PREP:-}" ] && bash -c "$BENCH_PREP"
  wall_of bash -c "$peer_cmd" >/dev/null
  [ -n "${BENCH_PREP:-}" ] && bash -c "$BENCH_PREP"
  wall_of bash -c "$box_cmd" >/dev/null
  for ((i = 0; i < rounds; i++)); do
    [ -n "${BENCH_PREP:-}" ] && bash -c "$BENCH_PREP"
    t=$(BENCH_LOG=$log wall_of bash -c "$peer_cmd")
    tp+=("${t% *}")
    if [ "${t#* }" != 0 ]; then fails_p=$((fails_p + 1)); cp "$log" "$BENCH_WORK/failed-$peer.log"; fi
    [ -n "${BENCH_PREP:-}" ] && bash -c "$BENCH_PREP"
    t=$(BENCH_LOG=$log wall_of bash -c "$box_cmd")
    tb+=("${t% *}")
    if [ "${t#* }" != 0 ]; then fails_b=$((fails_b + 1)); cp "$log" "$BENCH_WORK/failed-litbox.log"; fi
  done
  local mp mb note=""
  mp=$(median "${tp[@]}")
  mb=$(median "${tb[@]}")
  [ "$fails_p" -gt 0 ] && note+=" [$peer failed $fails_p/$rounds runs: $BENCH_WORK/failed-$peer.log]"
  [ "$fails_b" -gt 0 ] && note+=" [$name failed $fails_b/$rounds runs: $BENCH_WORK/failed-litbox.log]"
  echo "$label: $peer $(fmt_s "$mp") $name $(fmt_s "$mb") (median of $rounds)$note ratio ($name/$peer) $(ratio "$mb" "$mp")"
}

# The LLVM 15 test tree and its lit/litbox configs (scripts/fetch-llvm-tests.sh,
# scripts/llvm/make-lit-site-config, scripts/llvm/make-litbox-config), made when missing.
LLVM_SRC=$BENCH_ROOT/third_party/llvm-src/llvm
LLVM_BUILD=$BENCH_ROOT/third_party/llvm-build
bench_need_llvm_tests() {
  if [ ! -f "$LLVM_SRC/test/lit.cfg.py" ]; then
    "$BENCH_ROOT/scripts/fetch-llvm-tests.sh" >&2 || exit 2
  fi
  if [ ! -x "$LLVM_BUILD/bin/llvm-lit" ]; then
    "$BENCH_ROOT/scripts/llvm/make-lit-site-config" >/dev/null || exit 2
  fi
  if [ ! -f "$LLVM_BUILD/test/lit.site.yaml" ] || [ ! -f "$LLVM_SRC/test/lit.yaml" ]; then
    "$BENCH_ROOT/scripts/llvm/make-litbox-config" >/dev/null || exit 2
  fi
}

# bench_make_trivial_suite DIR [EXTRA_LIT_YAML_LINE]: $n (the caller's; default 2000) trivial tests
# (`RUN: echo hello > %t` + `RUN: true`) in 20 directories, with lit.cfg (lit's internal
# shell) and lit.yaml (format: sh) side by side. Made once (DIR/.complete).
# bench_suite_configs DIR NAME: a fresh DIR with lit.cfg (lit's internal shell, suffix .test)
# and the equivalent lit.yaml (format: sh).
bench_suite_configs() {
  local dir=$1 name=$2
  # Never the filesystem root: a lit.yaml there makes every path outside a suite part of one.
  case $dir in "" | /) echo "bench_suite_configs: refusing directory '$dir'" >&2; return 1 ;; esac
  rm -rf "$dir"
  mkdir -p "$dir"
  printf "import lit.formats\nconfig.name = '%s'\nconfig.test_format = lit.formats.ShTest(execute_external=False)\nconfig.suffixes = ['.test']\n" \
    "$name" > "$dir/lit.cfg"
  printf 'name: %s\nformat: sh\nsuffixes: [.test]\n' "$name" > "$dir/lit.yaml"
}

bench_make_trivial_suite() {
  local dir=$1 extra=${2:-} n=${n:-2000}
  [ -f "$dir/.complete" ] && return
  bench_suite_configs "$dir" trivial
  [ -n "$extra" ] && echo "$extra" >> "$dir/lit.yaml"
  local d i
  # 20 directories of n/20 tests: a realistic shape for discovery and Output/ creation.
  for ((d = 0; d < 20; d++)); do mkdir -p "$dir/d$d"; done
  for ((i = 0; i < n; i++)); do
    printf 'RUN: echo hello > %%t\nRUN: true\n' > "$dir/d$((i % 20))/t$i.test"
  done
  touch "$dir/.complete"
}

# bench_print_machine_facts DIR: what changes the figures, printed beside them: kernel, CPUs,
# memory, load, and the file system (type, mount options) that DIR (the outputs) lives on.
bench_print_machine_facts() {
  local dir=$1 src fstype opts
  mkdir -p "$dir"
  read -r src fstype opts < <(findmnt -n -o SOURCE,FSTYPE,OPTIONS --target "$dir" 2>/dev/null)
  echo "machine: $(uname -sr), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')), $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "outputs: $dir on $fstype ($src) mounted $opts"
}

# measure_rss CMD...: runs it under /usr/bin/time -v; prints "<wall seconds> <max RSS KiB> <rc>".
measure_rss() {
  # Wall time from date (time -v has 10 ms resolution), peak RSS from time -v.
  local out rc tmp w
  tmp=$(mktemp)
  w=$(wall_of /usr/bin/time -v -o "$tmp" "$@")
  w=${w% *}
  out=$(cat "$tmp"); rm -f "$tmp"
  rc=$(printf '%s\n' "$out" | sed -n 's/^\s*Exit status: //p')
  printf '%s\n' "$out" | awk -v rc="${rc:-?}" -v w="$w" '
    /Maximum resident set size/ { m = $NF }
    END { printf "%.4f %d %s\n", w, m, rc }'
}
