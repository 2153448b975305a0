# kill-mid-run.sh LITBOX SUITE: starts a run, SIGKILLs litbox once the journal holds the two
# quick tests, then lets the waiting test finish on the resumed run. Prints the journal.
litbox=$1 suite=$2
"$litbox" --no-progress-bar -j1 --order=lexical "$suite" > "$suite.first.out" 2>&1 &
pid=$!
i=0
while [ "$(wc -l < "$suite/.litbox_journal.jsonl" 2>/dev/null || echo 0)" -lt 2 ]; do
  i=$((i + 1)); [ $i -lt 600 ] || { echo "journal never had 2 lines"; kill -9 $pid; exit 1; }
  sleep 0.05
done
kill -9 $pid
wait $pid 2>/dev/null
cut -c1-60 "$suite/.litbox_journal.jsonl"
touch "$suite/go"
