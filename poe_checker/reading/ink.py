"""Signature blocks on scans, ink on their lines, and signature pictures.

Three readings, all from pixels the OCR already has or from pictures placed on a page:

* a scanned page's signature blocks (a "Signature" / "Signed by" / "Authorised signatory" label,
  the heading above it, the printed name, title and date lines below) and whether ink is on the
  signature line: printed text (confident OCR words of line height) and the printed rule are
  masked out, and what remains is grouped into connected components; enough ink, wide enough,
  is a wet signature. A block without ink yields nothing: an empty customer block is no
  acknowledgement.
* an image file that is only a signature (little text, one blob of ink): a flat signature image.
* a picture object placed in a signature block of a born-digital page: a pasted signature.

Each ink mark carries a small perceptual fingerprint (dHash) in its detail, so a raster that
appears in more than one place can be flagged as a likely copy-paste. Whose signature it is stays
the rules' call; the block's labels and names go into ``Signature.context`` for that.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace

import numpy as np

from .. import knowledge
from ..model import Anchor, DateMention, Page, PlacedImage, Signature, merge_bboxes



@dataclass(frozen=True)
class _Cfg:
    label: re.Pattern[str]
    name_line: re.Pattern[str]
    lines_before: int
    lines_after: int
    ink: dict
    image: dict
    placed: dict


@functools.cache
def _cfg() -> _Cfg:
    cfg = knowledge.load("ink")
    blocks = cfg["blocks"]
    return _Cfg(
        label=re.compile(r"(?im)^[ \t]*(?:" + blocks["label"] + r")[ \t]*(?=[:_.\-|]|$)"),
        name_line=re.compile(blocks["name_line"]),
        lines_before=int(blocks["lines_before"]), lines_after=int(blocks["lines_after"]),
        ink=cfg["ink"], image=cfg["image"], placed=cfg["placed"],
    )


def min_confidence() -> float:
    """OCR confidence below which a rule's evidence is not decided on (the rules' threshold)."""
    return float(knowledge.load("ink")["ocr"]["min_confidence"])


# ---- blocks ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Block:
    label_start: int
    label_end: int
    start: int
    """Start of the block's context: heading lines above the label."""
    end: int
    """End of its last line (name, title, date)."""
    signer_name: str | None


def find_blocks(text: str) -> list[Block]:
    """Signature blocks of a page's text, in order; each stops where the next label starts."""
    cfg = _cfg()
    labels = list(cfg.label.finditer(text))
    line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    blocks: list[Block] = []
    for n, m in enumerate(labels):
        line = _line_of(line_starts, m.start())
        floor = blocks[-1].end if blocks else 0
        start = max(line_starts[max(0, line - cfg.lines_before)], floor)
        end_line = min(len(line_starts) - 1, line + cfg.lines_after)
        end = line_starts[end_line + 1] - 1 if end_line + 1 < len(line_starts) else len(text)
        if n + 1 < len(labels):
            next_line = line_starts[_line_of(line_starts, labels[n + 1].start())] - 1
            if next_line > m.end():
                end = min(end, next_line)
        end = max(end, m.end())
        name = cfg.name_line.search(text, m.end(), end)
        blocks.append(Block(m.start(), m.end(), start, end, name.group("name").strip() if name else None))
    return blocks


