"""What every rule needs: searching the model's text and turning hits into evidence.

Rules search ``Page.text`` (the same for a text layer, a scan's OCR, a DOCX body or an
email), never files, so every format is judged alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..model import Anchor, CheckResult, Document, Evidence, Package, Page, Status


@dataclass(frozen=True, slots=True)
class Hit:
    """A match in one page of one document."""

    document: Document
    page: Page
    start: int
    end: int

    @property
    def text(self) -> str:
        return self.page.text[self.start:self.end]

    @property
    def anchor(self) -> Anchor:
        return self.page.anchor(self.start, self.end)

    def line(self) -> tuple[int, int]:
        return line_span(self.page.text, self.start, self.end)

    def evidence(self, *, whole_line: bool = True) -> Evidence:
        start, end = self.line() if whole_line else (self.start, self.end)
        return Evidence.at(self.document, self.page.anchor(start, end))


def line_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Span of the whole line(s) holding ``start:end``: quoting a line reads better than a fragment."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return line_start, (len(text) if line_end == -1 else line_end)


def line_evidence(document: Document, page: Page, start: int, end: int) -> Evidence:
    return Evidence.at(document, page.anchor(*line_span(page.text, start, end)))


def evidence_of(document: Document, snippet: str) -> Evidence:
    """Evidence quoting ``snippet`` where it stands in the document (its box when it has one)."""
    snippet = snippet.strip()
    for page in document.pages:
        start = page.text.find(snippet) if snippet else -1
        if start >= 0:
            return Evidence.at(document, page.anchor(start, start + len(snippet)))
    return Evidence(document.name, None, snippet[:500], None)


def pages(package: Package, documents: Iterable[Document] | None = None) -> Iterator[tuple[Document, Page]]:
    for doc in (package.readable if documents is None else documents):
        for page in doc.pages:
            if page.text:
                yield doc, page


def search(package: Package, pattern: re.Pattern[str],
           documents: Iterable[Document] | None = None) -> Iterator[Hit]:
    for doc, page in pages(package, documents):
        for m in pattern.finditer(page.text):
            yield Hit(doc, page, m.start(), m.end())


def result(rule: str, status: Status, message: str, fix: str | None = None,
           evidence: Iterable[Evidence] = ()) -> CheckResult:
    """A result with evidence deduplicated and capped, so a report stays readable."""
    seen: set[tuple] = set()
    kept: list[Evidence] = []
    for ev in evidence:
        key = (ev.document, ev.page, ev.text)
        if key not in seen:
            seen.add(key)
            kept.append(ev)
    return CheckResult(rule, status, message, fix if status in ("fail", "warn") else None, tuple(kept[:12]))


def not_applicable(rule: str, why: str) -> CheckResult:
    return CheckResult(rule, "not_applicable", why)


def quote(text: str, limit: int = 120) -> str:
    """A short one-line quotation for a message."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def quote_around(text: str, start: int, end: int, limit: int = 120) -> str:
    """A short one-line quotation of ``text`` centred on ``start:end`` (the words that matter in a
    long sentence), cut at word boundaries with an ellipsis on each side that was cut."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    # positions in the flattened text: whitespace runs before the span collapse to one space
    a = len(" ".join(text[:start].split())) + (1 if text[:start].split() and text[start - 1:start].isspace() else 0)
    b = min(len(flat), a + len(" ".join(text[start:end].split())))
    width = max(limit - 2, b - a)  # room for the text and the two ellipses
    lo = max(0, a - (width - (b - a)) // 2)
    hi = min(len(flat), lo + width)
    lo = max(0, hi - width)
    if lo > 0:
        lo = flat.find(" ", lo) + 1 if 0 <= flat.find(" ", lo) < a else lo
    if hi < len(flat):
        cut = flat.rfind(" ", b, hi)
        hi = cut if cut > b else hi
    return ("…" if lo > 0 else "") + flat[lo:hi].strip() + ("…" if hi < len(flat) else "")
