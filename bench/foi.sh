#!/usr/bin/env bash
# The FOI system's commands at a department's scale, with the release
# binary: generating a year of cases through the service's own functions
# (logged, assigned, accepted, decided, cleared, sent, reviewed), the
# quarterly statistics over it on SQLite and PostgreSQL, the statutory
# clock, and redaction of a long PDF printed by Chromium.
# Usage: bench/foi.sh [CASES] (default 5000; figures in BENCHMARKS.md)
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:-5000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cargo build -q --release -p lifeline
bin=target/release/lifeline
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }
# hyperfine prints means; the figures quoted are medians, from its JSON.
medians() {
  python3 - "$1" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f"median {r['median'] * 1000:.1f} ms: {r['command']}")
PY
}

echo "== generate $cases cases (SQLite)"
/usr/bin/time -f "%e s, %M KB peak" "$bin" foi generate --year 2025 --count "$cases" --seed 1 \
  --database-url "sqlite://$dir/foi.db" > "$dir/stats.csv"
echo "== generate $cases cases (PostgreSQL)"
psql -h 127.0.0.1 -U postgres -d postgres -qc 'DROP DATABASE IF EXISTS foi_bench' -qc 'CREATE DATABASE foi_bench'
/usr/bin/time -f "%e s, %M KB peak" "$bin" foi generate --year 2025 --count "$cases" --seed 1 \
  --database-url "postgres://postgres@127.0.0.1:5432/foi_bench" > "$dir/stats-pg.csv"
cmp "$dir/stats.csv" "$dir/stats-pg.csv" && echo "same statistics on both databases"

echo "== statistics over the year"
hyperfine -N --warmup 2 --runs 20 --export-json "$dir/stats.json" \
  "$bin foi stats --database-url sqlite://$dir/foi.db --from 2025-01-01 --to 2025-12-31" \
  "$bin foi stats --database-url postgres://postgres@127.0.0.1:5432/foi_bench --from 2025-01-01 --to 2025-12-31"
medians "$dir/stats.json"
psql -h 127.0.0.1 -U postgres -d postgres -qc 'DROP DATABASE foi_bench'

echo "== the statutory clock"
hyperfine -N --warmup 5 --runs 200 --export-json "$dir/deadline.json" \
  "$bin foi deadline --received 2025-03-03 --clarified 2025-03-10 --fee-notice 2025-03-17 --fee-paid 2025-03-21 --extension 10"
medians "$dir/deadline.json"

echo "== redaction of a long PDF printed by Chromium (2,500 paragraphs, embedded font subsets)"
{
  echo '<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>Minutes</title></head><body>'
  for i in $(seq 1 2500); do
    echo "<p>Item $i: John Smith of 1 High Street met the board about the video calls assessment; Mary Jones took the minutes.</p>"
  done
  echo '</body></html>'
} > "$dir/minutes.html"
chromium --headless --no-sandbox --disable-gpu --no-pdf-header-footer \
  --user-data-dir="$dir/profile" --print-to-pdf="$dir/minutes.pdf" "file://$dir/minutes.html" 2>/dev/null
echo "input: $(pdfinfo "$dir/minutes.pdf" 2>/dev/null | grep Pages || echo 'pages unknown (no pdfinfo)'), $(stat -c %s "$dir/minutes.pdf") bytes"
"$bin" foi redact --input "$dir/minutes.pdf" --output "$dir/out.pdf" --term "John Smith" --term "1 High Street" --term "Mary Jones"
hyperfine -N --warmup 1 --runs 10 --export-json "$dir/redact.json" \
  "$bin foi redact --input $dir/minutes.pdf --output $dir/out.pdf --term 'John Smith' --term '1 High Street' --term 'Mary Jones'"
medians "$dir/redact.json"
