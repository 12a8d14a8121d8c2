"""Precision and recall of the approval reader on the labelled sentence bank.

    python benchmarks/bench_approvals.py [--misses]

Three banks, printed side by side: ``tests/data/acknowledgement_sentences.tsv`` (written for this
purpose, independently of the reader, and used while tuning it),
``tests/data/acknowledgement_sentences_holdout.tsv`` (written later blind; its misses were then
fixed, so it is no longer held out) and ``tests/data/acknowledgement_sentences_holdout2.tsv``
(written blind on 2026-12-03 by someone who saw neither the reader nor the other banks, and never
tuned on: the honest figure). Columns: label, category,
thread subject, sentence. A sentence is read as an approval when
``reading.approvals`` finds an approving act in it (with the subject as its thread).
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

from poe_checker.reading.approvals import read_sentence, thread_context

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
BANKS = {"bank": DATA / "acknowledgement_sentences.tsv", "first held-out": DATA / "acknowledgement_sentences_holdout.tsv",
         "blind": DATA / "acknowledgement_sentences_holdout2.tsv"}


def main() -> int:
    for name, path in BANKS.items():
        measure(name, path)
    return 0


def measure(name: str, path: Path) -> None:
    rows = list(csv.DictReader(path.open(encoding="utf-8"), delimiter="\t", quoting=csv.QUOTE_NONE))
    tp = fp = fn = tn = 0
    misses: list[tuple[str, str, str, str]] = []
    by_category: Counter[str] = Counter()
    for row in rows:
        got = read_sentence(row["sentence"], thread=thread_context(row["subject"])).approves
        want = row["label"] == "approval"
        tp, fp, fn, tn = tp + (got and want), fp + (got and not want), fn + (want and not got), tn + (not got and not want)
        if got != want:
            by_category[row["category"]] += 1
            misses.append((row["label"], row["category"], row["subject"], row["sentence"]))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    print(f"{name}: sentences={len(rows)} approvals={tp + fn} precision={precision:.3f} recall={recall:.3f} "
          f"false_approvals={fp} missed_approvals={fn}")
    for category, n in by_category.most_common():
        print(f"  {category}: {n} wrong")
    if "--misses" in sys.argv:
        for m in misses:
            print("  " + " | ".join(m))


if __name__ == "__main__":
    raise SystemExit(main())
