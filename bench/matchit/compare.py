#!/usr/bin/env python3
"""Compare one Lifeline output directory with one MatchIt (run_matchit.R) one.

    bench/matchit/compare.py LIFELINE_DIR R_DIR [--coef-tol 1e-6] [--weight-tol 1e-9]

Checks (each PASS/FAIL; the exit status is 1 if any failed):
  coefficients  same terms, max |difference| < coef-tol
  matched sets  the same (treated row, control row) pairs: from pairs.csv
                when both sides wrote one, otherwise the same subclasses
                (as sets of rows; the numbering itself is not compared)
  weights       max |difference| over all rows < weight-tol (0 = unmatched)
Reported, not judged: max |difference| of the propensity scores, of the
balance table (balance.csv, matched on variable + sample) and of the effect.

Standard library only.
"""

import argparse
import csv
import json
import math
import os
import sys


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def num(x):
    return float(x) if x not in ("", "NA", "NaN", None) else math.nan


def maxdiff(pairs):
    m = 0.0
    for a, b in pairs:
        if math.isnan(a) and math.isnan(b):
            continue
        if math.isnan(a) or math.isnan(b):
            return math.inf
        m = max(m, abs(a - b))
    return m


def matched_rows(path):
    rows = read_csv(path)
    for col in ("row", "treated", "distance", "weight"):
        if rows and col not in rows[0]:
            raise SystemExit(f"compare.py: {path} has no column '{col}'")
    return {int(r["row"]): r for r in rows}


def pair_sets(path):
    out = {}
    for r in read_csv(path):
        out.setdefault(int(r["treated_row"]), set()).add(int(r["control_row"]))
    return out


