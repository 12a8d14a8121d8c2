"""Reading: what an extraction says, found once for every format.

Extractors give pages, words, emails, form fields, ink marks and placed pictures; this layer
finds the dates (with what they date), money amounts, what the document sets out of its scope, signature marks (e-signature stamps and
records, names on signature lines, ink in signature blocks, pasted pictures) and the kind of
document. It still knows nothing of the claim:
deciding whose signature counts is the rules' job.
"""

from __future__ import annotations

from ..extractors import Extraction
from ..model import Document
from . import amounts, dates, doctype, ink, sections, signatures


def understand(*, name: str, sha256: str, media_type: str, kind: str, extraction: Extraction,
               parent: str | None = None) -> Document:
    found_dates = dates.find_dates(extraction.pages, email=extraction.email)
    found_signatures = (extraction.signatures + signatures.find_signatures(extraction.pages, found_dates)
                        + ink.find_marks(extraction.pages, extraction.images))
    found_signatures = ink.settle(found_signatures, extraction.pages, found_dates)
    doc_type = doctype.classify(kind, extraction.pages, extraction.email, found_signatures)
    return Document(
        name=name,
        sha256=sha256,
        media_type=media_type,
        doc_type=doc_type,
        kind_cues=doctype.kind_cues(doc_type, extraction.pages),
        pages=extraction.pages,
        page_count=extraction.page_count,
        email=extraction.email,
        tables=extraction.tables,
        checkboxes=extraction.checkboxes,
        form_fields=extraction.form_fields,
        dates=found_dates,
        amounts=amounts.find_amounts(extraction.pages),
        signatures=found_signatures,
        images=extraction.images,
        exclusions=sections.find_exclusions(extraction.pages),
        parent=parent,
        notes=extraction.notes,
    )
