#!/usr/bin/env python3
"""Score linkage outputs against the ground truth, the same way for every tool.

    bench/splink/score.py --truth truth.csv [--threshold 0.5] RESULT.json...
    bench/splink/score.py --truth truth.csv --pairs PAIRS.csv

Each RESULT.json (written by ``compare.sh``) describes one tool's run:
``{"tool", "version", "status", "wall_s", "peak_kb", "pairs"}``, where
``status`` is "ok" or a sentence saying why the tool has no result (for
example "Lifeline link not available yet"), and ``pairs`` is the path of its
pairs CSV (columns ``left_id, right_id, match_probability``; any others are
ignored).

The rule, identical for every tool:

1. keep pairs with ``match_probability >= threshold`` (0.5 unless told);
2. for each ``left_id`` keep only its single highest-probability pair (ties go
   to the lowest ``right_id``), since a cohort row is one person;
3. precision = correct kept pairs / kept pairs;
   recall = correct kept pairs / truth pairs (cohort rows whose person is in
   the national records); F1 = their harmonic mean.

Prints a plain table, the ratios (Splink over Lifeline for time and memory,
Lifeline minus Splink for F1), optionally recall by planted recording error
(``--by-error``), and finally the same table as Markdown for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

try:
    import duckdb
except ImportError:
    sys.exit("duckdb is not installed: pip install duckdb")


@dataclass
class Score:
    kept: int
    correct: int
    truth: int

    @property
    def precision(self) -> float:
        return self.correct / self.kept if self.kept else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.truth if self.truth else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def q(path: Path) -> str:
    return str(path).replace("'", "''")


def load_truth(con: duckdb.DuckDBPyConnection, truth: Path) -> int:
    con.execute(
        f"""
        CREATE OR REPLACE TABLE truth AS
        SELECT CAST(left_id AS BIGINT) AS left_id, CAST(right_id AS BIGINT) AS right_id,
               coalesce(CAST(recording_errors AS VARCHAR), '') AS recording_errors
        FROM read_csv('{q(truth)}', header = true, all_varchar = true)
        """
    )
    return con.execute("SELECT count(*) FROM truth").fetchall()[0][0]


def load_best(con: duckdb.DuckDBPyConnection, name: str, pairs: Path, threshold: float) -> None:
    """Table NAME: each left_id's best pair at or above the threshold."""
    con.execute(
        f"""
        CREATE OR REPLACE TABLE {name} AS
        SELECT left_id, right_id, match_probability FROM (
            SELECT CAST(left_id AS BIGINT) AS left_id, CAST(right_id AS BIGINT) AS right_id,
                   CAST(match_probability AS DOUBLE) AS match_probability,
                   row_number() OVER (PARTITION BY CAST(left_id AS BIGINT)
                                      ORDER BY CAST(match_probability AS DOUBLE) DESC,
                                               CAST(right_id AS BIGINT) ASC) AS rank
            FROM read_csv('{q(pairs)}', header = true, all_varchar = true)
            WHERE CAST(match_probability AS DOUBLE) >= {threshold}
        ) WHERE rank = 1
        """
    )


def score(con: duckdb.DuckDBPyConnection, name: str, n_truth: int) -> Score:
    kept, correct = con.execute(
        f"""
        SELECT count(*), count(t.left_id)
        FROM {name} b LEFT JOIN truth t USING (left_id, right_id)
        """
    ).fetchall()[0]
    return Score(kept=kept, correct=correct, truth=n_truth)


def by_error(con: duckdb.DuckDBPyConnection, names: list[str], labels: list[str]) -> str:
    """Recall of each tool on truth rows grouped by each planted recording error."""
    cols = ", ".join(
        f"count({n}.left_id) FILTER (WHERE {n}.right_id = e.right_id) AS \"{lab}\""
        for n, lab in zip(names, labels)
    )
    joins = " ".join(f"LEFT JOIN {n} ON {n}.left_id = e.left_id" for n in names)
    rows = con.execute(
        f"""
        WITH e AS (
            SELECT left_id, right_id,
                   unnest(CASE WHEN recording_errors = '' THEN ['(none)']
                               ELSE string_split(recording_errors, ';') END) AS error
            FROM truth)
        SELECT e.error, count(*) AS n, {cols}
        FROM e {joins}
        GROUP BY e.error ORDER BY n DESC, e.error
        """
    ).fetchall()
    width = max([len("recording error")] + [len(r[0]) for r in rows])
    head = f"{'recording error':<{width}} {'rows':>6} " + " ".join(f"{lab:>16}" for lab in labels)
    lines = [head, "-" * len(head)]
    for error, n, *found in rows:
        cells = " ".join(f"{f:>7} ({f / n:6.1%})" for f in found)
        lines.append(f"{error:<{width}} {n:>6} {cells}")
    return "\n".join(lines)


