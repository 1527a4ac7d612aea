#!/usr/bin/env python3
"""Link the benchmark cohort to the national records with Splink (DuckDB backend).

    bench/splink/run_splink.py LEFT RIGHT OUT_PAIRS.csv [--threshold 0.5]

LEFT and RIGHT are the files written by ``prepare.py`` (CSV or Parquet, chosen
by extension; columns ``id, forename, surname, dob, gender, postcode``).
OUT_PAIRS.csv gets ``left_id,right_id,match_probability,match_weight`` for every
scored pair at or above the threshold, sorted by left_id then right_id. Beside
it, ``OUT_PAIRS.model.json`` holds the trained Splink model (every m and u
probability, for comparing with Lifeline's) and ``OUT_PAIRS.meta.json`` the
Splink/DuckDB versions and the time spent in each phase.

This is the Ministry of Justice's own tool configured as its documentation
recommends, with the comparisons and blocking rules of ``settings.toml`` (the
Lifeline side of the benchmark); see README.md for the level-by-level mapping.
Everything below runs in this one process, in one in-memory DuckDB database
with DuckDB's default thread count, and is what ``compare.sh`` times:

1. load both tables and standardise them the way any Splink user would have
   to: names upper-cased, accents stripped (plus Ł -> L, which Unicode does not
   decompose), everything but A-Z removed, empty -> null; double-metaphone codes
   of every distinct name (Splink ships no phonetic function for DuckDB, so
   they come from the ``doublemetaphone`` package from PyPI, as its docs
   suggest deriving them before linking);
2. train: probability two random records match from deterministic rules,
   u by random sampling (fixed seed), m by expectation maximisation on two
   blocking rules;
3. predict with the three blocking rules and write the pairs.

Options ``--u-max-pairs``, ``--em-without-tf`` and ``--em-max-pairs`` change
the training's cost (see README.md for what they did to time and accuracy).

Deterministic: fixed seed for u sampling, EM is deterministic, output sorted.
Two runs give the same pairs; probabilities can differ in the 14th digit
because DuckDB's parallel sums are not done in a fixed order.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

try:
    import duckdb
except ImportError:
    sys.exit("duckdb is not installed: pip install duckdb")
try:
    import pyarrow as pa
except ImportError:
    sys.exit("pyarrow is not installed: pip install pyarrow")
try:
    import splink
    import splink.comparison_library as cl
    from splink import ColumnExpression, DuckDBAPI, Linker, SettingsCreator, block_on
except ImportError:
    sys.exit("splink is not installed: pip install splink")
try:
    from doublemetaphone import doublemetaphone
except ImportError:
    sys.exit("doublemetaphone is not installed: pip install doublemetaphone")

SEED = 42
# Pairs sampled to estimate u. Splink's default is 1e6 and it warns to use
# 1e8-1e9; at 1e7 the exact-postcode level goes unobserved at 3.6 million
# people (about 3 million distinct postcodes, so u is ~3e-7) and Splink falls
# back to a default u worth ~10 fewer bits, costing it recall. Sampling stops
# early for a comparison once its rarest level has been seen 100 times.
U_MAX_PAIRS = 1e8
# Recall assumed for the deterministic rules that estimate the prior. The
# generator documents its error rates: forename, surname and date of birth
# each survive unchanged in roughly 93-96% of rows, so an exact match on all
# three finds about 85% of true matches; the second rule (surname, dob,
# postcode) recovers some nicknames. An analyst would pick a round figure.
DETERMINISTIC_RECALL = 0.85

# Same regular expression Splink's PostcodeComparison uses for the sector.
SECTOR_REGEX = "^[A-Za-z]{1,2}[0-9][A-Za-z0-9]? [0-9]"

LEFT_NAME = "cohort"
RIGHT_NAME = "national"


def scalar(con: duckdb.DuckDBPyConnection, sql: str):
    """The single value a query returns (fetched to the end, as DuckDB 2 requires)."""
    return con.execute(sql).fetchall()[0][0]


def log(msg: str) -> None:
    print(f"[run_splink] {msg}", file=sys.stderr, flush=True)


def source_sql(path: Path) -> str:
    """A DuckDB table expression reading prepare.py's output, typed explicitly."""
    quoted = str(path).replace("'", "''")
    if path.suffix.lower() == ".parquet":
        return f"read_parquet('{quoted}')"
    if path.suffix.lower() == ".csv":
        return (
            f"read_csv('{quoted}', header = true, auto_detect = false, "
            "columns = {'id': 'BIGINT', 'forename': 'VARCHAR', 'surname': 'VARCHAR', "
            "'dob': 'DATE', 'gender': 'VARCHAR', 'postcode': 'VARCHAR'})"
        )
    sys.exit(f"{path}: expected a .csv or .parquet file")


