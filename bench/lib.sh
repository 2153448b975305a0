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

# wall_of CMD...: runs CMD with output discarded; prints the wall seconds. The exit status of
# CMD is kept in BENCH_RC (a failing run is reported, not hidden, by the callers).
wall_of() {
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1
  BENCH_RC=$?
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.4f\n", e - s }'
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
compare_alternating() {
  local label=$1 peer=$2 peer_cmd=$3 box_cmd=$4 rounds=${5:-$ROUNDS}
  local -a tp=() tb=()
  local fails_p=0 fails_b=0 i t
  wall_of bash -c "$peer_cmd" >/dev/null
  wall_of bash -c "$box_cmd" >/dev/null
  for ((i = 0; i < rounds; i++)); do
    t=$(wall_of bash -c "$peer_cmd"); [ "$BENCH_RC" -ne 0 ] && fails_p=$((fails_p + 1)); tp+=("$t")
    t=$(wall_of bash -c "$box_cmd"); [ "$BENCH_RC" -ne 0 ] && fails_b=$((fails_b + 1)); tb+=("$t")
  done
  local mp mb note=""
  mp=$(median "${tp[@]}")
  mb=$(median "${tb[@]}")
  [ "$fails_p" -gt 0 ] && note+=" [$peer failed $fails_p/$rounds runs]"
  [ "$fails_b" -gt 0 ] && note+=" [litbox failed $fails_b/$rounds runs]"
  echo "$label: $peer $(fmt_s "$mp") litbox $(fmt_s "$mb") (median of $rounds)$note ratio (litbox/$peer) $(ratio "$mb" "$mp")"
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
