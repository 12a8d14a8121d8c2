"""A page of an uploaded PDF as PNG, with the checks' evidence boxes drawn on it.

Evidence boxes are PDF points with a top-left origin on the page as displayed, so they scale
straight onto pdfium's rendering (which also shows the page as displayed, rotation applied).
"""

from __future__ import annotations

import io
import threading

import pypdfium2 as pdfium
from PIL import ImageDraw

COLOURS = {"fail": (198, 40, 40), "warn": (239, 143, 0), "pass": (46, 125, 50), "not_applicable": (120, 120, 120)}
MAX_PIXELS_WIDE = 2400
_PDFIUM = threading.Lock()  # pdfium is not thread-safe; one rendering at a time


class NoPage(LookupError):
    pass


def evidence_boxes(verdict: dict, document: str, page: int, rule: str | None = None) -> list[tuple[str, tuple]]:
    """(status, bbox) of every evidence item on that page, optionally of one rule only."""
    out = []
    for check in verdict["checks"]:
        if rule and check["rule"] != rule:
            continue
        for ev in check["evidence"]:
            if ev["document"] == document and ev["page"] == page and ev.get("bbox"):
                out.append((check["status"], tuple(ev["bbox"])))
    return out


def render_page(pdf: bytes, page_number: int, boxes: list[tuple[str, tuple]], scale: float = 1.5) -> bytes:
    with _PDFIUM:
        doc = pdfium.PdfDocument(pdf)
        try:
            if not 1 <= page_number <= len(doc):
                raise NoPage(f"the document has {len(doc)} page(s); there is no page {page_number}")
            page = doc[page_number - 1]
            width = page.get_width()  # as displayed (rotation applied)
            scale = max(0.25, min(scale, MAX_PIXELS_WIDE / max(width, 1.0)))
            image = page.render(scale=scale).to_pil().convert("RGB")
            page.close()
        finally:
            doc.close()
    draw = ImageDraw.Draw(image, "RGBA")
    pad = 2
    for status, (x0, top, x1, bottom) in boxes:
        r, g, b = COLOURS.get(status, (21, 101, 192))
        box = (x0 * scale - pad, top * scale - pad, x1 * scale + pad, bottom * scale + pad)
        draw.rectangle(box, fill=(r, g, b, 40), outline=(r, g, b, 255), width=max(2, round(scale * 1.5)))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()
