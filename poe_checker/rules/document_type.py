"""document_type: at least one document is acceptable proof of execution.

Purchase orders, pricing quotes, licensing contracts and master services agreements do not
prove the work on their own; a SOW, a POE template, a customer email or an e-signature record does.
"""

from __future__ import annotations

from .. import knowledge
from ..model import CheckResult, Claim, Document, Evidence, Package
from .support import quote, result

RULE = "document_type"
LABELS = {
    "statement_of_work": "statement of work", "poe_template": "POE template", "email": "email",
    "invoice": "invoice", "signature_certificate": "e-signature certificate",
    "public_sector_disclosure": "public sector disclosure", "purchase_order": "purchase order",
    "pricing_quote": "pricing quote", "licensing_contract": "licensing contract",
    "master_services_agreement": "master services agreement", "engagement_report": "engagement report",
    "ecif_document": "ECIF document", "image": "image", "other": "unrecognised document",
}


def _why(doc: Document) -> str:
    """"sow.pdf (statement of work: “Statement of Work”, “deliverables”)": a kind and what shows it."""
    label = LABELS.get(doc.doc_type, doc.doc_type)
    cues = ", ".join(f"“{quote(a.text, 40)}”" for a in doc.kind_cues[:3])
    return f"{doc.name} ({label}: {cues})" if cues else f"{doc.name} ({label})"


def _evidence(doc: Document) -> list[Evidence]:
    """Where the document's kind shows on its pages, else its first line."""
    return [Evidence.at(doc, a) for a in doc.kind_cues[:2]] or [_first_line(doc)]


def _first_line(doc) -> Evidence:
    for page in doc.pages:
        text = page.text.strip()
        if text:
            line = text.split("\n", 1)[0]
            start = page.text.find(line)
            return Evidence.at(doc, page.anchor(start, start + len(line)))
    return Evidence(doc.name, None, f"({LABELS.get(doc.doc_type, doc.doc_type)})", None)


def check(package: Package, claim: Claim) -> CheckResult:
    cfg = knowledge.load("doc_types")["acceptance"]
    readable = package.readable
    if not readable:
        return result(RULE, "fail", "No document of the package could be read.",
                      "Upload the POE documents as PDF, Word (.docx), Outlook (.msg), email (.eml) or image files.")
    accepted = [d for d in readable if d.doc_type in cfg["accepted"]]
    if claim.claim_kind == "partner_activity":
        # an invoice is a required component of a partner-activity claim, but not proof of the work itself
        accepted = [d for d in accepted if d.doc_type != "invoice"]
    if accepted:
        return result(RULE, "pass", "The package holds acceptable proof of execution: "
                                    + "; ".join(_why(d) for d in accepted[:4]) + ".",
                      evidence=[e for d in accepted[:4] for e in _evidence(d)])
    refused = [d for d in readable if d.doc_type not in ("image", "other")]
    unknown = [d for d in readable if d.doc_type in ("image", "other")]
    if unknown:
        return result(RULE, "warn", "Could not tell whether the documents are acceptable proof of execution: "
                                    + ", ".join(f"{d.name} ({LABELS.get(d.doc_type, d.doc_type)})" for d in unknown[:4])
                                    + ".",
                      "Add a statement of work or the POE template describing the work, with the customer's "
                      "acknowledgement.", [_first_line(d) for d in unknown[:4]])
    return result(RULE, "fail", "The package holds only documents that do not prove the work on their own: "
                                + "; ".join(_why(d) for d in refused[:4]) + ".",
                  "Add a statement of work or the POE template describing the work delivered, acknowledged by the "
                  "customer (signature or email from the customer's domain).",
                  [e for d in refused[:4] for e in _evidence(d)])
