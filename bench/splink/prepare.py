#!/usr/bin/env python3
"""Turn a `lifeline datalab generate` dataset into the inputs of the linkage benchmark.

    bench/splink/prepare.py DATA_DIR OUT_DIR

Writes, into OUT_DIR, the files that BOTH Lifeline and Splink read, so that the
two tools start from byte-identical inputs:

* ``left.csv`` -- the provider's cohort, one row per cohort row:
  ``id,forename,surname,dob,gender,postcode``. ``id`` is the cohort row's
  spreadsheet row number, as in the ground truth (the header is row 1, so data
  row i, counting from 0, has id i + 2). ``dob`` is converted from dd/mm/yyyy to
  ISO yyyy-mm-dd. ``postcode`` is upper-cased, stripped of spaces and given one
  space before its last three characters ("m145qt" -> "M14 5QT"); an empty
  field stays empty (read as null by both tools). Names and gender are passed
  through exactly as the provider wrote them: folding case and accents is part
  of each tool's own work, inside its timed run.
* ``right.parquet`` -- the national people table:
  ``id`` (= person_id, int64), ``forename``, ``surname``, ``dob`` (date32),
  ``gender``, ``postcode``, sorted by ``id``.
* ``truth.csv`` -- ``left_id,right_id,recording_errors`` for every cohort row
  whose person is in the national records (rows of absent people are left out:
  any pair scored for them is a false positive). ``recording_errors`` is the
  generator's list of the errors planted in that row, for diagnosing misses.

Deterministic: the same dataset always gives byte-identical files. This step
is not timed by ``compare.sh``; it is the common starting point.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import sys
from pathlib import Path

try:
    import duckdb
except ImportError:  # pragma: no cover - message for people running it by hand
    sys.exit("duckdb is not installed: pip install duckdb")

LEFT_COLUMNS = ["id", "forename", "surname", "dob", "gender", "postcode"]
COHORT_REQUIRED = ["forename", "surname", "date_of_birth", "gender", "postcode"]


def normalise_postcode(raw: str) -> str:
    """Upper-case a UK postcode and put exactly one space before the inward code.

    "m145qt", "M14  5QT" and "M14 5QT" all give "M14 5QT". An empty or
    whitespace-only field gives "". A string too short to have an inward code
    (fewer than 4 characters once spaces are gone) is returned upper-cased
    without a space, as it is not a postcode either tool can split.
    """
    compact = re.sub(r"\s+", "", raw).upper()
    if len(compact) < 4:
        return compact
    return f"{compact[:-3]} {compact[-3:]}"


def iso_date(uk: str, where: str) -> str:
    """Convert dd/mm/yyyy to yyyy-mm-dd; an empty field stays empty."""
    uk = uk.strip()
    if not uk:
        return ""
    try:
        return dt.datetime.strptime(uk, "%d/%m/%Y").date().isoformat()
    except ValueError:
        sys.exit(f"{where}: date of birth {uk!r} is not a dd/mm/yyyy date")


def write_left(cohort_csv: Path, out_csv: Path) -> int:
    """Write left.csv from the provider's cohort.csv; returns the number of rows."""
    n = 0
    with cohort_csv.open(newline="", encoding="utf-8") as src, out_csv.open(
        "w", newline="", encoding="utf-8"
    ) as dst:
        reader = csv.DictReader(src)
        missing = [c for c in COHORT_REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            sys.exit(f"{cohort_csv}: missing column(s) {', '.join(missing)}")
        writer = csv.writer(dst, lineterminator="\n")
        writer.writerow(LEFT_COLUMNS)
        for i, row in enumerate(reader):
            row_id = i + 2  # spreadsheet row: header is row 1
            writer.writerow(
                [
                    row_id,
                    row["forename"].strip(),
                    row["surname"].strip(),
                    iso_date(row["date_of_birth"], f"{cohort_csv} row {row_id}"),
                    row["gender"].strip(),
                    normalise_postcode(row["postcode"]),
                ]
            )
            n += 1
    return n


def write_right(people_dir: Path, out_parquet: Path) -> int:
    """Write right.parquet from the national people parts; returns the row count."""
    parts = sorted(people_dir.glob("*.parquet"))
    if not parts:
        sys.exit(f"{people_dir}: no Parquet parts found (is this a generated dataset?)")
    con = duckdb.connect()
    # One thread keeps the output's row order and row groups reproducible.
    con.execute("SET threads TO 1")
    glob = str(people_dir / "*.parquet").replace("'", "''")
    target = str(out_parquet).replace("'", "''")
    con.execute(
        f"""
        COPY (
            SELECT CAST(person_id AS BIGINT) AS id,
                   forename, surname,
                   CAST(date_of_birth AS DATE) AS dob,
                   gender, postcode
            FROM read_parquet('{glob}')
            ORDER BY id
        ) TO '{target}' (FORMAT parquet, COMPRESSION zstd)
        """
    )
    n = con.execute(f"SELECT count(*) FROM read_parquet('{target}')").fetchall()[0][0]
    return n


def write_truth(truth_csv: Path, out_csv: Path) -> tuple[int, int]:
    """Write truth.csv; returns (cohort rows, rows whose person is in the national records)."""
    rows = linked = 0
    with truth_csv.open(newline="", encoding="utf-8") as src, out_csv.open(
        "w", newline="", encoding="utf-8"
    ) as dst:
        reader = csv.DictReader(src)
        for col in ("row", "person_id"):
            if col not in (reader.fieldnames or []):
                sys.exit(f"{truth_csv}: missing column {col}")
        writer = csv.writer(dst, lineterminator="\n")
        writer.writerow(["left_id", "right_id", "recording_errors"])
        for row in reader:
            rows += 1
            if row["person_id"].strip():
                writer.writerow(
                    [int(row["row"]), int(row["person_id"]), row.get("recording_errors", "")]
                )
                linked += 1
    return rows, linked


def main(argv: list[str]) -> None:
    if len(argv) != 3 or argv[1] in ("-h", "--help"):
        sys.exit(__doc__)
    data, out = Path(argv[1]), Path(argv[2])
    cohort = data / "cohort.csv"
    truth = data / "truth" / "cohort_truth.csv"
    people = data / "national" / "people"
    for p in (cohort, truth, people):
        if not p.exists():
            sys.exit(f"{p} not found: DATA_DIR must come from `lifeline datalab generate`")
    out.mkdir(parents=True, exist_ok=True)

    n_left = write_left(cohort, out / "left.csv")
    n_right = write_right(people, out / "right.parquet")
    n_rows, n_linked = write_truth(truth, out / "truth.csv")
    if n_rows != n_left:
        sys.exit(f"{truth} has {n_rows} rows but {cohort} has {n_left}: not the same dataset")
    print(
        f"prepared {out}: left.csv {n_left} rows, right.parquet {n_right} rows, "
        f"truth.csv {n_linked} linked rows ({n_left - n_linked} absent from the national records)"
    )


if __name__ == "__main__":
    main(sys.argv)
