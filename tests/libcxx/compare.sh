#!/usr/bin/env bash
# Runs libc++ 15's tests with the real lit (through tests/libcxx/setup-build.sh's llvm-lit) and
# with litbox (format: libcxx, from `lit-to-yaml` of the build's lit.site.cfg), and prints each
# test's result code side by side. Exit 1 on any difference.
#
# Usage: tests/libcxx/compare.sh [options] LITBOX|--lit-only
#   LITBOX        the litbox binary (e.g. build/bin/litbox); --lit-only runs lit alone and
#                 compares it with the recorded codes (tests/libcxx/subset.lit-codes)
# Options:
#   --src DIR     a tree holding libcxx/{test,utils} (default: third_party/llvm-src, fetched by
#                 scripts/fetch-llvm-tests.sh when missing). The translation writes lit.yaml and
#                 lit.local.yaml files into DIR/libcxx/test: use a copy you own.
#   --build DIR   the libc++ build dir (default: third_party/libcxx-build; made by
#                 setup-build.sh when it has no bin/llvm-lit)
#   --list FILE   test paths relative to libcxx/test, one a line, # comments (default:
#                 tests/libcxx/subset.txt)
#   --target aarch64  a libc++ build for aarch64 (setup-build.sh --target aarch64, with Debian's
#                 arm64 libc++ unpacked by setup-arm64-root.sh into third_party/libcxx-arm64-root),
#                 its programs run under QEMU (lit: bin/qemu_run.py; litbox: by itself)
#   -j N          workers for each runner (default 2)
#   --out DIR     keep lit.json, litbox.json and the runners' output there (default: a temp dir)
#   --litbox-arg ARG  one more argument for litbox (repeatable), e.g. --litbox-arg=--sandbox=off
#   --recorded FILE   lit's codes recorded earlier ("CODE name" lines; default
#                 tests/libcxx/subset.lit-codes), compared with --lit-only, or with litbox
#                 under --against-recorded
#   --against-recorded  do not run lit: compare litbox with the recorded codes (what CI does;
#                 the codes come from a real lit run, kept current with --record)
#   --record      after lit ran, write its codes to the --recorded file
# lit runs first, then litbox, each with -q -j N -o JSON on the same source paths; litbox gets
# --site BUILD/test/lit.site.yaml (the source tree's libcxx/test/lit.yaml holds no build).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
src=$root/third_party/llvm-src
build=$root/third_party/libcxx-build
list=$root/tests/libcxx/subset.txt
jobs=2
out=""
litbox=""
litbox_args=()
recorded=$root/tests/libcxx/subset.lit-codes
target=""
against_recorded=""
record=""
usage() { sed -n '2,/^set -e/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --src) src=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --list) list=$2; shift 2 ;;
    -j) jobs=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --litbox-arg=*) litbox_args+=("${1#--litbox-arg=}"); shift ;;
    --litbox-arg) litbox_args+=("$2"); shift 2 ;;
    --lit-only) litbox=--lit-only; shift ;;
    --recorded) recorded=$2; shift 2 ;;
    --against-recorded) against_recorded=1; shift ;;
    --record) record=1; shift ;;
    --target) target=$2; shift 2 ;;
    -h|--help) usage ;;
    -*) echo "compare.sh: unknown option $1" >&2; usage ;;
    *) litbox=$1; shift ;;
  esac
done
[ -n "$litbox" ] || usage
if [ "$litbox" != --lit-only ] && [ ! -x "$litbox" ]; then
  echo "compare.sh: no litbox binary at $litbox" >&2; exit 2
fi
if [ ! -f "$src/libcxx/test/configs/cmake-bridge.cfg.in" ]; then
  if [ "$src" = "$root/third_party/llvm-src" ]; then
    "$root/scripts/fetch-llvm-tests.sh" "$src"
  else
    echo "compare.sh: $src has no libcxx/test" >&2; exit 2
  fi
fi
src=$(cd "$src" && pwd)
if [ ! -x "$build/bin/llvm-lit" ]; then
  if [ "$target" = aarch64 ]; then
    ARM64_ROOT=${ARM64_ROOT:-$root/third_party/libcxx-arm64-root}
    "$root/tests/libcxx/setup-arm64-root.sh" "$ARM64_ROOT"
    ARM64_ROOT=$ARM64_ROOT "$root/tests/libcxx/setup-build.sh" "$src" "$build" --target aarch64
  else
    "$root/tests/libcxx/setup-build.sh" "$src" "$build"
  fi
fi
build=$(cd "$build" && pwd)
if [ -z "$out" ]; then out=$(mktemp -d -t libcxx-compare.XXXXXX); fi
mkdir -p "$out"
rm -f "$out/lit.json" "$out/litbox.json"

