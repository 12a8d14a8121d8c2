"""Wet signatures, signature pictures and pasted signatures: read from the facts the extractors
measured (ink marks on scanned pages, pictures placed on text pages) and the page's signature
blocks.

* A wet signature is enough ink in a signature block's *sign area* (beside and under its label,
  above its name line, inside its own column or cell: ``reading.blocks``). A block without ink
  yields nothing: an empty customer block is no acknowledgement. Two blocks side by side each
  look at their own lane, so the partner's ink never signs for the customer.
* A signature picture is an image file that is only a signature: little confident text, no
  signature block, and one wide mark of ink.
* A pasted signature is a picture object placed on a born-digital page near a block's label.

Each mark keeps the fingerprint the extractor measured, so a raster that appears twice in a
package can be told as a likely copy-paste (the rules compare them across documents). Whose
signature it is stays the rules' call; the block (heading, name, title, date) goes with it.
"""

from __future__ import annotations

import functools
from dataclasses import replace

from .. import knowledge
from ..model import Anchor, BBox, DateMention, InkMark, Page, PlacedImage, Signature, SignatureBlock, merge_bboxes
from .blocks import signature_blocks, words_only


@functools.cache
def _cfg() -> dict:
    return knowledge.load("ink")


def min_confidence() -> float:
    """OCR confidence below which a rule's evidence is not decided on (the rules' threshold)."""
    return float(_cfg()["ocr"]["min_confidence"])


def find_marks(pages: tuple[Page, ...], images: tuple[PlacedImage, ...]) -> tuple[Signature, ...]:
    """Wet signatures and signature pictures on scanned pages, pasted pictures on text pages."""
    out: list[Signature] = []
    by_page: dict[int | None, list[PlacedImage]] = {}
    for img in images:
        by_page.setdefault(img.page, []).append(img)
    for page in pages:
        if page.ocr:
            found = wet_signatures(page)
            if not found and len(pages) == 1:   # a one-page image or scan that is only a signature
                lone = signature_picture(page)
                found = (lone,) if lone is not None else ()
            out.extend(found)
        elif page.text and by_page.get(page.number):
            out.extend(placed_signatures(page, by_page[page.number]))
    return tuple(out)


# ---- scanned pages --------------------------------------------------------------------------

def _inside(mark: InkMark, area: BBox) -> bool:
    """Whether most of a mark lies in the area."""
    x0, y0, x1, y1 = mark.bbox
    ix = min(x1, area[2]) - max(x0, area[0])
    iy = min(y1, area[3]) - max(y0, area[1])
    if ix <= 0 or iy <= 0:
        return False
    return ix * iy >= 0.5 * max(1e-6, (x1 - x0) * (y1 - y0))


def _unread_label(mark: InkMark, area: BBox, line_height: float | None, cfg: dict) -> bool:
    """A mark no taller than a printed line, flush with the column's left edge: the block's own
    "Signature:" that OCR did not read (a signature rises above and below the text line)."""
    lh = line_height or 10.0
    flush = mark.bbox[0] - area[0] <= float(cfg["label_indent_lines"]) * lh
    return flush and mark.bbox[3] - mark.bbox[1] <= float(cfg["printed_height_lines"]) * lh


def ink_in_block(page: Page, block: SignatureBlock) -> tuple[tuple[InkMark, ...], float, BBox] | None:
    """The ink marks in a block's sign area, their area and extent; None when too little to be a signature."""
    if block.sign_area is None:
        return None
    cfg = _cfg()["ink"]
    marks = tuple(m for m in page.ink if _inside(m, block.sign_area))
    if block.anchored_on == "heading":
        marks = tuple(m for m in marks if not _unread_label(m, block.sign_area, page.layout.line_height, cfg))
    if not marks:
        return None
    area = sum(m.area_pt2 for m in marks)
    box = merge_bboxes([m.bbox for m in marks])
    assert box is not None
    if (area < float(cfg["min_ink_pt2"]) or box[2] - box[0] < float(cfg["min_ink_width_pt"])
            or box[3] - box[1] < float(cfg["min_ink_height_pt"])):
        return None
    return marks, area, box


def wet_signatures(page: Page) -> tuple[Signature, ...]:
    """Signatures inked in the signature blocks of an OCR'd page."""
    if not page.ocr or not page.ink:
        return ()
    out: list[Signature] = []
    for block in signature_blocks(page):
        found = ink_in_block(page, block)
        if found is None or block.label_where is None:
            continue
        marks, area, box = found
        spans = [a.span for a in block.lines if a.span is not None]
        start, end = block.label_where.span or (0, 0)
        end = max([end] + [e for _, e in spans])
        where = Anchor(page.number, "\n".join(a.text for a in block.lines if a.span and a.span[0] >= start) or block.label,
                       merge_bboxes([b for b in (block.label_where.bbox, box) if b is not None]), (start, end))
        widest = max(marks, key=lambda m: m.bbox[2] - m.bbox[0])
        out.append(Signature(
            kind="wet", where=where, signer_name=block.signer_name,
            context="\n".join(a.text for a in block.lines),
            detail=f"ink on the signature line of a scanned page ({area:.0f} pt² of ink, read from the page image)",
            fingerprint=widest.fingerprint, block=block, ocr_confidence=_identity_confidence(page, block),
        ))
    return tuple(out)


def _identity_confidence(page: Page, block: SignatureBlock) -> float | None:
    """How surely the words that tell whose block it is were read: the mean OCR confidence of
    its heading and printed-name words (one smudged word, e.g. ink running into the name, does
    not make a clearly headed block unreadable)."""
    wanted = [a for a in block.lines if a.span is not None and (
        (block.heading and words_only(a.text) in block.heading) or (block.signer_name and block.signer_name in a.text))]
    confs = [w.confidence for a in wanted for w in page.words
             if w.confidence is not None and a.span[0] <= w.start < a.span[1]  # type: ignore[index]
             and any(ch.isalnum() for ch in w.text) and _in_box(w.bbox, a.bbox)]
    return sum(confs) / len(confs) if confs else None


