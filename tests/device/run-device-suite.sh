#!/usr/bin/env bash
# A libc++-style suite of 200+ aarch64 tests run three ways by the built litbox:
#   batch  - executor: batch, over ssh to a simulated aarch64 device,
#   ssh    - executor: ssh, one ssh per %{exec} command, to the same device,
#   auto   - executor: auto, local QEMU.
# The three runs must give every test the same result code, all expected (PASS, or XFAIL for the
# one test marked so). Prints the three wall times and the per-test cost ratio batch vs ssh.
#
# The "simulated aarch64 device" (shared/spec/cross.md, last section) is a real OpenSSH sshd in
# its own user+mount+pid namespaces, whose uid/gid maps are the identity over 0-65535 (written by
# us, real root, so sshd's privilege separation may call setgroups), with a private binfmt_misc
# registration for qemu-aarch64: every aarch64 ELF it is asked to run runs under QEMU.
#
# Usage: run-device-suite.sh [path/to/litbox]   (default: build/bin/litbox of this checkout)
# Env: LITBOX_DEVICE_TESTS (200), LITBOX_DEVICE_JOBS (2), LITBOX_DEVICE_IDLE_FLUSH_MS (the
# batch executor's batch_idle_flush_ms, 1000), LITBOX_DEVICE_ACCOUNT (set: each run under
# bench/cpu_by_command.py, which prints the CPU of every command that exited, per test, and at
# the end the CPU per test of the transport and the runner, by executor; run it on an otherwise
# quiet machine).
# Exit: 0 all equal and expected (or skipped: a kernel feature is missing), 1 otherwise. With
# LITBOX_REQUIRE_SANDBOX=1 (CI), a missing kernel feature or privilege is a failure, not a skip.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
litbox=${1:-$here/../../build/bin/litbox}
litbox=$(cd "$(dirname "$litbox")" && pwd)/$(basename "$litbox")
ntests=${LITBOX_DEVICE_TESTS:-200}
jobs=${LITBOX_DEVICE_JOBS:-2}

die() { echo "FAIL: $*" >&2; exit 1; }
skip() {
  [ "${LITBOX_REQUIRE_SANDBOX:-}" != 1 ] || die "LITBOX_REQUIRE_SANDBOX=1, but $*"
  echo "SKIPPED: $*"
  exit 0
}

# shellcheck source=device-lib.sh
. "$here/device-lib.sh"
[ -x "$litbox" ] || die "no litbox at $litbox"
for tool in aarch64-linux-gnu-g++ qemu-aarch64 sshd ssh ssh-keygen unshare python3; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || die "missing tool: $tool"
done
[ "$(id -u)" = 0 ] || skip "writing identity uid/gid maps for the device needs root"
filecheck=/usr/lib/llvm-15/bin/FileCheck
[ -x "$filecheck" ] || filecheck=$(command -v FileCheck) || die "no FileCheck"

# Outside /tmp: sandbox cells shadow /tmp, and the device and litbox's cells must see one tree.
work=/var/tmp/litbox-device.$$
rm -rf "$work"
mkdir -p "$work/suite" "$work/keys" "$work/remote" "$work/results"
sshd_host_pid=""
cleanup() {
  stop_device
  if [ -z "${LITBOX_DEVICE_KEEP:-}" ]; then rm -rf "$work"; else echo "kept $work"; fi
}
trap cleanup EXIT

