"""Page layout from word boxes: text lines, blocks and columns, in reading order.

Pure geometry over ``Page.words``; nothing here reads a file or knows what a signature is.
It exists so readers can ask "which words sit in the same block or column as this label, and
which lines are below it in that column" on pages whose text layer interleaves two columns
(a two-column signature page reads "For and on behalf of Contoso   For and on behalf of
Fabrikam" as one text line, or as alternating lines).

How a page with word boxes is read:

1. Rows. Words whose vertical extents overlap by at least half the smaller height are one text
   row. Words are taken left to right and each joins the row whose band its left neighbour set,
   so a slightly skewed scan still gives straight rows; a skew of the whole page is measured from
   the rows and sheared away before the rows are built again.
2. Rivers. A river is an x range that no word covers over a run of consecutive rows, with text
   on both sides of it side by side (at least two rows each side) and each side wide enough to
   be a column rather than a label ("Name:") or a list number. A river may narrow to a thin gap
   on one row ("pinch": a long name nearly reaching the next column) if it holds on the rows
   around it. Rows with the same rivers form a band; a band with k rivers has k + 1 columns.
3. Lines are the pieces of a row inside one column, split again where two words are far apart
   (more than about three characters), so "Name:<tab>Jane" gives two lines on the same row.
4. Blocks are runs of lines in one column with no vertical gap larger than 1.2 times the
   median line height.
5. Reading order: bands top to bottom, columns left to right, blocks top to bottom, lines top to
   bottom and left to right.

Pages whose words have no boxes at all (DOCX, e-mail) are read by text structure instead: each
text line is a line; a line with `` | `` cell separators (how the DOCX reader writes table rows)
is split into cells, and consecutive rows with the same number of cells form a grid whose i-th
cells make column i. Blank lines and grid changes end blocks.

Anything the geometry cannot make sense of (no words, rotated text, overlapping boxes, impossible
coordinates, a page of one word per line, far too many words) gives a *linear* layout: one column
of the page's text lines in text order, with ``reason`` saying why in plain words. Nothing here
raises on a strange page.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from statistics import median

from poe_checker.model import BBox, Page, merge_bboxes

MAX_WORDS = 10_000
"""More words than this on one page is not a page a person lays out; it is read linearly."""
BLOCK_GAP = 1.2
"""A vertical gap larger than this many median line heights ends a block."""

_INF = math.inf
_CELL_SEP = re.compile(r"(?<!\S)\|(?!\S)")


# ---- the layout -----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Line:
    """A piece of one text row inside one column: its words left to right."""

    index: int
    """Position of this line in ``PageLayout.lines`` (reading order)."""
    words: tuple[int, ...]
    """Indices into ``page.words``, left to right."""
    text: str
    """The words joined by single spaces."""
    start: int
    """Smallest start offset of its words in ``page.text``."""
    end: int
    """Largest end offset of its words in ``page.text``."""
    bbox: BBox | None
    column: int
    block: int
    row: int
    """The text row it sits on, counted from the top; lines side by side share it."""


@dataclass(frozen=True, slots=True)
class Block:
    """Vertically adjacent lines of one column, with no large gap between them."""

    index: int
    lines: tuple[int, ...]
    """Indices into ``PageLayout.lines``, top to bottom."""
    bbox: BBox | None
    column: int


@dataclass(frozen=True, slots=True)
class Column:
    """One column of one band (a band is a run of rows cut by the same white-space rivers)."""

    index: int
    x_range: tuple[float, float] | None
    """Left and right edge the column owns: text edge, or the edge of the river beside it."""
    bbox: BBox | None
    blocks: tuple[int, ...]
    """Indices into ``PageLayout.blocks``, top to bottom."""
    band: int
    """Which band, counted from the top; columns of a band are side by side."""


@dataclass(frozen=True)
class PageLayout:
    """Lines, blocks and columns of one page in reading order, with look-ups by offset and box."""

    lines: tuple[Line, ...]
    blocks: tuple[Block, ...]
    columns: tuple[Column, ...]
    linear: bool
    """True when the layout could not be made out: one column of text lines in text order."""
    reason: str = ""
    """Why the layout is linear, in plain words; "" otherwise."""
    line_height: float | None = None
    """Median line height in points (None without boxes)."""
    _starts: tuple[int, ...] = field(default=(), repr=False, compare=False)
    _ends: tuple[int, ...] = field(default=(), repr=False, compare=False)
    _owner: tuple[int, ...] = field(default=(), repr=False, compare=False)
    _ys: tuple[tuple[float, float] | None, ...] = field(default=(), repr=False, compare=False)
    _boxes: tuple[BBox | None, ...] = field(default=(), repr=False, compare=False)
    _word_line: tuple[int, ...] = field(default=(), repr=False, compare=False)

    def line_of(self, char_offset: int) -> Line | None:
        """The line holding this character of ``page.text`` (a word of it, or a space between
        two words of it); None when the offset is in no line."""
        starts = self._starts
        i = bisect_right(starts, char_offset) - 1
        if i < 0:
            return None
        if char_offset < self._ends[i]:
            return self.lines[self._owner[i]]
        if i + 1 < len(starts) and self._owner[i] == self._owner[i + 1]:
            return self.lines[self._owner[i]]
        return None

    def block_of(self, char_offset: int) -> Block | None:
        """The block holding this character of ``page.text``, or None."""
        line = self.line_of(char_offset)
        return self.blocks[line.block] if line is not None else None

    def row_of(self, line_index: int) -> tuple[Line, ...]:
        """The lines on the same text row as this line, in reading order, itself included."""
        row = self.lines[line_index].row
        return tuple(ln for ln in self.lines if ln.row == row)

    def lines_below(self, line_index: int, *, same_column: bool = True,
                    max_gap: float | None = None) -> tuple[Line, ...]:
        """The lines under a line, top to bottom.

        ``same_column=True``: the following lines of its column, up to the end of its block, or,
        with ``max_gap`` (points), for as long as no vertical gap is larger than ``max_gap``
        (so a signature line with room above it can still be reached). ``same_column=False``:
        the lines on later rows that overlap it horizontally, in any column or band, until a gap
        larger than ``max_gap`` (default: the block gap). Without boxes, gaps are counted in
        blank text lines: any blank line ends the walk, and ``max_gap`` is not used.
        """
        lines = self.lines
        here = lines[line_index]
        ys = self._ys
        y_here = ys[line_index] if line_index < len(ys) else None
        out: list[Line] = []
        if same_column:
            column = self.columns[here.column]
            order = [k for b in column.blocks for k in self.blocks[b].lines]
            pos = order.index(line_index)
            bottom = y_here[1] if y_here is not None else None
            for k in order[pos + 1:]:
                cand = lines[k]
                if cand.row <= here.row:
                    continue
                yk = ys[k] if k < len(ys) else None
                if max_gap is None or bottom is None or yk is None:
                    if cand.block != here.block:
                        break
                elif yk[0] - bottom > max_gap:
                    break
                out.append(cand)
                if yk is not None and bottom is not None:
                    bottom = max(bottom, yk[1])
            return tuple(out)
        if here.bbox is None or y_here is None:
            last_row = here.row
            for cand in sorted((ln for ln in lines if ln.row > here.row), key=lambda ln: (ln.row, ln.index)):
                if cand.row > last_row + 1:
                    break
                out.append(cand)
                last_row = cand.row
            return tuple(out)
        x0, x1 = here.bbox[0], here.bbox[2]
        limit = max_gap if max_gap is not None else BLOCK_GAP * (self.line_height or 0.0)
        cands = [ln for ln in lines if ln.row > here.row and ln.bbox is not None
                 and ln.index < len(ys) and ys[ln.index] is not None
                 and min(x1, ln.bbox[2]) - max(x0, ln.bbox[0]) > 0]
        cands.sort(key=lambda ln: (ln.row, ln.bbox[0]))  # type: ignore[index]
        bottom = y_here[1]
        for cand in cands:
            top_k, bottom_k = ys[cand.index]  # type: ignore[misc]
            if top_k - bottom > limit:
                break
            out.append(cand)
            bottom = max(bottom, bottom_k)
        return tuple(out)

    def words_in(self, bbox: BBox) -> tuple[int, ...]:
        """Indices of the words whose box centre lies inside ``bbox``, in reading order."""
        x0, top, x1, bottom = bbox
        hits = []
        for i, b in enumerate(self._boxes):
            if b is None:
                continue
            cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
            if x0 <= cx <= x1 and top <= cy <= bottom:
                hits.append(i)
        if not hits:
            return ()
        owner, boxes = self._word_line, self._boxes
        return tuple(sorted(hits, key=lambda i: (owner[i] if owner[i] >= 0 else 1 << 60, boxes[i][0], i)))  # type: ignore[index]

    def text_of(self, block: Block | int) -> str:
        """The block's lines joined by newlines."""
        if isinstance(block, int):
            block = self.blocks[block]
        return "\n".join(self.lines[k].text for k in block.lines)


