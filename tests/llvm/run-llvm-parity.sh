#!/usr/bin/env bash
# Issue-6 parity check, as CI runs it: LLVM 15's llvm/test configs (from Debian's
# llvm-toolchain-15 source package, scripts/fetch-llvm-tests.sh) are translated by
# `litbox translate` against a site config for Debian's llvm-15 tools, and litbox runs
# FileCheck, tools/split-file, tools/yaml2obj and Bitcode with the sandbox on; every test must
# get lit 15's result code (scripts/compare-with-lit).
# Usage: run-llvm-parity.sh LITBOX WORK_DIR
# LITBOX_PARITY_DIRS="Analysis Transforms tools ..." compares those llvm/test directories
# instead (each in its own compare-with-lit run, so every directory gets its own counts and
# wall-time ratio); a directory outside the usual ones has the whole of llvm/test fetched
# (scripts/fetch-llvm-tests.sh, LITBOX_LLVM_TESTS=all, about 600 MB). Exit 1 if any differs.
set -euo pipefail
litbox=$1
work=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
src=$root/third_party/llvm-src
read -r -a dirs <<<"${LITBOX_PARITY_DIRS:-FileCheck tools/split-file tools/yaml2obj Bitcode}"
if [ ! -f "$src/.complete" ]; then
  "$root/scripts/fetch-llvm-tests.sh" "$src"
fi
for d in "${dirs[@]}"; do
  if [ ! -d "$src/llvm/test/$d" ] && [ ! -f "$src/.complete-all" ]; then
    LITBOX_LLVM_TESTS=all "$root/scripts/fetch-llvm-tests.sh" "$src"
  fi
done
# A fresh copy: the translation writes YAML beside the Python configs.
rm -rf "$work"
mkdir -p "$work/src/llvm"
cp -r "$src/llvm/test" "$work/src/llvm/"
cp -r "$src/llvm/utils" "$work/src/llvm/" 2>/dev/null || true
# Only lit's Python configs: any YAML there was written by other tools.
find "$work/src" \( -name lit.yaml -o -name lit.local.yaml -o -name lit.site.yaml \) -delete
"$root/scripts/llvm/make-lit-site-config" --src "$work/src/llvm" --build "$work/build" --python /usr/bin/python3
"$litbox" translate "$work/build/test"
compare() {
  "$root/scripts/compare-with-lit" --lit "$work/build/bin/llvm-lit" --litbox "$litbox" \
    --litbox-arg=--sandbox=require "$@"
}
if [ -z "${LITBOX_PARITY_DIRS:-}" ]; then
  compare "${dirs[@]/#/$work/src/llvm/test/}"
  exit
fi
rc=0
for d in "${dirs[@]}"; do
  echo "== $d"
  compare "$work/src/llvm/test/$d" || rc=1
done
exit $rc
