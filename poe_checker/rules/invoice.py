"""invoice: partner-activity claims need their own invoice with claim id, partner name, USD amount.

A local-currency equivalent printed beside the USD amount is allowed; the USD amount is judged.
An invoice that bills more than one claim fails.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal

from .. import knowledge
from ..model import CheckResult, Claim, Document, Evidence, Package
from ..parties import find_name
from .support import Hit, line_evidence, not_applicable, result, search

RULE = "invoice"


@functools.cache
def _claim_ids() -> re.Pattern[str]:
    cfg = knowledge.load("invoice")
    return re.compile(cfg["claim_id_labels"] + r"(?P<ids>" + cfg["claim_id_value"] + r"(?:\s*(?:,|and|&|/)\s*"
                      + cfg["claim_id_value"] + r")*)")


def check(package: Package, claim: Claim) -> CheckResult:
    if claim.claim_kind != "partner_activity":
        return not_applicable(RULE, "Invoices are only required for MCI Partner Activities claims.")
    invoices = [d for d in package.readable if d.doc_type == "invoice"]
    if not invoices:
        return result(RULE, "fail", "No invoice was found in the package.",
                      f"Upload an invoice for this claim showing the claim id {claim.claim_id}, your company name "
                      f"({claim.partner.name}) and the incentive amount in US dollars.")
    judged = sorted((_judge(doc, claim) for doc in invoices), key=lambda j: len(j[0]))
    problems, evidence, doc = judged[0]
    if not problems:
        return result(RULE, "pass", f"The invoice {doc.name} shows the claim id {claim.claim_id}, the partner's name "
                                    "and the amount in USD.", evidence=evidence)
    return result(RULE, "fail", f"The invoice {doc.name} does not meet the requirements: {'; '.join(problems)}.",
                  "Issue one invoice per claim showing the engagement claim id, your company name as registered, and "
                  "the incentive amount in US dollars"
                  + (f" (USD {claim.invoice_amount_usd:,.2f})" if claim.invoice_amount_usd is not None else "") + ".",
                  evidence)


@functools.cache
def _column_header() -> re.Pattern[str]:
    """A claim-id label that heads a column of line items ("Claim ID  Description  Amount"):
    the label with no number after it on its line."""
    return re.compile(r"(?m)^[^\n]*?" + knowledge.load("invoice")["claim_id_labels"] + r"(?![\d\s]*\d)")


def _column_ids(doc: Document, claim: Claim):
    """Claim ids of other claims listed as line items under a "Claim ID" column header: numbers
    shaped like the claim's own id (same number of digits) that open a line below the header."""
    digits = len(claim.claim_id) if claim.claim_id.isdigit() else 0
    if not digits:
        return
    item = re.compile(rf"(?m)^[ \t]*(\d{{{digits}}})(?![\d.,/:-])")
    for page in doc.pages:
        header = _column_header().search(page.text)
        if header is None:
            continue
        for m in item.finditer(page.text, header.end()):
            if m.group(1) != claim.claim_id:
                yield Hit(doc, page, m.start(1), m.end(1))


def _judge(doc: Document, claim: Claim) -> tuple[list[str], list[Evidence], Document]:
    problems: list[str] = []
    evidence: list[Evidence] = []
    pkg_one = Package((doc,))

    own = list(search(pkg_one, re.compile(rf"(?<!\d){re.escape(claim.claim_id)}(?!\d)")))
    if own:
        evidence.append(own[0].evidence())
    else:
        problems.append(f"the claim id {claim.claim_id} is not on it")
    others = set()
    for hit in search(pkg_one, _claim_ids()):
        ids = set(re.findall(r"\d+", _claim_ids().match(hit.text).group("ids")))  # type: ignore[union-attr]
        foreign = ids - {claim.claim_id}
        if foreign:
            others |= foreign
            evidence.append(hit.evidence())
    for hit in _column_ids(doc, claim):
        others.add(hit.text)
        evidence.append(hit.evidence())
    if others:
        problems.append(f"it also bills other claim(s) {', '.join(sorted(others))} (one invoice per claim)")

    partner = next(iter(find_name(pkg_one, claim.partner.name)), None)
    if partner:
        evidence.append(line_evidence(partner[0], partner[1], partner[2], partner[3]))
    else:
        problems.append(f"the partner's name \"{claim.partner.name}\" is not on it")

    usd = [a for a in doc.amounts if a.currency == "USD"]
    if not usd:
        shown = sorted({a.currency for a in doc.amounts if a.currency})
        problems.append("no amount in US dollars" + (f" (amounts are in {', '.join(shown)})" if shown else ""))
        evidence.extend(Evidence.at(doc, a.where) for a in doc.amounts[:3])
    elif claim.invoice_amount_usd is not None:
        tolerance = Decimal(str(knowledge.load("invoice")["amount_tolerance_usd"]))
        match = [a for a in usd if abs(a.value - claim.invoice_amount_usd) <= tolerance]
        if match:
            evidence.append(Evidence.at(doc, match[0].where))
        else:
            shown = ", ".join(f"USD {a.value:,.2f}" for a in usd[:4])
            problems.append(f"its USD amount ({shown}) does not equal the payout USD {claim.invoice_amount_usd:,.2f}")
            evidence.extend(Evidence.at(doc, a.where) for a in usd[:3])
    else:
        evidence.append(Evidence.at(doc, usd[0].where))
    return problems, evidence, doc