def page_layout(page: Page) -> PageLayout:
    """The layout of ``page``; never raises (a page it cannot read gives a linear layout)."""
    try:
        return _page_layout(page)
    except Exception as exc:  # a layout helper must not stop the reading of a document
        try:
            return _linear(page, f"layout could not be worked out ({type(exc).__name__})", None)
        except Exception:
            return PageLayout((), (), (), True, f"layout could not be worked out ({type(exc).__name__})")


# ---- checks and fallbacks -------------------------------------------------------------------

def _sane(b: object) -> BBox | None:
    """The box as floats when it is a possible box on a page, else None."""
    try:
        x0, top, x1, bottom = b  # type: ignore[misc]
        # NaN fails every comparison and infinity fails "< _INF": both are rejected here
        if -2.0 <= x0 <= x1 < _INF and -2.0 <= top <= bottom < _INF:
            return (float(x0), float(top), float(x1), float(bottom))
    except (TypeError, ValueError):
        pass
    return None


def _page_layout(page: Page) -> PageLayout:
    words = page.words
    n = len(words)
    if n == 0:
        return _linear(page, "page has no word boxes", None)
    boxes: list[BBox | None] = [None] * n
    n_boxed = n_bad = 0
    for i, w in enumerate(words):
        if w.bbox is None:
            continue
        n_boxed += 1
        b = _sane(w.bbox)
        if b is None:
            n_bad += 1
        else:
            boxes[i] = b
    if n_boxed == 0:
        return _text_layout(page)  # linear in the text: no limit on the number of words
    if n > MAX_WORDS:
        return _linear(page, f"page has too many words to lay out ({n}; at most {MAX_WORDS})", boxes)
    if n_bad > 0.05 * n_boxed:
        return _linear(page, f"{n_bad} of {n_boxed} word boxes have impossible coordinates "
                             "(not a number, negative or inside out)", boxes)
    if n_boxed - n_bad < 0.5 * n:
        return _linear(page, f"only {n_boxed - n_bad} of {n} words have boxes", boxes)
    return _geometry(page, boxes)


