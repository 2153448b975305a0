#!/usr/bin/env bash
# libc++ 15's own tests (format: libcxx) run by lit 15 and by litbox on the same machine, test
# by test, three ways, with wall times in one run:
#   native  - Debian's libc++ 15 and clang-15 (lit: run.py; litbox: its local executor)
#   qemu    - built for aarch64 against Debian's arm64 libc++ 15, run under QEMU user mode
#             (lit: tests/libcxx's qemu_run.py executor; litbox: its own transparent QEMU)
#   device  - the same aarch64 build, run on the simulated aarch64 device (tests/device:
#             sshd in namespaces, binfmt_misc QEMU) over ssh (lit: libc++'s utils/ssh.py, scp
#             then ssh per test; litbox: executor batch, all binaries shipped in batches)
# Each prints lit's and litbox's codes side by side (a difference fails the script) and the
# wall times with their ratio. The subset is tests/libcxx/subset.txt (150 tests of every kind)
# unless --list names another list (paths relative to libcxx/test).
# Usage: bench/libcxx.sh [--list FILE] [-j N] [--only native|qemu|device] [LITBOX]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
list=$root/tests/libcxx/subset.txt
jobs=${JOBS:-2}
only=""
while [ $# -gt 0 ]; do
  case $1 in
    --list) list=$(realpath "$2"); shift 2 ;;
    -j) jobs=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) LITBOX=$(realpath "$1"); shift ;;
  esac
done
bench_need_litbox
die() { echo "libcxx bench: $*" >&2; exit 1; }
skip() { die "$*"; }
# Outside /tmp: sandbox cells shadow /tmp, and the device must see the same tree as the cells.
work=/var/tmp/litbox-libcxx-bench.$$
rm -rf "$work" && mkdir -p "$work/keys" "$work/remote"
# shellcheck source=../tests/device/device-lib.sh
. "$root/tests/device/device-lib.sh"
trap 'stop_device; if [ -z "${LITBOX_BENCH_KEEP:-}" ]; then rm -rf "$work"; else echo "kept $work"; fi' EXIT
bench_print_machine_facts "$work"
echo "list: $list ($(grep -cv '^\s*\(#\|$\)' "$list") test paths or directories), -j $jobs"
status=0
src=$root/third_party/llvm-src
"$root/scripts/fetch-llvm-tests.sh" "$src" >/dev/null
arm64_root=$root/third_party/libcxx-arm64-root
# lit's aarch64 codes recorded for this list (LIST.aarch64.lit-codes beside it), whose marked
# entries are differences explained there; else the subset's.
aarch64_codes=${list%.txt}.aarch64.lit-codes
[ -f "$aarch64_codes" ] || aarch64_codes=$root/tests/libcxx/subset.aarch64.lit-codes

run() {  # NAME COMPARE-ARGS...
  local name=$1; shift
  echo "== $name"
  if "$root/tests/libcxx/compare.sh" "$LITBOX" -j "$jobs" --list "$list" --out "$work/$name" "$@" > "$work/$name.log" 2>&1; then
    :
  else
    status=1
    grep '<<< differs' "$work/$name.log" | head -20 || true
  fi
  grep -E '^(lit|litbox): |^[0-9]+ difference' "$work/$name.log" | sed 's/^/  /'
  local lw bw
  lw=$(sed -n 's/^lit: .*(\([0-9]*\)s)$/\1/p' "$work/$name.log")
  bw=$(sed -n 's/^litbox: .*(\([0-9]*\)s)$/\1/p' "$work/$name.log")
  [ -n "$lw" ] && [ -n "$bw" ] && echo "  wall: lit ${lw}s, litbox ${bw}s, litbox/lit $(ratio "$bw" "$lw")"
}

[ -z "$only" ] || [ "$only" = native ] && run native --build "$work/build-native"
if [ -z "$only" ] || [ "$only" = qemu ]; then
  ARM64_ROOT=$arm64_root run qemu --target aarch64 --build "$work/build-qemu" \
    --recorded "$aarch64_codes"
fi
if [ -z "$only" ] || [ "$only" = device ]; then
  "$root/tests/libcxx/setup-arm64-root.sh" "$arm64_root" >/dev/null
  start_device
  echo "device: sshd on 127.0.0.1:$port"
  key=$work/keys/client_key
  opts="-F none -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR"
  # lit: libc++'s own ssh.py, as a libc++ build configured with LIBCXX_EXECUTOR runs a board.
  ARM64_ROOT=$arm64_root \
  LIBCXX_EXECUTOR="\\\"$PYTHON\\\" $src/libcxx/utils/ssh.py --host root@127.0.0.1 --tempdir $work/remote --extra-ssh-args \\\"-p $port -i $key $opts\\\" --extra-scp-args \\\"-P $port -i $key $opts\\\"" \
    "$root/tests/libcxx/setup-build.sh" "$src" "$work/build-device" --target aarch64 >/dev/null
  # litbox: the translation's target (ssh, host only: ssh.py's extra arguments have no
  # counterpart) completed with the device's facts, as a site config for a board would say.
  "$root/scripts/lit-to-yaml" "$work/build-device/test/lit.site.cfg" > "$work/translate-device.out" 2>&1 || true
  site=$work/build-device/test/lit.site.yaml
  python3 - "$site" "$port" "$key" "$work/remote" <<'PY'
import re, sys
site, port, key, remote = sys.argv[1:]
text = open(site).read()
block = ("target:\n  executor: batch\n  ssh:\n    host: 127.0.0.1\n    user: root\n    port: %s\n"
         "    identity: %s\n    work_dir: %s\n"
         "    options: [StrictHostKeyChecking=no, UserKnownHostsFile=/dev/null, LogLevel=ERROR]\n"
         % (port, key, remote))
text, n = re.subn(r'^target: .*\n', block, text, flags=re.M)
if n != 1:
    sys.exit('no target: line in ' + site)
open(site, 'w').write(text)
PY
  run device --target aarch64 --build "$work/build-device" --recorded "$aarch64_codes"
  stop_device
fi
exit $status
