#!/usr/bin/env bash
# Before and after a change, in one run: lit, an older litbox ($LITBOX_BEFORE) and this
# litbox ($LITBOX) run the trivial suite of bench/trivial.sh (N tests, -j$JOBS) alternately,
# round by round, in each regime trivial.sh measures. Prints per regime the three medians and
# the ratios before/lit, after/lit and after/before, and the machine facts beside them.
# Usage: LITBOX_BEFORE=/path/to/old/litbox bench/before-after.sh [N_TESTS]   (env: bench/lib.sh)
# The older binary is usually a build of an earlier commit:
#   git worktree add /tmp/before <commit> && cmake -S /tmp/before -B /tmp/before/build -G Ninja \
#     -DCMAKE_BUILD_TYPE=Release && ninja -C /tmp/before/build litbox
set -uo pipefail
source "$(dirname "$0")/lib.sh"
bench_need_litbox
if [ -z "${LITBOX_BEFORE:-}" ] || [ ! -x "$LITBOX_BEFORE" ]; then
  echo "set LITBOX_BEFORE to the older litbox binary" >&2
  exit 2
fi
n=${1:-2000}
dir=$BENCH_WORK/trivial-$n

# three LABEL: runs lit, before and after ROUNDS times each, alternating (after one untimed
# warm-up of each), $BENCH_PREP evaluated untimed before every run; $ARGS are litbox's
# arguments, $SUITE the suite directory.
three() {
  local label=$1 i t r
  local -a tl=() tb=() ta=()
  local -A fails=([lit]=0 [before]=0 [after]=0)
  local -A cmd=([lit]="'$PYTHON' '$LIT' -q -j$JOBS '$SUITE'"
                [before]="'$LITBOX_BEFORE' -q -j$JOBS $ARGS '$SUITE'"
                [after]="'$LITBOX' -q -j$JOBS $ARGS '$SUITE'")
  for r in lit before after; do
    [ -n "${BENCH_PREP:-}" ] && bash -c "$BENCH_PREP"
    wall_of bash -c "${cmd[$r]}" >/dev/null
  done
  for ((i = 0; i < ROUNDS; i++)); do
    for r in lit before after; do
      [ -n "${BENCH_PREP:-}" ] && bash -c "$BENCH_PREP"
      t=$(wall_of bash -c "${cmd[$r]}")
      [ "${t#* }" != 0 ] && fails[$r]=$((fails[$r] + 1))
      case $r in lit) tl+=("${t% *}") ;; before) tb+=("${t% *}") ;; after) ta+=("${t% *}") ;; esac
    done
  done
  local ml mb ma note=""
  ml=$(median "${tl[@]}"); mb=$(median "${tb[@]}"); ma=$(median "${ta[@]}")
  for r in lit before after; do [ "${fails[$r]}" -gt 0 ] && note+=" [$r failed ${fails[$r]}/$ROUNDS runs]"; done
  echo "$label: lit $(fmt_s "$ml") before $(fmt_s "$mb") after $(fmt_s "$ma") (medians of $ROUNDS)$note" \
       "before/lit $(ratio "$mb" "$ml") after/lit $(ratio "$ma" "$ml") after/before $(ratio "$ma" "$mb")"
}

if [ "${TRIVIAL_IN_TMPFS:-}" != 1 ]; then
  bench_print_machine_facts "$BENCH_WORK"
  echo "before: $LITBOX_BEFORE"
  echo "after:  $LITBOX"
  bench_make_trivial_suite "$dir"
  bench_make_trivial_suite "$dir-fresh" "sandbox: {reuse_cells: false}"
  SUITE=$dir ARGS=--sandbox=require BENCH_PREP="rm -rf '$dir'/d*/Output; sync" \
    three "trivial $n tests, -j$JOBS, sandbox required"
  SUITE=$dir ARGS=--sandbox=require BENCH_PREP="sync" three "trivial $n tests, -j$JOBS, sandbox required, rerun"
  SUITE=$dir-fresh ARGS=--sandbox=require BENCH_PREP="rm -rf '$dir-fresh'/d*/Output; sync" \
    three "trivial $n tests, -j$JOBS, sandbox required, a new cell per test"
  SUITE=$dir ARGS=--sandbox=off BENCH_PREP="rm -rf '$dir'/d*/Output; sync" three "trivial $n tests, -j$JOBS, sandbox off"
  if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
    TRIVIAL_IN_TMPFS=1 unshare -m --propagation private bash "$0" "$n"
  else
    echo "trivial $n tests, -j$JOBS, on tmpfs: not measured (a private tmpfs mount needs root)"
  fi
else
  tmpfs=$BENCH_WORK/tmpfs-$$
  mkdir -p "$tmpfs" && mount -t tmpfs -o size=256m tmpfs "$tmpfs" || exit 1
  bench_make_trivial_suite "$tmpfs/trivial-$n"
  SUITE=$tmpfs/trivial-$n ARGS=--sandbox=require BENCH_PREP="rm -rf '$tmpfs/trivial-$n'/d*/Output" \
    three "trivial $n tests, -j$JOBS, sandbox required, on tmpfs"
  umount "$tmpfs" && rmdir "$tmpfs"
fi
