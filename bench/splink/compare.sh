#!/usr/bin/env bash
# Lifeline against Splink on the same record-linkage work.
#
#   bench/splink/compare.sh [PEOPLE] [COHORT] [NOISE]     (defaults 1000000 10000 1)
#
# 1. generates a national dataset and a provider cohort with
#    `lifeline datalab generate` (fixed seed; reused if already there);
# 2. prepare.py writes the inputs both tools read (left.csv, right.parquet)
#    and the truth (untimed);
# 3. runs Splink (run_splink.py: load, standardise, train, predict, write)
#    and `lifeline link` (everything the command does), each under
#    /usr/bin/time for wall seconds and peak resident memory;
# 4. score.py scores both sets of pairs the same way and prints the table,
#    the ratios and the Markdown for BENCHMARKS.md.
#
# Environment: SEED (1), THRESHOLD (0.5), WORK (target/bench-splink/...),
# WINDOW_FROM/WINDOW_TO (2008-01-01/2018-12-31: wide enough for a
# 10,000-row cohort out of 100,000 people), TIMEOUT (seconds per tool run,
# none by default), SKIP_BUILD=1 (use the existing target/release/lifeline),
# REGENERATE=1 (generate again even if the dataset is there),
# SKIP_SPLINK=1 / SKIP_LIFELINE=1 (run one side only), LIFELINE_BIN (the
# binary whose `link` is measured; target/release/lifeline by default),
# SPLINK_ARGS (extra options for run_splink.py, e.g. "--em-without-tf"),
# LIFELINE_SETTINGS (the settings `lifeline link` runs with: settings.toml,
# equivalent to Splink's, by default; settings-names.toml adds Lifeline's
# nickname, swapped-name and compound-name levels).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

people=${1:-1000000}
cohort=${2:-10000}
noise=${3:-1}
seed=${SEED:-1}
threshold=${THRESHOLD:-0.5}
window_from=${WINDOW_FROM:-2008-01-01}
window_to=${WINDOW_TO:-2018-12-31}
work=${WORK:-$root/target/bench-splink/p$people-c$cohort-n$noise-s$seed}
bin=$root/target/release/lifeline
link_bin=${LIFELINE_BIN:-$bin}
python=${PYTHON:-python3}

die() { echo "compare.sh: $*" >&2; exit 1; }
command -v /usr/bin/time >/dev/null || die "needs GNU time (apt-get install time)"
command -v "$python" >/dev/null || die "needs $python"
"$python" -c 'import duckdb' 2>/dev/null || die "duckdb is not installed: pip install duckdb"

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  (cd "$root" && cargo build --release --quiet -p lifeline)
fi
[[ -x $bin ]] || die "$bin not found: cargo build --release -p lifeline"

mkdir -p "$work"
data=$work/data
inputs=$work/inputs
stamp="people=$people cohort=$cohort noise=$noise seed=$seed window=$window_from..$window_to"
if [[ ${REGENERATE:-0} == 1 || ! -f $data/.bench-stamp || $(cat "$data/.bench-stamp") != "$stamp" ]]; then
  echo "== generating: $stamp"
  rm -rf "$data" "$inputs"
  "$bin" datalab generate --people "$people" --seed "$seed" --cohort "$cohort" --noise "$noise" \
    --window-from "$window_from" --window-to "$window_to" --out "$data" --quiet >/dev/null
  echo "$stamp" >"$data/.bench-stamp"
fi
if [[ ! -f $inputs/.bench-stamp || $(cat "$inputs/.bench-stamp") != "$stamp" ]]; then
  echo "== preparing inputs"
  "$python" "$here/prepare.py" "$data" "$inputs"
  echo "$stamp" >"$inputs/.bench-stamp"
fi

# write_result FILE TOOL VERSION STATUS [TIMEFILE PAIRS]
write_result() {
  "$python" - "$@" <<'EOF'
import json, sys
out, tool, version, status = sys.argv[1:5]
result = {"tool": tool, "version": version, "status": status}
if status == "ok":
    timefile, pairs = sys.argv[5:7]
    wall, kb = open(timefile).read().split("\n")[-2].split()
    result.update(wall_s=float(wall), peak_kb=int(kb), pairs=pairs)
json.dump(result, open(out, "w"), indent=2)
EOF
}

# timed NAME CMD...: runs CMD under GNU time; stdout+stderr to $work/NAME.log,
# wall and peak to $work/NAME.time. Returns CMD's exit status.
timed() {
  local name=$1
  shift
  local t=()
  [[ -n ${TIMEOUT:-} ]] && t=(timeout "$TIMEOUT")
  /usr/bin/time -f '%e %M' -o "$work/$name.time" "${t[@]}" "$@" >"$work/$name.log" 2>&1
}

failure() { # failure NAME STATUS: a one-line reason from the log
  local why
  if [[ $2 == 124 ]]; then why="timed out after ${TIMEOUT}s"; else why="failed (exit $2)"; fi
  echo "$why: $(grep -v '^\s*$' "$work/$1.log" | tail -n 1 | cut -c1-160)"
}

# --- Splink
splink_version=$("$python" -c 'import splink; print(splink.__version__)' 2>/dev/null || true)
if [[ ${SKIP_SPLINK:-0} == 1 ]]; then
  write_result "$work/splink.json" Splink "${splink_version:-?}" "skipped (SKIP_SPLINK=1)"
elif [[ -z $splink_version ]]; then
  write_result "$work/splink.json" Splink "-" "splink is not installed: pip install splink"
else
  echo "== Splink $splink_version: linking (log: $work/splink.log)"
  rc=0
  timed splink "$python" "$here/run_splink.py" "$inputs/left.csv" "$inputs/right.parquet" \
    "$work/splink_pairs.csv" --threshold "$threshold" ${SPLINK_ARGS:-} || rc=$?
  if [[ $rc == 0 ]]; then
    write_result "$work/splink.json" Splink "$splink_version" ok "$work/splink.time" "$work/splink_pairs.csv"
    grep '^\[run_splink\]' "$work/splink.log" | sed 's/^/   /'
  else
    write_result "$work/splink.json" Splink "$splink_version" "$(failure splink "$rc")"
  fi
fi

# --- Lifeline
lifeline_version=$("$link_bin" --version 2>/dev/null | awk '{print $2}' || true)
if [[ ${SKIP_LIFELINE:-0} == 1 ]]; then
  write_result "$work/lifeline.json" Lifeline "$lifeline_version" "skipped (SKIP_LIFELINE=1)"
elif ! "$link_bin" link --help >/dev/null 2>&1; then
  write_result "$work/lifeline.json" Lifeline "$lifeline_version" "Lifeline link not available yet"
else
  echo "== Lifeline $lifeline_version: linking (log: $work/lifeline.log)"
  rc=0
  timed lifeline "$link_bin" link --left "$inputs/left.csv" --right "$inputs/right.parquet" \
    --settings "${LIFELINE_SETTINGS:-$here/settings.toml}" --out "$work/lifeline_pairs.csv" --quiet || rc=$?
  if [[ $rc == 0 ]]; then
    write_result "$work/lifeline.json" Lifeline "$lifeline_version" ok "$work/lifeline.time" "$work/lifeline_pairs.csv"
  else
    write_result "$work/lifeline.json" Lifeline "$lifeline_version" "$(failure lifeline "$rc")"
  fi
fi

echo
"$python" "$here/score.py" --truth "$inputs/truth.csv" --threshold "$threshold" --by-error \
  --title "$people national people, $cohort-row cohort, noise $noise, seed $seed; $(nproc) cores" \
  "$work/splink.json" "$work/lifeline.json"
