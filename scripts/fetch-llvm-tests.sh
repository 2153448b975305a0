#!/usr/bin/env bash
# Fetches LLVM 15's test sources from Debian's llvm-toolchain-15 source package and unpacks
# the llvm/test directories litbox is compared on (and lit's own sources and tests), and
# libc++'s test suite: libcxx/test, libcxx/utils, libcxx/include and libcxxabi/include
# (tests/libcxx/setup-build.sh, tests/libcxx/compare.sh).
# Usage: scripts/fetch-llvm-tests.sh [DEST]   (default: third_party/llvm-src)
# Markers: DEST/.complete (the LLVM part), DEST/.complete-libcxx (the libc++ part); a DEST
# fetched before the libc++ part existed gets only that part.
# LLVM_ORIG_TARBALL=PATH uses that orig tarball instead of downloading one.
# LITBOX_LLVM_TESTS=all also unpacks the rest of llvm/test (about 600 MB: CodeGen, Transforms,
# MC, ...) and llvm/utils' scripts the tools/UpdateTestChecks tests run; marker
# DEST/.complete-all. For parity sweeps (tests/llvm/run-llvm-parity.sh, LITBOX_PARITY_DIRS).
# Adds a deb-src entry derived from the machine's existing apt sources if there is none.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:-$root/third_party/llvm-src}
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo

need_llvm=1; need_libcxx=1; need_all=0
[ -f "$dest/.complete" ] && need_llvm=0
[ -f "$dest/.complete-libcxx" ] && need_libcxx=0
[ "${LITBOX_LLVM_TESTS:-}" = all ] && [ ! -f "$dest/.complete-all" ] && need_all=1
if [ $need_llvm = 0 ] && [ $need_libcxx = 0 ] && [ $need_all = 0 ]; then echo "$dest already fetched"; exit 0; fi
[ $need_all = 1 ] && need_llvm=0  # the whole of llvm/test holds the usual part

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# LLVM_ORIG_TARBALL: an llvm-toolchain-15_*.orig.tar.xz already at hand (no apt-get source).
orig=${LLVM_ORIG_TARBALL:-}
if [ -z "$orig" ]; then
  if ! apt-get indextargets 2>/dev/null | grep -q 'Identifier: Sources'; then
    src=/etc/apt/sources.list.d/litbox-deb-src.sources
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
      # deb822: copy every Debian stanza with Types: deb-src.
      sed -e 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources | $SUDO tee "$src" >/dev/null
    elif [ -f /etc/apt/sources.list ]; then
      grep -E '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' | $SUDO tee /etc/apt/sources.list.d/litbox-deb-src.list >/dev/null
    fi
    $SUDO apt-get update -qq
  fi

  (cd "$work" && apt-get source --download-only -qq llvm-toolchain-15 >/dev/null)
  orig=$(ls "$work"/llvm-toolchain-15_*.orig.tar.xz | head -1)
fi
mkdir -p "$dest"
if [ $need_llvm = 1 ]; then
  # Only what litbox is compared on: llvm/test (configs and the directories), lit itself.
  tar -xJf "$orig" -C "$dest" --strip-components=1 --wildcards \
    '*/llvm/test/lit.cfg.py' '*/llvm/test/lit.site.cfg.py.in' '*/llvm/test/FileCheck/*' \
    '*/llvm/test/tools/split-file/*' '*/llvm/test/tools/yaml2obj/*' '*/llvm/test/Bitcode/*' \
    '*/llvm/test/Assembler/*' '*/llvm/test/tools/llvm-objdump/*' '*/llvm/utils/lit/*'
  touch "$dest/.complete"
fi
if [ $need_all = 1 ]; then
  tar -xJf "$orig" -C "$dest" --strip-components=1 --wildcards '*/llvm/test/*' '*/llvm/utils/lit/*' \
    '*/llvm/utils/*.py' '*/llvm/utils/UpdateTestChecks/*'
  touch "$dest/.complete" "$dest/.complete-all"
fi
if [ $need_libcxx = 1 ]; then
  # libc++'s tests with their configs and test-format code, and the headers (the build dir
  # of tests/libcxx/setup-build.sh uses Debian's installed ones; these are for reference
  # and for a build against the sources).
  # (Named from the tarball's top directory: '*/libcxx/...' would also match llvm/utils/gn.)
  top=$(basename "$orig" .orig.tar.xz)
  tar -xJf "$orig" -C "$dest" --strip-components=1 \
    "$top/libcxx/test" "$top/libcxx/utils" "$top/libcxx/include" "$top/libcxxabi/include"
  touch "$dest/.complete-libcxx"
fi
echo "LLVM 15 test sources in $dest"