def subclass_sets(rows):
    groups = {}
    for i, r in rows.items():
        s = r.get("subclass", "")
        if s not in ("", "NA") and float(r["weight"]) > 0:
            groups.setdefault(s, set()).add(i)
    return {frozenset(g) for g in groups.values()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("lifeline")
    ap.add_argument("r")
    ap.add_argument("--coef-tol", type=float, default=1e-6)
    ap.add_argument("--weight-tol", type=float, default=1e-9)
    ap.add_argument("--label", default="")
    a = ap.parse_args()
    L, R = a.lifeline, a.r
    fails = []

    def verdict(ok, what):
        print(("PASS  " if ok else "FAIL  ") + what)
        if not ok:
            fails.append(what)

    # coefficients
    lc = {r["term"]: num(r["estimate"]) for r in read_csv(os.path.join(L, "coefficients.csv"))}
    rc = {r["term"]: num(r["estimate"]) for r in read_csv(os.path.join(R, "coefficients.csv"))}
    if set(lc) != set(rc):
        verdict(False, "coefficients: terms differ; only in Lifeline: %s; only in R: %s"
                % (sorted(set(lc) - set(rc)), sorted(set(rc) - set(lc))))
    else:
        d = maxdiff((lc[t], rc[t]) for t in rc)
        worst = max(rc, key=lambda t: abs(lc[t] - rc[t]))
        verdict(d < a.coef_tol, f"coefficients: max |diff| {d:.3g} (worst: {worst}; tolerance {a.coef_tol:g})")

    # rows, scores, weights
    lm = matched_rows(os.path.join(L, "matched.csv"))
    rm = matched_rows(os.path.join(R, "matched.csv"))
    if set(lm) != set(rm):
        verdict(False, f"matched.csv: different rows ({len(lm)} vs {len(rm)})")
        return finish(fails, a.label)
    bad_t = [i for i in rm if int(lm[i]["treated"]) != int(rm[i]["treated"])]
    verdict(not bad_t, f"treatment column: {len(bad_t)} rows differ")
    dps = maxdiff((num(lm[i]["distance"]), num(rm[i]["distance"])) for i in rm)
    print(f"info  propensity score: max |diff| {dps:.3g}")

    # matched sets
    lp, rp = os.path.join(L, "pairs.csv"), os.path.join(R, "pairs.csv")
    if os.path.exists(lp) and os.path.exists(rp):
        ls, rs = pair_sets(lp), pair_sets(rp)
        keys = set(ls) | set(rs)
        diff = sorted(t for t in keys if ls.get(t, set()) != rs.get(t, set()))
        verdict(not diff, f"matched sets (pairs.csv): {len(diff)} of {len(keys)} treated units differ"
                + (f"; first: row {diff[0]}: Lifeline {sorted(ls.get(diff[0], []))} "
                   f"vs MatchIt {sorted(rs.get(diff[0], []))}" if diff else ""))
    else:
        ls, rs = subclass_sets(lm), subclass_sets(rm)
        if rs:
            verdict(ls == rs, f"matched sets (subclasses): {len(ls ^ rs)} sets differ of {len(rs)}")
        else:
            print("info  matched sets: no pairs.csv from Lifeline and no subclasses "
                  "(with replacement): compared through the weights only")
    mt_l = {i for i, r in lm.items() if int(r["treated"]) == 1 and num(r["weight"]) > 0}
    mt_r = {i for i, r in rm.items() if int(r["treated"]) == 1 and num(r["weight"]) > 0}
    verdict(mt_l == mt_r, f"matched treated units: Lifeline {len(mt_l)}, MatchIt {len(mt_r)}, "
            f"{len(mt_l ^ mt_r)} differ")

    dw = maxdiff((num(lm[i]["weight"]), num(rm[i]["weight"])) for i in rm)
    verdict(dw < a.weight_tol, f"weights: max |diff| {dw:.3g} (tolerance {a.weight_tol:g})")

    # balance (reported)
    lb, rb = os.path.join(L, "balance.csv"), os.path.join(R, "balance.csv")
    if os.path.exists(lb) and os.path.exists(rb):
        lt = {(r["variable"], r["sample"]): r for r in read_csv(lb)}
        rt = {(r["variable"], r["sample"]): r for r in read_csv(rb)}
        common = set(lt) & set(rt)
        cols = [c for c in ("mean_treated", "mean_control", "std_mean_diff", "var_ratio",
                            "ecdf_mean", "ecdf_max", "std_pair_dist")
                if rt and c in next(iter(rt.values())) and lt and c in next(iter(lt.values()))]
        parts = []
        for c in cols:
            parts.append(f"{c} {maxdiff((num(lt[k][c]), num(rt[k][c])) for k in common):.3g}")
        missing = sorted(set(rt) - set(lt))
        print(f"info  balance: {len(common)} rows in common; max |diff|: " + ", ".join(parts)
              + (f"; missing in Lifeline: {missing[:6]}{' ...' if len(missing) > 6 else ''}"
                 if missing else ""))
    # effect (reported)
    le, re_ = os.path.join(L, "effect.json"), os.path.join(R, "effect.json")
    if os.path.exists(le) and os.path.exists(re_):
        try:
            lj, rj = json.load(open(le)), json.load(open(re_))
            if "outcomes" in lj:  # lifeline match: one entry per outcome
                o = lj["outcomes"][0]
                lj = {"mean_treated": o.get("treated_mean"), "mean_control": o.get("comparison_mean"),
                      "difference": o.get("difference"), "ess_control": o.get("effective_comparison"),
                      "n_treated_matched": lj["matched"]["treated"],
                      "n_control_matched": lj["matched"]["controls"]}
            common = [k for k in rj if k in lj and isinstance(rj[k], (int, float))
                      and isinstance(lj[k], (int, float))]
            print("info  effect: " + ", ".join(f"{k} {lj[k]:.6g} vs {rj[k]:.6g}" for k in common))
        except (ValueError, OSError) as e:
            print(f"info  effect: unreadable ({e})")
    return finish(fails, a.label)


def finish(fails, label):
    print(f"RESULT {label} {'PASS' if not fails else 'FAIL'}".replace("  ", " "))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
