#!/usr/bin/env python3
"""Host Unix sockets and FIFOs for the hostile tests to attack (run-hostile.sh starts this).

    host-objects.py LOG READY KIND:MODE:PATH...

KIND is `sock` (a listening pathname Unix socket) or `fifo`; MODE is octal. Every socket is
listened on and every FIFO held open for reading (and for writing too, so that a writer that
closes never leaves it at end-of-file) before READY is created. From then on each connection
accepted and each byte read is appended to LOG: after the run, LOG must not exist.
"""
import os
import select
import socket
import sys

log_path, ready_path = sys.argv[1:3]
sockets = {}
fifos = {}
for spec in sys.argv[3:]:
    kind, mode, path = spec.split(":", 2)
    mode = int(mode, 8)
    if kind == "sock":
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(path)
        os.chmod(path, mode)
        s.listen(16)
        sockets[s.fileno()] = (s, path)
    elif kind == "fifo":
        os.mkfifo(path)
        os.chmod(path, mode)  # mkfifo's mode is masked by the umask
        r = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        w = os.open(path, os.O_WRONLY)
        fifos[r] = (w, path)
    else:
        sys.exit("unknown kind " + kind)
open(ready_path, "w").close()


def record(message):
    with open(log_path, "a") as f:
        f.write(message + "\n")


while True:
    ready, _, _ = select.select(list(sockets) + list(fifos), [], [])
    for fd in ready:
        if fd in sockets:
            s, path = sockets[fd]
            c, _ = s.accept()
            record("connection to %s" % path)
            c.close()
        else:
            record("read %r from %s" % (os.read(fd, 4096), fifos[fd][1]))
