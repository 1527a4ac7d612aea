#!/usr/bin/env python3
"""Synthetic Justice Data Lab analysis table for the MatchIt comparison.

    bench/matchit/make_data.py OUT.csv [N] [SEED] [--treated T] [--duplicates D]

One row per person: `treated` (0/1: took part in the intervention), eleven
covariates like the lab's (age, female, employed, counts of previous
offences and custodial sentences, days since the last offence, age at first
offence, an OGRS3-like risk score, drug misuse, unstable housing, region),
and the outcome `y` (proven reoffending within a year, 0/1).

Treatment depends on the covariates through a logistic selection model whose
intercept is calibrated so that about 5% of rows are treated (or about T rows
with --treated T, e.g. 10,000 treated in a pool of 1,000,000). The outcome
depends on the covariates and on treatment.

Every value is an integer or a label, so both tools read exactly the same
numbers (no decimal parsing differences). Exact ties in the propensity score
then only happen when two people have identical covariates, as in real data;
with a wide days_since_last range this is rare (a handful of pairs per
million rows). --duplicates D copies D earlier rows' covariates into later
rows (treatment and outcome drawn afresh) to create exact ties on purpose,
for testing tie-breaking.

Deterministic for a seed: only random.Random(seed).random() is used (its
stream is stable across Python versions), with hand-written transforms.
No third-party packages.
"""

import argparse
import csv
import math
import random
import sys

REGIONS = [
    # (label, share of the population, effect on selection)
    # Labels sort the same way byte-wise (C locale) and in en_GB/en_US
    # collation, so R's factor levels are the same everywhere; the reference
    # level is the first alphabetically, "East Midlands".
    ("East Midlands", 0.08, 0.00),
    ("East of England", 0.09, -0.10),
    ("London", 0.17, 0.35),
    ("North East", 0.06, 0.20),
    ("North West", 0.14, 0.15),
    ("South East", 0.12, -0.25),
    ("South West", 0.08, -0.30),
    ("Wales", 0.06, 0.10),
    ("West Midlands", 0.11, 0.05),
    ("Yorkshire and the Humber", 0.09, 0.25),
]

COLUMNS = [
    "treated", "age", "female", "employed", "prev_offences", "prev_custodial",
    "days_since_last", "age_first_offence", "ogrs3", "drug_misuse",
    "unstable_housing", "region", "y",
]
COVARIATES = COLUMNS[1:-1]


def logistic(x):
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


class Draws:
    """Random draws built only on random.random() (stable across Pythons)."""

    def __init__(self, seed):
        self.r = random.Random(seed)

    def u(self):
        return self.r.random()

    def bern(self, p):
        return 1 if self.r.random() < p else 0

    def expo(self, mean):
        # 1 - U is in (0, 1], so the log is finite.
        return -math.log(1.0 - self.r.random()) * mean

    def normal(self):
        # Box-Muller, one value per call (simple rather than fast).
        u1 = 1.0 - self.r.random()
        u2 = self.r.random()
        return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)

    def geometric(self, mean):
        # Number of failures before a success, with the given mean (>0).
        p = 1.0 / (1.0 + mean)
        return int(math.log(1.0 - self.r.random()) / math.log(1.0 - p))

    def choice(self, cum):
        x = self.r.random()
        for i, c in enumerate(cum):
            if x < c:
                return i
        return len(cum) - 1


