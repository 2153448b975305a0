#!/usr/bin/env bash
# The sanitizer job: every unit test and litbox's end-to-end suite (ctest labels `unit` and
# `e2e`: the gtest binaries, the sandbox's run as nobody, tests/e2e) run with litbox built under
# AddressSanitizer (with LeakSanitizer) and UndefinedBehaviorSanitizer, in build-asan/
# (scripts/build-sanitized.sh). A memory error, a leak at exit or undefined behaviour in litbox
# or in a unit test fails its test. The long comparisons with lit and the device suite run only
# in the normal build (scripts/test.sh), and so do the hostile suites, whose address-space limit
# an ASan binary cannot start under (sandbox/CMakeLists.txt).
# Usage: scripts/sanitize.sh [ctest args...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${LITBOX_ASAN_BUILD_DIR:-$root/build-asan}
"$root/scripts/build-sanitized.sh"
# Unit tests start real sshds, cells and QEMU: give the slower build room.
cd "$build" && ctest --output-on-failure -j "$(nproc)" -L '^(unit|e2e)$' --timeout 900 "$@"