def _text_lines(text: str) -> list[tuple[int, int, int]]:
    """(line number, start, end) of each text line of ``text``."""
    out = []
    pos = 0
    for no, raw in enumerate(text.split("\n")):
        out.append((no, pos, pos + len(raw)))
        pos += len(raw) + 1
    return out


def _strip_span(text: str, s: int, e: int) -> tuple[int, int] | None:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return (s, e) if e > s else None


class _Builder:
    """Collects lines, blocks and columns in reading order and makes the PageLayout."""

    def __init__(self, page: Page, boxes: list[BBox | None] | None):
        self.page = page
        self.boxes = boxes
        self.lines: list[Line] = []
        self.ys: list[tuple[float, float] | None] = []
        self.blocks: list[Block] = []
        self.columns: list[Column] = []
        self._col_blocks: list[int] = []
        self._block_lines: list[int] = []

    def line(self, words: list[int], row: int, y: tuple[float, float] | None = None,
             span: tuple[int, int] | None = None, bbox: BBox | None | bool = False) -> None:
        page_words = self.page.words
        if words:
            ws = list(map(page_words.__getitem__, words))
            text = " ".join([w.text for w in ws])
            start = min([w.start for w in ws])
            end = max([w.end for w in ws])
        elif span is not None:
            text = " ".join(self.page.text[span[0]:span[1]].split())
            start, end = span
        else:
            return
        if bbox is False:
            boxes = self.boxes
            bbox = merge_bboxes([boxes[i] for i in words if boxes[i] is not None]) if boxes else None  # type: ignore[misc]
        self._block_lines.append(len(self.lines))
        self.lines.append(Line(len(self.lines), tuple(words), text, start, end, bbox,
                               len(self.columns), len(self.blocks), row))
        self.ys.append(y)

    def end_block(self) -> None:
        if not self._block_lines:
            return
        ks = tuple(self._block_lines)
        bbox = merge_bboxes([b for b in (self.lines[k].bbox for k in ks) if b is not None])
        self._col_blocks.append(len(self.blocks))
        self.blocks.append(Block(len(self.blocks), ks, bbox, len(self.columns)))
        self._block_lines = []

    def end_column(self, band: int, x_range: tuple[float, float] | None = None) -> None:
        self.end_block()
        if not self._col_blocks:
            return
        ks = tuple(self._col_blocks)
        bbox = merge_bboxes([b for b in (self.blocks[k].bbox for k in ks) if b is not None])
        if x_range is None and bbox is not None:
            x_range = (bbox[0], bbox[2])
        self.columns.append(Column(len(self.columns), x_range, bbox, ks, band))
        self._col_blocks = []

    def build(self, linear: bool, reason: str, line_height: float | None) -> PageLayout:
        pieces: list[tuple[int, int, int]] = []
        word_line = [-1] * len(self.page.words)
        for line in self.lines:
            if line.words:
                for i in line.words:
                    w = self.page.words[i]
                    pieces.append((w.start, w.end, line.index))
                    word_line[i] = line.index
            else:
                pieces.append((line.start, line.end, line.index))
        pieces.sort()
        boxes = self.boxes if self.boxes is not None else [None] * len(self.page.words)
        return PageLayout(
            tuple(self.lines), tuple(self.blocks), tuple(self.columns), linear, reason, line_height,
            tuple(p[0] for p in pieces), tuple(p[1] for p in pieces), tuple(p[2] for p in pieces),
            tuple(self.ys), tuple(boxes), tuple(word_line),
        )