paths=()
while IFS= read -r line; do
  line=${line%%#*}; line=$(echo "$line" | xargs)
  [ -n "$line" ] && paths+=("$src/libcxx/test/$line")
done < "$list"
echo "compare.sh: ${#paths[@]} tests from $list; source $src; build $build; output in $out"

lit_wall=0
if [ -z "$against_recorded" ]; then
  start=$(date +%s)
  "$build/bin/llvm-lit" -q -j "$jobs" -o "$out/lit.json" "${paths[@]}" > "$out/lit.out" 2>&1 || true
  lit_wall=$(( $(date +%s) - start ))
  [ -s "$out/lit.json" ] || { echo "compare.sh: lit wrote no JSON (see $out/lit.out)" >&2; tail -20 "$out/lit.out" >&2; exit 2; }
  if [ -n "$record" ]; then
    python3 - "$out/lit.json" "$recorded" "$build" <<'PY'
import json, sys
tests = json.load(open(sys.argv[1]))['tests']
with open(sys.argv[2], 'w') as f:
    f.write('# lit 15 codes of tests/libcxx/compare.sh --record (build %s)\n' % sys.argv[3].rsplit('/', 1)[-1])
    for t in sorted(tests, key=lambda t: t['name']):
        f.write('%s %s\n' % (t['code'], t['name'].split(' :: ', 1)[-1]))
PY
    echo "compare.sh: lit's codes recorded in $recorded"
  fi
fi

box_wall=0
if [ "$litbox" != --lit-only ]; then
  # The YAML of this build (and the source tree's lit.yaml / lit.local.yaml files); a
  # translation problem (the dsl self-tests' pickled substitutions) is reported, not fatal.
  "$root/scripts/lit-to-yaml" "$build/test/lit.site.cfg" > "$out/translate.out" 2>&1 || true
  if [ ! -f "$build/test/lit.site.yaml" ]; then
    echo "compare.sh: the translation wrote no lit.site.yaml:" >&2; cat "$out/translate.out" >&2; exit 2
  fi
  start=$(date +%s)
  "$litbox" -q -j "$jobs" -o "$out/litbox.json" --site "$build/test/lit.site.yaml" \
    "${litbox_args[@]+"${litbox_args[@]}"}" "${paths[@]}" > "$out/litbox.out" 2>&1 || true
  box_wall=$(( $(date +%s) - start ))
  [ -s "$out/litbox.json" ] || { echo "compare.sh: litbox wrote no JSON (see $out/litbox.out)" >&2; tail -20 "$out/litbox.out" >&2; exit 2; }
fi

python3 - "$out" "$recorded" "$lit_wall" "$box_wall" "$against_recorded" <<'PY'
import collections, json, os, sys
out, recorded_path, lit_wall, box_wall, against = sys.argv[1:]

def codes(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return {t['name'].split(' :: ', 1)[-1]: t['code'] for t in json.load(f).get('tests', [])}

box = codes(os.path.join(out, 'litbox.json'))
recorded = {}
expected_box = {}  # "CODE name  # litbox: CODE2 <why>": a difference explained and expected
with open(recorded_path) as f:
    for line in f:
        if line.strip() and not line.startswith('#'):
            line, _, comment = line.partition('#')
            code, name = line.split(None, 1)
            recorded[name.strip()] = code
            if comment.strip().startswith('litbox:'):
                expected_box[name.strip()] = comment.strip()[len('litbox:'):].split()[0].rstrip(':,')
lit = dict(recorded) if against else codes(os.path.join(out, 'lit.json'))
names = sorted(set(lit) | set(box or {}))
width = max(len(n) for n in names) if names else 10
diffs = 0
print('%-*s  %-11s  %s' % (width, 'test', 'lit', 'litbox' if box is not None else 'lit recorded'))
for n in names:
    a = lit.get(n, 'MISSING')
    b = box.get(n, 'MISSING') if box is not None else recorded.get(n, '-')
    differs = a != b and (box is not None or n in recorded)
    explained = differs and box is not None and expected_box.get(n) == b
    diffs += differs and not explained
    print('%-*s  %-11s  %-11s%s' % (width, n, a, b, '  (expected: see %s)' % os.path.basename(recorded_path)
                                    if explained else '  <<< differs' if differs else ''))
count = lambda c: ', '.join('%s %d' % kv for kv in sorted(collections.Counter(c.values()).items()))
print('lit:    %s (%s)' % (count(lit), 'recorded in ' + os.path.basename(recorded_path) if against else lit_wall + 's'))
if box is not None:
    print('litbox: %s (%ss)' % (count(box), box_wall))
print('%d difference(s)%s' % (diffs, '' if box is not None else ' from the recorded lit codes'))
sys.exit(1 if diffs else 0)
PY
