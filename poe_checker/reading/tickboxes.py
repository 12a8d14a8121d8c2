"""Tick boxes on a page: the span of each box's label in the page text, and whether it is ticked.

A POE template lists every workload of an incentive with a box beside each; only the ticked rows
are the ones claimed. The extractors report boxes they see (form fields, DOCX content controls,
drawn boxes on scans); marks written in the text (☐ ☒, Wingdings glyphs, [x]) are read here for
the lines no box was reported on. The marks are in ``knowledge/workloads.toml [checkbox_marks]``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .. import knowledge
from ..model import BBox, Checkbox, Document, Page


@dataclass(frozen=True, slots=True)
class Zone:
    """The text of one tick box's label on a page, and whether the box is ticked."""

    start: int
    end: int
    checked: bool



def page_zones(doc: Document, page: Page) -> list[Zone]:
    """Label spans of the tick boxes on ``page``: the extractor's boxes, then marks in the text
    (☐ ☒, Wingdings, [x]) on lines the extractor reported no box for."""
    marks = knowledge.load("workloads").get("checkbox_marks", {})
    boxes = [b for b in doc.checkboxes if _on_page(b, page, doc)]
    zones: list[Zone] = []
    for box in boxes:
        zones.extend(_box_zones(box, page, boxes, marks))
    for zone in _mark_zones(page.text, marks):
        if not any(z.start < zone.end and zone.start < z.end for z in zones):
            zones.append(zone)
    return zones


def _on_page(box: Checkbox, page: Page, doc: Document) -> bool:
    if box.where.page == page.number:
        return True
    return box.where.page is None and len(doc.pages) == 1 and doc.pages[0] is page


def _box_zones(box: Checkbox, page: Page, boxes: list[Checkbox], marks: dict) -> list[Zone]:
    text = page.text
    label_words = re.findall(r"\S+", box.label)
    label_re = (re.compile(r"\s+".join(map(re.escape, label_words)), re.IGNORECASE) if label_words else None)
    span = box.where.span
    if span is not None:
        start, end = span
        if label_re is not None:
            window_start = max(0, start - len(box.label) - 8)
            found = [m for m in label_re.finditer(text, window_start, min(len(text), end + len(box.label) + 80))]
            if found:
                m = min(found, key=lambda m: abs(m.start() - start))
                return [Zone(min(start, m.start()), max(end, m.end()), box.checked)]
        if end - start <= 3:  # the span is the box itself: its label is the rest of the line
            line_end = text.find("\n", end)
            line_end = len(text) if line_end == -1 else line_end
            later = [b.where.span[0] for b in boxes
                     if b.where.span is not None and end <= b.where.span[0] < line_end]
            return [Zone(start, min(later, default=line_end), box.checked)]
        return [Zone(start, end, box.checked)]
    if box.where.bbox is not None and any(w.bbox is not None for w in page.words):
        zone = _zone_beside(box, page, boxes, label_words, marks)
        if zone is not None:
            return [zone]
    if label_re is not None:  # a label with no place: its row-like lines (label first on the line)
        out = []
        for m in label_re.finditer(text):
            line_start = text.rfind("\n", 0, m.start()) + 1
            if not re.sub(r"[\W_]", "", text[line_start:m.start()]):
                out.append(Zone(m.start(), m.end(), box.checked))
        return out
    return []


def _zone_beside(box: Checkbox, page: Page, boxes: list[Checkbox], label_words: list[str],
                 marks: dict) -> Zone | None:
    """A form box's label by geometry: the words of its line, right of the box when the box
    starts the line, else the words spelling its label."""
    bx0, btop, bx1, bbottom = box.where.bbox  # type: ignore[misc]
    mid = (btop + bbottom) / 2
    line = sorted((w for w in page.words if w.bbox is not None and w.bbox[1] <= mid <= w.bbox[3]),
                  key=lambda w: w.bbox[0])  # type: ignore[index]
    if not line:
        return None
    if label_words:
        wanted = [_plain(w) for w in label_words]
        texts = [_plain(w.text) for w in line]
        for i in range(len(line) - len(wanted) + 1):
            if texts[i:i + len(wanted)] == wanted:
                return Zone(line[i].start, line[i + len(wanted) - 1].end, box.checked)
    if any(w.bbox[2] <= bx0 + 1 for w in line):  # type: ignore[index]
        return None  # words left of the box: the box does not start this line
    right = [w for w in line if w.bbox[0] >= bx1 - 1]  # type: ignore[index]
    max_gap = float(marks.get("form_label_max_gap", 24.0))
    if not right or right[0].bbox[0] - bx1 > max_gap:  # type: ignore[index]
        return None
    stops = sorted(b.where.bbox[0] for b in boxes
                   if b is not box and b.where.bbox is not None and _same_line(b.where.bbox, mid)
                   and b.where.bbox[0] > bx1)
    limit = stops[0] if stops else float("inf")
    taken = [w for w in right if w.bbox[2] <= limit + 1]  # type: ignore[index]
    if not taken:
        return None
    return Zone(taken[0].start, taken[-1].end, box.checked)


def _same_line(bbox: BBox, mid: float) -> bool:
    return bbox[1] <= mid <= bbox[3]


def _plain(word: str) -> str:
    return re.sub(r"[\W_]+", "", word.lower())


def _mark_zones(text: str, marks: dict) -> list[Zone]:
    ticked = list(marks.get("ticked", ()))
    unticked = list(marks.get("unticked", ()))
    if not (ticked or unticked) or not text:
        return []
    every = sorted(ticked + unticked, key=len, reverse=True)
    pattern = _mark_pattern(tuple(every))
    if not pattern.search(text):
        return []
    max_words = int(marks.get("max_label_words", 10))
    is_ticked = set(ticked)
    zones = []
    for line_start, line in _lines(text):
        found = list(pattern.finditer(line))
        for i, m in enumerate(found):
            end = found[i + 1].start() if i + 1 < len(found) else len(line)
            label = line[m.end():end]
            stripped = label.strip()
            if not stripped or len(stripped.split()) > max_words:
                continue
            s = line_start + m.end() + (len(label) - len(label.lstrip()))
            zones.append(Zone(s, s + len(stripped), m.group() in is_ticked))
    return zones


_PATTERNS: dict[tuple[str, ...], re.Pattern[str]] = {}


def _mark_pattern(marks: tuple[str, ...]) -> re.Pattern[str]:
    if marks not in _PATTERNS:
        _PATTERNS[marks] = re.compile("|".join(map(re.escape, marks)))
    return _PATTERNS[marks]


def _lines(text: str) -> Iterable[tuple[int, str]]:
    start = 0
    for line in text.split("\n"):
        yield start, line
        start += len(line) + 1
