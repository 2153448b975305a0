#!/usr/bin/env bash
# Every command block (```sh) of README.md and docs/*.md runs as written, from the repository
# root, with the built litbox first on PATH as `litbox` — or says why it cannot here: a block
# whose first line is `# example: <why>` needs a setup this test does not make (a remote
# machine, an interactive terminal, the whole test suite, LLVM's sources) and is only listed.
# Usage: run-doc-commands.sh LITBOX WORK_DIR
set -uo pipefail
litbox=$(realpath "$1")
work=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$work" && mkdir -p "$work/bin"
ln -s "$litbox" "$work/bin/litbox"
# build/bin/litbox in the docs is this build's litbox, wherever the build tree is.
status=0 ran=0 listed=0
for doc in "$root/README.md" "$root"/docs/*.md; do
  rel=${doc#"$root"/}
  awk -v out="$work/${rel//\//_}" '
    /^```sh[ \t]*$/ { n++; inblock = 1; file = out "." n; printf "" > file; next }
    /^```/ { if (inblock) { close(file); print file } inblock = 0; next }
    inblock { print >> file }' "$doc" > "$work/list"
  while read -r block; do
    name=$(basename "$block")
    first=$(head -n1 "$block")
    if [[ $first == "# example: "* ]]; then
      echo "listed  $name: ${first#"# example: "}"
      listed=$((listed + 1))
      continue
    fi
    if (cd "$root" && PATH="$work/bin:$PATH" LITBOX_BIN="$litbox" bash -euo pipefail \
          <(sed "s|build/bin/litbox|$litbox|g" "$block")) >"$work/$name.log" 2>&1; then
      echo "ran     $name"
      ran=$((ran + 1))
    else
      echo "FAILED  $name (output: $work/$name.log):"
      sed 's/^/    /' "$block"
      tail -20 "$work/$name.log" | sed 's/^/  | /'
      status=1
    fi
  done < "$work/list"
done
echo "doc commands: $ran blocks ran, $listed listed as examples"
[ "$ran" -gt 0 ] || { echo "no block ran" >&2; status=1; }
exit $status
