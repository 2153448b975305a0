#!/usr/bin/env bash
# Configures and builds litbox into build/ (binary: build/bin/litbox).
# Usage: scripts/build.sh [extra cmake args...]   (LITBOX_BUILD_DIR overrides build/;
#        LITBOX_BUILD_TYPE the CMake build type of a new build dir: RelWithDebInfo (default)
#        or Release, the same -O2 code without debug info)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${LITBOX_BUILD_DIR:-$root/build}
gen=()
command -v ninja >/dev/null && gen=(-G Ninja)
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" "${gen[@]}" -DCMAKE_BUILD_TYPE="${LITBOX_BUILD_TYPE:-RelWithDebInfo}" \
    -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" "$@"
fi
cmake --build "$build" -j "$(nproc)"
