# litbox batch driver: runs one batch of requests on the target. POSIX sh only (dash, bash,
# busybox ash, ksh); no Python, no bash-isms. Embedded in litbox at build time and sent as the
# remote command, after a prologue that sets:
#   R    the run directory (absolute; holds cas/ and the per-test dirs s<N>/)
#   B    this batch's directory (absolute, under R; removed at the end)
#   P    how many requests run at once
#   W    the per-request timeout in seconds (0: none, no watchdog); a job's T is 0 or >= W
#   K    the batch token (marks the driver's own lines)
#   IDS  the request ids, in order
#   GC   directories under R to remove first (tests that are over)
#   NEW  store files this batch adds (removed again if unpacking fails)
# stdin is a tar archive, unpacked in R: cas/<hash> files, the tests' directories (hard links
# into cas/), and B/<id>.j, one sourced job file per request (see batch_script.cc).
# stdout is the result stream (see batch_protocol.h); only the main loop writes to it:
#   LITBOX-<K> READY            everything is unpacked: the store holds NEW
#   S <id>                      the request was handed to a worker
#   R <id> <status> <timed out 0|1> <elapsed ms> <stdout bytes> <stderr bytes> <tar bytes>
#                               followed by those bytes: stdout, stderr, copied-back files
#   F <id> <message>            the request could not run or its result not be recorded
#   LITBOX-<K> E <message>      the batch could not start (nothing ran)
#   LITBOX-<K> END              every request has a result
NL='
'
say() { printf '%s\n' "$*"; }
die() {
  m=${1%%"$NL"*}
  say "LITBOX-$K E $m"
  exit 0
}
umask 077
m=$(mkdir -p "$R/cas" "$B" 2>&1) || die "${m:-cannot create $B}"
# The driver leads its process group (sshd and litbox start it so): cleanup kills the group.
echo "$$" >"$B/.pid"
cd "$R" || die "cannot enter $R"
# The directories of tests that are over, in one rm (not one per test).
set --
for d in $GC; do set -- "$@" "$R/$d"; done
[ $# -eq 0 ] || rm -rf "$@"
m=$(tar -x -f - 2>&1 >/dev/null) || {
  rm -rf "$B"
  for f in $NEW; do rm -f "$R/cas/$f"; done
  die "${m:-tar failed}"
}
say "LITBOX-$K READY"

# Tools are looked up once, with the login PATH: a request's own PATH may lack them.
SID=$(command -v setsid 2>/dev/null)
WC=$(command -v wc) || WC=wc
FIND=$(command -v find) || FIND=find
TAR=$(command -v tar) || TAR=tar
TOUCH=$(command -v touch) || TOUCH=touch
CAT=$(command -v cat) || CAT=cat
SLEEP=$(command -v sleep) || SLEEP=sleep
NT=
[ / -nt / ] 2>/dev/null
[ $? -le 1 ] && NT=1

# Milliseconds of a monotonic clock in M, without a fork where /proc/uptime exists.
ms() {
  if read -r M _ </proc/uptime 2>/dev/null; then
    M=$((${M%.*} * 1000 + (1${M#*.} - 100) * 10))
  else
    M=$(($(date +%s) * 1000))
  fi
}

# The batch's watchdog, when requests have a timeout: it kills a request's command at its
# deadline, T seconds after it started (SIGTERM, and SIGKILL 2 s later, as `timeout -k 2`
# would), after leaving <id>.t to say so. One process for the batch instead of a timeout(1)
# per request: it sleeps until the earliest deadline it knows of, and a request that starts
# later has a later one (every T is the same). The sleep's pid is in .dog, for the end.
dog() {
  z=$1
  while :; do
    "$SLEEP" "$z" &
    echo "$!" >"$B/.dog"
    # A sleep that could not run at all ends the watchdog rather than spin.
    wait "$!" || [ $? -gt 128 ] || return 0
    ms
    z=$W
    for f in "$B"/*.d; do
      [ -f "$f" ] && [ ! -f "${f%.d}.h" ] || continue
      read -r dl p k <"$f" 2>/dev/null || continue
      if [ "$M" -ge "$dl" ]; then
        : >"${f%.d}.t"
        if [ -z "$k" ]; then
          kill -15 -"$p" 2>/dev/null || kill -15 "$p" 2>/dev/null
          echo "$((M + 2000)) $p k" >"$f"
          dl=$((M + 2000))
        else
          kill -9 -"$p" 2>/dev/null || kill -9 "$p" 2>/dev/null
          dl=$((M + W * 1000))
        fi
      fi
      left=$(((dl - M + 999) / 1000))
      [ "$left" -ge 1 ] || left=1
      [ "$left" -lt "$z" ] && z=$left
    done
  done
}

# Reports to the main loop through the queue; one short line is written atomically.
r() { printf '%s\n' "$1" >&3; }

# Runs request $1. Its job file sets D (working directory), O (the test's directory), C (the
# copy-back prefix, relative to O; empty: none), T (timeout in seconds, 0: none), I (stdin file),
# E (o: stderr goes with stdout, in order, as for 2>&1; e: apart), Z (a setup error) and
# the command line ("$@"), after cd, umask, ulimit and exports of its own.
w() {
  i=$1 Z= D=. O=. C= T=0 I=/dev/null E=e
  set --
  . "$B/$i.j"
  [ -n "$Z" ] && { r "$i F ${Z%%"$NL"*}"; return; }
  [ -r "$I" ] || { r "$i F cannot read stdin file $I"; return; }
  # A step of the shell's own is tried without a command substitution (a fork per request),
  # and only when it failed again inside one, for the message.
  { : >"$B/$i.o" && : >"$B/$i.e" && : >"$B/$i.b"; } 2>/dev/null || {
    m=$({ : >"$B/$i.o" && : >"$B/$i.e" && : >"$B/$i.b"; } 2>&1) || {
      r "$i F ${m%%"$NL"*}"
      return
    }
  }
  ms
  t0=$M
  if [ -n "$SID" ]; then
    # setsid(1) (util-linux, busybox) execs the command as the leader of a session and a
    # process group of its own, which the watchdog and cleanup kill whole.
    "$SID" "$@" <"$I" >>"$B/$i.o" 2>>"$B/$i.$E" 3>&- &
  else
    "$@" <"$I" >>"$B/$i.o" 2>>"$B/$i.$E" 3>&- &
  fi
  p=$!
  echo "$p" >"$B/$i.p" 2>/dev/null
  [ "$T" -gt 0 ] && echo "$((t0 + T * 1000)) $p" >"$B/$i.d" 2>/dev/null
  wait "$p"
  s=$?
  # The disk-space sentinel, the first write after the command: if the disk is full now, the
  # command's outputs may be cut short, and the request is reported failed with the reason.
  # (Space another request frees in between goes unnoticed; nothing here frees any.)
  if ! { echo "$s" >"$B/$i.h"; } 2>/dev/null; then
    m=$( (echo "$s" | "$CAT" >"$B/$i.h") 2>&1)
    r "$i F cannot record the result: ${m:-write error}"
    return
  fi
  ms
  e=$((M - t0))
  x=0
  [ "$T" -gt 0 ] && [ -e "$B/$i.t" ] && x=1
  if [ -n "$C" ]; then
    # Files under the test's %t prefix that the command created or changed go back. Shipped
    # files carry mtime 1 and the stamp mtime 2. The glob avoids a find when nothing changed.
    q=
    for f in "$O/$C"*; do
      [ -e "$f" ] || continue
      if [ -d "$f" ] || [ -z "$NT" ] || [ "$f" -nt "$O/.litbox/stamp" ]; then
        q=1
        break
      fi
    done
    if [ -n "$q" ]; then
      F=$(cd "$O" && "$FIND" ./"$C"* -newer .litbox/stamp -type f 2>/dev/null)
      if [ -n "$F" ]; then
        set -f
        IFS=$NL
        m=$(cd "$O" 2>&1 && "$TAR" -c -f "$B/$i.b" $F 2>&1 && TZ=UTC0 "$TOUCH" -t 197001010000.01 $F 2>&1)
        q=$?
        unset IFS
        set +f
        [ "$q" = 0 ] || { r "$i F cannot copy back: ${m%%"$NL"*}"; return; }
      fi
    fi
  fi
  h="$s $x $e"
  { printf '%s\n' "$h" >"$B/$i.h"; } 2>/dev/null || {
    m=$({ printf '%s\n' "$h" >"$B/$i.h"; } 2>&1) || {
      r "$i F cannot record the result: ${m%%"$NL"*}"
      return
    }
  }
  r "$i R"
}

# Results with output wait in Q (q of them, the first since QT) and go out together: one wc
# for all their sizes and one cat for their bytes (each result's line is written to <id>.r
# first), instead of a wc and a cat per result. Only while requests are still to start: a
# finished one then waits for the next to finish (at most P-1 of them, or a second), while
# its slot runs the next request. Once every request has started, each result goes out as it
# comes (the rest may run long). A result without output (libc++'s usual case) goes out at
# once, alone.
Q= q=0 QT= TAIL=
UP=
[ -r /proc/uptime ] && UP=1
flush() {
  [ "$q" -gt 0 ] || return 0
  set --
  for j in $Q; do set -- "$@" "$j.o" "$j.e" "$j.b"; done
  set -- $(cd "$B" && "$WC" -c "$@")
  L=
  for j in $Q; do
    # wc gives "size name" pairs (and a total); too few words: it failed.
    if [ $# -ge 6 ] && read -r h <"$B/$j.h" &&
      { printf 'R %s %s %s %s %s\n' "$j" "$h" "$1" "$3" "$5" >"$B/$j.r"; } 2>/dev/null; then
      L="$L $j.r $j.o $j.e $j.b"
    else
      say "F $j cannot record the result: write error"
    fi
    [ $# -ge 6 ] && shift 6
  done
  # The names are generated (<id>.r ...): no blanks, no glob characters.
  [ -z "$L" ] || (cd "$B" && exec "$CAT" $L)
  Q= q=0
}

# Collects one finished request and sends its result, or queues it for flush.
c() {
  read -r j k m <&3
  n=$((n - 1))
  if [ "$k" = R ] && read -r h <"$B/$j.h"; then
    if [ -s "$B/$j.o" ] || [ -s "$B/$j.e" ] || [ -s "$B/$j.b" ]; then
      Q="$Q $j"
      q=$((q + 1))
      [ "$q" = 1 ] && QT=
    else
      say "R $j $h 0 0 0"
    fi
  else
    say "F $j ${m:-no result}"
  fi
  if [ "$q" -gt 0 ]; then
    a=
    if [ -n "$UP" ]; then
      ms
      QT=${QT:-$M}
      [ $((M - QT)) -ge 1000 ] && a=1
    fi
    if [ "$q" -ge "$P" ] || [ -n "$a" ] || [ -n "$TAIL" ]; then flush; fi
  fi
}

m=$(mkfifo "$B/.q" 2>&1) || die "${m:-mkfifo failed}"
exec 3<>"$B/.q"
DOG=
if [ "${W:-0}" -gt 0 ]; then
  dog "$W" </dev/null >/dev/null 2>&1 3>&- &
  DOG=$!
fi
n=0
for i in $IDS; do
  while [ "$n" -ge "$P" ]; do c; done
  say "S $i"
  w "$i" &
  n=$((n + 1))
done
TAIL=1
flush
while [ "$n" -gt 0 ]; do c; done
exec 3>&-
if [ -n "$DOG" ]; then
  # The watchdog first, so that it starts no other sleep; then the sleep it waits for.
  kill "$DOG" 2>/dev/null
  wait "$DOG" 2>/dev/null
  read -r d <"$B/.dog" 2>/dev/null && kill "$d" 2>/dev/null
fi
cd "$R" && rm -rf "$B"
say "LITBOX-$K END"
