"""Every fixture package comes out as its expected.json says (decided from the guide, not our code)."""

import datetime as dt
import json
from pathlib import Path

import pytest

from poe_checker.claims import parse_claim
from poe_checker.pipeline import check_paths

PACKAGES = Path(__file__).resolve().parents[1] / "fixtures" / "packages"
CASES = sorted(p.name for p in PACKAGES.iterdir() if (p / "expected.json").is_file())
NOW = dt.datetime(2025, 9, 15, 12, 0, tzinfo=dt.timezone.utc)


def documents_of(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name not in ("claim.json", "expected.json"))


@pytest.fixture(scope="module")
def verdicts():
    cache = {}

    def get(case: str) -> dict:
        if case not in cache:
            folder = PACKAGES / case
            claim = parse_claim((folder / "claim.json").read_bytes())
            cache[case] = check_paths(claim, documents_of(folder), now=NOW).to_dict()
        return cache[case]
    return get


@pytest.mark.parametrize("case", CASES)
def test_package_verdict_is_as_expected(case, verdicts, verdict_validator):
    expected = json.loads((PACKAGES / case / "expected.json").read_text())
    verdict = verdict_validator(verdicts(case))
    got = {c["rule"]: c["status"] for c in verdict["checks"]}
    wrong = {rule: (got[rule], want) for rule, want in expected["checks"].items() if got[rule] != want}
    messages = {rule: next(c["message"] for c in verdict["checks"] if c["rule"] == rule) for rule in wrong}
    assert not wrong, f"(got, expected) {wrong}; messages: {messages}"
    assert verdict["verdict"] == expected["verdict"]


@pytest.mark.parametrize("case", CASES)
def test_every_decision_carries_checkable_evidence(case, verdicts):
    """A pass or fail names where it was decided, unless it is about something absent."""
    verdict = verdicts(case)
    names = {d["name"] for d in verdict["documents"]}
    for check in verdict["checks"]:
        for ev in check["evidence"]:
            assert ev["document"] in names
            assert ev["text"].strip()
            if ev["page"] is not None:
                assert ev["bbox"] is None or (ev["bbox"][0] <= ev["bbox"][2] and ev["bbox"][1] <= ev["bbox"][3])
        if check["status"] == "pass":
            assert check["evidence"], f"{check['rule']} passed without evidence"


def test_seed_valid_evidence_points_at_the_e_signature(verdicts):
    ack = next(c for c in verdicts("seed_valid")["checks"] if c["rule"] == "customer_acknowledgement")
    assert any("E-Signed by" in ev["text"] and ev["page"] and ev["bbox"] for ev in ack["evidence"]), ack


def test_seed_invalid_fails_exactly_on_the_guides_points(verdicts):
    """The guide numbers: ambiguous acknowledgement, unclear activity, generic description, no dates."""
    checks = {c["rule"]: c for c in verdicts("seed_invalid")["checks"]}
    failed = {rule for rule, c in checks.items() if c["status"] == "fail"}
    assert failed == {"customer_acknowledgement", "activity_detail", "recency"}
    assert "ambiguous" in checks["customer_acknowledgement"]["message"]
    assert any("our partner on M365" in ev["text"] for ev in checks["customer_acknowledgement"]["evidence"])


def test_bad_documents_are_reported_and_the_rest_still_checked(verdicts):
    verdict = verdicts("bad_documents")
    errors = {d["name"]: d["error"] for d in verdict["documents"]}
    assert any(e and "encrypted" in e.lower() for e in errors.values()), errors
    assert any(e and "empty" in e.lower() for e in errors.values()), errors
    assert sum(1 for e in errors.values() if e) == 3, errors
    image = next(d for d in verdict["documents"] if d["media_type"] == "image/png")
    assert image["error"] is None and image["doc_type"] == "image"
