import datetime as dt
import itertools

import pytest

from poe_checker.model import RULE_IDS, CheckResult, Evidence, Package
from poe_checker.verdict import build_verdict

from .modelkit import claim

NOW = dt.datetime(2025, 9, 15, 10, 0, tzinfo=dt.timezone.utc)


def verdict_of(statuses: dict[str, str]):
    checks = tuple(CheckResult(r, statuses.get(r, "pass"), f"{r} said so",
                               "do this" if statuses.get(r, "pass") in ("fail", "warn") else None,
                               (Evidence("a.pdf", 1, "quoted", (1.0, 2.0, 3.0, 4.0)),))
                   for r in RULE_IDS)
    return build_verdict(claim(), Package(()), checks, now=NOW)


def test_all_pass_scores_100():
    v = verdict_of({})
    assert (v.verdict, v.score) == ("pass", 100)


def test_one_fail_makes_a_fail_at_most_79():
    v = verdict_of({"party_names": "fail"})
    assert v.verdict == "fail" and v.score <= 79


def test_a_warn_makes_review():
    v = verdict_of({"recency": "warn"})
    assert v.verdict == "review" and 0 <= v.score < 100


def test_more_failures_score_lower():
    one = verdict_of({"customer_acknowledgement": "fail"}).score
    three = verdict_of({"customer_acknowledgement": "fail", "recency": "fail", "activity_detail": "fail"}).score
    assert three < one <= 79


@pytest.mark.parametrize("statuses", [
    dict(zip(RULE_IDS, combo)) for combo in itertools.islice(
        itertools.product(("pass", "fail", "warn", "not_applicable"), repeat=len(RULE_IDS)), 0, 65536, 997)
])
def test_every_verdict_validates_and_keeps_its_band(statuses, verdict_validator):
    v = verdict_of(statuses)
    out = verdict_validator(v.to_dict())
    assert [c["rule"] for c in out["checks"]] == list(RULE_IDS)
    if out["verdict"] == "pass":
        assert out["score"] >= 80
    if out["verdict"] == "fail":
        assert out["score"] <= 79
    assert out["checked_at"] == "2025-09-15T10:00:00Z"
    for check in out["checks"]:
        assert (check["fix"] is None) == (check["status"] in ("pass", "not_applicable"))


def test_rules_out_of_contract_order_are_refused():
    checks = tuple(CheckResult(r, "pass", "ok") for r in reversed(RULE_IDS))
    with pytest.raises(ValueError):
        build_verdict(claim(), Package(()), checks, now=NOW)


def test_a_kind_the_contract_does_not_name_is_other_there_and_kept_in_kind():
    from poe_checker.model import Document
    from poe_checker.verdict import _document

    report = Document("report.pdf", "0" * 64, "application/pdf", doc_type="engagement_report")
    sow = Document("sow.pdf", "1" * 64, "application/pdf", doc_type="statement_of_work")
    assert _document(report)["doc_type"] == "other" and _document(report)["kind"] == "engagement_report"
    assert _document(sow)["doc_type"] == "statement_of_work" and "kind" not in _document(sow)
