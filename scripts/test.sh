#!/usr/bin/env bash
# Quick start 2: install dependencies, build, and run every test (unit tests and litbox's
# own end-to-end suites, which run the built binary and check it with LLVM's FileCheck), then
# the unit and end-to-end tests under sanitizers, then the fuzzers.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
# LLVM 15's test sources (Debian's llvm-toolchain-15 source package) for the parity tests.
"$root/scripts/fetch-llvm-tests.sh"
(cd "$root/build" && ctest --output-on-failure -j "$(nproc)" "$@")
# The unit tests and end-to-end suites again, built under ASan (with LeakSanitizer) and UBSan
# in build-asan/, which the fuzzers below share.
"$root/scripts/sanitize.sh"
# The parsers of what users write (shell lines, feature expressions, test files, Python
# regexes, YAML configs) under libFuzzer with ASan and UBSan, a bounded time each.
"$root/scripts/fuzz.sh" "${LITBOX_FUZZ_SECONDS:-30}"
