#!/bin/sh
# Runs the hostile suite with litbox and checks, from outside the sandbox, that every attempt
# was contained and every ordinary test still got its result.
#
#   run-hostile.sh [--unprivileged] LITBOX TESTCASE [WORK_DIR]
#
# LITBOX is the litbox binary, TESTCASE the litbox_sandbox_testcase helper (both in the build's
# bin/). The suite is copied to WORK_DIR (default: a new dir under the current one), so its
# Output dirs do not land in the source tree. Exits 0 when everything was contained.
#
# Run as root, litbox is a root runner (its tests run as the cell user). With --unprivileged,
# root gives WORK_DIR to nobody and runs the rest as nobody (setpriv), the way most people run
# litbox; the build tree must then be readable by nobody. Exits 77 (skipped) if it cannot
# switch (no setpriv), or fails then with LITBOX_REQUIRE_SANDBOX=1 (CI). Run by another user,
# --unprivileged changes nothing: that user is the unprivileged runner.
set -u
unprivileged=
if [ "${1:-}" = --unprivileged ]; then
  unprivileged=1
  shift
fi
if [ $# -lt 2 ]; then
  echo "usage: $0 [--unprivileged] LITBOX TESTCASE [WORK_DIR]" >&2
  exit 2
fi
litbox=$(realpath "$1")
testcase=$(realpath "$2")
self=$(realpath "$0")
suite_src=$(dirname "$self")
skip() {
  echo "$*"
  [ "${LITBOX_REQUIRE_SANDBOX:-}" = 1 ] && { echo "LITBOX_REQUIRE_SANDBOX=1: failing instead of skipping"; exit 1; }
  exit 77
}

work=${3:-$(pwd)/hostile-run.$$}
# Every cell has its own /tmp: a canary below the host's /tmp would be shadowed there, and a
# write to its path would land in the cell's tmpfs instead of failing. Keep the run outside.
case "$(realpath -m "$work")" in
  /tmp|/tmp/*) work=/var/tmp/litbox-hostile-run.$$ ;;
esac

if [ "$(id -u)" = 0 ] && [ -n "$unprivileged" ]; then
  # Switch to nobody, in a work dir that nobody owns (its parent stays root's).
  command -v setpriv >/dev/null || skip "setpriv is not installed: cannot switch to nobody"
  rm -rf "$work"
  mkdir -p "$work"
  chown 65534:65534 "$work"
  for f in "$litbox" "$testcase" "$self" "$suite_src/lit.yaml"; do
    setpriv --reuid=65534 --regid=65534 --clear-groups test -r "$f" || {
      echo "nobody cannot read $f: make the build and source trees readable by others"
      exit 1
    }
  done
  exec setpriv --reuid=65534 --regid=65534 --clear-groups \
    env HOME=/nonexistent PATH=/usr/local/bin:/usr/bin:/bin "$self" --unprivileged "$litbox" "$testcase" "$work"
fi
# As root, a sandbox failure would let a mount attack cover the machine's own mounts: run
# everything in a private mount namespace, so that even then it stays in here.
if [ "$(id -u)" = 0 ] && [ -z "${LITBOX_HOSTILE_UNSHARED:-}" ]; then
  LITBOX_HOSTILE_UNSHARED=1 exec unshare -m --propagation private "$self" "$litbox" "$testcase" "$work"
fi
if [ "$(id -u)" = 0 ]; then runner=root; else runner=unprivileged; fi

# The work dir may be one we cannot remove (nobody's, in root's build tree): empty it.
rm -rf "$work" 2>/dev/null
mkdir -p "$work" || exit 1
work=$(realpath "$work")
if [ -n "$(ls -A "$work")" ]; then
  echo "cannot empty $work"
  exit 1
fi
mkdir -p "$work/canary/secret" "$work/suite/Output" "$work/suite/runner-files" "$work/suite/host-objects" "$work/run"
cp "$suite_src"/lit.yaml "$suite_src"/*.test "$work/suite/"
cp "$suite_src"/runner-files/*.test "$work/suite/runner-files/"
# One runner-files test per ssh host key the host has.
ssh_host_keys=0
for key in /etc/ssh/ssh_host_*_key; do
  [ -e "$key" ] || continue
  sed "s|@KEY@|$key|" "$suite_src"/runner-files/ssh-host-key.test.in > "$work/suite/runner-files/$(basename "$key").test"
  ssh_host_keys=$((ssh_host_keys + 1))
done
echo original > "$work/canary/canary.txt"
echo "private key" > "$work/canary/secret/key.txt"
echo precious > "$work/suite/Output/preexisting.test.tmp"
marker=litbox-hostile-$$
secret=litbox-hostile-secret-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
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
# Host Unix sockets and FIFOs that record every connection and every byte written: open to
# everyone in two host dirs the cell does not see ($work/run; below /run for a root runner,
# which alone may write there, else below /var/tmp), and in the suite tree, which the cell
# sees, a FIFO open to everyone and a socket and a FIFO only their owner may use (root, or the
# unprivileged runner).
if [ $runner = root ]; then outside=/run/litbox-hostile.$$; else outside=/var/tmp/litbox-hostile.$(id -u).$$; fi
rm -rf "$outside"
mkdir -p "$outside"
objects=$work/suite/host-objects
python3 "$suite_src/host-objects.py" "$work/host-objects.log" "$work/host-objects.ready" \
  "sock:666:$work/run/everyone.sock" "fifo:666:$work/run/everyone.fifo" \
  "sock:666:$outside/everyone.sock" "fifo:666:$outside/everyone.fifo" \
  "sock:600:$objects/owner-only.sock" "fifo:600:$objects/owner-only.fifo" "fifo:666:$objects/everyone.fifo" &
host_objects=$!
# A host process for the tests to try to kill.
sleep 100000 &
victim=$!
while [ ! -s "$work/port" ] || [ ! -e "$work/host-objects.ready" ]; do
  kill -0 $listener $host_objects || { echo "a host listener did not start"; exit 1; }
  sleep 0.1
done
port=$(cat "$work/port")

# The top-level host dirs a cell must see empty: those that hold none of the trees a run binds
# back (the suite, the build tree with litbox and the helper).
empty_dirs=
for d in /run /var /home /root /srv /mnt; do
  [ -d "$d" ] || continue
  for p in "$work" "$(dirname "$(dirname "$litbox")")" "$(dirname "$testcase")"; do
    case "$p/" in "$d"/*) continue 2 ;; esac
  done
  empty_dirs="$empty_dirs $d"
done
empty_dirs=${empty_dirs# }

# Outcomes: every test PASSes, but runner-files/*, which are UNRESOLVED by design (litbox
# itself cannot open what they redirect from or to). Nothing is UNSUPPORTED: checks for one
# kind of runner are `%if runner=root` lines inside tests that pass for both kinds.
results() {  # litbox's output -> "NAME RESULT" lines, sorted
  sed -n "s/^\([A-Z]*\): $1 :: \(.*\) ([0-9]* of [0-9]*)\$/\2 \1/p" "$2" | sort
}
(cd "$work/suite" && find . -name '*.test' | sed 's|^\./||') | sort | while read -r t; do
  case "$t" in runner-files/*) echo "$t UNRESOLVED" ;; *) echo "$t PASS" ;; esac
done > "$work/expected"

echo "hostile suite: $runner runner ($(id -un)), work dir $work, outside dir $outside," \
  "cells must see empty: $empty_dirs"
LITBOX_HOSTILE_SECRET=host-secret "$litbox" --sandbox=require -v --no-progress-bar \
  -D canary_dir="$work/canary" -D host_port="$port" -D victim="$victim" -D marker="$marker" \
  -D testcase="$testcase" -D runner=$runner -D host_dir="$work/run" -D outside_dir="$outside" \
  -D secret="$secret" -D empty_dirs="$empty_dirs" -D ssh_host_keys=$ssh_host_keys \
  --path "$(dirname "$testcase")" "$work/suite" > "$work/litbox.out" 2>&1
status=$?
cat "$work/litbox.out"

# 1. litbox says every test had its designed outcome, sandboxed (no UNSUPPORTED: REQUIRES:
# sandbox held). It exits 1: the runner-files tests are UNRESOLVED.
[ $status = 1 ] || fail "litbox exited with status $status, not 1 (runner-files tests UNRESOLVED)"
total=$(wc -l < "$work/expected")
passed=$(grep -c ' PASS$' "$work/expected")
unresolved=$(grep -c ' UNRESOLVED$' "$work/expected")
results hostile "$work/litbox.out" > "$work/actual"
if cmp -s "$work/expected" "$work/actual"; then
  # The per-test lines were read right: litbox's summary says the same.
  grep -q "Passed *: *$passed\$" "$work/litbox.out" || fail "litbox's summary does not say $passed passed"
  grep -q "Unresolved *: *$unresolved\$" "$work/litbox.out" || fail "litbox's summary does not say $unresolved unresolved"
else
  fail "tests without their designed outcome (expected, actual):
$(diff "$work/expected" "$work/actual" | grep '^[<>]')"
fi
# 1a. The runner-files tests are UNRESOLVED because litbox could not open their files, as lit
# says when Python's open() refuses: a PermissionError.
for t in $(sed -n 's/ UNRESOLVED$//p' "$work/expected"); do
  awk -v t="hostile :: $t" 'index($0, "TEST '"'"'" t "'"'"'") { on = 1; next } on && /^\*{20}$/ { exit } on' \
    "$work/litbox.out" > "$work/section"
  grep -q "^PermissionError: \[Errno 13\] Permission denied: " "$work/section" ||
    fail "$t is not UNRESOLVED for a PermissionError: $(cat "$work/section")"
done
# 1b. What only host root may read did not reach the output.
grep -q "PRIVATE KEY" "$work/litbox.out" && fail "a private key is in litbox's output"
if [ $runner = root ]; then
  grep -qF "$(head -n1 /etc/shadow)" "$work/litbox.out" && fail "/etc/shadow is in litbox's output"
fi

# 1c. Reused cells: tests that leave traces for the next test of their directory, and tests
# that look for them, in order (-j1), so that each follows the other in the same cell.
mkdir -p "$work/reuse"
cp "$suite_src"/lit.yaml "$suite_src"/reuse/*.test "$work/reuse/"
"$litbox" --sandbox=require -v -j1 --no-progress-bar -D marker="$marker" -D testcase="$testcase" \
  -D runner=$runner -D nice="$(nice)" -D affinity="$(taskset -cp $$ | sed 's/.*: //')" \
  --path "$(dirname "$testcase")" "$work/reuse" > "$work/reuse.out" 2>&1
reuse_status=$?
cat "$work/reuse.out"
[ $reuse_status = 0 ] || fail "litbox exited with status $reuse_status on the reused-cell tests"
reuse_total=$(ls "$work/reuse"/*.test | wc -l)
grep -q "Passed *: *$reuse_total\$" "$work/reuse.out" || fail "not all $reuse_total reused-cell tests passed"
# 1d. A suite that sets no limits: the default process cap holds.
mkdir -p "$work/defaults"
cp "$suite_src"/default-limits/lit.yaml "$suite_src"/default-limits/*.test "$work/defaults/"
"$litbox" --sandbox=require -v --no-progress-bar -D marker="$marker" -D testcase="$testcase" \
  --path "$(dirname "$testcase")" "$work/defaults" > "$work/defaults.out" 2>&1
defaults_status=$?
cat "$work/defaults.out"
[ $defaults_status = 0 ] || fail "litbox exited with status $defaults_status on the default-limits tests"
defaults_total=$(ls "$work/defaults"/*.test | wc -l)
grep -q "Passed *: *$defaults_total\$" "$work/defaults.out" || fail "not all $defaults_total default-limits tests passed"
# 2. Files outside the tests' outputs are untouched.
[ "$(cat "$work/canary/canary.txt")" = original ] || fail "canary.txt was modified"
[ "$(ls "$work/canary")" = "$(printf 'canary.txt\nsecret')" ] || fail "files appeared in the canary dir: $(ls "$work/canary")"
[ ! -e "$work/suite/written-by-a-hostile-test" ] || fail "a test wrote into its source dir"
[ ! -e /etc/written-by-a-hostile-test ] || fail "a test wrote into /etc"
[ ! -e "/tmp/$marker-fill" ] || fail "a test wrote into the host's /tmp"
# 3. Other tests' outputs are intact, and the ordinary ones are where lit puts them.
[ "$(cat "$work/suite/Output/preexisting.test.tmp")" = precious ] || fail "a test overwrote preexisting.test.tmp"
[ "$(cat "$work/suite/Output/ordinary-output.test.tmp")" = "ordinary output" ] || fail "a test overwrote ordinary-output.test.tmp"
# 4. The host's loopback service, Unix sockets and FIFOs saw nothing; the host process lives.
[ ! -s "$work/connections" ] || fail "the host listener was reached: $(cat "$work/connections")"
kill -0 $host_objects 2>/dev/null || fail "host-objects.py died: its sockets and FIFOs were not watched"
[ ! -s "$work/host-objects.log" ] || fail "host Unix sockets or FIFOs were reached: $(cat "$work/host-objects.log")"
kill -0 "$victim" 2>/dev/null || fail "the host process was killed"
# 5. Nothing the tests started outlived litbox (daemons, fork-bomb children).
left=$(pgrep -f "$marker" | grep -v "^$$\$")
[ -z "$left" ] || fail "processes left behind: $(ps -o pid=,args= -p $(echo $left | tr ' ' ,))"

kill $listener $host_objects "$victim" 2>/dev/null
wait 2>/dev/null
rm -rf "$outside"
if [ $failures = 0 ]; then
  echo "hostile suite ($runner runner): $passed tests passed and $unresolved runner-files tests were UNRESOLVED" \
    "as designed, of $total; $reuse_total reused-cell and $defaults_total default-limits tests passed;" \
    "every attempt was contained"
  rm -rf "$work" 2>/dev/null
  exit 0
fi
echo "hostile suite ($runner runner): $failures containment failure(s); see $work"
exit 1
