#!/bin/sh
# Runs the hostile suite with litbox and checks, from outside the sandbox, that every attempt
# was contained and every ordinary test still got its result.
#
#   run-hostile.sh LITBOX TESTCASE [WORK_DIR]
#
# LITBOX is the litbox binary, TESTCASE the litbox_sandbox_testcase helper (both in the build's
# bin/). The suite is copied to WORK_DIR (default: a new dir under the current one), so its
# Output dirs do not land in the source tree. Exits 0 when everything was contained.
set -u
if [ $# -lt 2 ]; then
  echo "usage: $0 LITBOX TESTCASE [WORK_DIR]" >&2
  exit 2
fi
litbox=$(realpath "$1")
testcase=$(realpath "$2")
suite_src=$(dirname "$(realpath "$0")")

# As root, a sandbox failure would let a mount attack cover the machine's own mounts: run
# everything in a private mount namespace, so that even then it stays in here.
if [ "$(id -u)" = 0 ] && [ -z "${LITBOX_HOSTILE_UNSHARED:-}" ]; then
  LITBOX_HOSTILE_UNSHARED=1 exec unshare -m --propagation private "$0" "$@"
fi

work=${3:-$(pwd)/hostile-run.$$}
# Every cell has its own /tmp: a canary below the host's /tmp would be shadowed there, and a
# write to its path would land in the cell's tmpfs instead of failing. Keep the run outside.
case "$(realpath -m "$work")" in
  /tmp|/tmp/*) work=/var/tmp/litbox-hostile-run.$$ ;;
esac
rm -rf "$work"
mkdir -p "$work/canary/secret" "$work/suite/Output"
work=$(realpath "$work")
cp "$suite_src"/lit.yaml "$suite_src"/*.test "$work/suite/"
echo original > "$work/canary/canary.txt"
echo "private key" > "$work/canary/secret/key.txt"
echo precious > "$work/suite/Output/preexisting.test.tmp"
marker=litbox-hostile-$$
failures=0
fail() {
  echo "NOT CONTAINED: $*"
  failures=$((failures + 1))
}

# A host loopback service that records every connection it accepts.
python3 - "$work/port" "$work/connections" <<'PY' &
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
while True:
    c, addr = s.accept()
    with open(sys.argv[2], "a") as f:
        f.write("connection from %s:%d\n" % addr)
    c.close()
PY
listener=$!
# A host process for the tests to try to kill.
sleep 100000 &
victim=$!
while [ ! -s "$work/port" ]; do sleep 0.1; done
port=$(cat "$work/port")

LITBOX_HOSTILE_SECRET=host-secret "$litbox" --sandbox=require -v --no-progress-bar \
  -D canary_dir="$work/canary" -D host_port="$port" -D victim="$victim" -D marker="$marker" \
  -D testcase="$testcase" --path "$(dirname "$testcase")" "$work/suite" > "$work/litbox.out" 2>&1
status=$?
cat "$work/litbox.out"

# 1. litbox says every test passed, sandboxed (no UNSUPPORTED: REQUIRES: sandbox held).
[ $status = 0 ] || fail "litbox exited with status $status"
total=$(ls "$work/suite"/*.test | wc -l)
grep -q "Passed *: *$total\$" "$work/litbox.out" || fail "not all $total tests passed"

# 1b. Reused cells: tests that leave traces for the next test of their directory, and tests
# that look for them, in order (-j1), so that each follows the other in the same cell.
mkdir -p "$work/reuse"
cp "$suite_src"/lit.yaml "$suite_src"/reuse/*.test "$work/reuse/"
"$litbox" --sandbox=require -v -j1 --no-progress-bar -D marker="$marker" -D testcase="$testcase" \
  --path "$(dirname "$testcase")" "$work/reuse" > "$work/reuse.out" 2>&1
reuse_status=$?
cat "$work/reuse.out"
[ $reuse_status = 0 ] || fail "litbox exited with status $reuse_status on the reused-cell tests"
reuse_total=$(ls "$work/reuse"/*.test | wc -l)
grep -q "Passed *: *$reuse_total\$" "$work/reuse.out" || fail "not all $reuse_total reused-cell tests passed"
# 2. Files outside the tests' outputs are untouched.
[ "$(cat "$work/canary/canary.txt")" = original ] || fail "canary.txt was modified"
[ "$(ls "$work/canary")" = "$(printf 'canary.txt\nsecret')" ] || fail "files appeared in the canary dir: $(ls "$work/canary")"
[ ! -e "$work/suite/written-by-a-hostile-test" ] || fail "a test wrote into its source dir"
[ ! -e /etc/written-by-a-hostile-test ] || fail "a test wrote into /etc"
[ ! -e "/tmp/$marker-fill" ] || fail "a test wrote into the host's /tmp"
# 3. Other tests' outputs are intact, and the ordinary ones are where lit puts them.
[ "$(cat "$work/suite/Output/preexisting.test.tmp")" = precious ] || fail "a test overwrote preexisting.test.tmp"
[ "$(cat "$work/suite/Output/ordinary-output.test.tmp")" = "ordinary output" ] || fail "a test overwrote ordinary-output.test.tmp"
# 4. The host's loopback service saw nothing; the host process lives.
[ ! -s "$work/connections" ] || fail "the host listener was reached: $(cat "$work/connections")"
kill -0 "$victim" 2>/dev/null || fail "the host process was killed"
# 5. Nothing the tests started outlived litbox (daemons, fork-bomb children).
left=$(pgrep -f "$marker" | grep -v "^$$\$")
[ -z "$left" ] || fail "processes left behind: $(ps -o pid=,args= -p $(echo $left | tr ' ' ,))"

kill "$listener" "$victim" 2>/dev/null
wait 2>/dev/null
if [ $failures = 0 ]; then
  echo "hostile suite: all $total + $reuse_total tests passed and every attempt was contained"
  rm -rf "$work"
  exit 0
fi
echo "hostile suite: $failures containment failure(s); see $work"
exit 1
