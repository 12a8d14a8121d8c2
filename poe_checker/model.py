"""The document model: what every extractor produces and every rule reads.

One model for every format, so a scan, a text PDF, a DOCX and an email are judged alike.
All types are frozen; collections are tuples. Coordinates are PDF points with the origin at
the top-left of the page: ``(x0, top, x1, bottom)``. Formats without a layout (DOCX, email
bodies) carry ``bbox=None`` and ``page=None``.
"""

from __future__ import annotations

import datetime as dt
import functools
from bisect import bisect_left
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

BBox = tuple[float, float, float, float]

DocType = Literal[
    "statement_of_work", "poe_template", "email", "invoice", "signature_certificate",
    "public_sector_disclosure", "purchase_order", "pricing_quote", "licensing_contract",
    "master_services_agreement", "engagement_report", "ecif_document", "image", "other",
]
DOC_TYPES: tuple[str, ...] = DocType.__args__  # type: ignore[attr-defined]

DateRole = Literal[
    "signature", "email_sent", "engagement_start", "engagement_end", "invoice", "other",
]
SignatureKind = Literal[
    "e_signature",   # an e-signature platform record or stamp (DocuSign, Adobe Sign, "E-Signed by")
    "digital",       # a PDF signature field (cryptographic)
    "wet",           # ink on a scanned page
    "typed",         # a name typed on a signature line of a born-digital document
    "image",         # a signature picture (flat image) with nothing verifiable behind it
]


def merge_bboxes(boxes: list[BBox] | tuple[BBox, ...]) -> BBox | None:
    """The smallest box holding all ``boxes`` (None when there are none)."""
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes), min(b[1] for b in boxes),
        max(b[2] for b in boxes), max(b[3] for b in boxes),
    )


@dataclass(frozen=True, slots=True)
class Word:
    """A word of a page, with its character span in ``Page.text`` so matches map to boxes."""

    text: str
    start: int
    end: int
    bbox: BBox | None = None
    confidence: float | None = None
    """OCR confidence 0-100; None for text layers, where the text is what the file says."""


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where something was found: page (1-based, None without pages), quoted text, box, span."""

    page: int | None
    text: str
    bbox: BBox | None = None
    span: tuple[int, int] | None = None
    """Character span in that page's ``text``; lets rules tell label text from scope text."""


class _WordIndex:
    """Words with boxes, sorted by position, for finding the words of a span by bisection."""

    __slots__ = ("words", "starts", "reach")

    def __init__(self, words: tuple[Word, ...]):
        boxed = [w for w in words if w.bbox is not None]
        if any(a.start > b.start for a, b in zip(boxed, boxed[1:])):
            boxed.sort(key=lambda w: w.start)
        self.words = boxed
        self.starts = [w.start for w in boxed]
        self.reach = max((w.end - w.start for w in boxed), default=0)
        """The longest word: a word starting this far before a span can still overlap it."""

    def boxes(self, start: int, end: int) -> list[BBox]:
        lo = bisect_left(self.starts, start - self.reach)
        hi = bisect_left(self.starts, end)
        return [w.bbox for w in self.words[lo:hi] if w.end > start]  # type: ignore[misc]

    def word_and_previous(self, start: int) -> tuple[BBox, BBox] | None:
        """The boxes of the word starting at ``start`` and of the boxed word before it."""
        i = bisect_left(self.starts, start)
        if i == 0 or i >= len(self.starts) or self.starts[i] != start:
            return None
        return self.words[i].bbox, self.words[i - 1].bbox  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class InkMark:
    """Strokes left on a scanned page once its confidently read printed words and its ruled
    lines are masked out: handwriting, a stamp, a scribble, or scanner noise. Measured by the
    extractor from the page image; what a mark means (a signature in a block?) is the reading's
    call."""

    bbox: BBox
    """Page points, like every box of the model."""
    area_pt2: float
    """Inked area in square points."""
    fingerprint: str
    """64-bit difference hash (hex) of the strokes, for telling the same raster elsewhere."""


_DERIVED = ("_index", "layout")