def load_and_standardise(con: duckdb.DuckDBPyConnection, left: Path, right: Path) -> None:
    """Create tables ``cohort`` and ``national`` with cleaned columns and metaphones."""
    con.execute(
        r"""
        CREATE MACRO clean_name(x) AS
            nullif(regexp_replace(replace(upper(strip_accents(x)), 'Ł', 'L'),
                                  '[^A-Z]', '', 'g'), '')
        """
    )
    for name, path in ((LEFT_NAME, left), (RIGHT_NAME, right)):
        con.execute(
            f"""
            CREATE TABLE {name}_raw AS
            SELECT CAST(id AS BIGINT) AS id,
                   clean_name(forename) AS forename,
                   clean_name(surname) AS surname,
                   CAST(dob AS DATE) AS dob,
                   nullif(upper(trim(gender)), '') AS gender,
                   nullif(upper(trim(postcode)), '') AS postcode
            FROM {source_sql(path)}
            """
        )

    # Double metaphone of each distinct cleaned name, computed once in Python.
    names = con.execute(
        f"""
        SELECT DISTINCT n FROM (
            SELECT forename AS n FROM {LEFT_NAME}_raw UNION ALL
            SELECT surname FROM {LEFT_NAME}_raw UNION ALL
            SELECT forename FROM {RIGHT_NAME}_raw UNION ALL
            SELECT surname FROM {RIGHT_NAME}_raw)
        WHERE n IS NOT NULL ORDER BY n
        """
    ).fetchall()
    rows = []
    for (n,) in names:
        primary, secondary = doublemetaphone(n)
        codes = [c for c in dict.fromkeys((primary, secondary)) if c]
        rows.append((n, codes or None, primary or None))
    dm = pa.table(
        {
            "name": pa.array([r[0] for r in rows], pa.string()),
            "codes": pa.array([r[1] for r in rows], pa.list_(pa.string())),
            "primary_code": pa.array([r[2] for r in rows], pa.string()),
        }
    )
    con.register("dm_arrow", dm)
    con.execute("CREATE TABLE dm AS SELECT * FROM dm_arrow")
    con.unregister("dm_arrow")

    for name in (LEFT_NAME, RIGHT_NAME):
        con.execute(
            f"""
            CREATE TABLE {name} AS
            SELECT t.*,
                   f.codes AS forename_dm,
                   s.codes AS surname_dm,
                   s.primary_code AS surname_metaphone
            FROM {name}_raw t
            LEFT JOIN dm f ON f.name = t.forename
            LEFT JOIN dm s ON s.name = t.surname
            ORDER BY t.id
            """
        )
        con.execute(f"DROP TABLE {name}_raw")


def dob_comparison() -> cl.CustomComparison:
    """Date of birth: the recording errors clerks make, each its own level."""
    l_, r_ = '"dob_l"', '"dob_r"'
    y = lambda s: f"year({s})"  # noqa: E731
    m = lambda s: f"month({s})"  # noqa: E731
    d = lambda s: f"day({s})"  # noqa: E731
    one_field_off = (
        f"({y(l_)} = {y(r_)} AND {m(l_)} = {m(r_)} AND abs({d(l_)} - {d(r_)}) = 1)"
        f" OR ({y(l_)} = {y(r_)} AND {d(l_)} = {d(r_)} AND abs({m(l_)} - {m(r_)}) = 1)"
        f" OR ({m(l_)} = {m(r_)} AND {d(l_)} = {d(r_)} AND abs({y(l_)} - {y(r_)}) = 1)"
    )
    return cl.CustomComparison(
        output_column_name="dob",
        comparison_description="date of birth",
        comparison_levels=[
            {"sql_condition": f"{l_} IS NULL OR {r_} IS NULL", "label_for_charts": "null",
             "is_null_level": True},
            {"sql_condition": f"{l_} = {r_}", "label_for_charts": "exact"},
            {"sql_condition": f"{y(l_)} = {y(r_)} AND {m(l_)} = {d(r_)} AND {d(l_)} = {m(r_)}",
             "label_for_charts": "day and month transposed"},
            {"sql_condition": f"({one_field_off}) OR damerau_levenshtein("
                              f"CAST({l_} AS VARCHAR), CAST({r_} AS VARCHAR)) <= 1",
             "label_for_charts": "one field off by one, or one-character typo"},
            {"sql_condition": f"abs(date_diff('day', {l_}, {r_})) <= 365",
             "label_for_charts": "within a year"},
            {"sql_condition": "ELSE", "label_for_charts": "else"},
        ],
    )