def fmt(value, spec: str, missing: str = "-") -> str:
    return missing if value is None else format(value, spec)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--truth", type=Path, required=True)
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--pairs", type=Path, help="score one pairs CSV and stop")
    parser.add_argument("--title", default="", help="heading for the Markdown table")
    parser.add_argument("--by-error", action="store_true",
                        help="also print recall by planted recording error")
    parser.add_argument("results", nargs="*", type=Path)
    args = parser.parse_args()

    for path in [args.truth, *([args.pairs] if args.pairs else []), *args.results]:
        if not path.exists():
            sys.exit(f"{path} not found")

    con = duckdb.connect()
    n_truth = load_truth(con, args.truth)

    if args.pairs:
        load_best(con, "best", args.pairs, args.threshold)
        s = score(con, "best", n_truth)
        print(f"kept {s.kept}, correct {s.correct}, truth {s.truth}: precision "
              f"{s.precision:.4f}, recall {s.recall:.4f}, F1 {s.f1:.4f}")
        if args.by_error:
            print(by_error(con, ["best"], ["found"]))
        return
    if not args.results:
        parser.error("give RESULT.json files, or --pairs")

    rows = []
    for i, path in enumerate(args.results):
        r = json.loads(path.read_text())
        row = {"tool": r["tool"], "version": r.get("version") or "?", "status": r["status"],
               "wall_s": None, "peak_mb": None, "score": None, "table": None}
        if r["status"] == "ok":
            if not Path(r["pairs"]).exists():
                sys.exit(f"{path}: pairs file {r['pairs']} not found")
            name = f"best_{i}"
            load_best(con, name, Path(r["pairs"]), args.threshold)
            row.update(wall_s=float(r["wall_s"]), peak_mb=float(r["peak_kb"]) / 1024,
                       score=score(con, name, n_truth), table=name)
        rows.append(row)

    header = ["tool", "version", "wall s", "peak MB", "pairs kept", "precision", "recall", "F1"]

    def cells(row) -> list[str]:
        s = row["score"]
        if s is None:
            return [row["tool"], row["version"], row["status"], "", "", "", "", ""]
        return [row["tool"], row["version"], f"{row['wall_s']:.1f}", f"{row['peak_mb']:.0f}",
                f"{s.kept}", f"{s.precision:.4f}", f"{s.recall:.4f}", f"{s.f1:.4f}"]

    table = [cells(r) for r in rows]
    scored_cells = [c for r, c in zip(rows, table) if r["score"] is not None]
    widths = [max([len(h)] + [len(c[i]) for c in scored_cells]) for i, h in enumerate(header)]
    print(f"truth pairs: {n_truth}; threshold: match probability >= {args.threshold}; "
          "best pair per cohort row")
    print("  ".join(h.ljust(w) if i < 2 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths))))
    for row, c in zip(rows, table):
        if row["score"] is None:
            print(f"{c[0].ljust(widths[0])}  {c[1].ljust(widths[1])}  {row['status']}")
        else:
            print("  ".join(v.ljust(w) if i < 2 else v.rjust(w)
                            for i, (v, w) in enumerate(zip(c, widths))))

    by_tool = {r["tool"].lower(): r for r in rows}
    sp, ll = by_tool.get("splink"), by_tool.get("lifeline")
    ratio_lines = []
    if sp and ll and sp["score"] and ll["score"]:
        ratio_lines = [
            f"Splink time / Lifeline time: {sp['wall_s'] / max(ll['wall_s'], 1e-9):.1f}x",
            f"Splink peak memory / Lifeline peak memory: "
            f"{sp['peak_mb'] / max(ll['peak_mb'], 1e-9):.1f}x",
            f"F1 difference (Lifeline - Splink): {ll['score'].f1 - sp['score'].f1:+.4f}",
        ]
    else:
        missing = [r["tool"] for r in rows if r["score"] is None]
        ratio_lines = [f"ratios: not available (no result from {', '.join(missing)})"]
    print()
    for line in ratio_lines:
        print(line)

    scored = [r for r in rows if r["table"]]
    if args.by_error and scored:
        print()
        print("recall by planted recording error (a row can carry several):")
        print(by_error(con, [r["table"] for r in scored], [r["tool"] for r in scored]))

    print()
    print("Markdown:")
    print()
    if args.title:
        print(f"**{args.title}**")
        print()
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(["---", "---"] + ["---:"] * (len(header) - 2)) + "|")
    for row, c in zip(rows, table):
        if row["score"] is None:
            print(f"| {c[0]} | {c[1]} | {row['status']} |" + " |" * (len(header) - 3))
        else:
            print("| " + " | ".join(c) + " |")
    print()
    for line in ratio_lines:
        print(f"- {line}")


if __name__ == "__main__":
    main()