@dataclass(frozen=True)
class Page:
    """One page (or, for formats without pages, the whole body as one page with number None)."""

    number: int | None
    text: str
    words: tuple[Word, ...] = ()
    width: float | None = None
    height: float | None = None
    ocr: bool = False
    """True when the text came from OCR rather than a text layer."""
    mean_confidence: float | None = None
    ink: tuple[InkMark, ...] = ()
    """Marks of ink on a scanned page that are not printed text (empty for text layers)."""

    @functools.cached_property
    def _index(self) -> _WordIndex:
        return _WordIndex(self.words)

    @functools.cached_property
    def layout(self):
        """The page's lines, blocks and columns (``poe_checker.layout.PageLayout``), built once."""
        from .layout import page_layout

        return page_layout(self)

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in _DERIVED}  # rebuilt where needed

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    def bbox_of(self, start: int, end: int) -> BBox | None:
        """The box of the characters ``start:end`` (merged boxes of the words it touches)."""
        return merge_bboxes(self._index.boxes(start, end)) if self.words else None

    def word_and_previous(self, start: int) -> tuple[BBox, BBox] | None:
        """The boxes of the word that starts at ``start`` and of the word before it (None when no
        boxed word starts there, or it is the first)."""
        return self._index.word_and_previous(start)

    def confidence_of(self, start: int, end: int) -> float | None:
        """The lowest OCR confidence among the words in ``start:end`` (None for text layers)."""
        confs = [w.confidence for w in self.words
                 if w.confidence is not None and w.start < end and w.end > start]
        return min(confs) if confs else None

    def anchor(self, start: int, end: int) -> Anchor:
        return Anchor(self.number, self.text[start:end].strip(), self.bbox_of(start, end), (start, end))


@dataclass(frozen=True, slots=True)
class Checkbox:
    """A tick box with its label: a form field, a glyph (☒ ☐ ✓) or a Word content control."""

    label: str
    checked: bool
    where: Anchor
    source: Literal["form_field", "glyph", "content_control", "html_input", "ocr"] = "glyph"


@dataclass(frozen=True, slots=True)
class FormField:
    """An AcroForm field (PDF) or a content control (DOCX) with its value."""

    name: str
    value: str | None
    kind: Literal["text", "checkbox", "radio", "choice", "signature", "other"]
    where: Anchor


@dataclass(frozen=True, slots=True)
class Table:
    page: int | None
    rows: tuple[tuple[str, ...], ...]
    bbox: BBox | None = None


