"""Build model objects straight from text, for rule tests that need no files.

Documents built here go through the real reading layer (dates, amounts, signature marks,
document type), so a rule test sees what the pipeline would give it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from decimal import Decimal

from poe_checker.extractors import Extraction
from poe_checker.model import Checkbox, Claim, Document, Email, Mailbox, Package, Page, Party, Word
from poe_checker.reading import understand


def words_of(text: str, *, layout: bool = True) -> tuple[Word, ...]:
    """Words with fake but consistent boxes: 6 pt a character, 14 pt a line, 72 pt margins."""
    out = []
    for line_no, line in enumerate(text.split("\n")):
        line_start = sum(len(x) + 1 for x in text.split("\n")[:line_no])
        for m in re.finditer(r"\S+", line):
            s, e = line_start + m.start(), line_start + m.end()
            box = (72.0 + 6 * m.start(), 72.0 + 14 * line_no, 72.0 + 6 * m.end(), 84.0 + 14 * line_no)
            out.append(Word(m.group(), s, e, box if layout else None))
    return tuple(out)


def boxed_page(text: str, number: int = 1) -> Page:
    """Word boxes by hand: 5 pt a character, 12 pt a line, so a span's box can be computed."""
    words = []
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    for m in re.finditer(r"\S+", text):
        line = max(i for i, s in enumerate(line_starts) if s <= m.start())
        col = m.start() - line_starts[line]
        words.append(Word(m.group(), m.start(), m.end(),
                          (5.0 * col, 12.0 * line, 5.0 * (col + len(m.group())), 12.0 * line + 10)))
    return Page(number, text, tuple(words), 612.0, 792.0)


def page(text: str, number: int | None = 1, *, layout: bool = True) -> Page:
    return Page(number=number, text=text, words=words_of(text, layout=layout),
                width=612.0 if layout else None, height=792.0 if layout else None)


def _document(name: str, kind: str, extraction: Extraction, doc_type: str | None) -> Document:
    doc = understand(name=name, sha256=hashlib.sha256(name.encode()).hexdigest(), media_type="application/pdf",
                     kind=kind, extraction=extraction)
    if doc_type is not None:
        from dataclasses import replace
        doc = replace(doc, doc_type=doc_type)
    return doc


def text_document(name: str, *texts: str, doc_type: str | None = None,
                  checkboxes: tuple[tuple[str, bool], ...] = ()) -> Document:
    """A PDF-like document, one page per text; checkboxes are (label, ticked) found in page 1."""
    pages = tuple(page(t, i + 1) for i, t in enumerate(texts))
    boxes = []
    for label, ticked in checkboxes:
        start = pages[0].text.find(label)
        assert start >= 0, f"checkbox label {label!r} must be in the page text"
        boxes.append(Checkbox(label, ticked, pages[0].anchor(start, start + len(label)), "form_field"))
    extraction = Extraction(pages=pages, page_count=len(pages), checkboxes=tuple(boxes))
    return _document(name, "pdf", extraction, doc_type)


def mailbox(text: str) -> Mailbox:
    m = re.match(r"\s*(.*?)\s*<([^>]+)>\s*$", text)
    return Mailbox(m.group(1), m.group(2)) if m else Mailbox("", text.strip())


def email_document(name: str, *, sender: str, body: str, subject: str = "Re: Intune deployment",
                   to: str = "Jane Smith <jane.smith@fabrikam.com>", sent: str = "2025-08-20T09:35:00+00:00",
                   quoted: str = "", is_forward: bool = False, is_reply: bool = True) -> Document:
    sent_at = dt.datetime.fromisoformat(sent) if sent else None
    mail = Email(subject=subject, sender=mailbox(sender), to=(mailbox(to),), sent_at=sent_at, body_new=body,
                 body_quoted=quoted, is_reply=is_reply, is_forward=is_forward)
    header = f"From: {sender}\nTo: {to}\nDate: {sent}\nSubject: {subject}\n\n"
    text = header + body + (f"\n\n{quoted}" if quoted else "")
    extraction = Extraction(pages=(page(text, None, layout=False),), email=mail)
    return _document(name, "eml", extraction, None)


def package(*docs: Document) -> Package:
    return Package(tuple(docs))


def claim(**overrides) -> Claim:
    """The guide's Fabrikam/Contoso CPOR security usage claim, with overrides."""
    partner = overrides.pop("partner", Party(name="Fabrikam", partner_id="5272302", country="US"))
    customer = overrides.pop("customer", Party(name="Contoso", domain="contoso.com", country="US"))
    values = dict(claim_id="3079758", claim_kind="cpor", solution_area="security", partner=partner,
                  customer=customer, motion="usage", engagement="Security Usage Incentive",
                  workloads=("Microsoft Intune",), submitted_on=dt.date(2025, 9, 15))
    values.update(overrides)
    if "invoice_amount_usd" in values and values["invoice_amount_usd"] is not None:
        values["invoice_amount_usd"] = Decimal(str(values["invoice_amount_usd"]))
    return Claim(**values)
