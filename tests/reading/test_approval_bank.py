"""The approval reader against the labelled sentence banks in tests/data.

``acknowledgement_sentences.tsv`` was written for the purpose and then used while tuning the
reader, so it is met in full. ``acknowledgement_sentences_holdout.tsv`` was written afterwards by
someone who saw neither the reader nor the first bank; it scored 0.958 / 0.920 blind, and its misses
were then studied and fixed in general terms, so it is met in full too but is no longer held out.
``acknowledgement_sentences_holdout2.tsv`` was written blind after those fixes and is never tuned
on: its figures (precision 0.912, recall 0.950 on 240 sentences) are the honest ones, below the
issue's targets. The issue's targets are precision 1.0 and recall
>= 0.97. These tests hold the measured floors so the reading cannot get worse unnoticed
(benchmarks/bench_approvals.py prints the misses).
"""

import csv
from pathlib import Path

import pytest

from poe_checker.reading.approvals import read_sentence, thread_context

DATA = Path(__file__).resolve().parents[1] / "data"


def _scores(path: Path) -> tuple[int, float, float]:
    rows = list(csv.DictReader(path.open(encoding="utf-8"), delimiter="\t", quoting=csv.QUOTE_NONE))
    assert {r["label"] for r in rows} == {"approval", "not_approval"}
    got = [(read_sentence(r["sentence"], thread=thread_context(r["subject"])).approves, r["label"] == "approval")
           for r in rows]
    tp = sum(g and w for g, w in got)
    return len(rows), tp / max(1, sum(g for g, _ in got)), tp / max(1, sum(w for _, w in got))


@pytest.mark.parametrize("bank, size, min_precision, min_recall", [
    ("acknowledgement_sentences.tsv", 400, 1.0, 1.0),
    ("acknowledgement_sentences_holdout.tsv", 200, 1.0, 1.0),
    ("acknowledgement_sentences_holdout2.tsv", 240, 0.91, 0.95),
])
def test_the_bank_is_read_at_least_as_well_as_measured(bank, size, min_precision, min_recall):
    rows, precision, recall = _scores(DATA / bank)
    assert rows >= size
    assert precision >= min_precision and recall >= min_recall, (precision, recall)
