"""customer_acknowledgement: the customer signed, or wrote from its own domain, accepting the work.

The guide's most common rejection. Only partner signatures, flat signature images, forwarded
emails, licensing emails and vague lines such as "We agree that Fabrikam will be our partner
on M365 solutions" do not count.
"""

from __future__ import annotations

from ..model import CheckResult, Claim, Package
from .acknowledgements import acknowledgements
from .support import result

RULE = "customer_acknowledgement"

FIX_NONE = ("Add the customer's acknowledgement of this work: the POE or SOW signed by the customer "
            "(e-signature such as DocuSign or Adobe Sign, or a scan of the wet-signed page), or an email "
            "the customer sent from their own domain that explicitly approves the work described.")


def check(package: Package, claim: Claim) -> CheckResult:
    found = acknowledgements(package, claim)
    valid = [a for a in found if a.outcome == "valid"]
    undecided = [a for a in found if a.outcome == "undecided"]
    rejected = [a for a in found if a.outcome == "rejected"]
    if valid:
        best = valid[0]
        return result(RULE, "pass", f"Customer acknowledgement found: {best.reason}.",
                      evidence=[a.evidence for a in valid])
    if undecided:
        reasons = "; ".join(a.reason for a in undecided[:3])
        return result(RULE, "warn", f"A possible customer acknowledgement needs a person to confirm it: {reasons}.",
                      "Make the customer's acknowledgement verifiable: a customer e-signature (DocuSign, Adobe Sign), "
                      "a scan of the customer's wet-signed page, or an email from the customer's own domain that "
                      "approves the work.",
                      [a.evidence for a in undecided] + [a.evidence for a in rejected])
    if rejected:
        reasons = "; ".join(dict.fromkeys(a.reason for a in rejected[:4]))
        return result(RULE, "fail", f"No valid customer acknowledgement. What was found does not count: {reasons}.",
                      FIX_NONE, [a.evidence for a in rejected])
    if not package.readable:
        return result(RULE, "fail", "No document of the package could be read, so no customer acknowledgement "
                                    "was found.", FIX_NONE)
    return result(RULE, "fail", "No customer signature and no email from the customer was found in the POE.",
                  FIX_NONE)
