#!/bin/sh
# Usage: expect_exit.sh N COMMAND...: runs COMMAND, succeeds only if it exits with status N.
want=$1; shift
"$@"
got=$?
if [ "$got" -ne "$want" ]; then
  echo "expect_exit: '$*' exited with $got, expected $want" >&2
  exit 1
fi
