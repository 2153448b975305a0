#!/usr/bin/env bash
# Installs every build, test and run-time dependency of litbox from Debian 12's repositories.
# Idempotent; must run as root (or with sudo available).
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
PKGS=(
  build-essential cmake ninja-build pkg-config
  libyaml-cpp-dev libboost-dev libseccomp-dev libgtest-dev libgmock-dev
  libpcre2-dev libcli11-dev nlohmann-json3-dev
  llvm-15-tools llvm-15 python3
  qemu-user gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross
  gcc-riscv64-linux-gnu libc6-dev-riscv64-cross
  openssh-server openssh-client uidmap iproute2 procps util-linux
  python3-psutil python3-jsonschema hyperfine
  libssl-dev busybox
  man-db  # install_example renders the installed man page with man -l
  clang-14 libclang-rt-14-dev  # scripts/fuzz.sh: libFuzzer, ASan, UBSan
  clang-15 libc++-15-dev libc++abi-15-dev  # libc++'s own tests (tests/libcxx), format: libcxx
  slurm-wlm munge  # the slurm ctest (tests/slurm): a private single-node Slurm
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
