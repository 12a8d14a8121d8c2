"""Typed errors. Extraction errors become ``documents[].error`` in one place (``pipeline``).

::

    PoeCheckerError
    ├── ClaimError              the claim JSON is unusable (exit 2); ``.field`` names the culprit
    └── ExtractionError         a document cannot be read; its ``str()`` is the user's message
        ├── UnsupportedFormat   not a format we read (legacy .doc, GIF, ZIP, ...)
        ├── EncryptedDocument   password or certificate protected
        ├── CorruptDocument     truncated, malformed, not what it claims to be
        ├── EmptyDocument       zero bytes, or nothing in it
        └── ResourceLimit       over a size, page, pixel or time bound
"""

from __future__ import annotations


class PoeCheckerError(Exception):
    pass


class ClaimError(PoeCheckerError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class ExtractionError(PoeCheckerError):
    """Carries a message fit to show a partner: what is wrong and what to upload instead."""


class UnsupportedFormat(ExtractionError):
    pass


class EncryptedDocument(ExtractionError):
    pass


class CorruptDocument(ExtractionError):
    pass


class EmptyDocument(ExtractionError):
    pass


class ResourceLimit(ExtractionError):
    pass
