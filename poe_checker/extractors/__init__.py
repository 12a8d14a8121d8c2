"""Extractors: bytes of one sniffed kind in, an ``Extraction`` out. One module per format.

An extractor reads; it never judges. It does not know the claim, and it does not classify,
find dates or amounts: ``poe_checker.reading`` does that once for every format. It raises an
``ExtractionError`` subclass with a plain-words message when a file cannot be read.

Adding a format is adding a module with ``extract(data, limits) -> Extraction`` and a line
in ``EXTRACTORS``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from collections.abc import Callable
from typing import Protocol

from ..limits import Limits
from ..model import Checkbox, Email, FormField, Page, PlacedImage, Signature, Table


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file carried inside another (an email attachment); extracted by the pipeline in turn."""

    name: str
    data: bytes


@dataclass(frozen=True)
class Extraction:
    pages: tuple[Page, ...] = ()
    page_count: int | None = None
    email: Email | None = None
    tables: tuple[Table, ...] = ()
    checkboxes: tuple[Checkbox, ...] = ()
    form_fields: tuple[FormField, ...] = ()
    signatures: tuple[Signature, ...] = ()
    """Signatures the format itself declares (PDF signature fields); text marks are found later."""
    images: tuple[PlacedImage, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    notes: tuple[str, ...] = ()


class Extractor(Protocol):
    def __call__(self, data: bytes, limits: Limits) -> Extraction: ...


EXTRACTORS: dict[str, str] = {
    "pdf": "poe_checker.extractors.pdf",
    "docx": "poe_checker.extractors.docx",
    "msg": "poe_checker.extractors.msg",
    "eml": "poe_checker.extractors.eml",
    "image": "poe_checker.extractors.image",
}
"""Kind → module; imported on first use so a CLI run pays only for the formats it meets."""


def pages_phrase(numbers: list[int]) -> str:
    """[1, 2, 3, 7] → "pages 1-3, 7", for notes about pages."""
    runs: list[str] = []
    start = prev = numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        runs.append(str(start) if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ("page " if len(numbers) == 1 else "pages ") + ", ".join(runs)


def extractor_for(kind: str) -> Callable[[bytes, Limits], Extraction]:
    return importlib.import_module(EXTRACTORS[kind]).extract
