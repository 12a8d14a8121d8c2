"""Bounds on what one document may cost. Hostile files (bombs, loops) meet these first."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 50 * 1024 * 1024
    max_pages: int = 300
    """Pages read per PDF; a longer document is read up to here and a note says so."""
    max_image_pixels: int = 89_478_485
    """Pillow's own warning threshold, enforced as an error."""
    max_zip_members: int = 2_000
    max_zip_uncompressed: int = 200 * 1024 * 1024
    max_zip_ratio: int = 200
    """Uncompressed/compressed ratio of one ZIP member above which it counts as a bomb."""
    max_attachment_depth: int = 3
    max_attachments: int = 50
    max_text_chars: int = 5_000_000
    """Text kept per document; beyond this the rest is dropped with a note."""
    max_ocr_pages: int = 20
    """Pages without a text layer read by OCR per document (first and last first); a note names the rest."""
    max_ocr_seconds: float = 6.0
    """OCR time per uploaded file, its attachments included; pages left when it is spent are not
    read, and a note says which."""
    ocr_deadline: float | None = None
    """``time.monotonic()`` by which OCR of the current upload must end; the pipeline sets it for
    each uploaded file so an email's attachments share one budget instead of one each."""


DEFAULT_LIMITS = Limits()
