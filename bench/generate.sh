#!/usr/bin/env bash
# Generator throughput: time and peak memory of `lifeline datalab generate`
# at a given population (default: the real lab's 3.6 million), over several
# runs; prints each run and the median.
#
#   bench/generate.sh [PEOPLE] [RUNS] [COHORT]
set -euo pipefail
cd "$(dirname "$0")/.."
people=${1:-3600000}
runs=${2:-3}
cohort=${3:-10000}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

cargo build --release --quiet -p lifeline
bin=target/release/lifeline
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (apt-get install time)" >&2; exit 1; }

walls=()
for i in $(seq "$runs"); do
  /usr/bin/time -f '%e %M' -o "$out/time" "$bin" datalab generate --people "$people" --cohort "$cohort" \
    --seed "$i" --out "$out/data" --quiet >/dev/null
  read -r wall kb <"$out/time"
  walls+=("$wall")
  printf 'run %d: %6.1f s wall, %6.0f MB peak, %9.0f people/s\n' "$i" "$wall" "$((kb / 1024))" \
    "$(awk -v p="$people" -v w="$wall" 'BEGIN {print p / w}')"
done
median=$(printf '%s\n' "${walls[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
size=$(du -sm "$out/data/national" | cut -f1)
printf 'median: %.1f s for %d people (%.0f people/s); national tables %d MB on disk; %d cores\n' \
  "$median" "$people" "$(awk -v p="$people" -v w="$median" 'BEGIN {print p / w}')" "$size" "$(nproc)"