def _line_of(line_starts: list[int], pos: int) -> int:
    lo, hi = 0, len(line_starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if line_starts[mid] <= pos:
            lo = mid
        else:
            hi = mid - 1
    return lo


# ---- pixels ---------------------------------------------------------------------------------

def components(mask: np.ndarray) -> list[tuple[int, int, int, int, int]]:
    """8-connected components of a boolean image: (area, x0, y0, x1, y1), x1/y1 exclusive.

    Run-length union-find: a signature region holds a few hundred runs, so plain Python is fast
    enough and no image library is needed for it.
    """
    parent: list[int] = []
    runs: list[tuple[int, int, int]] = []  # (row, start, end) end exclusive

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    prev: list[int] = []
    for y in range(mask.shape[0]):
        row = mask[y]
        if not row.any():
            prev = []
            continue
        edges = np.flatnonzero(np.diff(np.concatenate(([0], row.view(np.uint8), [0]))))
        current: list[int] = []
        j = 0
        for s, e in zip(edges[0::2].tolist(), edges[1::2].tolist()):
            idx = len(runs)
            runs.append((y, s, e))
            parent.append(idx)
            current.append(idx)
            while j < len(prev) and runs[prev[j]][2] < s:  # previous runs ending left of this one
                j += 1
            k = j
            while k < len(prev) and runs[prev[k]][1] <= e:  # touching, diagonals included
                a, b = find(idx), find(prev[k])
                if a != b:
                    parent[a] = b
                k += 1
        prev = current
    out: dict[int, list[int]] = {}
    for idx, (y, s, e) in enumerate(runs):
        root = find(idx)
        c = out.get(root)
        if c is None:
            out[root] = [e - s, s, y, e, y + 1]
        else:
            c[0] += e - s
            c[1], c[2], c[3], c[4] = min(c[1], s), min(c[2], y), max(c[3], e), max(c[4], y + 1)
    return [tuple(c) for c in out.values()]  # type: ignore[misc]


def _strip_rules(mask: np.ndarray, min_run: int) -> np.ndarray:
    """Clears horizontal runs at least ``min_run`` long: printed signature lines and underscores."""
    out = mask.copy()
    for y in np.flatnonzero(mask.any(axis=1)):
        edges = np.flatnonzero(np.diff(np.concatenate(([0], mask[y].view(np.uint8), [0]))))
        for s, e in zip(edges[0::2], edges[1::2]):
            if e - s >= min_run:
                out[y, s:e] = False
    return out


def dhash(gray: np.ndarray) -> str:
    """64-bit difference hash of a greyscale crop: same picture, same hash, whatever its size."""
    from PIL import Image

    small = np.asarray(Image.fromarray(gray).resize((9, 8), Image.BILINEAR), dtype=np.int16)
    bits = (small[:, 1:] > small[:, :-1]).flatten()
    return f"{int(''.join('1' if b else '0' for b in bits), 2):016x}"


def _distance(a: str, b: str) -> int:
    return bin(int(a, 16) ^ int(b, 16)).count("1")


@dataclass(frozen=True)
class Ink:
    area_pt2: float
    box_px: tuple[int, int, int, int]
    fingerprint: str


def ink_in(gray: np.ndarray, region: tuple[int, int, int, int], masked: list[tuple[int, int, int, int]],
           pt_per_px: float) -> Ink | None:
    """Ink in ``region`` of the page image after masking printed words and rules; None if too little."""
    cfg = _cfg().ink
    h, w = gray.shape
    x0, y0, x1, y1 = max(0, region[0]), max(0, region[1]), min(w, region[2]), min(h, region[3])
    if x1 - x0 < 4 or y1 - y0 < 4:
        return None
    dark = gray[y0:y1, x0:x1] < int(cfg["dark_below"])
    for mx0, my0, mx1, my1 in masked:
        if mx1 <= x0 or mx0 >= x1 or my1 <= y0 or my0 >= y1:
            continue
        dark[max(0, my0 - y0):max(0, my1 - y0), max(0, mx0 - x0):max(0, mx1 - x0)] = False
    dark = _strip_rules(dark, max(8, int(float(cfg["rule_min_length_pt"]) / pt_per_px)))
    kept = [c for c in components(dark) if c[0] >= int(cfg["min_component_px"])]
    if not kept:
        return None
    area = sum(c[0] for c in kept) * pt_per_px * pt_per_px
    bx0, by0 = min(c[1] for c in kept), min(c[2] for c in kept)
    bx1, by1 = max(c[3] for c in kept), max(c[4] for c in kept)
    if (area < float(cfg["min_ink_pt2"]) or (bx1 - bx0) * pt_per_px < float(cfg["min_ink_width_pt"])
            or (by1 - by0) * pt_per_px < float(cfg["min_ink_height_pt"])):
        return None
    box = (x0 + bx0, y0 + by0, x0 + bx1, y0 + by1)
    crop = np.where(dark[by0:by1, bx0:bx1], 0, 255).astype(np.uint8)
    return Ink(area, box, dhash(crop))


# ---- scanned pages --------------------------------------------------------------------------

def wet_signatures(scan) -> tuple[Signature, ...]:
    """Signatures inked in the signature blocks of an OCR'd page (``poe_checker.ocr.OcrPage``)."""
    page: Page = scan.page
    blocks = find_blocks(page.text)
    if not blocks:
        return ()
    cfg = _cfg().ink
    pt = scan.pt_per_px
    min_conf = float(cfg["word_min_confidence"])
    out: list[Signature] = []
    for block in blocks:
        label_boxes = [b for word, b in zip(page.words, scan.word_pixels)
                       if word.start < block.label_end and word.end > block.label_start]
        if not label_boxes:
            continue
        _, ly0, lx1, ly1 = merge_bboxes(label_boxes)  # type: ignore[misc]
        line_h = max(1.0, ly1 - ly0)
        printed = [(int(b[0]) - 3, int(b[1]) - 3, int(b[2]) + 3, int(b[3]) + 3)
                   for word, b in zip(page.words, scan.word_pixels)
                   if (word.confidence or 0) >= min_conf and (b[3] - b[1]) <= 1.6 * line_h
                   and any(ch.isalnum() for ch in word.text)]
        region = (int(lx1 + 4), int(ly0 - float(cfg["region_up_pt"]) / pt),
                  int(lx1 + float(cfg["region_width_pt"]) / pt), int(ly1 + float(cfg["region_down_pt"]) / pt))
        ink = ink_in(scan.gray, region, printed, pt)
        if ink is None:
            continue
        where = page.anchor(block.label_start, block.end)
        out.append(Signature(
            kind="wet", where=where, signer_name=block.signer_name,
            context=page.text[block.start:block.end],
            detail=f"ink on the signature line of a scanned page ({ink.area_pt2:.0f} pt² of ink, read from the page image)",
            fingerprint=ink.fingerprint,
        ))
    return tuple(out)


def signature_picture(scan) -> Signature | None:
    """An image file holding only a signature: little text and one wide blob of ink."""
    page: Page = scan.page
    cfg = _cfg().image
    confident = [w for w in page.words if (w.confidence or 0) >= 60 and any(ch.isalnum() for ch in w.text)]
    if len(confident) > int(cfg["max_words"]) or find_blocks(page.text):
        return None
    gray = scan.gray
    share = float((gray < int(_cfg().ink["dark_below"])).mean())
    if not float(cfg["min_ink_share"]) <= share <= float(cfg["max_ink_share"]):
        return None
    h, w = gray.shape
    ink = ink_in(gray, (0, 0, w, h), [], scan.pt_per_px)
    if ink is None:
        return None
    where = Anchor(page.number, "signature picture (an image of a signature, no document text)",
                   scan.to_page(ink.box_px))
    return Signature(kind="image", where=where, detail="an image file that shows only a signature",
                     fingerprint=ink.fingerprint)


# ---- born-digital pages ---------------------------------------------------------------------

def placed_signature(page: Page, image: PlacedImage) -> Signature | None:
    """A picture placed in a signature block of a text page: a pasted signature (no hash yet)."""
    if page.ocr or not page.text or page.width is None or page.height is None:
        return None
    cfg = _cfg().placed
    x0, y0, x1, y1 = image.bbox
    if (x1 - x0) > float(cfg["max_width_share"]) * page.width or (y1 - y0) > float(cfg["max_height_share"]) * page.height:
        return None
    near = float(cfg["near_label_pt"])
    for block in find_blocks(page.text):
        label = page.bbox_of(block.label_start, block.label_end)
        if label is None:
            continue
        if x1 < label[0] - near or x0 > label[2] + near * 3 or y1 < label[1] - near or y0 > label[3] + near:
            continue
        return Signature(
            kind="image", where=Anchor(page.number, page.text[block.label_start:block.end].strip()[:200] or
                                       "signature picture", image.bbox, (block.label_start, block.end)),
            signer_name=block.signer_name, context=page.text[block.start:block.end],
            detail="a signature picture placed on a born-digital page")
    return None


def with_fingerprint(sig: Signature, gray: np.ndarray | None) -> Signature:
    if gray is None or gray.size == 0:
        return sig
    return replace(sig, fingerprint=dhash(gray))


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
    if not inside:
        return sig
    best = next((d for d in inside if d.role == "signature"), inside[0])
    return replace(sig, signed_on=best.value)


__all__ = ["Block", "Ink", "components", "dhash", "find_blocks", "ink_in", "min_confidence",
           "placed_signature", "settle", "signature_picture", "wet_signatures", "with_fingerprint"]
