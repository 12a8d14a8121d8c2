"""Ink on a scanned page that is not printed text: measured from the page image, never judged.

The OCR extractor calls :func:`measure` on each page it read. Dark pixels are taken from the
greyscale image; the words Tesseract read with confidence (letters and digits of about the
page's text height) and long horizontal rules (printed signature lines, underscores, table
borders) are masked out; what remains is grouped into 8-connected components, and components
close to each other into marks. Each mark is an :class:`~poe_checker.model.InkMark` with its box in
page points, its inked area and a difference hash of its strokes.

Whether a mark is a signature, and whose, is decided by the reading (``reading.ink``) from the
signature blocks of the page: this module knows nothing of labels or blocks.
"""

from __future__ import annotations

import functools
from statistics import median

import numpy as np

from .. import knowledge
from ..model import InkMark


@functools.cache
def _cfg() -> dict:
    cfg = knowledge.load("ink")
    return {**cfg["ink"], **cfg["marks"]}


def components(mask: np.ndarray) -> list[tuple[int, int, int, int, int]]:
    """8-connected components of a boolean image: (area, x0, y0, x1, y1), x1/y1 exclusive.

    Run-length union-find: a page holds a few thousand runs once printed text is masked, so plain
    Python is fast enough (about 0.1 s a page) and no image library is needed for it.
    """
    parent: list[int] = []
    runs: list[tuple[int, int, int]] = []  # (row, start, end) end exclusive

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    prev: list[int] = []
    for y in np.flatnonzero(mask.any(axis=1)).tolist():
        if runs and runs[-1][0] != y - 1:
            prev = []
        row = mask[y]
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


def strip_rules(mask: np.ndarray, min_run: int) -> np.ndarray:
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


def distance(a: str, b: str) -> int:
    """Bits in which two fingerprints differ (0 = the same picture)."""
    return bin(int(a, 16) ^ int(b, 16)).count("1")


def unprinted(gray: np.ndarray, word_pixels, words, pt_per_px: float) -> np.ndarray:
    """Dark pixels of ``gray`` that no confidently read printed word or ruled line explains."""
    cfg = _cfg()
    dark = gray < int(cfg["dark_below"])
    min_conf = float(cfg["word_min_confidence"])
    heights = [b[3] - b[1] for b in word_pixels]
    tall = 1.6 * median(heights) if heights else float("inf")
    h, w = dark.shape
    for word, b in zip(words, word_pixels):
        if (word.confidence or 0) >= min_conf and (b[3] - b[1]) <= tall and any(ch.isalnum() for ch in word.text):
            dark[max(0, int(b[1]) - 3):min(h, int(b[3]) + 3), max(0, int(b[0]) - 3):min(w, int(b[2]) + 3)] = False
    return strip_rules(dark, max(8, int(float(cfg["rule_min_length_pt"]) / pt_per_px)))


def group(comps: list[tuple[int, int, int, int, int]], gap_px: float) -> list[list[tuple[int, int, int, int, int]]]:
    """Components whose boxes come within ``gap_px`` of each other, as groups (strokes of one mark)."""
    comps = sorted(comps, key=lambda c: c[1])
    parent = list(range(len(comps)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(comps):
        for j in range(i + 1, len(comps)):
            b = comps[j]
            if b[1] > a[3] + gap_px:
                break
            if b[2] <= a[4] + gap_px and a[2] <= b[4] + gap_px:
                ra, rb = find(i), find(j)
                if ra != rb:
                    parent[ra] = rb
    out: dict[int, list] = {}
    for i, c in enumerate(comps):
        out.setdefault(find(i), []).append(c)
    return list(out.values())


def measure(scan) -> tuple[InkMark, ...]:
    """The ink marks of an OCR'd page (``poe_checker.ocr.OcrPage``), largest first, bounded in number."""
    cfg = _cfg()
    pt = scan.pt_per_px
    mask = unprinted(scan.gray, scan.word_pixels, scan.page.words, pt)
    comps = [c for c in components(mask) if c[0] >= int(cfg["min_component_px"])]
    marks = []
    for strokes in group(comps, float(cfg["join_gap_pt"]) / pt):
        area = sum(c[0] for c in strokes) * pt * pt
        if area < float(cfg["min_mark_pt2"]):
            continue
        x0, y0 = min(c[1] for c in strokes), min(c[2] for c in strokes)
        x1, y1 = max(c[3] for c in strokes), max(c[4] for c in strokes)
        crop = np.where(mask[y0:y1, x0:x1], 0, 255).astype(np.uint8)
        marks.append(InkMark(scan.to_page((x0, y0, x1, y1)), round(area, 1), dhash(crop)))
    marks.sort(key=lambda m: -m.area_pt2)
    return tuple(marks[:int(cfg["max_marks"])])


__all__ = ["components", "dhash", "distance", "group", "measure", "strip_rules", "unprinted"]
