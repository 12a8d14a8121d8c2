"""recency: the newest valid customer acknowledgement is within 12 months of submission.

Only valid customer acknowledgements are dated: a partner's own status mail does not refresh
an old signature, a recent customer confirmation does. Pre-sales claims instead need evidence
of engagement with the customer dated on or before the transaction.
"""

from __future__ import annotations

from dateutil.relativedelta import relativedelta

from .. import knowledge
from ..model import CheckResult, Claim, Package
from .acknowledgements import acknowledgements
from .support import result

RULE = "recency"


def check(package: Package, claim: Claim) -> CheckResult:
    found = acknowledgements(package, claim)
    valid = [a for a in found if a.outcome == "valid"]
    if claim.claim_kind == "cpor" and claim.motion == "pre_sales":
        return _pre_sales(claim, valid, found)
    if not valid:
        undecided = [a for a in found if a.outcome == "undecided"]
        if undecided and any(a.on for a in undecided):
            return result(RULE, "warn", "The only candidate customer acknowledgements still need a person to "
                                        "confirm them, so their dates cannot be relied on yet.",
                          "Make the customer's acknowledgement verifiable and dated within the last 12 months.",
                          [a.evidence for a in undecided if a.on])
        return result(RULE, "fail", "No valid customer acknowledgement, so nothing dates the customer's "
                                    "confirmation of the work.",
                      "Add a customer acknowledgement (signature or email from the customer's domain) dated within "
                      f"the 12 months before submission ({claim.submitted_on.isoformat()}).")
    dated = [a for a in valid if a.on is not None]
    if not dated:
        return result(RULE, "fail", "The customer acknowledgement carries no date.",
                      "Add the date the customer signed or sent the acknowledgement (e.g. the Date Signed field).",
                      [a.evidence for a in valid])
    months = int(knowledge.load("thresholds")["recency"]["max_age_months"])
    earliest = claim.submitted_on - relativedelta(months=months)
    in_window = [a for a in dated if earliest <= a.on <= claim.submitted_on]  # type: ignore[operator]
    if in_window:
        newest = max(in_window, key=lambda a: a.on)  # type: ignore[arg-type,return-value]
        return result(RULE, "pass", f"The newest customer acknowledgement is dated {newest.on.isoformat()}"
                                    f"{_reading(newest)}, within {months} months before submission "
                                    f"({claim.submitted_on.isoformat()}).",
                      evidence=[newest.evidence])
    future = [a for a in dated if a.on > claim.submitted_on]  # type: ignore[operator]
    past = [a for a in dated if a.on < earliest]  # type: ignore[operator]
    if past:
        newest = max(past, key=lambda a: a.on)  # type: ignore[arg-type,return-value]
        message = (f"The newest customer acknowledgement is dated {newest.on.isoformat()}{_reading(newest)}, more "
                   f"than {months} months before submission ({claim.submitted_on.isoformat()}).")
    else:
        newest = min(future, key=lambda a: a.on)  # type: ignore[arg-type,return-value]
        message = (f"The customer acknowledgement is dated {newest.on.isoformat()}, after the submission date "
                   f"({claim.submitted_on.isoformat()}); check the date.")
    return result(RULE, "fail", message,
                  f"Add a customer acknowledgement dated on or after {earliest.isoformat()}, e.g. an email from the "
                  "customer confirming the ongoing work.",
                  [a.evidence for a in past + future])


def _reading(ack) -> str:
    """How an ambiguous numeric date behind the acknowledgement was read, in brackets ("" when
    the date was written unambiguously): the partner sees "03/12/2024 read as 3 December 2024"."""
    for d in ack.document.dates:
        if d.value == ack.on and d.day_first is not None and d.where.page == ack.where.page:
            return f" (\"{d.where.text[-24:].strip()}\" {d.reading})"
    return ""


def _pre_sales(claim: Claim, valid, found) -> CheckResult:
    if claim.transaction_date is None:
        return result(RULE, "warn", "Pre-sales claim without a transaction date: cannot tell whether the engagement "
                                    "came before the transaction.",
                      "Give the transaction date in the claim.")
    engaged = [a for a in valid if a.on is not None]
    before = [a for a in engaged if a.on <= claim.transaction_date]  # type: ignore[operator]
    if before:
        first = min(before, key=lambda a: a.on)  # type: ignore[arg-type,return-value]
        return result(RULE, "pass", f"The customer acknowledged the pre-sales engagement on {first.on.isoformat()}, "
                                    f"on or before the transaction ({claim.transaction_date.isoformat()}).",
                      evidence=[first.evidence])
    if engaged:
        first = min(engaged, key=lambda a: a.on)  # type: ignore[arg-type,return-value]
        return result(RULE, "fail", f"The earliest customer acknowledgement is dated {first.on.isoformat()}, after "
                                    f"the transaction ({claim.transaction_date.isoformat()}).",
                      "Add proof of engagement with the customer dated before the transaction, e.g. the customer's "
                      "emails about the demos or pilot.",
                      [a.evidence for a in engaged])
    return result(RULE, "fail", "No dated customer acknowledgement of the pre-sales engagement was found.",
                  "Add proof of engagement with the customer dated before the transaction, e.g. the customer's "
                  "emails about the demos or pilot.", [a.evidence for a in found if a.on][:5])