def _linear(page: Page, reason: str, boxes: list[BBox | None] | None) -> PageLayout:
    """One column of the page's text lines in text order; blank lines end blocks."""
    text = page.text or ""
    lines = _text_lines(text)
    breaks = [e for _, _, e in lines[:-1]]  # offsets of the newlines
    words = page.words
    groups: list[list[int]] = [[] for _ in lines]
    for i, w in enumerate(words):
        groups[bisect_left(breaks, w.start)].append(i)
    if boxes is None:
        boxes = [_sane(w.bbox) if w.bbox is not None else None for w in words]
    out = _Builder(page, boxes)
    last = None
    if words:
        for no, ids in enumerate(groups):
            if not ids:
                continue
            if any(words[a].start > words[b].start for a, b in zip(ids, ids[1:])):
                ids.sort(key=lambda i: (words[i].start, i))
            if last is not None and no > last + 1:
                out.end_block()
            bs = [b for b in map(boxes.__getitem__, ids) if b is not None]
            y = (min([b[1] for b in bs]), max([b[3] for b in bs])) if bs else None
            out.line(ids, no, y)
            last = no
    else:
        for no, s, e in lines:
            span = _strip_span(text, s, e)
            if span is None:
                continue
            if last is not None and no > last + 1:
                out.end_block()
            out.line([], no, None, span)
            last = no
    out.end_column(0)
    heights = [y[1] - y[0] for y in out.ys if y is not None]
    return out.build(True, reason, median(heights) if heights else None)


def _text_layout(page: Page) -> PageLayout:
    """Layout of a page without boxes from its text: lines, `` | `` table cells, blank lines."""
    text = page.text or ""
    words = page.words
    starts = [w.start for w in words]
    sorted_words = all(a <= b for a, b in zip(starts, starts[1:]))
    order = list(range(len(words))) if sorted_words else sorted(range(len(words)), key=starts.__getitem__)
    ordered_starts = [starts[i] for i in order]

    def words_in(s: int, e: int) -> list[int]:
        lo = bisect_left(ordered_starts, s)
        hi = bisect_left(ordered_starts, e)
        return [order[k] for k in range(lo, hi) if words[order[k]].end <= e]

    rows: list[tuple[int, list[tuple[int, int] | None]] | None] = []
    for no, s, e in _text_lines(text):
        raw = text[s:e]
        if not raw.strip():
            rows.append(None)
            continue
        cuts = [m.span() for m in _CELL_SEP.finditer(raw)]
        cells: list[tuple[int, int] | None] = []
        pos = 0
        for a, b in cuts:
            cells.append(_strip_span(text, s + pos, s + a))
            pos = b
        cells.append(_strip_span(text, s + pos, e))
        if len(cells) > 1 and all(c is None for c in cells):
            rows.append(None)
            continue
        rows.append((no, cells))
    if not any(r is not None for r in rows):
        return _linear(page, "page has no text", None)

    # runs: ("plain", [rows incl. blanks]) or ("grid", [rows]) in text order
    runs: list[tuple[str, list]] = []
    for row in rows:
        if row is None:
            if runs and runs[-1][0] == "plain":
                runs[-1][1].append(None)
            else:
                runs.append(("blank", [None]))
            continue
        n_cells = len(row[1])
        if n_cells == 1:
            if runs and runs[-1][0] in ("plain", "blank"):
                runs[-1] = ("plain", runs[-1][1] + [row])
            else:
                runs.append(("plain", [row]))
        elif runs and runs[-1][0] == "grid" and len(runs[-1][1][-1][1]) == n_cells:
            runs[-1][1].append(row)
        else:
            runs.append(("grid", [row]))

    out = _Builder(page, None)
    band = 0
    for kind, members in runs:
        if kind == "blank":
            continue
        if kind == "plain":
            for row in members:
                if row is None:
                    out.end_block()
                    continue
                no, cells = row
                span = cells[0]
                if span is not None:
                    ids = words_in(*span)
                    out.line(ids, no, None, span)
            out.end_column(band)
        else:
            for c in range(len(members[0][1])):
                for no, cells in members:
                    span = cells[c]
                    if span is not None:
                        out.line(words_in(*span), no, None, span)
                out.end_column(band)
        band += 1
    return out.build(False, "", None)


# ---- geometry ---------------------------------------------------------------------------------

