#!/usr/bin/env bash
# Configures and builds litbox with clang under AddressSanitizer and UndefinedBehaviorSanitizer
# (LITBOX_SANITIZE, undefined behaviour stops the program) and the libFuzzer targets
# (LITBOX_FUZZ) into build-asan/: one build serves the sanitizer test job (scripts/sanitize.sh)
# and the fuzzers (scripts/fuzz.sh). -O1 with line tables: reports name file and line, and
# the build takes about as long as the normal one.
# Usage: scripts/build-sanitized.sh [ninja targets...]   (default: everything)
#        env: LITBOX_ASAN_BUILD_DIR (default build-asan/), CXX_FUZZ (default clang++-14)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${LITBOX_ASAN_BUILD_DIR:-$root/build-asan}
cxx=${CXX_FUZZ:-clang++-14}
cc=${cxx/clang++/clang}
command -v "$cxx" >/dev/null || { echo "build-sanitized: $cxx not found (apt-get install clang-14 libclang-rt-14-dev)" >&2; exit 2; }
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_FLAGS_RELEASE="-O1 -gline-tables-only" -DCMAKE_C_FLAGS_RELEASE="-O1 -gline-tables-only" \
    -DLITBOX_SANITIZE=ON -DLITBOX_FUZZ=ON -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_C_COMPILER="$cc" >/dev/null
fi
ninja -C "$build" "$@"
