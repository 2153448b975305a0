#!/usr/bin/env bash
# Unpacks Debian 12's arm64 libc++ 15 (libraries and headers) into a private root, for building
# libc++'s tests for aarch64 with clang-15 and running them under QEMU or on an aarch64 target.
# The arm64 packages cannot be installed beside the amd64 ones (dpkg refuses: same paths
# under /usr/lib/llvm-15/lib), so they are downloaded (arm64 is added to dpkg's architectures
# for that, then removed again) and unpacked with dpkg-deb -x.
# Usage: tests/libcxx/setup-arm64-root.sh ROOT     (idempotent; needs root or sudo for apt)
set -euo pipefail
root=$1
[ -f "$root/.complete" ] && { echo "arm64 libc++ root: $root"; exit 0; }
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
pkgs=(libc++1-15 libc++abi1-15 libc++-15-dev libc++abi-15-dev libunwind-15 libunwind-15-dev)
dl=$(mktemp -d)
trap 'rm -rf "$dl"' EXIT
added=""
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  $SUDO dpkg --add-architecture arm64
  added=1
fi
restore() {
  if [ -n "$added" ]; then
    $SUDO dpkg --remove-architecture arm64 || true
    $SUDO apt-get update -qq || true
  fi
}
status=0
{ $SUDO apt-get update -qq && (cd "$dl" && chmod 777 . && apt-get download -qq "${pkgs[@]/%/:arm64}"); } || status=$?
restore
[ "$status" -eq 0 ] || { echo "setup-arm64-root: downloading ${pkgs[*]} (arm64) failed" >&2; exit 1; }
mkdir -p "$root"
for deb in "$dl"/*.deb; do dpkg-deb -x "$deb" "$root"; done
[ -e "$root/usr/lib/llvm-15/lib/libc++.so.1" ] || { echo "setup-arm64-root: no libc++.so.1 in $root" >&2; exit 1; }
touch "$root/.complete"
echo "arm64 libc++ root: $root"
