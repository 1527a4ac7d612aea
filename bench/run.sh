#!/usr/bin/env bash
# A request end to end at national scale: time and peak memory of
# `lifeline datalab run` (intake, linkage, index events, matching, tests,
# disclosure control, HTML/JSON report and the PDF) over several runs, on a
# dataset made by `lifeline datalab generate` (default: 3.6 million people
# with a 10,000-person cohort, seed 7, generated once if missing).
#
#   bench/run.sh [DATA_DIR] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-data/national-3.6m}
runs=${2:-3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

cargo build --release --quiet -p lifeline
bin=target/release/lifeline
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (apt-get install time)" >&2; exit 1; }
if [ ! -f "$data/truth/effect.toml" ]; then
  "$bin" datalab generate --people 3600000 --cohort 10000 --seed 7 --out "$data" --quiet >/dev/null
fi

walls=()
for i in $(seq "$runs"); do
  # A fresh register each run: the same cohort twice is a resubmission,
  # which is allowed, but each run should do the same work.
  /usr/bin/time -f '%e %M' -o "$out/time" "$bin" datalab run --cohort "$data/cohort.csv" \
    --request "$data/request.toml" --reference "$data" --out "$out/report" \
    --key "$out/lab.key" --register "$out/register-$i.csv" --id "BENCH-$i" --quiet >"$out/log"
  read -r wall kb <"$out/time"
  walls+=("$wall")
  printf 'run %d: %6.1f s wall, %6.0f MB peak\n' "$i" "$wall" "$((kb / 1024))"
done
sed -n '/lab only/p;/^  [a-zA-Z].* s$/p' "$out/log"
grep true_effect "$data/truth/effect.toml"
median=$(printf '%s\n' "${walls[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
printf 'median: %.1f s for one request end to end; %d cores\n' "$median" "$(nproc)"
