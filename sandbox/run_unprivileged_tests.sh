#!/bin/sh
# Runs the sandbox tests again as an unprivileged user (nobody), the way most people run
# litbox: no CAP_SYS_ADMIN anywhere, one uid to map, RLIMIT_NPROC instead of cgroups.
# Usage: run_unprivileged_tests.sh TEST_BINARY WORK_DIR. Exits 77 (skipped) unless root, or
# fails then with LITBOX_REQUIRE_SANDBOX=1 (CI).
set -e
skip() {
  echo "$*"
  [ "${LITBOX_REQUIRE_SANDBOX:-}" = 1 ] && { echo "LITBOX_REQUIRE_SANDBOX=1: failing instead of skipping"; exit 1; }
  exit 77
}
[ "$(id -u)" = 0 ] || skip "not root: cannot switch to an unprivileged user"
command -v setpriv >/dev/null || skip "setpriv is not installed"
mkdir -p "$2"
chmod 1777 "$2"
cd "$2"
exec setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/nonexistent TMPDIR="$(pwd)" "$1"