def person(d, region_cum):
    """Covariates of one person (a dict), drawn in a fixed order."""
    age = 18 + min(57, int(d.expo(13.0)))
    female = d.bern(0.16)
    region = d.choice(region_cum)
    age_first = min(age, 10 + int(d.expo(6.0)))
    career = age - age_first
    prev = min(150, d.geometric(1.0 + 0.9 * career ** 0.85 + 2.0 * d.u()))
    custodial = 0
    for _ in range(prev):
        custodial += d.bern(0.10 + 0.05 * (1 - female))
    days = min(3650, int(d.expo(420.0 + 25.0 * max(0, 30 - prev))))
    employed = d.bern(logistic(0.3 - 0.035 * (age - 30) - 0.04 * prev))
    drug = d.bern(logistic(-1.1 + 0.045 * prev - 0.02 * (age - 30)))
    housing = d.bern(logistic(-1.8 + 0.8 * drug + 0.03 * prev - 0.6 * employed))
    risk = (-1.4 + 0.07 * prev + 0.25 * custodial ** 0.5 - 0.045 * (age - 30)
            - 0.0006 * days + 0.5 * drug - 0.35 * female + 0.4 * d.normal())
    ogrs3 = max(1, min(99, int(round(100 * logistic(risk)))))
    return {
        "age": age, "female": female, "employed": employed,
        "prev_offences": prev, "prev_custodial": custodial,
        "days_since_last": days, "age_first_offence": age_first,
        "ogrs3": ogrs3, "drug_misuse": drug, "unstable_housing": housing,
        "region": region,
    }


def selection_lp(p):
    """Linear predictor of taking part, without the intercept."""
    return (0.018 * (p["age"] - 30) + 0.30 * p["female"] - 0.35 * p["employed"]
            + 0.035 * p["prev_offences"] - 0.06 * p["prev_custodial"]
            - 0.00025 * p["days_since_last"] + 0.012 * (p["age_first_offence"] - 16)
            + 0.012 * p["ogrs3"] + 0.45 * p["drug_misuse"]
            + 0.25 * p["unstable_housing"] + REGIONS[p["region"]][2])


def calibrate(lps, target):
    """Intercept a with sum(logistic(a + lp)) = target (bisection)."""
    lo, hi = -20.0, 10.0
    for _ in range(40):
        mid = (lo + hi) / 2
        s = sum(logistic(mid + x) for x in lps)
        if s < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("n", nargs="?", type=int, default=20000)
    ap.add_argument("seed", nargs="?", type=int, default=1)
    ap.add_argument("--treated", type=int, default=None,
                    help="expected number of treated rows (default: 5%% of N)")
    ap.add_argument("--duplicates", type=int, default=0,
                    help="copy this many earlier rows' covariates (exact PS ties)")
    a = ap.parse_args()
    if a.n < 10:
        sys.exit("make_data.py: N must be at least 10")
    target = a.treated if a.treated is not None else 0.05 * a.n
    if not 0 < target < a.n:
        sys.exit("make_data.py: --treated must be between 0 and N")

    d = Draws(a.seed)
    cum, s = [], 0.0
    for _, share, _ in REGIONS:
        s += share
        cum.append(s)

    people = [person(d, cum) for _ in range(a.n)]
    # Deliberate exact duplicates (covariates only), for tie tests.
    for _ in range(a.duplicates):
        j = int(d.u() * a.n)
        i = int(d.u() * a.n)
        people[max(i, j)] = dict(people[min(i, j)])

    lps = [selection_lp(p) for p in people]
    intercept = calibrate(lps, target)

    with open(a.out, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COLUMNS)
        n_treated = 0
        for p, lp in zip(people, lps):
            t = d.bern(logistic(intercept + lp))
            n_treated += t
            y = d.bern(logistic(-1.3 + 0.06 * p["prev_offences"] + 0.025 * p["ogrs3"]
                                - 0.03 * (p["age"] - 30) - 0.0004 * p["days_since_last"]
                                + 0.3 * p["drug_misuse"] - 0.25 * t))
            row = dict(p)
            row["region"] = REGIONS[p["region"]][0]
            row["treated"] = t
            row["y"] = y
            w.writerow([row[c] for c in COLUMNS])
    print(f"make_data.py: wrote {a.out}: {a.n} rows, {n_treated} treated "
          f"({100.0 * n_treated / a.n:.1f}%), seed {a.seed}; covariates: "
          + ",".join(COVARIATES), file=sys.stderr)


if __name__ == "__main__":
    main()
