#!/usr/bin/env bash
# Accuracy of `lifeline datalab link` over recording-error levels: for each
# noise level, generates a national dataset with a cohort (fixed seed) and
# scores the linkage against the ground truth with bench/link_accuracy.py.
#
#   bench/link_noise.sh [PEOPLE] [COHORT] [NOISE...]   (defaults 3600000 10000 0 0.5 1 2 3)
set -euo pipefail
cd "$(dirname "$0")/.."
people=${1:-3600000}
cohort=${2:-10000}
shift $(( $# >= 2 ? 2 : $# ))
levels=("${@:-0 0.5 1 2 3}")
[[ ${#levels[@]} -eq 1 ]] && read -r -a levels <<<"${levels[0]}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet -p lifeline
bin=target/release/lifeline

printf '| noise | rows | in national records | matched | precision | recall | F1 | link wall s | peak MB |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for noise in "${levels[@]}"; do
  "$bin" datalab generate --people "$people" --cohort "$cohort" --noise "$noise" --seed 1 --out "$work/d" --quiet >/dev/null
  /usr/bin/time -f '%e %M' -o "$work/time" "$bin" datalab link --cohort "$work/d/cohort.csv" \
    --request "$work/d/request.toml" --reference "$work/d" --out "$work/out" --key "$work/lab.key" --quiet >/dev/null
  read -r wall kb <"$work/time"
  python3 bench/link_accuracy.py "$work/d" "$work/out" "$work/lab.key" | python3 -c '
import re, sys
text = sys.stdin.read()
rows, present = re.search(r"rows (\d+), in national records (\d+)", text).groups()
matched = re.search(r"true matches (\d+), false matches (\d+)", text).groups()
p, r, f = re.search(r"precision ([\d.]+)  recall ([\d.]+)  F1 ([\d.]+)", text).groups()
print(f"| {sys.argv[1]} | {rows} | {present} | {int(matched[0]) + int(matched[1])} | {p} | {r} | {f} | {sys.argv[2]} | {int(sys.argv[3]) // 1024} |")
' "$noise" "$wall" "$kb"
  rm -rf "$work/d" "$work/out"
done
