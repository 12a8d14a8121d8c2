"""party_names: the partner's and the customer's company names are written in the POE.

Legal forms, case and small misspellings are tolerated; an email domain is not a name.
"""

from __future__ import annotations

from ..model import CheckResult, Claim, Evidence, Package
from ..parties import find_name
from .support import line_evidence, result

RULE = "party_names"


def check(package: Package, claim: Claim) -> CheckResult:
    if not package.readable:
        return result(RULE, "fail", "No document of the package could be read, so neither company name was found.",
                      "Upload readable POE documents that name both companies.")
    found: dict[str, list[Evidence]] = {}
    spelt: list[str] = []
    for role, name in (("partner", claim.partner.name), ("customer", claim.customer.name)):
        hits = []
        for doc, page, start, end, score in find_name(package, name):
            hits.append(line_evidence(doc, page, start, end))
            if score < 100:
                spelt.append(f"the {role} name appears as \"{page.text[start:end]}\"")
            if len(hits) >= 3:
                break
        found[role] = hits
    missing = [role for role in ("partner", "customer") if not found[role]]
    evidence = found["partner"][:2] + found["customer"][:2]
    if not missing:
        note = f" ({'; '.join(dict.fromkeys(spelt))})" if spelt else ""
        return result(RULE, "pass", f"Both company names are in the POE: {claim.partner.name} (partner) and "
                                    f"{claim.customer.name} (customer){note}.", evidence=evidence)
    names = {"partner": claim.partner.name, "customer": claim.customer.name}
    listed = " and ".join(f"the {role}'s name \"{names[role]}\"" for role in missing)
    unread = [d for d in package.readable if d.pages and not any(p.text.strip() for p in d.pages)]
    if unread:
        return result(RULE, "warn", f"Could not find {listed}, but {len(unread)} document(s) have no readable text "
                                    "(scans or images), so a person must look.",
                      "Make sure both company names are written in the POE, e.g. in the contact section.",
                      evidence)
    return result(RULE, "fail", f"{listed[0].upper()}{listed[1:]} is not written anywhere in the POE"
                                f"{' (an email domain does not count as a name)' if 'customer' in missing else ''}.",
                  "Add both company names to the POE, e.g. \"Partner Company Name\" and \"Customer Company Name\" "
                  "in the POE template, or in the SOW's parties section.", evidence)