class _Row:
    """One text row: its words (positions into the geometry arrays) left to right."""

    __slots__ = ("ks", "top", "bottom", "S", "E", "xmin", "xmax")

    def __init__(self, ks: list[int], X0: list[float], T: list[float], X1: list[float],
                 B: list[float], normal: list[bool]):
        self.ks = ks
        some = [k for k in ks if normal[k]] or ks
        self.top = min([T[k] for k in some])
        self.bottom = max([B[k] for k in some])
        S: list[float] = []
        E: list[float] = []
        for k in ks:  # sorted by x0: merge overlapping word extents
            a, b = X0[k], X1[k]
            if E and a <= E[-1]:
                if b > E[-1]:
                    E[-1] = b
            else:
                S.append(a)
                E.append(b)
        self.S, self.E = S, E
        self.xmin, self.xmax = S[0], max(E)

    def free_gap(self, a: float, b: float) -> tuple[float, float, float, int]:
        """The free gap of this row overlapping ``a..b`` most: (left, right, overlap, index)."""
        S, E = self.S, self.E
        j_lo = bisect_right(S, a)
        j_hi = bisect_left(E, b)
        best = (-_INF, _INF, -1.0, -1)
        for j in range(j_lo, min(j_hi, len(S)) + 1):
            gl = E[j - 1] if j > 0 else -_INF
            gr = S[j] if j < len(S) else _INF
            ov = min(gr, b) - max(gl, a)
            if ov > best[2]:
                best = (gl, gr, ov, j)
        return best

    def left_extent(self, j: int, big: float) -> float:
        """Left edge of the run of words ending at the gap ``j`` (runs break at big gaps)."""
        S, E = self.S, self.E
        k = j - 1
        while k > 0 and S[k] - E[k - 1] < big:
            k -= 1
        return S[k]

    def right_extent(self, j: int, big: float) -> float:
        S, E = self.S, self.E
        k = j
        while k + 1 < len(S) and S[k + 1] - E[k] < big:
            k += 1
        return E[k]


class _River:
    __slots__ = ("lo", "hi", "a", "b", "info", "grown", "stop_up", "stop_down")

    def __init__(self, lo, hi, a, b, info, grown, stop_up, stop_down):
        self.lo, self.hi, self.a, self.b = lo, hi, a, b
        self.info = info            # row -> (kind, gl, gr, j) for every grown row
        self.grown = grown          # (first, last) grown row before the ends were trimmed
        self.stop_up, self.stop_down = stop_up, stop_down  # rows that bridged it, or None

    def split(self, r: int) -> float:
        kind, gl, gr, _ = self.info[r]
        if kind == "pinch":
            if gl == -_INF:
                return gr - 1e-3
            if gr == _INF:
                return gl + 1e-3
            return (gl + gr) / 2
        return (self.a + self.b) / 2


def _cluster_rows(order: list[int], X0, T, X1, B, tall: float, window: float
                  ) -> tuple[list[list[int]], int]:
    """Group words into rows, following each row from left to right; also count overlaps."""
    keys: list[float] = []
    rids: list[int] = []
    rt: list[float] = []
    rb: list[float] = []
    members: list[list[int]] = []
    overlaps = 0
    for k in order:
        t, b = T[k], B[k]
        h = b - t
        cy = (t + b) / 2
        pos = bisect_right(keys, cy)
        best = -1
        best_ratio = 0.0
        best_d = _INF
        # the rows whose first word sat nearest this one's height are nearly always the one;
        # only when neither fits well are all rows within the window tried
        for near in ((pos - 1, pos + 1), None):
            if near is None:
                if best_ratio >= 0.85:
                    break
                near = (bisect_left(keys, cy - window), bisect_right(keys, cy + window))
            for j in range(max(near[0], 0), min(near[1], len(keys))):
                r = rids[j]
                top, bottom = rt[r], rb[r]
                ov = (b if b < bottom else bottom) - (t if t > top else top)
                if ov < 0:
                    continue
                mh = bottom - top
                if h < mh:
                    mh = h
                ratio = ov / mh if mh > 0 else 1.0
                if ratio < 0.5:
                    continue
                d = cy - (top + bottom) / 2
                if d < 0:
                    d = -d
                if best < 0 or ratio > best_ratio + 0.05 or (ratio > best_ratio - 0.05 and d < best_d):
                    best, best_ratio, best_d = r, ratio, d
        if best < 0:
            r = len(members)
            members.append([k])
            rt.append(t)
            rb.append(b)
            pos = bisect_right(keys, cy)
            keys.insert(pos, cy)
            rids.insert(pos, r)
            continue
        row = members[best]
        prev = row[-1]
        ovx = X1[prev] - X0[k]
        if ovx > 0:
            narrow = min(X1[prev] - X0[prev], X1[k] - X0[k])
            if narrow > 0 and ovx > 0.5 * narrow:
                overlaps += 1
        row.append(k)
        if h <= tall:
            rt[best], rb[best] = t, b
    return members, overlaps


