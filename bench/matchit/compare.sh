#!/usr/bin/env bash
# Lifeline against MatchIt: same data, same settings, same answers?
#
#   bench/matchit/compare.sh [N] [SEED]        (defaults 20000 1)
#
# 1. make_data.py writes an analysis table of N rows (about 5% treated);
#    kept under $WORK and reused.
# 2. For every configuration in CONFIGS below: run_matchit.R gives the
#    correct MatchIt answer (engine "auto": MatchIt's distance-matrix routine
#    while the n1 x n0 matrix fits in 2 GB, i.e. up to roughly 50,000 rows
#    at 5% treated; beyond that ref_nn.R, the harness's own implementation of
#    MatchIt >= 4.5.4; --check cross-checks the two) and `lifeline match`
#    runs with the same options.
# 3. compare.py: coefficients (max |diff| < 1e-6), matched sets (identical),
#    weights (max |diff| < 1e-9); propensity scores, balance and effect are
#    reported. Wall times of both, and the ratio.
#
# While `lifeline match` does not exist the Lifeline side says so and the R
# side still runs end to end (exit status 0). The R times here are NOT
# MatchIt's usual speed (the matrix routine is much slower than the vector
# one, and --check runs the reference as well): bench/matchit/speed.sh is
# the speed comparison.
#
# Environment: WORK (target/bench-matchit/nN-sS), LIFELINE_BIN
# (target/release/lifeline), BUILD=1 (cargo build --release first),
# COVARIATES (the eleven make_data.py covariates), ENGINE (auto), ONLY
# (run just the configurations whose name contains this), REGENERATE=1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

n=${1:-20000}
seed=${2:-1}
work=${WORK:-$root/target/bench-matchit/n$n-s$seed}
bin=${LIFELINE_BIN:-$root/target/release/lifeline}
engine=${ENGINE:-auto}
covs=${COVARIATES:-age,female,employed,prev_offences,prev_custodial,days_since_last,age_first_offence,ogrs3,drug_misuse,unstable_housing,region}

# Lifeline matches on the logit of the propensity score with the caliper in
# its standard deviations (the lab's convention), so MatchIt is run with
# link = "linear.logit", which does the same.
# name|options common to both tools. Deterministic settings only (no
# m.order "random"), so the matched sets must be identical.
CONFIGS=(
  "nn1_caliper0.2|--ratio 1 --caliper 0.2"
  "nn3|--ratio 3"
  "nn1_replace|--ratio 1 --replace"
  "nn1_exact_female|--ratio 1 --exact female"
  "nn2_replace_caliper0.1|--ratio 2 --replace --caliper 0.1"
  "nn3_caliper0.05|--ratio 3 --caliper 0.05"
)

command -v Rscript >/dev/null ||
  { echo "R is not installed: apt-get install r-base-core r-cran-matchit" >&2; exit 2; }
Rscript -e 'quit(status = !requireNamespace("MatchIt", quietly = TRUE))' ||
  { echo "MatchIt is not installed: apt-get install r-cran-matchit" >&2; exit 2; }
command -v python3 >/dev/null || { echo "python3 is needed (make_data.py, compare.py)" >&2; exit 2; }

if [[ ${BUILD:-0} == 1 ]]; then
  (cd "$root" && cargo build --release --quiet)
fi
# Is `lifeline match` there? (A missing binary or an unknown subcommand both
# mean "not yet".)
have_lifeline=0
if [[ -x $bin ]] && "$bin" match --help >/dev/null 2>&1; then
  have_lifeline=1
else
  echo "lifeline match not available yet ($bin match --help failed): running MatchIt's side only"
fi

mkdir -p "$work"
data=$work/data.csv
if [[ ! -s $data || ${REGENERATE:-0} == 1 ]]; then
  "$here/make_data.py" "$data" "$n" "$seed"
fi

secs() { echo "$EPOCHREALTIME"; }
summary=()
status=0
for cfg in "${CONFIGS[@]}"; do
  name=${cfg%%|*}
  opts=${cfg#*|}
  [[ -n ${ONLY:-} && $name != *"$ONLY"* ]] && continue
  echo
  echo "=== $name: $opts"
  rdir=$work/matchit/$name
  ldir=$work/lifeline/$name
  rm -rf "$rdir" "$ldir"
  t0=$(secs)
  # shellcheck disable=SC2086  # options are meant to split into words
  Rscript "$here/run_matchit.R" "$data" "$rdir" --treatment treated --covariates "$covs" \
    --outcome y $opts --link linear.logit --engine "$engine" --check | sed 's/^/  R: /'
  r_wall=$(echo "$(secs) - $t0" | bc)
  r_gm=$(awk '$1=="glm"||$1=="matrix"||$1=="match"{s+=$2} END{printf "%.3f", s}' "$rdir/timing.txt")
  if [[ $(cat "$rdir/check_differences.txt" 2>/dev/null || echo 0) != 0 ]]; then
    echo "  note: MatchIt's matrix routine and ref_nn.R differ (exact ties?): see the R lines above"
  fi
  if [[ $have_lifeline == 1 ]]; then
    # MatchIt has no caliper unless given one; Lifeline's default is 0.2.
    lopts=$opts
    [[ $opts == *--caliper* ]] || lopts="$opts --no-caliper"
    t0=$(secs)
    # shellcheck disable=SC2086
    if "$bin" match --data "$data" --treatment treated --covariates "$covs" --outcome y \
         --method nearest $lopts --out "$ldir" 2>&1 | sed 's/^/  lifeline: /'; then
      l_wall=$(echo "$(secs) - $t0" | bc)
      if python3 "$here/compare.py" "$ldir" "$rdir" --label "$name" | sed 's/^/  /'; then
        verdict=PASS
      else
        verdict=FAIL; status=1
      fi
      ratio=$(echo "scale=1; $r_wall / $l_wall" | bc)
      summary+=("$(printf '%-26s %-5s R %7.2fs (glm+match %6.2fs)  Lifeline %7.2fs  R/Lifeline %6sx' \
        "$name" "$verdict" "$r_wall" "$r_gm" "$l_wall" "$ratio")")
    else
      status=1
      summary+=("$(printf '%-26s FAIL  lifeline match exited with an error' "$name")")
    fi
  else
    summary+=("$(printf '%-26s  R %7.2fs (glm+match %6.2fs)  lifeline match not available yet' \
      "$name" "$r_wall" "$r_gm")")
  fi
done

echo
echo "=== summary: $n rows, seed $seed, data $data"
printf '%s\n' "${summary[@]}"
echo "(R wall = the whole Rscript run: start-up, MatchIt's matrix routine, the --check reference and balance;"
echo " for speed see bench/matchit/speed.sh)"
exit $status
