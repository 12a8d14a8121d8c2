"""The verdict: one result per rule, in contract order, with a bottom line and a score."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from . import knowledge
from .claims import schema
from .model import RULE_IDS, CheckResult, Claim, Document, Package

SCHEMA_VERSION = "1.0"


@dataclass(frozen=True)
class Verdict:
    claim_id: str
    checks: tuple[CheckResult, ...]
    package: Package
    checked_at: dt.datetime

    @property
    def verdict(self) -> str:
        statuses = {c.status for c in self.checks}
        return "fail" if "fail" in statuses else "review" if "warn" in statuses else "pass"

    @property
    def score(self) -> int:
        """Weighted share of applicable rules that pass (a warn earns part), kept in its band.

        Weights live in ``knowledge/scoring.toml``. The contract's bands hold: a pass scores at
        least 80, a fail at most 79.
        """
        cfg = knowledge.load("scoring")
        weights, credit = cfg["weights"], cfg["credit"]
        total = earned = 0.0
        for check in self.checks:
            if check.status == "not_applicable":
                continue
            weight = float(weights.get(check.rule, 1.0))
            total += weight
            earned += weight * float(credit[check.status])
        score = round(100 * earned / total) if total else 100
        if self.verdict == "fail":
            return min(score, 79)
        if self.verdict == "pass":
            return max(score, 80)
        return max(min(score, 99), 0)

    @property
    def failed(self) -> tuple[CheckResult, ...]:
        return tuple(c for c in self.checks if c.status == "fail")

    def to_dict(self) -> dict:
        return {
            "schema_version": SCHEMA_VERSION,
            "claim_id": self.claim_id,
            "verdict": self.verdict,
            "score": self.score,
            "checked_at": self.checked_at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "checks": [c.to_dict() for c in self.checks],
            "documents": [_document(d) for d in self.package.documents],
        }


@functools.cache
def _contract_doc_types() -> frozenset[str]:
    items = schema("verdict.schema.json")["properties"]["documents"]["items"]["properties"]
    return frozenset(items["doc_type"]["enum"])


def _document(d: Document) -> dict:
    """A document as the contract lists it. A finer kind of ours that the contract does not name
    (an engagement report, an ECIF document) is ``other`` there and is kept in ``kind``."""
    out = {"name": d.name, "sha256": d.sha256, "media_type": d.media_type, "pages": d.page_count, "error": d.error}
    if d.doc_type in _contract_doc_types():
        return {**out, "doc_type": d.doc_type}
    return {**out, "doc_type": "other", "kind": d.doc_type}


def build_verdict(claim: Claim, package: Package, checks: tuple[CheckResult, ...],
                  *, now: dt.datetime | None = None) -> Verdict:
    if tuple(c.rule for c in checks) != RULE_IDS:
        raise ValueError(f"rules must report in contract order {RULE_IDS}, got {[c.rule for c in checks]}")
    return Verdict(claim.claim_id, checks, package, now or dt.datetime.now(dt.timezone.utc))
