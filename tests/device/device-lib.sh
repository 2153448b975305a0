# The simulated aarch64 device, shared by tests/device/run-device-suite.sh and bench/libcxx.sh:
# a real OpenSSH sshd in its own user+mount+pid namespaces, whose uid/gid maps are the identity
# over 0-65535 (written by us, real root, so sshd's privilege separation may call setgroups),
# with a private binfmt_misc registration for qemu-aarch64: every aarch64 ELF it is asked to run
# runs under QEMU. It sees the host's file system.
#
# Source it, define die() and skip(), set $work (with $work/keys), then call start_device. It
# sets $port, $ssh_opts (an array) and $sshd_host_pid; stop_device ends the device.

stop_device() {
  # $sshd_host_pid is `unshare` (which ignores SIGTERM while it waits); its one child is pid 1 of
  # the device, the sshd: killing it ends the pid namespace, then unshare exits.
  if [ -n "${sshd_host_pid:-}" ]; then
    for child in $(cat "/proc/$sshd_host_pid/task/$sshd_host_pid/children" 2>/dev/null); do kill -KILL "$child" 2>/dev/null || true; done
    kill -KILL "$sshd_host_pid" 2>/dev/null || true
    wait "$sshd_host_pid" 2>/dev/null || true
    sshd_host_pid=""
  fi
}

start_device() {
for key in host_key client_key; do ssh-keygen -q -t ed25519 -N '' -f "$work/keys/$key"; done
cp "$work/keys/client_key.pub" "$work/keys/authorized_keys"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$work/keys/sshd_config" <<EOF
Port $port
ListenAddress 127.0.0.1
HostKey $work/keys/host_key
PidFile $work/keys/sshd.pid
AuthorizedKeysFile $work/keys/authorized_keys
UsePAM no
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
MaxSessions 100
MaxStartups 100
LogLevel ERROR
# scp (SFTP by default since OpenSSH 9), which libc++'s ssh.py uses, as on a board.
Subsystem sftp /usr/lib/openssh/sftp-server
# bash sources ~/.bashrc for ssh commands only at SHLVL < 2: keep the host account's start-up
# files (e.g. pyenv init, whose rehash lock, once stale, stalls every login 60 s) off the device.
# A board has its aarch64 loader and libraries in /; the device finds them, for the QEMU its
# binfmt_misc starts, in Debian's cross sysroot.
SetEnv SHLVL=1 QEMU_LD_PREFIX=/usr/aarch64-linux-gnu
EOF
qemu=$(command -v qemu-aarch64)
# Debian qemu-user-binfmt's magic and mask for aarch64; F: the emulator is opened now.
binfmt=':qemu-aarch64:M::\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00:\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff:'"$qemu"':F'
cat > "$work/keys/device.sh" <<EOF
# Runs as pid 1 of the device. Wait until the host wrote our uid/gid maps (host /proc still).
i=0
while [ -z "\$(cat /proc/self/uid_map)" ]; do i=\$((i + 1)); [ \$i -lt 500 ] || exit 79; sleep 0.01; done
mount -t proc proc /proc || exit 76
mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc || exit 77
printf '%s' '$binfmt' > /proc/sys/fs/binfmt_misc/register || exit 77
mkdir -p /run/sshd
exec /usr/sbin/sshd -D -e -f $work/keys/sshd_config -E $work/keys/sshd.log
EOF
unshare --user --mount --pid --fork --kill-child sh "$work/keys/device.sh" \
  > "$work/keys/device.log" 2>&1 < /dev/null &
sshd_host_pid=$!
mapped=""
for _ in $(seq 200); do
  if [ -e "/proc/$sshd_host_pid/uid_map" ] && [ "$(readlink /proc/$sshd_host_pid/ns/user)" != "$(readlink /proc/self/ns/user)" ]; then
    echo '0 0 65536' > "/proc/$sshd_host_pid/uid_map" && echo '0 0 65536' > "/proc/$sshd_host_pid/gid_map" && mapped=1
    break
  fi
  kill -0 "$sshd_host_pid" 2>/dev/null || break
  sleep 0.01
done
if [ -z "$mapped" ]; then
  wait "$sshd_host_pid" 2>/dev/null || true; sshd_host_pid=""
  skip "no user namespaces here (unshare --user failed)"
fi
ssh_opts=(-p "$port" -i "$work/keys/client_key" -F none -o BatchMode=yes -o StrictHostKeyChecking=no
          -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR)
up=""
for _ in $(seq 400); do
  if ! kill -0 "$sshd_host_pid" 2>/dev/null; then
    rc=0; wait "$sshd_host_pid" || rc=$?; sshd_host_pid=""
    [ "$rc" = 77 ] && skip "no binfmt_misc in user namespaces (needs Linux >= 6.7)"
    die "device setup failed with status $rc: $(cat "$work/keys/sshd.log" 2>/dev/null)"
  fi
  if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null; then up=1; break; fi
  sleep 0.025
done
[ -n "$up" ] || die "device sshd did not start: $(cat "$work/keys/sshd.log" 2>/dev/null)"
# The device runs aarch64 binaries transparently: check it with one before the suite.
printf '#include <cstdio>\nint main() { std::puts("device ok"); }\n' > "$work/probe.cpp"
aarch64-linux-gnu-g++ -static -O0 "$work/probe.cpp" -o "$work/probe"
probe=$(ssh "${ssh_opts[@]}" root@127.0.0.1 "$work/probe") || die "the device does not run aarch64 binaries"
[ "$probe" = "device ok" ] || die "device probe printed '$probe'"
echo "device: sshd on 127.0.0.1:$port (host pid of unshare $sshd_host_pid), aarch64 via binfmt_misc"
}
