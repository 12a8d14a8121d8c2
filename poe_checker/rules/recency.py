"""recency: the newest valid customer acknowledgement is within 12 months of submission.

Only valid customer acknowledgements are dated: a partner's own status mail does not refresh
an old signature, a recent customer confirmation does. Pre-sales claims instead need evidence
of engagement with the customer dated on or before the transaction.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, replace

from dateutil.relativedelta import relativedelta

from .. import knowledge
from ..model import CheckResult, Claim, DateMention, Package
from .acknowledgements import Acknowledgement, acknowledgements
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
    readings = [_read(a, claim) for a in valid if a.on is not None]
    if not readings:
        return result(RULE, "fail", "The customer acknowledgement carries no date.",
                      "Add the date the customer signed or sent the acknowledgement (e.g. the Date Signed field).",
                      [a.evidence for a in valid])
    months = int(knowledge.load("thresholds")["recency"]["max_age_months"])
    earliest = claim.submitted_on - relativedelta(months=months)

    def inside(d: dt.date) -> bool:
        return earliest <= d <= claim.submitted_on

    dated = [r.ack for r in readings]
    in_window = [r.ack for r in readings if inside(r.ack.on) and (r.other is None or inside(r.other))]  # type: ignore[arg-type]
    if in_window:
        newest = max(in_window, key=lambda a: a.on)  # type: ignore[arg-type,return-value]
        return result(RULE, "pass", f"The newest customer acknowledgement is dated {newest.on.isoformat()}"
                                    f"{_said(readings, newest)}, within {months} months before submission "
                                    f"({claim.submitted_on.isoformat()}).",
                      evidence=[newest.evidence])
    either = [r for r in readings if r.other is not None and (inside(r.ack.on) or inside(r.other))]
    if either:
        r = either[0]
        return result(RULE, "warn", f"The customer acknowledgement is dated “{r.mention.where.text[-24:].strip()}”, "  # type: ignore[union-attr]
                                    f"which reads as {r.ack.on:%-d %B %Y} or as {r.other:%-d %B %Y}: nothing in the "  # type: ignore[union-attr]
                                    f"document or the claim's countries tells which, and only one of them is within "
                                    f"{months} months before submission ({claim.submitted_on.isoformat()}).",
                      "Write the date with the month's name (e.g. 3 December 2024), or give both parties' countries "
                      "in the claim.", [r.ack.evidence])
    future = [a for a in dated if a.on > claim.submitted_on]  # type: ignore[operator]
    past = [a for a in dated if a.on < earliest]  # type: ignore[operator]
    if past:
        newest = max(past, key=lambda a: a.on)  # type: ignore[arg-type,return-value]
        message = (f"The newest customer acknowledgement is dated {newest.on.isoformat()}{_said(readings, newest)}, more "
                   f"than {months} months before submission ({claim.submitted_on.isoformat()}).")
    else:
        newest = min(future, key=lambda a: a.on)  # type: ignore[arg-type,return-value]
        message = (f"The customer acknowledgement is dated {newest.on.isoformat()}, after the submission date "
                   f"({claim.submitted_on.isoformat()}); check the date.")
    return result(RULE, "fail", message,
                  f"Add a customer acknowledgement dated on or after {earliest.isoformat()}, e.g. an email from the "
                  "customer confirming the ongoing work.",
                  [a.evidence for a in past + future])


@dataclass(frozen=True)
class _Reading:
    """An acknowledgement's date as this claim reads it. ``other`` is the other reading of an
    ambiguous numeric date when neither the document nor the claim's countries tell."""

    ack: Acknowledgement
    mention: DateMention | None = None
    said: str = ""
    """How an ambiguous date was read, in brackets, for the message ("" when it was unambiguous)."""
    other: dt.date | None = None


def _read(ack: Acknowledgement, claim: Claim) -> _Reading:
    """The acknowledgement's date: as its document reads it, unless the document had nothing to
    tell the order of an ambiguous "03/12/2024" by; then the countries of the claim's parties do
    when they agree (all day-first, or all month-first), and otherwise both readings stay open."""
    mention = next((d for d in ack.document.dates if d.value == ack.on and d.day_first is not None
                    and d.where.page == ack.where.page), None)
    if mention is None:
        return _Reading(ack)
    quoted = mention.where.text[-24:].strip()
    if mention.read_because != "default_month_first":
        return _Reading(ack, mention, f" (\"{quoted}\" {mention.reading})")
    flipped = dt.date(mention.value.year, mention.value.day, mention.value.month)
    countries = sorted({c.upper() for c in (claim.customer.country, claim.partner.country) if c})
    day_first, month_first = _country_orders()
    if countries and all(c in day_first for c in countries):
        return _Reading(replace(ack, on=flipped), mention,
                        f" (\"{quoted}\" read as {flipped:%-d %B %Y} (day-first: nothing in the document tells, and "
                        f"the claim's parties are in {', '.join(countries)}))")
    if countries and all(c in month_first for c in countries):
        return _Reading(ack, mention, f" (\"{quoted}\" read as {mention.value:%-d %B %Y} (month-first: nothing in "
                                      f"the document tells, and the claim's parties are in {', '.join(countries)}))")
    return _Reading(ack, mention, f" (\"{quoted}\" {mention.reading})", other=flipped)


@functools.cache
def _country_orders() -> tuple[frozenset[str], frozenset[str]]:
    k = knowledge.load("dates")["locale"]
    return frozenset(k["day_first_countries"]), frozenset(k["month_first_countries"])


def _said(readings: list[_Reading], ack: Acknowledgement) -> str:
    return next((r.said for r in readings if r.ack is ack), "")


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
