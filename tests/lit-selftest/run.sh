#!/usr/bin/env bash
# Issue 11: lit's own self-test suite (llvm/utils/lit/tests, 50 tests that each run %{lit} on a
# sample suite under Inputs/ and FileCheck its output) with litbox as %{lit}. The lit tree
# comes from third_party/llvm-src (scripts/fetch-llvm-tests.sh); its Inputs configs are
# translated with `litbox translate`, %{lit} is pointed at litbox (through a symlink named
# `lit`, so litbox presents itself as lit), and Debian's lit 15 runs the suite.
# litbox runs the sample suites with --sandbox=off: they write outside their tests' %t (the
# allow-retries counter in the outer test's Output dir, shtest-shell in its source dir), which
# the sandbox refuses by design; what is checked here is fidelity to lit.
#
# Passes when exactly the tests in EXPECTED_NOT_PASS do not pass (one of them passing fails
# the run too, so the list stays true). Issue 11 asks for at least 45 of 50; that cannot be
# reached while the seven tests of Python test formats (the six on Inputs/test-data*, and
# custom-result-category) and the three that lit 15 itself reports UNSUPPORTED here stay
# listed (50 - 10 = 40 at most: the other 40 all pass), so the count is printed against that
# goal and the list, not the goal, decides.
# Usage: run.sh LITBOX WORK_DIR
set -euo pipefail
litbox=$(realpath "$1")
work=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
src=$root/third_party/llvm-src
real_lit=/usr/lib/llvm-15/build/utils/lit/lit.py
llvm_bin=/usr/lib/llvm-15/bin
GOAL=45

# The tests litbox does not pass, with the reason.
declare -A EXPECTED_NOT_PASS=(
  [shtest-timeout.py]="UNSUPPORTED with lit 15 too: the outer suite lacks lit-max-individual-test-time (psutil)"
  [googletest-timeout.py]="UNSUPPORTED with lit 15 too: the outer suite lacks lit-max-individual-test-time (psutil)"
  [xunit-output.py]="UNSUPPORTED with lit 15 too: REQUIRES: shell, which the outer suite does not define"
  [test-data.py]="Inputs/test-data: a Python test format (DummyFormat) the translator cannot express"
  [test-data-micro.py]="Inputs/test-data-micro: a Python test format (DummyFormat)"
  [test-output.py]="Inputs/test-data: a Python test format (DummyFormat)"
  [test-output-micro.py]="Inputs/test-data-micro: a Python test format (DummyFormat)"
  [test-output-resultdb.py]="Inputs/test-data: a Python test format (DummyFormat)"
  [test-output-micro-resultdb.py]="Inputs/test-data-micro: a Python test format (DummyFormat)"
  [custom-result-category.py]="a Python ShTest subclass with custom result codes (format.MyFormat): not translatable"
)

if [ ! -f "$real_lit" ]; then echo "lit_selftest: needs Debian's lit 15 ($real_lit)" >&2; exit 2; fi
if [ ! -f "$src/.complete" ]; then "$root/scripts/fetch-llvm-tests.sh" "$src"; fi

rm -rf "$work"
mkdir -p "$work/bin"
cp -r "$src/llvm/utils/lit" "$work/lit"
ln -s "$litbox" "$work/bin/lit"
tests=$work/lit/tests
# The sample suites' Python configs, as YAML beside them. A config the translator cannot
# express (a custom Python test format) is reported and left out: its tests fail. A
# lit.local.cfg is translated with its suite (and refused on its own).
(cd "$tests" && find Inputs -name 'lit*.cfg*' | sort | while read -r cfg; do
  "$litbox" translate "$cfg" >/dev/null || echo "lit_selftest: not translated: $cfg"
done)
# %{lit} runs litbox (by the `lit` symlink) instead of `python lit.py`.
python3 - "$tests/lit.cfg" <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
old = ('"{env} %{{python}} {lit} -j1".format(\n        env="env -u FILECHECK_OPTS",\n'
       "        lit=os.path.join(lit_path, 'lit.py'))")
new = ('"{env} {lit} --sandbox=off -j1".format(\n        env="env -u FILECHECK_OPTS",\n'
       "        lit=lit_config.params.get('litbox', os.path.join(lit_path, 'lit.py')))")
if old not in text:
    sys.exit('lit_selftest: %{lit-no-order-opt} not found in ' + path)
open(path, 'w').write(text.replace(old, new))
PY

status=0
(cd "$work/lit" && python3 "$real_lit" -v -j2 --path "$llvm_bin" --param "litbox=$work/bin/lit" \
   -o "$work/results.json" tests) || status=$?
echo "lit exited with $status"

reasons=$work/expected-not-pass.txt
for name in "${!EXPECTED_NOT_PASS[@]}"; do printf '%s\t%s\n' "$name" "${EXPECTED_NOT_PASS[$name]}"; done >"$reasons"
python3 - "$work/results.json" "$GOAL" "$reasons" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))['tests']
goal = int(sys.argv[2])
expected = dict(line.rstrip('\n').split('\t', 1) for line in open(sys.argv[3]))
codes = {t['name'].split(' :: ', 1)[1]: t['code'] for t in results}
passed = [n for n, c in codes.items() if c == 'PASS']
for name in sorted(codes):
    why = '  (expected: %s)' % expected[name] if name in expected else ''
    print('%-12s %s%s' % (codes[name], name, why))
ok = True
for n in sorted(expected):
    if n not in codes:
        print('error: %s is listed as expected not to pass but was not run' % n); ok = False
    elif codes[n] == 'PASS':
        print('error: %s passes but is listed as expected not to pass: update the list' % n); ok = False
for n in sorted(n for n, c in codes.items() if c != 'PASS' and n not in expected):
    print('error: %s: %s, not listed as expected not to pass' % (n, codes[n])); ok = False
print('%d of %d pass; %d listed as expected not to pass; issue 11 goal: %d%s'
      % (len(passed), len(codes), len(expected), goal, '' if len(passed) >= goal else ' (not reached)'))
sys.exit(0 if ok else 1)
PY