@dataclass(frozen=True, slots=True)
class Exclusion:
    """Text a document sets out of its scope, on one page: the section under an "Out of scope" or
    "Future phases" heading, a paragraph opened by such a label, or a clause that says its subject
    is excluded. ``cue`` is the heading or phrase that excludes, as printed (a section that runs on
    to the next page keeps its heading as the cue there)."""

    page: int | None
    start: int
    end: int
    cue: Anchor
    shape: Literal["section", "label", "clause"]

    def holds(self, page: int | None, start: int, end: int) -> bool:
        return page == self.page and self.start <= start and end <= self.end


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date found in a document, normalised, with what it dates (from its label)."""

    value: dt.date
    role: DateRole
    where: Anchor
    day_first: bool | None = None
    """How an ambiguous numeric date was read (None when the text was unambiguous)."""
    read_because: str | None = None
    """Why it was read so: "weekday", "dot_separator", "unambiguous_dates" (the document's other
    numeric dates), "written_dates" (its dates written with month names), "countries" (the
    countries its text names) or "default_month_first"; None when unambiguous."""

    @property
    def reading(self) -> str:
        """Plain words for the evidence: "03/12/2024 read as 3 December 2024: day-first, ..."."""
        if self.day_first is None:
            return ""
        why = {"weekday": "the weekday written beside it", "dot_separator": "dotted dates are day-first",
               "unambiguous_dates": "the document's other numeric dates are " + ("day-first" if self.day_first
                                                                                   else "month-first"),
               "written_dates": "the document writes its dates " + ("day before month" if self.day_first
                                                                    else "month before day"),
               "countries": "the countries the document names write dates " + ("day-first" if self.day_first
                                                                               else "month-first"),
               "default_month_first": "nothing in the document tells, so month-first"}.get(self.read_because or "", "")
        order = "day-first" if self.day_first else "month-first"
        return f"read as {self.value:%-d %B %Y} ({order}: {why})" if why else f"read as {self.value:%-d %B %Y}"


@dataclass(frozen=True, slots=True)
class Amount:
    value: Decimal
    currency: str | None
    """ISO 4217 code; None when the amount carries no currency mark."""
    where: Anchor
    label: str | None = None
    """The label in front of the amount, e.g. "Total" or "Amount due"."""


@dataclass(frozen=True, slots=True)
class CertificateSubject:
    """Who a signing certificate names (from a PDF digital signature's signer certificate)."""

    common_name: str | None = None
    organisation: str | None = None
    email: str | None = None


def trust_words(trusted: bool | None) -> str:
    """Plain words for a digital signature's identity check (``Signature.trusted``)."""
    if trusted is None:
        return "signer's identity self-asserted (no trusted root configured)"
    if trusted:
        return "signer's identity verified: the certificate chains to a configured trusted root"
    return "signer's identity not verified: the certificate does not chain to a configured trusted root"


@dataclass(frozen=True, slots=True)
class SignatureBlock:
    """A signature block read as a region of the page: the heading that names a party ("For and
    on behalf of Contoso Ltd", "Customer:", "Client"), the signature label, and the name, title
    and date lines below it in the same column (or table cell).

    Only what the page says; whose block it is stays the rules' call.
    """

    heading: str
    """The lines above the label in the same column that name the party or its role ("" when none)."""
    label: str
    """The signature label itself ("Signature", "Signed by", "DocuSigned by:", "Authorised signatory")."""
    signer_name: str | None = None
    title: str | None = None
    date_text: str | None = None
    region: BBox | None = None
    """The block's box on the page (None for formats without a layout)."""
    lines: tuple[Anchor, ...] = ()
    """Each line of the block, top to bottom, with its box: what a person checks on the page."""
    linear: bool = False
    """True when the page's layout could not be made out and the block was read as plain lines."""
    label_where: Anchor | None = None
    """Where the label stands on the page."""
    sign_area: BBox | None = None
    """Where the signature itself is expected: beside and under the label, above the block's
    name line, inside its column (None without boxes)."""
    anchored_on: Literal["label", "heading"] = "label"
    """What opened the block: its signature label, or (when no label was read in that lane, as on a
    scan where the ink runs over the printed "Signature:") the heading that names the party."""


@dataclass(frozen=True, slots=True)
class Signature:
    """A signature mark as found; which party it belongs to is the rules' call, not ours."""

    kind: SignatureKind
    where: Anchor
    signer_name: str | None = None
    signer_email: str | None = None
    signed_on: dt.date | None = None
    platform: str | None = None
    """"docusign", "adobe_sign", "dropbox_sign", "pandadoc", "signnow", "pdf" ... when known."""
    context: str = ""
    """Labels around the mark as plain text (e.g. "Customer Acknowledgment", "For Contoso:"); the
    fallback when no block could be read."""
    valid: bool | None = None
    """None = not checked; False = it does not hold (a digital signature broken or no longer
    covering the document, an e-signature envelope that never completed); True = it holds."""
    detail: str = ""
    """Plain-words account of what was verified, for the evidence (never parsed by code)."""
    block: SignatureBlock | None = None
    """The signature block the mark stands in, when one was read."""
    envelope_id: str | None = None
    record_of: str | None = None
    """On a platform's record (certificate of completion, audit report): the title of the document
    it certifies, as the record prints it ("Subject: ...", "Title", "File name"); None elsewhere."""
    """The e-signature platform's envelope or agreement id printed on the page, when present."""
    certificate: CertificateSubject | None = None
    """A digital signature's signer certificate subject."""
    trusted: bool | None = None
    """A digital signature's identity: True chains to a configured root, False roots configured and
    no chain, None no roots configured (self-asserted)."""
    timestamp_only: bool = False
    """A document timestamp (RFC 3161): proves when the file existed, names no signer."""
    fingerprint: str | None = None
    """64-bit difference hash (hex) of a signature's pixels (ink or picture), for copy detection."""
    ocr_confidence: float | None = None
    """OCR confidence (0-100) of the words that tell whose a scanned block is (its heading and
    printed name), when the block was read from a scan."""


@dataclass(frozen=True, slots=True)
class Mailbox:
    name: str
    address: str

    @property
    def domain(self) -> str:
        return self.address.rsplit("@", 1)[-1].lower() if "@" in self.address else ""

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>" if self.name else self.address


@dataclass(frozen=True, slots=True)
class Email:
    """An email message: headers plus the newly written text split from the quoted history."""

    subject: str
    sender: Mailbox | None
    to: tuple[Mailbox, ...] = ()
    cc: tuple[Mailbox, ...] = ()
    sent_at: dt.datetime | None = None
    body_new: str = ""
    """What the sender wrote in this message (quoted history and forwarded parts removed)."""
    body_quoted: str = ""
    is_reply: bool = False
    is_forward: bool = False
    in_reply_to: str | None = None


@dataclass(frozen=True, slots=True)
class PlacedImage:
    """An image object on a page (e.g. a pasted signature picture)."""

    page: int
    bbox: BBox
    width_px: int | None = None
    height_px: int | None = None
    fingerprint: str | None = None
    """Difference hash of its pixels as shown, for pictures small enough to be a signature."""


@dataclass(frozen=True)
class Document:
    """One file of the package (or one attachment of an email), as extracted.

    ``error`` is set, in plain words, when the file could not be read; the other fields are then
    empty and the rest of the package is still checked.
    """

    name: str
    sha256: str
    media_type: str
    doc_type: str = "other"
    kind_cues: tuple[Anchor, ...] = ()
    """Where the cues that made it ``doc_type`` are printed (its title's first)."""
    pages: tuple[Page, ...] = ()
    page_count: int | None = None
    """Pages as the format counts them: None for formats without pages (DOCX, email, ...)."""
    email: Email | None = None
    tables: tuple[Table, ...] = ()
    checkboxes: tuple[Checkbox, ...] = ()
    form_fields: tuple[FormField, ...] = ()
    dates: tuple[DateMention, ...] = ()
    amounts: tuple[Amount, ...] = ()
    signatures: tuple[Signature, ...] = ()
    images: tuple[PlacedImage, ...] = ()
    exclusions: tuple[Exclusion, ...] = ()
    """Where the document sets work out of its scope."""
    parent: str | None = None
    """Name of the email this document was attached to, if any."""
    error: str | None = None
    notes: tuple[str, ...] = ()
    """Things worth telling a person that are not errors (e.g. "3 pages have no text layer")."""

    @property
    def readable(self) -> bool:
        return self.error is None

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.pages)