def _skew(members: list[list[int]], X0, T, X1, B, tall: float, min_span: float) -> float:
    """Median slope (dy/dx) of the rows long enough to measure; 0 when none are."""
    slopes: list[float] = []
    step = max(1, len(members) // 40)  # forty rows measure a skew well enough
    for ks in members[::step]:
        ks = [k for k in ks if B[k] - T[k] <= tall]
        if len(ks) < 3:
            continue
        xs = [(X0[k] + X1[k]) / 2 for k in ks]
        if xs[-1] - xs[0] < min_span:
            continue
        ys = [(T[k] + B[k]) / 2 for k in ks]
        mx = sum(xs) / len(xs)
        my = sum(ys) / len(ys)
        sxx = sum((x - mx) ** 2 for x in xs)
        if sxx <= 0:
            continue
        slopes.append(sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx)
    return median(slopes) if slopes else 0.0


def _geometry(page: Page, boxes: list[BBox | None]) -> PageLayout:
    words = page.words
    ids = [i for i, b in enumerate(boxes) if b is not None]
    m = len(ids)
    X0 = [boxes[i][0] for i in ids]  # type: ignore[index]
    T = [boxes[i][1] for i in ids]  # type: ignore[index]
    X1 = [boxes[i][2] for i in ids]  # type: ignore[index]
    B = [boxes[i][3] for i in ids]  # type: ignore[index]
    T0, B0 = T, B  # as printed (T and B are sheared below when the page is skewed)
    heights = [b - t for t, b in zip(T, B)]
    med_h = median(heights)
    per_char = [(X1[k] - X0[k]) / len(words[ids[k]].text) for k in range(m)
                if X1[k] > X0[k] and words[ids[k]].text]
    if med_h <= 0.01 or not per_char:
        return _linear(page, "word boxes have no size", boxes)
    cw = median(per_char)
    long_words = [k for k in range(m) if len(words[ids[k]].text) >= 4]
    if len(long_words) >= 3 and sum(heights[k] > X1[k] - X0[k] for k in long_words) > 0.5 * len(long_words):
        return _linear(page, "text is rotated: most word boxes are taller than wide", boxes)

    tall = 1.6 * med_h
    xmin, xmax = min(X0), max(X1)
    text_width = max(xmax - xmin, cw)
    window = 1.5 * med_h + 0.02 * text_width  # room for a row to drift by about a degree
    order = sorted(range(m), key=X0.__getitem__)
    members, overlaps = _cluster_rows(order, X0, T, X1, B, tall, window)
    slope = _skew(members, X0, T, X1, B, tall, 10 * cw)
    if 0.003 < abs(slope) < 0.1:  # shear the skew away (y only; x stays as printed)
        shift = [slope * (X0[k] + X1[k]) / 2 for k in range(m)]
        T = [T[k] - shift[k] for k in range(m)]
        B = [B[k] - shift[k] for k in range(m)]
        members, overlaps = _cluster_rows(order, X0, T, X1, B, tall, window)
    if overlaps > max(3, 0.1 * m):
        return _linear(page, "words overlap so columns cannot be told", boxes)
    if len(members) >= 3 and all(len(ks) == 1 for ks in members):
        return _linear(page, "every line holds a single word, so lines and columns cannot be told", boxes)

    normal = [b - t <= tall for t, b in zip(T, B)]
    rows = [_Row(ks, X0, T, X1, B, normal) for ks in members]
    rows.sort(key=lambda r: (r.top + r.bottom) / 2)
    n_rows = len(rows)
    line_height = median(r.bottom - r.top for r in rows)
    block_gap = BLOCK_GAP * line_height

    gaps = [row.S[j] - row.E[j - 1] for row in rows for j in range(1, len(row.S))]
    word_gap = min(median(gaps), 1.5 * cw) if gaps else 0.5 * cw
    big = max(3.0 * cw, 2.0 * word_gap)
    small = max(1.5 * word_gap, 0.5 * cw)
    wide = max(small, 0.7 * big)
    min_column = max(10 * cw, 0.15 * text_width)

    rivers = _rivers(rows, big, small, wide, block_gap, min_column, med_h)

    # bands: consecutive rows cut by the same rivers
    active: list[list[int]] = [[] for _ in range(n_rows)]
    for q, river in enumerate(rivers):
        for r in range(river.lo, river.hi + 1):
            active[r].append(q)
    for lst in active:
        lst.sort(key=lambda q: rivers[q].a)
    bands: list[tuple[int, int]] = []
    for r in range(n_rows):
        if bands and active[bands[-1][0]] == active[r]:
            bands[-1] = (bands[-1][0], r)
        else:
            bands.append((r, r))

    loose = sorted(words[i].start for i, b in enumerate(boxes) if b is None)
    text = page.text or ""

    def bridged(p: int, q: int) -> bool:
        """Whether words without a box lie between the words at p and q in the text, on the
        same text line: their gap is then where the unboxed words are, not a column gap."""
        if not loose:
            return False
        a, b = words[ids[p]].end, words[ids[q]].start
        i = bisect_left(loose, a)
        return i < len(loose) and loose[i] < b and "\n" not in text[a:b]

    out = _Builder(page, boxes)
    for band_no, (r0, r1) in enumerate(bands):
        rv = [rivers[q] for q in active[r0]]
        n_cols = len(rv) + 1
        # cells[col] = list of (row, segments); a segment is a list of positions k
        cells: list[list[tuple[int, list[list[int]]]]] = [[] for _ in range(n_cols)]
        for r in range(r0, r1 + 1):
            row = rows[r]
            if rv:
                splits = sorted(river.split(r) for river in rv)
                parts: list[list[int]] = [[] for _ in range(n_cols)]
                for k in row.ks:
                    parts[bisect_right(splits, (X0[k] + X1[k]) / 2)].append(k)
            else:
                parts = [row.ks]
            for c, ks in enumerate(parts):
                if not ks:
                    continue
                segs: list[list[int]] = [[ks[0]]]
                reach = X1[ks[0]]
                for k in ks[1:]:
                    if X0[k] - reach > big and not bridged(segs[-1][-1], k):
                        segs.append([k])
                    else:
                        segs[-1].append(k)
                    reach = max(reach, X1[k])
                cells[c].append((r, segs))
        for c in range(n_cols):
            prev_bottom = None
            for r, segs in cells[c]:
                spans = []
                for seg in segs:
                    some = seg if all(map(normal.__getitem__, seg)) else ([k for k in seg if normal[k]] or seg)
                    spans.append((min(map(T.__getitem__, some)), max(map(B.__getitem__, some))))
                top = min([y[0] for y in spans])
                if prev_bottom is not None and top - prev_bottom > block_gap:
                    out.end_block()
                for seg, y in zip(segs, spans):
                    bbox = (X0[seg[0]], min(map(T0.__getitem__, seg)),
                            max(map(X1.__getitem__, seg)), max(map(B0.__getitem__, seg)))
                    out.line(list(map(ids.__getitem__, seg)), r, y, bbox=bbox)
                prev_bottom = max([y[1] for y in spans])
            left = rv[c - 1].b if c > 0 else None
            right = rv[c].a if c < len(rv) else None
            x_range = None
            if left is not None or right is not None:
                ks_all = [k for _, segs in cells[c] for seg in segs for k in seg]
                if ks_all:
                    x_range = (left if left is not None else min(X0[k] for k in ks_all),
                               right if right is not None else max(X1[k] for k in ks_all))
            out.end_column(band_no, x_range)

    _attach_unboxed(page, boxes, out)
    return out.build(False, "", line_height)


def _rivers(rows: list[_Row], big: float, small: float, wide: float, block_gap: float,
            min_column: float, med_h: float) -> list[_River]:
    """The accepted white-space rivers, widest and longest first, without duplicates."""
    n_rows = len(rows)
    seeds: list[tuple[float, int, float, float]] = []
    for r, row in enumerate(rows):
        S, E = row.S, row.E
        for j in range(1, len(S)):
            if S[j] - E[j - 1] >= big:
                seeds.append((S[j] - E[j - 1], r, E[j - 1], S[j]))
    for r in range(n_rows - 1):  # columns whose rows do not line up: neighbour rows side by side
        up, down = rows[r], rows[r + 1]
        if down.top - up.bottom < 0.3 * med_h:
            if up.xmax + big <= down.xmin:
                seeds.append((down.xmin - up.xmax, r, up.xmax, down.xmin))
            elif down.xmax + big <= up.xmin:
                seeds.append((up.xmin - down.xmax, r, down.xmax, up.xmin))
    seeds.sort(key=lambda s: -s[0])

    claimed: dict[int, list[tuple[float, float]]] = {}
    found: list[_River] = []
    for _, s, ga, gb in seeds:
        if any(ca < gb and ga < cb for ca, cb in claimed.get(s, ())):
            continue
        river = _grow(rows, s, ga, gb, small, wide)
        for r, (_, gl, gr, _) in river.info.items():
            claimed.setdefault(r, []).append((gl, gr))
        if _accept(rows, river, big, block_gap, min_column):
            found.append(river)

    found.sort(key=lambda rv: (-(rv.hi - rv.lo), rv.a))
    kept: list[_River] = []
    for river in found:
        ok = True
        for other in kept:
            if river.hi < other.lo or other.hi < river.lo:
                continue
            if river.a < other.b and other.a < river.b:
                ok = False  # the same river found twice
                break
            if other.lo <= river.lo and river.hi <= other.hi:
                bridged = ((river.stop_up is not None and river.stop_up >= other.lo)
                           or (river.stop_down is not None and river.stop_down <= other.hi))
                if bridged:
                    ok = False  # a gap inside one column (labels and values), not a column edge
                    break
                g0, g1 = river.grown
                if g0 <= other.lo and other.hi <= g1:
                    river.lo, river.hi = other.lo, other.hi  # same section: same band
        if ok:
            kept.append(river)
    return kept


def _grow(rows: list[_Row], s: int, a: float, b: float, small: float, wide: float) -> _River:
    """Follow the gap ``a..b`` of row ``s`` up and down for as long as it stays open."""
    info: dict[int, tuple[str, float, float, int]] = {}
    gl, gr, _, j = rows[s].free_gap(a, b)
    info[s] = ("clean", gl, gr, j)
    a, b = max(a, gl), min(b, gr)
    stops: list[int | None] = []
    for step in (1, -1):
        r = s + step
        pinched = False
        stop = None
        while 0 <= r < len(rows):
            gl, gr, ov, j = rows[r].free_gap(a, b)
            if ov >= wide:
                info[r] = ("clean", gl, gr, j)
                a, b = max(a, gl), min(b, gr)
                pinched = False
            elif ov >= small and gr - gl >= small and not pinched:
                info[r] = ("pinch", gl, gr, j)
                pinched = True
            else:
                stop = r
                break
            r += step
        stops.append(stop)
    lo, hi = min(info), max(info)
    return _River(lo, hi, a, b, info, (lo, hi), stops[1], stops[0])


def _accept(rows: list[_Row], river: _River, big: float, block_gap: float, min_column: float) -> bool:
    """Trim the river to where its two sides stand side by side, and judge it a column edge."""
    info = river.info
    lo, hi = river.grown
    left = [r for r in range(lo, hi + 1) if info[r][0] == "clean" and info[r][1] > -_INF]
    right = [r for r in range(lo, hi + 1) if info[r][0] == "clean" and info[r][2] < _INF]
    if len(left) < 2 or len(right) < 2:
        return False
    first, last = max(left[0], right[0]), min(left[-1], right[-1])
    if first > last:
        return False
    while first - 1 >= lo and _tail(info[first - 1]) and rows[first].top - rows[first - 1].bottom <= block_gap:
        first -= 1
    while last + 1 <= hi and _tail(info[last + 1]) and rows[last + 1].top - rows[last].bottom <= block_gap:
        last += 1
    left = [r for r in left if first <= r <= last]
    right = [r for r in right if first <= r <= last]
    if len(left) < 2 or len(right) < 2:
        return False
    l_top, l_bottom = rows[left[0]].top, rows[left[-1]].bottom
    r_top, r_bottom = rows[right[0]].top, rows[right[-1]].bottom
    side_by_side = min(l_bottom, r_bottom) - max(l_top, r_top)
    if side_by_side < 0.5 * min(l_bottom - l_top, r_bottom - r_top):
        return False
    l_width = max(info[r][1] for r in left) - min(rows[r].left_extent(info[r][3], big) for r in left)
    r_width = max(rows[r].right_extent(info[r][3], big) for r in right) - min(info[r][2] for r in right)
    if min(l_width, r_width) < min_column:
        return False
    river.lo, river.hi = first, last
    return True


def _tail(info: tuple[str, float, float, int]) -> bool:
    """Whether a row beyond the side-by-side part may still end the river: any open row, or a
    pinched one with text on both sides (a long last line nearly reaching the next column)."""
    kind, gl, gr, _ = info
    return kind == "clean" or (gl > -_INF and gr < _INF)


def _attach_unboxed(page: Page, boxes: list[BBox | None], out: _Builder) -> None:
    """Words without a usable box join the line of their neighbour in the text, when no line
    break lies between them."""
    loose = [i for i, b in enumerate(boxes) if b is None]
    if not loose or not out.lines:
        return
    words, text = page.words, page.text or ""
    owner: dict[int, int] = {}
    for line in out.lines:
        for i in line.words:
            owner[i] = line.index
    placed = sorted(owner, key=lambda i: words[i].start)
    starts = [words[i].start for i in placed]
    extra: dict[int, list[tuple[int, int, bool]]] = {}
    for i in loose:
        w = words[i]
        p = bisect_right(starts, w.start) - 1
        if p >= 0 and "\n" not in text[words[placed[p]].end:w.start]:
            extra.setdefault(owner[placed[p]], []).append((placed[p], i, True))
        elif p + 1 < len(placed) and "\n" not in text[w.end:words[placed[p + 1]].start]:
            extra.setdefault(owner[placed[p + 1]], []).append((placed[p + 1], i, False))
    for li, adds in extra.items():
        line = out.lines[li]
        ws = list(line.words)
        for anchor, i, after in sorted(adds, key=lambda t: words[t[1]].start, reverse=True):
            pos = ws.index(anchor)
            ws.insert(pos + 1 if after else pos, i)
        out.lines[li] = Line(line.index, tuple(ws), " ".join(words[i].text for i in ws),
                             min(words[i].start for i in ws), max(words[i].end for i in ws),
                             line.bbox, line.column, line.block, line.row)