# ---------------------------------------------------------------- (1) the suite
# Kinds of test, by index: most print a value computed from their index; every 5th reads a data
# file under %S (argument); every 20th (from 11) reads its data on stdin; every 25th (from 7)
# exits 3 under `not %{exec}`; test 13 aborts under `not --crash`; test 17 is XFAIL (its CHECK
# is wrong on purpose).
python3 - "$work/suite" "$ntests" <<'EOF'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for g in range((n + 49) // 50):
    os.makedirs(os.path.join(root, f"group{g}", "Inputs"), exist_ok=True)
    for k in range(8):
        with open(os.path.join(root, f"group{g}", "Inputs", f"data-{k}.txt"), "w") as f:
            f.write("".join(f"{k * 10 + j}\n" for j in range(1, 6 + k)))
def data_sum(k): return sum(k * 10 + j for j in range(1, 6 + k))
for i in range(n):
    d = os.path.join(root, f"group{i // 50}")
    os.makedirs(d, exist_ok=True)
    k = i % 8
    head = ["// RUN: %{cxx} %s -o %t.exe"]
    body = ""
    if i == 13:
        head.append("// RUN: not --crash %{exec} %t.exe")
        body = "#include <cstdlib>\nint main() { std::abort(); }\n"
    elif i % 25 == 7:
        head.append("// RUN: not %{exec} %t.exe | FileCheck %s")
        head.append(f"// CHECK: failing {i} with 3")
        body = ("#include <cstdio>\nint main() { std::printf(\"failing %d with %d\\n\", "
                f"{i}, 3); return 3; }}\n")
    elif i % 20 == 11:
        head.append(f"// RUN: %{{exec}} %t.exe < %S/Inputs/data-{k}.txt | FileCheck %s")
        head.append(f"// CHECK: stdin sum {data_sum(k)}")
        body = ("#include <cstdio>\nint main() { long s = 0, v; "
                "while (std::scanf(\"%ld\", &v) == 1) s += v; "
                "std::printf(\"stdin sum %ld\\n\", s); }\n")
    elif i % 5 == 0:
        head.append(f"// RUN: %{{exec}} %t.exe %S/Inputs/data-{k}.txt | FileCheck %s")
        head.append(f"// CHECK: file sum {data_sum(k)} lines {5 + k}")
        body = ("#include <cstdio>\nint main(int argc, char** argv) {\n"
                "  if (argc < 2) return 2;\n  std::FILE* f = std::fopen(argv[1], \"r\");\n"
                "  if (!f) { std::perror(argv[1]); return 1; }\n"
                "  long s = 0, v, n = 0;\n  while (std::fscanf(f, \"%ld\", &v) == 1) { s += v; ++n; }\n"
                "  std::printf(\"file sum %ld lines %ld\\n\", s, n);\n}\n")
    else:
        xfail = i == 17
        if xfail: head.append("// XFAIL: *")
        head.append("// RUN: %{exec} %t.exe | FileCheck %s")
        expect = sum(x * x for x in range(i + 1)) + (1 if xfail else 0)
        head.append(f"// CHECK: test {i}: squares {expect}")
        head.append(f"// CHECK-NEXT: vector {i % 7 + 1}")
        body = ("#include <cstdio>\n#include <vector>\n#include <numeric>\n"
                "template <class T> T square(T x) { return x * x; }\n"
                "int main() {\n  std::vector<long> v(%d);\n  std::iota(v.begin(), v.end(), 0L);\n"
                "  long s = 0;\n  for (long x : v) s += square(x);\n"
                "  std::printf(\"test %d: squares %%ld\\n\", s);\n"
                "  std::printf(\"vector %%zu\\n\", std::vector<int>(%d).size());\n}\n") % (i + 1, i, i % 7 + 1)
    with open(os.path.join(d, f"t{i:03d}.pass.cpp"), "w") as f:
        f.write("\n".join(head) + "\n" + body)
EOF

# libc++'s format too (format: libcxx, a directory of its own): `%{exec} %t.exe` runs in %T, and
# the data file each test's FILE_DEPENDENCIES copied there must reach the device with it, since
# the program opens it by a relative name (libc++'s executors ship --execdir whole).
python3 - "$work/suite/libcxx" <<'EOF'
import os, sys
d = sys.argv[1]
os.makedirs(d, exist_ok=True)
with open(os.path.join(d, "lit.local.yaml"), "w") as f:
    f.write("format: libcxx\nrecursive_expansion_limit: 10\nsubstitutions:\n  add:\n"
            "    - {match: '%{flags}', replace: ''}\n    - {match: '%{compile_flags}', replace: '-DEXPECT=15'}\n"
            "    - {match: '%{link_flags}', replace: ''}\n")
with open(os.path.join(d, "numbers.txt"), "w") as f:
    f.write("1 2 3 4 5\n")
body = ('#include <fstream>\nint main() {{\n  std::ifstream in("numbers.txt");\n  int x, s = 0;\n'
        '  while (in >> x) s += x;\n  return s == EXPECT + {0} ? 0 : 1;\n}}\n')
for i in range(6):
    with open(os.path.join(d, f"reads-its-file-{i}.pass.cpp"), "w") as f:
        f.write("// FILE_DEPENDENCIES: numbers.txt\n" + f"// ADDITIONAL_COMPILE_FLAGS: -DOFFSET={i}\n"
                + body.format("OFFSET - " + str(i)))
with open(os.path.join(d, "own-steps.sh.cpp"), "w") as f:
    f.write("// FILE_DEPENDENCIES: numbers.txt\n// RUN: %{build}\n// RUN: %{run}\n" + body.format("0"))
EOF

# ---------------------------------------------------------------- (2) the device
start_device

# ---------------------------------------------------------------- (3) three runs
cat > "$work/suite/lit.yaml" <<EOF
# Generated by tests/device/run-device-suite.sh: libc++-style aarch64 tests; -D executor=...
name: device
format: sh
suffixes: [.cpp]
excludes: [Inputs]
params: {executor: batch}
environment: {set: {PATH: '$(dirname "$filecheck"):\${env:PATH}'}}
substitutions:
  - {match: '%{cxx}', replace: 'aarch64-linux-gnu-g++ -static -O0'}
timeout: 300
target:
  triple: aarch64-unknown-linux-gnu
  executor: '\${executor}'
  batch_size: 64
  batch_idle_flush_ms: ${LITBOX_DEVICE_IDLE_FLUSH_MS:-1000}
  ssh:
    host: 127.0.0.1
    port: $port
    user: root
    identity: $work/keys/client_key
    work_dir: $work/remote
    options: [StrictHostKeyChecking=no, UserKnownHostsFile=/dev/null, LogLevel=ERROR]
EOF
declare -A wall
for ex in batch ssh auto; do
  rm -rf "$work/suite"/group*/Output "$work/suite"/libcxx/Output
  start=$(date +%s.%N)
  rc=0
  account=()
  if [ -n "${LITBOX_DEVICE_ACCOUNT:-}" ]; then
    account=(python3 "$here/../../bench/cpu_by_command.py" --per "$((ntests + 7))" --json "$work/results/$ex.cpu.json" --)
  fi
  "${account[@]}" "$litbox" --no-progress-bar -sv -j "$jobs" -D executor=$ex -o "$work/results/$ex.json" \
    "$work/suite" > "$work/results/$ex.out" 2>&1 || rc=$?
  end=$(date +%s.%N)
  wall[$ex]=$(python3 -c "print(f'{$end - $start:.1f}')")
  echo "executor: $ex: litbox exit $rc, wall ${wall[$ex]} s"
  if [ ! -s "$work/results/$ex.json" ]; then cat "$work/results/$ex.out"; die "no JSON report for executor $ex"; fi
  if [ "$rc" != 0 ]; then sed -n 1,60p "$work/results/$ex.out"; fi
  # What the batch target spent (litbox -v), and the CPU by command with LITBOX_DEVICE_ACCOUNT.
  grep -E "batch target|^(litbox: )?note:   " "$work/results/$ex.out" || true
  if [ -n "${LITBOX_DEVICE_ACCOUNT:-}" ]; then sed -n '/^CPU by command/,$p' "$work/results/$ex.out"; fi
done
leftover=$(find "$work/remote" -mindepth 1 -maxdepth 1 | head -5)
[ -z "$leftover" ] || echo "note: remote work dir not clean: $leftover"

# ---------------------------------------------------------------- (4) compare
python3 - "$work/results" "$ntests" "${wall[batch]}" "${wall[ssh]}" "${wall[auto]}" <<'EOF'
import json, os, sys
from collections import Counter
d, n = sys.argv[1], int(sys.argv[2])
walls = dict(zip(["batch", "ssh", "auto"], map(float, sys.argv[3:6])))
codes = {}
for ex in walls:
    with open(os.path.join(d, ex + ".json")) as f:
        codes[ex] = {t["name"]: t["code"] for t in json.load(f)["tests"]}
bad = []
names = sorted(set().union(*codes.values()))
for ex, c in codes.items():
    if len(c) < n: bad.append(f"{ex}: only {len(c)} tests, want {n}")
    print(f"{ex:5}: " + ", ".join(f"{k} {v}" for k, v in sorted(Counter(c.values()).items())))
for name in names:
    got = {ex: codes[ex].get(name, "MISSING") for ex in codes}
    want = "XFAIL" if name.endswith("t017.pass.cpp") else "PASS"
    if len(set(got.values())) != 1: bad.append(f"{name}: differs: {got}")
    elif got["batch"] != want: bad.append(f"{name}: {got['batch']} (want {want}) with every executor")
print(f"wall: batch {walls['batch']:.1f} s, ssh {walls['ssh']:.1f} s, auto (local QEMU) {walls['auto']:.1f} s "
      f"for {len(names)} tests")
per = {ex: 1000 * w / max(len(names), 1) for ex, w in walls.items()}
print(f"per test (wall incl. compile): batch {per['batch']:.0f} ms, ssh {per['ssh']:.0f} ms, "
      f"auto {per['auto']:.0f} ms; ssh/batch = {walls['ssh'] / walls['batch']:.2f}x")
# The compile step is the same in every run; local QEMU's run is the closest to 'compile only',
# so the excess over it estimates what each remote executor costs per test.
eb, es = (walls["batch"] - walls["auto"]) * 1000 / len(names), (walls["ssh"] - walls["auto"]) * 1000 / len(names)
print(f"remote cost over local QEMU per test: batch {eb:.0f} ms, ssh {es:.0f} ms")
# With LITBOX_DEVICE_ACCOUNT: the CPU of the transport and the runner per test (everything but
# the compiles, FileCheck and the test programs), the figure issue 15's goal is about.
tools = ["litbox", "ssh", "sshd", "sh", "timeout", "setsid", "sleep", "wc", "cat", "cp", "tar", "rm", "mkdir",
         "mkfifo", "find", "touch", "kill"]
transport = {}
for ex in walls:
    path = os.path.join(d, ex + ".cpu.json")
    if not os.path.exists(path): continue
    by = Counter()
    with open(path) as f:
        for r in json.load(f)["records"]:
            if r["comm"] in tools: by[r["comm"]] += (r["utime_us"] + r["stime_us"]) / 1000 / len(names)
    transport[ex] = sum(by.values())
    print(f"transport and runner, CPU per test, {ex}: {transport[ex]:.1f} ms (" +
          ", ".join(f"{k} {v:.1f}" for k, v in by.most_common() if v >= 0.05) + ")")
if transport.get("batch") and "ssh" in transport:
    print(f"per-test ssh / batch, transport and runner CPU: {transport['ssh'] / transport['batch']:.1f}x")
for b in bad[:40]: print("MISMATCH: " + b)
if bad:
    print(f"FAIL: {len(bad)} problem(s)")
    sys.exit(1)
print(f"OK: {len(names)} tests, same result with batch, ssh and local QEMU")
EOF
