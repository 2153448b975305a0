#!/usr/bin/env bash
# Issue 12: `cmake --install` into a fresh prefix, then examples/cmake-project configured
# against that prefix only (find_package(litbox CONFIG)): it builds, a per-directory check
# target runs only its directory, `ctest -L litbox` runs every suite (with JUnit reports), the
# man page renders, the bash completion loads and `litbox translate` finds its script.
# Usage: run-install-test.sh BUILD_DIR WORK_DIR
set -euo pipefail
build=$(realpath "$1")
work=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$work"
mkdir -p "$work"
prefix=$work/prefix
fail() { echo "install test: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$prefix" >"$work/install.log"
for f in bin/litbox share/litbox/lit-to-yaml share/litbox/schema/lit.yaml.schema.json share/man/man1/litbox.1 \
         share/bash-completion/completions/litbox share/zsh/site-functions/_litbox \
         lib/cmake/litbox/litboxConfig.cmake lib/cmake/litbox/LitboxFunctions.cmake; do
  [ -e "$prefix/$f" ] || fail "not installed: $f"
done

# The installed tools work from the prefix.
MANWIDTH=80 man -l "$prefix/share/man/man1/litbox.1" | grep -q 'litbox - a hermetic, lit-compatible test runner' ||
  fail "man -l does not render the page"
bash -c "source '$prefix/share/bash-completion/completions/litbox' && complete -p litbox" | grep -q _litbox ||
  fail "the bash completion does not load"
"$prefix/bin/litbox" translate --help | grep -q 'Translates lit' || fail "the installed litbox translate finds no translator"

# The example, against the prefix alone.
ex=$work/example
cmake -S "$root/examples/cmake-project" -B "$ex" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" \
      -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF >"$work/configure.log" || { cat "$work/configure.log"; fail "configure"; }
grep -q "$prefix/bin/litbox" "$ex/CMakeCache.txt" "$ex/build.ninja" || fail "the example does not use the installed litbox"
cmake --build "$ex" >"$work/build.log" || { cat "$work/build.log"; fail "build"; }

# check-<prefix>-<dir> runs that directory only.
check() {  # TARGET EXPECTED_PASSED
  local out
  out=$(cmake --build "$ex" --target "$1" 2>&1) || { echo "$out"; fail "$1 failed"; }
  echo "$out" | grep -Eq "Passed *: $2\$" || { echo "$out"; fail "$1: expected $2 passed tests"; }
  echo "$1: $2 passed"
}
check check-example-greeting 2
check check-example-cli 2
check check-example-cli-errors 1
check check-example 4
check check-example-unit 2

# CTest: one entry per suite, labelled litbox, each writing a JUnit report.
(cd "$ex" && ctest -L litbox --output-on-failure) >"$work/ctest.log" 2>&1 || { cat "$work/ctest.log"; fail "ctest -L litbox"; }
grep -q "100% tests passed, 0 tests failed out of 2" "$work/ctest.log" || { cat "$work/ctest.log"; fail "ctest ran other than 2 suites"; }
for j in check-example check-example-unit; do
  grep -q '<testsuite' "$ex/$j.junit.xml" || fail "no JUnit report $ex/$j.junit.xml"
done
# Built with the project instead (add_subdirectory, as FetchContent does): configured only (a
# build would compile litbox again); the check targets run the litbox target of that build.
sub=$work/example-subdir
cmake -S "$root/examples/cmake-project" -B "$sub" -G Ninja -DEXAMPLE_LITBOX_SOURCE="$root" \
      -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF >"$work/configure-subdir.log" 2>&1 ||
  { cat "$work/configure-subdir.log"; fail "configure with add_subdirectory"; }
grep -q "$sub/litbox/bin/litbox\|$sub/bin/litbox" "$sub/build.ninja" ||
  fail "with add_subdirectory, the check targets do not run the litbox built with the project"
echo "add_subdirectory: configured"
echo "install test: passed"
