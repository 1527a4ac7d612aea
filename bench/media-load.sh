#!/usr/bin/env bash
# Load benchmark for the media server (crates/media): N concurrent two-party
# calls of synthetic VP8 (30 fps, ~600 kbit/s) and Opus (50 packets/s), over
# loopback, the clients in the same process (crates/media/examples/load.rs).
# Prints each run's line, then a table of the medians over the runs.
#
#   bench/media-load.sh [runs] [seconds] [calls...]     (default: 3 10 1 5 10 20 40 60)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
seconds=${2:-10}
shift $(( $# > 2 ? 2 : $# ))
series=${*:-1 5 10 20 40 60}
cargo build --release --quiet -p media --example load
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for n in $series; do
  for _ in $(seq "$runs"); do
    target/release/examples/load --calls "$n" --seconds "$seconds" --warmup 2 2>/dev/null | tee -a "$out"
  done
done
echo
echo "| calls | media thread, % of a core | per call | clients, % | forwarded video frames/s | video delivered | audio delivered | latency p50 / p99 ms | calls not up |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in $series; do
  grep "^calls=$n " "$out" | tr ' ' '\n' | awk -F= -v n="$n" '
    { v[$1] = v[$1] " " $2 }
    function med(k,   a, c, i, j, t) {
      c = split(v[k], a, " ")
      for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
      return a[int((c + 1) / 2)]
    }
    END {
      printf "| %s | %s | %s | %s | %s | %s | %s | %s / %s | %s |\n", n, med("media_cpu_pct"),
        med("media_cpu_per_call_pct"), med("clients_cpu_pct"), med("forwarded_video_fps"),
        med("video_delivery"), med("audio_delivery"), med("latency_p50_ms"),
        med("latency_p99_ms"), med("failed_calls")
    }'
done