@dataclass(frozen=True, eq=False)
class Package:
    """All documents of one claim, attachments flattened in after their email.

    Compared by identity so rules can memoise derived facts per package.
    """

    documents: tuple[Document, ...]

    @property
    def readable(self) -> tuple[Document, ...]:
        return tuple(d for d in self.documents if d.error is None)


# ---- the claim ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Party:
    name: str
    partner_id: str | None = None
    domain: str | None = None
    tenant_id: str | None = None
    country: str | None = None
    public_sector: bool = False


@dataclass(frozen=True, slots=True)
class Claim:
    """A Partner Center claim as the contract's claim JSON describes it."""

    claim_id: str
    claim_kind: Literal["cpor", "partner_activity"]
    solution_area: Literal["modern_work", "security", "business_applications", "azure"]
    partner: Party
    customer: Party
    motion: Literal["usage", "pre_sales"] = "usage"
    engagement: str | None = None
    workloads: tuple[str, ...] = ()
    submitted_on: dt.date = field(default_factory=dt.date.today)
    transaction_date: dt.date | None = None
    invoice_amount_usd: Decimal | None = None
    # the claim clock (contract section 6.1, optional)
    created_on: dt.date | None = None
    consent_on: dt.date | None = None
    engagement_size: Literal["assessment", "standard", "xs", "small", "medium", "large", "xl", "xxl"] | None = None
    status: Literal["drafted", "submitted", "under_review", "action_required", "rejected", "disputed",
                    "approved"] | None = None
    status_on: dt.date | None = None


# ---- results --------------------------------------------------------------------------------

Status = Literal["pass", "fail", "warn", "not_applicable"]
RULE_IDS: tuple[str, ...] = (
    "customer_acknowledgement", "party_names", "activity_detail", "workload_match",
    "recency", "invoice", "public_sector_disclosure", "document_type",
)


@dataclass(frozen=True, slots=True)
class Evidence:
    """A place a person can open and check: document, page, quoted text, box on the page."""

    document: str
    page: int | None
    text: str
    bbox: BBox | None = None

    @classmethod
    def at(cls, doc: Document, where: Anchor, text: str | None = None) -> Evidence:
        return cls(doc.name, where.page, (text if text is not None else where.text)[:500], where.bbox)

    def to_dict(self) -> dict:
        return {
            "document": self.document,
            "page": self.page,
            "text": self.text,
            "bbox": [round(v, 1) for v in self.bbox] if self.bbox is not None else None,
        }


@dataclass(frozen=True, slots=True)
class CheckResult:
    rule: str
    status: Status
    message: str
    fix: str | None = None
    evidence: tuple[Evidence, ...] = ()

    def to_dict(self) -> dict:
        return {
            "rule": self.rule,
            "status": self.status,
            "message": self.message,
            "fix": self.fix if self.status in ("fail", "warn") else None,
            "evidence": [e.to_dict() for e in self.evidence],
        }
