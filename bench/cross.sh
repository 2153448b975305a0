#!/usr/bin/env bash
# 200 static aarch64 test binaries: litbox running them transparently (a suite whose RUN lines
# name the binaries as if they were native; QEMU picked by ELF machine) against a bare shell
# loop of `qemu-aarch64 BIN`. Target (benchmarks.md): ≤ 1.1× the bare loop. Prints the figure
# with the sandbox required (binfmt_misc inside each cell) and off (ELF sniffing + prefix).
# Usage: bench/cross.sh [N_BINARIES]     (env: see bench/lib.sh)
set -uo pipefail
source "$(dirname "$0")/lib.sh"
bench_need_litbox
n=${1:-200}
qemu=$(command -v qemu-aarch64 || true)
cc=$(command -v aarch64-linux-gnu-gcc || true)
if [ -z "$qemu" ] || [ -z "$cc" ]; then
  echo "cross: needs qemu-aarch64 and aarch64-linux-gnu-gcc (scripts/install-deps.sh)"; exit 0
fi
# On disk, not tmpfs: a sandbox cell has its own /dev (so not /dev/shm).
dir=${BENCH_DISK_WORK:-/var/tmp/litbox-bench}/cross-$n
if [ ! -f "$dir/.complete" ]; then
  rm -rf "$dir"; mkdir -p "$dir/bins"
  printf '#include <stdio.h>\nint main(int c, char **v) { printf("ok %%s\\n", v[0]); return 0; }\n' > "$dir/p.c"
  "$cc" -static -O2 "$dir/p.c" -o "$dir/bins/b0" || exit 1
  for i in $(seq 1 $((n - 1))); do cp "$dir/bins/b0" "$dir/bins/b$i"; done
  printf 'name: cross\nformat: sh\nsuffixes: [.test]\nexcludes: [bins]\ntarget: {triple: aarch64-unknown-linux-gnu, executor: auto}\n' > "$dir/lit.yaml"
  for i in $(seq 0 $((n - 1))); do printf 'RUN: %%S/bins/b%d\n' "$i" > "$dir/t$i.test"; done
  touch "$dir/.complete"
fi
loop="for b in $dir/bins/b*; do $qemu \$b >/dev/null || exit 1; done"
BENCH_PREP="rm -rf $dir/Output"
export BENCH_PREP
compare_alternating "cross $n static aarch64 binaries, -j1, sandbox required" "bare-qemu-loop" \
  "bash -c '$loop'" "$LITBOX -q -j1 --sandbox=require $dir"
compare_alternating "cross $n static aarch64 binaries, -j1, sandbox off" "bare-qemu-loop" \
  "bash -c '$loop'" "$LITBOX -q -j1 --sandbox=off $dir"
