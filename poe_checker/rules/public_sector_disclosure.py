"""public_sector_disclosure: US/PR (and IN for activities) public-sector customers must be told
in writing what the partner earns from Microsoft, and must acknowledge it in writing.
"""

from __future__ import annotations

import functools
import re

from .. import knowledge
from ..model import CheckResult, Claim, Document, Evidence, Package
from ..parties import name_pattern, same_organisation
from ..reading import approvals
from .acknowledgements import valid
from .support import Hit, evidence_of, not_applicable, quote, result, search

RULE = "public_sector_disclosure"
FIX = ("Add a written disclosure to the customer of the fees or incentives you may receive from Microsoft for "
       "this engagement, acknowledged by the customer in writing (signed, or confirmed by email from the "
       "customer's domain).")


@functools.cache
def _cfg() -> tuple[dict, tuple[re.Pattern[str], ...]]:
    cfg = knowledge.load("disclosure")
    return cfg, tuple(re.compile(p, re.IGNORECASE) for p in cfg["cues"]["statement"])


def applies(claim: Claim) -> bool | None:
    """True/False, or None when the claim lacks the customer's country to tell."""
    cfg = _cfg()[0]["applies"]
    if not claim.customer.public_sector:
        return False
    if claim.claim_kind == "cpor" and (claim.motion not in cfg["cpor_motions"]
                                       or claim.solution_area not in cfg["cpor_solution_areas"]):
        return False
    if claim.customer.country is None:
        return None
    return claim.customer.country in cfg[claim.claim_kind]


def check(package: Package, claim: Claim) -> CheckResult:
    applicable = applies(claim)
    if applicable is False:
        return not_applicable(RULE, "A public sector fee disclosure is not required for this claim.")
    if applicable is None:
        return result(RULE, "warn", "The customer is public sector but the claim gives no customer country, so it "
                                    "cannot be told whether a fee disclosure is required.",
                      "Give the customer's country in the claim; for US, PR (and IN for partner activities) "
                      "public-sector customers add the fee disclosure acknowledged by the customer.")
    statements = _cfg()[1]
    disclosures = [hit for pattern in statements for hit in search(package, pattern)]
    disclosures += [Hit(d, d.pages[0], 0, min(len(d.pages[0].text), 80)) for d in package.readable
                    if d.doc_type == "public_sector_disclosure" and d.pages and d.pages[0].text]
    if not disclosures:
        return result(RULE, "fail", "No written disclosure of the fees the partner receives from Microsoft was found.",
                      FIX)
    disclosure_docs = {id(h.document) for h in disclosures}
    signed = [a for a in valid(package, claim) if a.kind == "signature" and id(a.document) in disclosure_docs]
    emailed = [(d, f) for d in package.readable if (f := _customer_acknowledges(d, claim)) is not None]
    evidence: list[Evidence] = [disclosures[0].evidence()]
    if signed:
        return result(RULE, "pass", f"The fee disclosure is acknowledged by the customer: {signed[0].reason}.",
                      evidence=evidence + [signed[0].evidence])
    if emailed:
        doc, finding = emailed[0]
        return result(RULE, "pass", f"The fee disclosure is acknowledged by the customer by email "
                                    f"({doc.email.sender}): \"{quote(finding.text)}\".",  # type: ignore[union-attr]
                      evidence=evidence + [evidence_of(doc, finding.text)])
    return result(RULE, "fail", "A fee disclosure was found, but nothing shows the customer acknowledged it in "
                                "writing.", FIX, evidence)


def _customer_acknowledges(doc: Document, claim: Claim):
    """The sentence of a customer email (from the customer's domain, not forwarded) that accepts
    or acknowledges the fee disclosure, read by the same sentence reader as every approval."""
    mail = doc.email
    if mail is None or mail.sender is None or mail.is_forward:
        return None
    if not same_organisation(mail.sender.address, claim.customer.domain):
        return None
    found = approvals.disclosure_acknowledged(mail.body_new, subject=mail.subject)
    if found is None:
        return None
    if found.agent == "organisation" and not name_pattern(claim.customer.name).search(found.agent_text):
        return None
    return found
