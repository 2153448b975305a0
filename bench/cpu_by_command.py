#!/usr/bin/env python3
"""CPU time by command name of every process that exits while a command runs.

Usage: cpu_by_command.py [--json FILE] [--per N] -- COMMAND [ARG]...

Listens to the kernel's taskstats exit records (generic netlink, TASKSTATS; needs root or
CAP_NET_ADMIN) for every CPU, runs COMMAND, waits a moment for the last records, and prints
the CPU time (user + system, from each thread's exit record) summed by command name (the
kernel's comm, 15 characters), with `--per N` also divided by N (e.g. per test). Every process
of the machine that exits meanwhile is counted, so run it on an otherwise quiet machine;
processes still running at the end (a daemon started before) are not.
The kernel fills these records from its tick-based accounting. In a virtual machine that loses
ticks while the host runs something else (a PVM guest under load), the absolute figures can be
well below what the processes measure themselves; the shares between commands are what to read.
Exit status: COMMAND's.
"""
import json
import os
import socket
import struct
import subprocess
import sys
import threading
import time

NETLINK_GENERIC = 16
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY, CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 3, 1, 2
TASKSTATS_CMD_GET, TASKSTATS_CMD_NEW = 1, 2
TASKSTATS_CMD_ATTR_REGISTER_CPUMASK = 3
TASKSTATS_TYPE_PID, TASKSTATS_TYPE_STATS, TASKSTATS_TYPE_AGGR_PID = 1, 3, 4
NLM_F_REQUEST = 1
NLMSG_ERROR = 2
# Offsets in struct taskstats (linux/taskstats.h, version >= 8; checked with offsetof).
OFF_COMM, OFF_PID, OFF_PPID, OFF_UTIME, OFF_STIME = 80, 128, 132, 152, 160


def attr(kind, payload):
    a = struct.pack('HH', 4 + len(payload), kind) + payload
    return a + b'\0' * (-len(a) % 4)


def attrs(data):
    while len(data) >= 4:
        n, kind = struct.unpack_from('HH', data)
        if n < 4:
            return
        yield kind & 0x3fff, data[4:n]
        data = data[(n + 3) & ~3:]


def send(sock, family, cmd, payload, seq):
    body = struct.pack('BBH', cmd, 1, 0) + payload
    sock.send(struct.pack('IHHII', 16 + len(body), family, NLM_F_REQUEST, seq, 0) + body)


def messages(data):
    while len(data) >= 16:
        n, kind, _, _, _ = struct.unpack_from('IHHII', data)
        if n < 16:
            return
        yield kind, data[16:n]
        data = data[(n + 3) & ~3:]


def family_id(sock):
    send(sock, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, attr(CTRL_ATTR_FAMILY_NAME, b'TASKSTATS\0'), 1)
    for kind, body in messages(sock.recv(65536)):
        if kind == NLMSG_ERROR:
            sys.exit('cpu_by_command: the kernel has no TASKSTATS netlink family')
        for k, v in attrs(body[4:]):
            if k == CTRL_ATTR_FAMILY_ID:
                return struct.unpack_from('H', v)[0]
    sys.exit('cpu_by_command: no TASKSTATS family id')


def listen(sock, family, records, stop):
    sock.settimeout(0.2)
    while not stop.is_set():
        try:
            data = sock.recv(1 << 20)
        except socket.timeout:
            continue
        except OSError as e:  # ENOBUFS: records were lost
            records.append({'lost': str(e)})
            continue
        for kind, body in messages(data):
            if kind != family or body[0] != TASKSTATS_CMD_NEW:
                continue
            for k, v in attrs(body[4:]):
                if k != TASKSTATS_TYPE_AGGR_PID:
                    continue
                for k2, st in attrs(v):
                    if k2 != TASKSTATS_TYPE_STATS:
                        continue
                    comm = st[OFF_COMM:OFF_COMM + 32].split(b'\0', 1)[0].decode(errors='replace')
                    pid, ppid = struct.unpack_from('II', st, OFF_PID)
                    utime, stime = struct.unpack_from('QQ', st, OFF_UTIME)
                    records.append({'comm': comm, 'pid': pid, 'ppid': ppid, 'utime_us': utime, 'stime_us': stime})


def main(argv):
    json_out, per = None, 0
    while argv and argv[0] != '--':
        if argv[0] == '--json':
            json_out, argv = argv[1], argv[2:]
        elif argv[0] == '--per':
            per, argv = int(argv[1]), argv[2:]
        else:
            sys.exit(__doc__)
    if not argv[1:]:
        sys.exit(__doc__)
    command = argv[1:]
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    try:
        sock.setsockopt(socket.SOL_SOCKET, 33, 64 << 20)  # SO_RCVBUFFORCE: no lost records
    except OSError:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 20)
    sock.bind((0, 0))
    family = family_id(sock)
    cpus = '0-%d' % (os.cpu_count() - 1)
    send(sock, family, TASKSTATS_CMD_GET, attr(TASKSTATS_CMD_ATTR_REGISTER_CPUMASK, cpus.encode() + b'\0'), 2)
    records, stop = [], threading.Event()
    t = threading.Thread(target=listen, args=(sock, family, records, stop))
    t.start()
    start = time.monotonic()
    try:
        rc = subprocess.call(command)
    finally:
        wall = time.monotonic() - start
        time.sleep(0.5)
        stop.set()
        t.join()
    lost = [r for r in records if 'lost' in r]
    records = [r for r in records if 'lost' not in r]
    by = {}
    for r in records:
        e = by.setdefault(r['comm'], [0, 0.0])
        e[0] += 1
        e[1] += (r['utime_us'] + r['stime_us']) / 1e6
    total = sum(v[1] for v in by.values())
    print('CPU by command (%d exits, %.2f s of CPU in %.1f s of wall%s):'
          % (len(records), total, wall, ', per %d' % per if per else ''))
    for comm, (n, cpu) in sorted(by.items(), key=lambda kv: -kv[1][1]):
        line = '  %-16s %6d exits %9.3f s %5.1f%%' % (comm, n, cpu, 100 * cpu / total if total else 0)
        if per:
            line += ' %9.2f ms per' % (1000 * cpu / per)
        print(line)
    if lost:
        print('warning: %d receive errors: some exits were not counted (%s)' % (len(lost), lost[0]['lost']))
    if json_out:
        with open(json_out, 'w') as f:
            json.dump({'wall_s': wall, 'records': records, 'lost': len(lost)}, f)
    return rc


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
