#!/usr/bin/env bash
# Intake at scale: `lifeline datalab validate` on a large CSV cohort (every
# row distinct), reporting wall time, rows per second and peak memory.
#
#   bench/intake.sh [ROWS]      (default 10,000,000 rows, about 0.7 GB)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-10000000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet -p lifeline
bin=target/release/lifeline
"$bin" datalab generate --people 50000 --cohort 2000 --noise 0 --out "$work/seed" --quiet >/dev/null
# Repeat the generated rows, making each copy a different person by a
# suffix on the surname, until the file has ROWS data rows.
awk -F, -v OFS=, -v n="$rows" '
  NR == 1 { print; next }
  { base[++k] = $0 }
  END {
    for (i = 0; i < n; i++) {
      split(base[i % k + 1], f, ",")
      f[2] = f[2] "-" int(i / k)
      line = f[1]; for (j = 2; j <= 10; j++) line = line "," f[j]
      print line
    }
  }' "$work/seed/cohort.csv" >"$work/big.csv"
size=$(du -m "$work/big.csv" | cut -f1)
/usr/bin/time -f '%e %M' -o "$work/time" "$bin" datalab validate --cohort "$work/big.csv" \
  --request "$work/seed/request.toml" --json >"$work/report.json" || true
read -r wall kb <"$work/time"
printf '%d rows (%d MB): %.1f s wall, %.0f rows/s, %d MB peak memory\n' "$rows" "$size" "$wall" \
  "$(awk -v r="$rows" -v w="$wall" 'BEGIN {print r / w}')" "$((kb / 1024))"
python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print('decision:', r['decision'], r['counts'])" "$work/report.json" 2>/dev/null || true