def settings() -> SettingsCreator:
    """The Splink equivalent of bench/splink/settings.toml."""
    sector = ColumnExpression("postcode").regex_extract(SECTOR_REGEX)
    initial = ColumnExpression("forename").substr(1, 1)
    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="id",
        comparisons=[
            cl.NameComparison("forename", jaro_winkler_thresholds=[0.95, 0.88],
                              dmeta_col_name="forename_dm"),
            cl.NameComparison("surname", jaro_winkler_thresholds=[0.95, 0.88],
                              dmeta_col_name="surname_dm"),
            dob_comparison(),
            cl.PostcodeComparison("postcode"),
            cl.ExactMatch("gender"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("surname_metaphone", "year(dob)"),
            block_on("dob"),
            block_on(sector, initial),
        ],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("left", type=Path)
    parser.add_argument("right", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--threshold", type=float, default=0.5,
                        help="match probability at or above which pairs are written")
    parser.add_argument("--u-max-pairs", type=float, default=U_MAX_PAIRS,
                        help="max_pairs for estimate_u_using_random_sampling (default %(default).0e)")
    parser.add_argument("--em-without-tf", action="store_true",
                        help="EM ignores term frequencies (Splink's documented speed-up; "
                             "off by default, as in Splink's defaults)")
    parser.add_argument("--em-max-pairs", type=float, default=None,
                        help="sample EM's blocked pairs down to about this many "
                             "(Splink's max_pairs; default: no sampling)")
    parser.add_argument("--verbose", action="store_true", help="show Splink's own log")
    args = parser.parse_args()
    for p in (args.left, args.right):
        if not p.exists():
            sys.exit(f"{p} not found: run prepare.py first")

    phases: dict[str, float] = {}
    t0 = last = time.perf_counter()

    def phase(name: str) -> None:
        nonlocal last
        now = time.perf_counter()
        phases[name] = round(now - last, 3)
        log(f"{name}: {now - last:.1f} s")
        last = now

    con = duckdb.connect()  # in memory, default threads
    load_and_standardise(con, args.left, args.right)
    n_left = scalar(con, f"SELECT count(*) FROM {LEFT_NAME}")
    n_right = scalar(con, f"SELECT count(*) FROM {RIGHT_NAME}")
    log(f"{n_left} cohort rows, {n_right} national rows")
    phase("load_and_standardise")

    db_api = DuckDBAPI(connection=con)
    left_sdf = db_api.register(LEFT_NAME, dataset_display_name=LEFT_NAME)
    right_sdf = db_api.register(RIGHT_NAME, dataset_display_name=RIGHT_NAME)
    linker = Linker([left_sdf, right_sdf], settings(),
                    log_level=logging.INFO if args.verbose else logging.WARNING)

    linker.training.estimate_probability_two_random_records_match(
        [block_on("forename", "surname", "dob"), block_on("surname", "dob", "postcode")],
        recall=DETERMINISTIC_RECALL,
    )
    phase("train_prior")
    linker.training.estimate_u_using_random_sampling(max_pairs=args.u_max_pairs, seed=SEED)
    phase("train_u")
    for rule in (block_on("dob"), block_on("forename", "surname")):
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=args.em_without_tf,
            max_pairs=args.em_max_pairs)
    phase("train_m_em")

    pairs = linker.inference.predict(threshold_match_probability=args.threshold)
    phase("predict")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    target = str(args.out).replace("'", "''")
    # Splink puts the datasets on either side in its own order; map back by name.
    con.execute(
        f"""
        COPY (
            SELECT CASE WHEN source_dataset_l = '{LEFT_NAME}' THEN id_l ELSE id_r END AS left_id,
                   CASE WHEN source_dataset_l = '{LEFT_NAME}' THEN id_r ELSE id_l END AS right_id,
                   match_probability, match_weight
            FROM {pairs.physical_name}
            WHERE match_probability >= {args.threshold}
            ORDER BY left_id, right_id
        ) TO '{target}' (HEADER, DELIMITER ',')
        """
    )
    n_pairs = scalar(con, f"SELECT count(*) FROM {pairs.physical_name}")
    phase("write")

    model_path = args.out.with_suffix(".model.json")
    model = linker.misc.save_model_to_json(str(model_path), overwrite=True)
    untrained = [
        f"{c['output_column_name']}: {level.get('label_for_charts')} ({which})"
        for c in model["comparisons"]
        for level in c["comparison_levels"]
        if not level.get("is_null_level")
        for which in ("m", "u")
        if level.get(f"{which}_probability") is None
    ]
    if untrained:
        log("WARNING: Splink used default values for untrained parameters: "
            + "; ".join(untrained))
    meta = {
        "tool": "splink",
        "version": splink.__version__,
        "duckdb": duckdb.__version__,
        "threads": scalar(con, "SELECT current_setting('threads')"),
        "left_rows": n_left,
        "right_rows": n_right,
        "pairs": n_pairs,
        "threshold": args.threshold,
        "u_max_pairs": args.u_max_pairs,
        "em_without_term_frequencies": args.em_without_tf,
        "em_max_pairs": args.em_max_pairs,
        "seed": SEED,
        "untrained_parameters": untrained,
        "phases_s": phases,
        "total_s": round(time.perf_counter() - t0, 3),
    }
    args.out.with_suffix(".meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    log(f"{n_pairs} pairs at match probability >= {args.threshold} -> {args.out} "
        f"(splink {splink.__version__}, duckdb {duckdb.__version__}, "
        f"{meta['total_s']:.1f} s)")


if __name__ == "__main__":
    main()
