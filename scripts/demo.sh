#!/usr/bin/env bash
# Quick start 1: install dependencies, build, and run litbox on the bundled example suites
# (every test in its own sandbox cell; the cross example runs aarch64 binaries under QEMU).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
exec "$root/build/bin/litbox" -v --sandbox=require "$root/examples/basic" "$root/examples/cross-aarch64"
