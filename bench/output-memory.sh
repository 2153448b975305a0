#!/usr/bin/env bash
# Runner memory when tests print a lot: four failing tests, each writing SIZE bytes one way
# (the last command's stdout, a middle command's stderr, a file a failed command redirected
# to, and stdout with -v reporting), run with -v and a JSON report. Peak RSS from
# /usr/bin/time -v, lit vs litbox at the same SIZE, then litbox alone at 16x SIZE: its memory
# must not grow with the output (target: < 200 MB whatever tests print; lit keeps it all).
# Usage: bench/output-memory.sh [SIZE_MIB]   (default 64; env: see bench/lib.sh)
set -uo pipefail
source "$(dirname "$0")/lib.sh"
bench_need_litbox
mib=${1:-64}

make_suite() {  # make_suite DIR MIB
  local dir=$1 bytes=$(($2 * 1048576))
  bench_suite_configs "$dir" output-memory
  printf 'RUN: head -c %d /dev/zero | tr "\\\\0" x\nRUN: false\n' "$bytes" > "$dir/stdout.test"
  printf 'RUN: sh -c "head -c %d /dev/zero | tr \\"\\\\\\\\0\\" y >&2" | cat\nRUN: false\n' "$bytes" > "$dir/stderr.test"
  printf 'RUN: sh -c "head -c %d /dev/zero | tr \\"\\\\\\\\0\\" z; exit 1" > %%t.file\n' "$bytes" > "$dir/file.test"
  printf 'RUN: sh -c "head -c %d /dev/zero | tr \\"\\\\\\\\0\\" w; exit 3"\n' "$bytes" > "$dir/exit.test"
}

# peak RSS in MB of one run (the report goes to a file: writing it is part of the work)
rss_of() {
  local w m rc
  read -r w m rc < <(measure_rss "$@")
  echo "$((m / 1024)) $w $rc"
}

make_suite "$BENCH_WORK/output-memory" "$mib"
read -r lm lw lrc < <(rss_of "$PYTHON" "$LIT" -v -j "$JOBS" -o "$BENCH_WORK/output-memory.lit.json" "$BENCH_WORK/output-memory")
read -r bm bw brc < <(rss_of "$LITBOX" -v -j "$JOBS" -o "$BENCH_WORK/output-memory.litbox.json" "$BENCH_WORK/output-memory")
echo "output memory, 4 tests printing ${mib}MiB each (exit lit $lrc, litbox $brc): peak RSS lit ${lm}MB litbox ${bm}MB; wall lit $(fmt_s "$lw") litbox $(fmt_s "$bw") ratio (litbox/lit, RSS) $(ratio "$bm" "$lm")"
big=$((mib * 16))
make_suite "$BENCH_WORK/output-memory-big" "$big"
read -r bm2 bw2 brc2 < <(rss_of "$LITBOX" -v -j "$JOBS" -o "$BENCH_WORK/output-memory.litbox.json" "$BENCH_WORK/output-memory-big")
echo "output memory, 4 tests printing ${big}MiB each (exit $brc2): litbox peak RSS ${bm2}MB, wall $(fmt_s "$bw2"); vs the 200MB target ratio (rss/200MB) $(ratio "$bm2" 200)"
rm -rf "$BENCH_WORK/output-memory" "$BENCH_WORK/output-memory-big"
