#!/usr/bin/env bash
# Lifeline against MatchIt for speed, at the lab's scale.
#
#   bench/matchit/speed.sh [POOL ...]        (defaults 100000 1000000)
#
# For each comparison-pool size: make_data.py writes POOL + 10,000 rows with
# about 10,000 treated (kept under $WORK and reused), then
#   * MatchIt the ORDINARY way, as an analyst runs it: matchit(treated ~ ...,
#     method = "nearest", distance = "glm", <options>) (run_matchit.R
#     --engine glm). Timed: reading the CSV, MatchIt's own glm alone, the
#     nearest-neighbour matching alone (its vector routine, on that score),
#     and the whole matchit() call. NB Debian's MatchIt 4.5.1 gets these
#     matched sets wrong (see README); it is only its SPEED that is used.
#     The corrected routine (4.5.4+) does the same work per treated unit
#     (a pass over all units after each match), so its time is the same
#     order; the distance-matrix workaround cannot run here at all (a
#     10,000 x 1,000,000 matrix is 80 GB).
#     match_wholenum: the same routine on the score scaled to whole numbers,
#     where 4.5.1 matches correctly: the speed of correct matching.
#   * `lifeline match` with the same options: the whole command (read, fit,
#     match, write), wall time.
#   * unless VERIFY=0, correctness at that size: Lifeline's answer against
#     ref_nn.R (the harness's implementation of MatchIt >= 4.5.4, the only
#     correct reference that scales), via compare.py.
#
# Environment: OPTS (matching options, default "--ratio 1 --caliper 0.2"),
# TREATED (10000), SEED (1), WORK (target/bench-matchit/speed),
# LIFELINE_BIN (target/release/lifeline), BUILD=1, VERIFY=0, COVARIATES.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

pools=("$@")
[[ ${#pools[@]} -eq 0 ]] && pools=(100000 1000000)
opts=${OPTS:---ratio 1 --caliper 0.2}
treated=${TREATED:-10000}
seed=${SEED:-1}
work=${WORK:-$root/target/bench-matchit/speed}
bin=${LIFELINE_BIN:-$root/target/release/lifeline}
covs=${COVARIATES:-age,female,employed,prev_offences,prev_custodial,days_since_last,age_first_offence,ogrs3,drug_misuse,unstable_housing,region}

command -v Rscript >/dev/null ||
  { echo "R is not installed: apt-get install r-base-core r-cran-matchit" >&2; exit 2; }
Rscript -e 'quit(status = !requireNamespace("MatchIt", quietly = TRUE))' ||
  { echo "MatchIt is not installed: apt-get install r-cran-matchit" >&2; exit 2; }
if [[ ${BUILD:-0} == 1 ]]; then
  (cd "$root" && cargo build --release --quiet)
fi
have_lifeline=0
if [[ -x $bin ]] && "$bin" match --help >/dev/null 2>&1; then
  have_lifeline=1
else
  echo "lifeline match not available yet ($bin match --help failed): timing MatchIt only"
fi

secs() { echo "$EPOCHREALTIME"; }
t() { awk -v k="$1" '$1==k{print $2}' "$2"; }
rows=()
status=0
mkdir -p "$work"
for pool in "${pools[@]}"; do
  n=$((pool + treated))
  data=$work/pool$pool-t$treated-s$seed.csv
  [[ -s $data ]] || "$here/make_data.py" "$data" "$n" "$seed" --treated "$treated"
  echo
  echo "=== pool $pool (+ ~$treated treated): $opts"
  rdir=$work/matchit-pool$pool
  rm -rf "$rdir"
  # shellcheck disable=SC2086
  Rscript "$here/run_matchit.R" "$data" "$rdir" --treatment treated --covariates "$covs" \
    --outcome y $opts --link linear.logit --engine glm --no-balance | sed 's/^/  R: /'
  tf=$rdir/timing.txt
  read_s=$(t read "$tf"); glm_s=$(t glm_default "$tf"); match_s=$(t match "$tf")
  full_s=$(t matchit_full "$tf"); whole_s=$(t match_wholenum "$tf")
  r_total=$(echo "$read_s + $full_s" | bc)
  line=$(printf 'pool %8d  MatchIt: read %6.2fs  glm %6.2fs  match %6.2fs (correct-path %6.2fs)  matchit() %6.2fs  read+matchit() %6.2fs' \
    "$pool" "$read_s" "$glm_s" "$match_s" "$whole_s" "$full_s" "$r_total")
  if [[ $have_lifeline == 1 ]]; then
    ldir=$work/lifeline-pool$pool
    rm -rf "$ldir"
    t0=$(secs)
    # shellcheck disable=SC2086
    "$bin" match --data "$data" --treatment treated --covariates "$covs" --outcome y \
      --method nearest $opts --out "$ldir" 2>&1 | sed 's/^/  lifeline: /'
    l_wall=$(echo "$(secs) - $t0" | bc)
    line+=$(printf '  | Lifeline %6.2fs  ratio %5.1fx (read+matchit()) %5.1fx (glm+match)' "$l_wall" \
      "$(echo "scale=3; $r_total / $l_wall" | bc)" "$(echo "scale=3; ($glm_s + $match_s) / $l_wall" | bc)")
    if [[ ${VERIFY:-1} == 1 ]]; then
      refdir=$work/ref-pool$pool
      rm -rf "$refdir"
      # shellcheck disable=SC2086
      Rscript "$here/run_matchit.R" "$data" "$refdir" --treatment treated --covariates "$covs" \
        --outcome y $opts --link linear.logit --engine ref | sed 's/^/  R ref: /'
      if python3 "$here/compare.py" "$ldir" "$refdir" --label "pool$pool" | sed 's/^/  /'; then
        line+="  [same answers: PASS]"
      else
        line+="  [same answers: FAIL]"; status=1
      fi
    fi
  else
    line+="  | lifeline match not available yet"
  fi
  rows+=("$line")
done

echo
echo "=== speed: $opts, ~$treated treated, seed $seed (wall seconds, one run each)"
printf '%s\n' "${rows[@]}"
echo "(MatchIt's times come from Debian's 4.5.1 run the ordinary way, distance = \"glm\": its matched"
echo " sets are wrong, its speed is what is compared; glm = MatchIt's default fit, match = its"
echo " nearest-neighbour routine alone, correct-path = that routine where 4.5.1 is right (whole-number"
echo " distances), matchit() = the whole call including the glm.)"
exit $status
