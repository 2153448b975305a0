#!/bin/sh
# Runs the sandbox tests again as an unprivileged user (nobody), the way most people run
# litbox: no CAP_SYS_ADMIN anywhere, one uid to map, RLIMIT_NPROC instead of cgroups.
# Usage: run_unprivileged_tests.sh TEST_BINARY WORK_DIR. Exits 77 (skipped) unless root.
set -e
[ "$(id -u)" = 0 ] || { echo "not root: cannot switch to an unprivileged user"; exit 77; }
command -v setpriv >/dev/null || { echo "setpriv is not installed"; exit 77; }
mkdir -p "$2"
chmod 1777 "$2"
cd "$2"
exec setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/nonexistent "$1"