def _in_box(box: BBox | None, area: BBox | None) -> bool:
    if box is None or area is None:
        return True
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return area[0] - 1 <= cx <= area[2] + 1 and area[1] - 1 <= cy <= area[3] + 1


def signature_picture(page: Page) -> Signature | None:
    """An image file holding only a signature: little text, no block, one wide mark of ink."""
    if not page.ocr or not page.ink or not page.width or not page.height:
        return None
    cfg = _cfg()
    confident = [w for w in page.words if (w.confidence or 0) >= 60 and any(ch.isalnum() for ch in w.text)]
    if len(confident) > int(cfg["image"]["max_words"]) or signature_blocks(page):
        return None
    share = sum(m.area_pt2 for m in page.ink) / (page.width * page.height)
    if not float(cfg["image"]["min_ink_share"]) <= share <= float(cfg["image"]["max_ink_share"]):
        return None
    box = merge_bboxes([m.bbox for m in page.ink])
    assert box is not None
    if box[2] - box[0] < float(cfg["ink"]["min_ink_width_pt"]):
        return None
    widest = max(page.ink, key=lambda m: m.bbox[2] - m.bbox[0])
    where = Anchor(page.number, "signature picture (an image of a signature, no document text)", box)
    return Signature(kind="image", where=where, detail="an image file that shows only a signature",
                     fingerprint=widest.fingerprint)


# ---- born-digital pages ---------------------------------------------------------------------

def placed_signatures(page: Page, images: list[PlacedImage]) -> tuple[Signature, ...]:
    """Pictures placed in a signature block of a text page: pasted signatures."""
    if page.ocr or page.width is None or page.height is None:
        return ()
    blocks = [b for b in signature_blocks(page) if b.label_where is not None and b.label_where.bbox is not None]
    out = []
    for image in images:
        block = pasted_in(page, image, blocks)
        if block is None:
            continue
        label = block.label_where
        assert label is not None and label.span is not None
        end = max([label.span[1]] + [a.span[1] for a in block.lines if a.span is not None])
        text = "\n".join(a.text for a in block.lines if a.span and a.span[0] >= label.span[0]) or "signature picture"
        out.append(Signature(
            kind="image", where=Anchor(page.number, text[:200], image.bbox, (label.span[0], end)),
            signer_name=block.signer_name, context="\n".join(a.text for a in block.lines),
            detail="a signature picture placed on a born-digital page", fingerprint=image.fingerprint,
            block=block))
    return tuple(out)


def pasted_in(page: Page, image: PlacedImage, blocks: list[SignatureBlock]) -> SignatureBlock | None:
    """The block a placed picture is pasted into: signature-sized, near the label, in its lane."""
    cfg = _cfg()["placed"]
    x0, y0, x1, y1 = image.bbox
    if (x1 - x0) > float(cfg["max_width_share"]) * (page.width or 0) or \
            (y1 - y0) > float(cfg["max_height_share"]) * (page.height or 0):
        return None
    near = float(cfg["near_label_pt"])
    cx = (x0 + x1) / 2
    for block in blocks:
        label = block.label_where.bbox  # type: ignore[union-attr]
        area = block.sign_area
        if area is not None and not (area[0] - near <= cx <= area[2] + near / 2):
            continue   # another column's block
        if x1 < label[0] - near or x0 > label[2] + near * 3 or y1 < label[1] - near or y0 > label[3] + near:
            continue
        return block
    return None


# ---- the reading hook -----------------------------------------------------------------------

def settle(signatures: tuple[Signature, ...], pages: tuple[Page, ...],
           found_dates: tuple[DateMention, ...]) -> tuple[Signature, ...]:
    """Signatures of one document made consistent with the scan and picture readings.

    On an OCR'd page the ink decides, so a name the text finder took for a typed signature is
    dropped; a pasted picture behind which an e-signature record or a digital signature stands
    is the platform's stamp, not a flat image; wet and picture marks get the date of their
    block. (A raster seen twice is a likely copy-paste: the rules compare fingerprints across the
    whole package.)
    """
    ocr_pages = {p.number for p in pages if p.ocr}
    verifiable = any(s.kind in ("e_signature", "digital") for s in signatures)
    kept = [s for s in signatures
            if not (s.kind == "typed" and s.where.page in ocr_pages)
            and not (s.kind == "image" and verifiable and s.where.page not in ocr_pages)]
    return tuple(_dated(s, found_dates) for s in kept)


def _dated(sig: Signature, found_dates: tuple[DateMention, ...]) -> Signature:
    if sig.kind not in ("wet", "image") or sig.signed_on is not None or sig.where.span is None:
        return sig
    start, end = sig.where.span
    inside = [d for d in found_dates if d.where.page == sig.where.page and d.where.span is not None
              and start <= d.where.span[0] < end]
    if sig.block is not None:   # in its own lane only: a side-by-side block's date is not its date
        lanes = [a.span for a in sig.block.lines if a.span is not None]
        inside = [d for d in inside if any(s <= d.where.span[0] < e for s, e in lanes)]  # type: ignore[index]
    if not inside:
        return sig
    best = next((d for d in inside if d.role == "signature"), inside[0])
    return replace(sig, signed_on=best.value)


__all__ = ["find_marks", "ink_in_block", "min_confidence", "pasted_in", "placed_signatures", "settle",
           "signature_picture", "wet_signatures"]
