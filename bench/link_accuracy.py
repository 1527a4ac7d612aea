#!/usr/bin/env python3
"""Scores `lifeline datalab link` against a generated dataset's ground truth.

The linkage output holds pseudonyms only; with the lab's key this script
recomputes each true person's pseudonym (HMAC-SHA256 of their PNC ID, as
crates/datalab/src/link/pseudonym.rs does) and compares.

    bench/link_accuracy.py DATA_DIR LINKAGE_DIR KEY_FILE [--misses]

Precision: matched rows linked to their true person / matched rows.
Recall: matched rows linked to their true person / rows whose person is in
the national records.
"""
import csv
import hashlib
import hmac
import sys
from collections import Counter
from pathlib import Path


def pseudonym(key: bytes, pnc: str) -> str:
    return hmac.new(key, b"lifeline/pnc/" + pnc.encode(), hashlib.sha256).digest()[:16].hex()


def main() -> None:
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    data, out, key_file = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    show = "--misses" in sys.argv
    key = bytes.fromhex(key_file.read_text().strip())
    truth = {int(r["row"]): r for r in csv.DictReader(open(data / "truth" / "cohort_truth.csv"))}
    links = {int(r["row"]): r for r in csv.DictReader(open(out / "linkage.csv"))}
    present = [row for row, t in truth.items() if t["person_id"]]
    statuses = Counter(l["status"] for l in links.values())
    right = wrong = 0
    missed = Counter()
    for row, l in links.items():
        t = truth[row]
        if l["status"] == "matched":
            if t["person_id"] and l["pseudonym"] == pseudonym(key, t["pnc_id"]):
                right += 1
            else:
                wrong += 1
                if show:
                    print(f"FALSE MATCH row {row}: tier {l['tier']}, p={l['match_probability']}, errors {t['recording_errors']!r}")
        elif t["person_id"]:
            missed[l["status"]] += 1
            if show:
                print(f"MISSED row {row}: {l['status']} ({l['reason']}), errors {t['recording_errors']!r}")
    matched = right + wrong
    precision = right / matched if matched else 0.0
    recall = right / len(present) if present else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(f"rows {len(links)}, in national records {len(present)}; statuses {dict(statuses)}")
    print(f"true matches {right}, false matches {wrong}, missed {dict(missed)}")
    print(f"precision {precision:.4f}  recall {recall:.4f}  F1 {f1:.4f}")


if __name__ == "__main__":
    main()
