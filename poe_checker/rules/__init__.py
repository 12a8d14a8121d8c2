"""The rule registry: one module per contract rule id, one ``check(package, claim)`` each.

Adding a rule is adding a module and a line in ``RULES``. The order is the contract's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from ..model import RULE_IDS, CheckResult, Claim, Package
from . import (
    activity_detail,
    customer_acknowledgement,
    document_type,
    invoice,
    party_names,
    public_sector_disclosure,
    recency,
    workload_match,
)

log = logging.getLogger(__name__)

Rule = Callable[[Package, Claim], CheckResult]

RULES: tuple[tuple[str, Rule], ...] = (
    ("customer_acknowledgement", customer_acknowledgement.check),
    ("party_names", party_names.check),
    ("activity_detail", activity_detail.check),
    ("workload_match", workload_match.check),
    ("recency", recency.check),
    ("invoice", invoice.check),
    ("public_sector_disclosure", public_sector_disclosure.check),
    ("document_type", document_type.check),
)
assert tuple(rule_id for rule_id, _ in RULES) == RULE_IDS


def run_rules(package: Package, claim: Claim) -> tuple[CheckResult, ...]:
    """Run every rule; a rule that breaks says ``warn`` with why, and the others still run."""
    results = []
    for rule_id, rule in RULES:
        try:
            results.append(rule(package, claim))
        except Exception as exc:  # a bug in one rule must not hide the other seven
            log.exception("rule %s failed", rule_id)
            results.append(CheckResult(
                rule_id, "warn",
                f"This check could not be completed because of an internal error ({type(exc).__name__}); "
                "a reviewer must check it by hand.",
                "No change needed from you for this check; a reviewer will look at it."))
    return tuple(results)
