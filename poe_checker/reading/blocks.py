"""Signature blocks read as regions of the page, for every layout people sign on.

A block is a signature label ("Signature", "Signed by", "Authorised signatory", "Sign here")
with the lines that belong to it: the heading above it in the same column ("For and on behalf
of Contoso Ltd", "Customer:") and the printed name, title and date lines below it. Real
execution pages put two blocks side by side, and a text layer (or OCR) then runs them together
line by line; so a block is read in its *lane*: the x range from its label to the next label on
the same row (or to the edge of its column), and only the words whose centres fall in that lane
count, on every row above and below. That reads stacked blocks, side-by-side blocks, table
cells and scans alike, whether or not the layout layer could find the columns.

Pages without word boxes (DOCX, e-mail bodies) are read by text rows instead: a row of
``" | "`` table cells gives each cell its own lane, so a two-cell signature table reads like two
columns. A page whose layout could not be made out is still read (rows are text lines) and the
block says ``linear=True``.

Only what the page says is read here. Whether there is ink in a block, and whose block it is,
is decided elsewhere (``reading.ink``, the rules).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .. import knowledge
from ..model import Anchor, BBox, Page, SignatureBlock, merge_bboxes

_NOISE = r"[^\w\n]{0,3}"   # OCR specks and table rules before a label ("-| Signature:")


@dataclass(frozen=True)
class _Cfg:
    label: re.Pattern[str]
    mid_label: re.Pattern[str]
    heading: re.Pattern[str]
    name: re.Pattern[str]
    title: re.Pattern[str]
    date: re.Pattern[str]
    field: re.Pattern[str]
    lines_before: int
    lines_after: int
    heading_gap_lines: float
    gap_lines: float
    sign_area_up_pt: float
    sign_area_down_pt: float
    sign_area_width_pt: float


_KEYS = {"label", "heading", "name_line", "title_line", "date_line", "field", "lines_before", "lines_after",
         "heading_gap_lines", "gap_lines", "sign_area_up_pt", "sign_area_down_pt", "sign_area_width_pt"}


@functools.cache
def _cfg() -> _Cfg:
    raw = knowledge.load("ink")["blocks"]
    unknown, missing = set(raw) - _KEYS, _KEYS - set(raw)
    if unknown or missing:
        raise ValueError(f"ink.toml [blocks]: unknown keys {sorted(unknown)}, missing keys {sorted(missing)}")
    label = raw["label"]
    return _Cfg(
        label=re.compile(rf"(?i)^{_NOISE}(?P<label>{label})[ \t]*(?=[:_.\-|]|$)"),
        mid_label=re.compile(rf"(?i)(?<=\s)(?P<label>{label})[ \t]*(?=[:_])"),
        heading=re.compile(rf"(?i)(?:^|(?<=\s))(?P<label>{raw['heading']})\s+\S"),
        name=re.compile(raw["name_line"], re.IGNORECASE),
        title=re.compile(raw["title_line"], re.IGNORECASE),
        date=re.compile(raw["date_line"], re.IGNORECASE),
        field=re.compile(raw["field"], re.IGNORECASE),
        lines_before=int(raw["lines_before"]), lines_after=int(raw["lines_after"]),
        heading_gap_lines=float(raw["heading_gap_lines"]), gap_lines=float(raw["gap_lines"]),
        sign_area_up_pt=float(raw["sign_area_up_pt"]), sign_area_down_pt=float(raw["sign_area_down_pt"]),
        sign_area_width_pt=float(raw["sign_area_width_pt"]),
    )


# ---- rows and lanes -------------------------------------------------------------------------

@dataclass(frozen=True)
class _Piece:
    """The words of one text row inside one lane."""

    row: int
    spans: tuple[tuple[int, int], ...]
    text: str
    bbox: BBox | None

    @property
    def start(self) -> int:
        return self.spans[0][0]

    @property
    def end(self) -> int:
        return self.spans[-1][1]


@dataclass(frozen=True)
class _Row:
    index: int
    words: tuple[tuple[int, int, BBox | None], ...]
    """(start, end, box) of each word, left to right."""
    cells: tuple[tuple[int, int], ...]
    """For rows without boxes: the spans of its table cells (one cell when it is no table row)."""


def _rows(page: Page) -> tuple[list[_Row], bool, float | None]:
    """The page's text rows, top to bottom; whether the layout is linear; the line height."""
    lay = page.layout
    by_row: dict[int, list] = {}
    cells: dict[int, list[tuple[int, int]]] = {}
    for ln in lay.lines:
        if ln.words:
            for i in ln.words:
                w = page.words[i]
                by_row.setdefault(ln.row, []).append((w.start, w.end, w.bbox))
        else:
            spans = [(ln.start + m.start(), ln.start + m.end()) for m in re.finditer(r"\S+", page.text[ln.start:ln.end])]
            by_row.setdefault(ln.row, []).extend((s, e, None) for s, e in spans)
            if spans:
                cells.setdefault(ln.row, []).append((spans[0][0], spans[-1][1]))
    rows = []
    for r in sorted(by_row):
        words = sorted(by_row[r], key=lambda w: (w[2][0] if w[2] else 0.0, w[0]))
        rows.append(_Row(r, tuple(words), tuple(sorted(cells.get(r, ())))))
    return rows, lay.linear, lay.line_height


@dataclass(frozen=True)
class _Lane:
    """Where a block's words are: an x range (pages with boxes) or a cell position (without)."""

    x0: float | None = None
    x1: float | None = None
    cell: int | None = None
    cells: int | None = None

    def piece(self, page: Page, row: _Row) -> _Piece | None:
        if self.x0 is not None:
            words = [(s, e, b) for s, e, b in row.words
                     if b is not None and self.x0 <= (b[0] + b[2]) / 2 < self.x1]  # type: ignore[operator]
        else:
            if len(row.cells) > 1 and self.cells is not None and len(row.cells) != self.cells:
                return None   # another table: not this block's
            if len(row.cells) > 1 and self.cell is not None:
                s, e = row.cells[min(self.cell, len(row.cells) - 1)]
                words = [w for w in row.words if s <= w[0] < e]
            else:
                words = list(row.words)
        if not words:
            return None
        spans = tuple((s, e) for s, e, _ in words)
        text = " ".join(page.text[s:e] for s, e in spans)
        if text.strip() in ("|", ""):
            return None
        boxes = [b for _, _, b in words if b is not None]
        return _Piece(row.index, spans, text, merge_bboxes(boxes))


# ---- blocks ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Label:
    row: int
    start: int
    end: int
    bbox: BBox | None
    cell: int | None


def _labels(page: Page) -> list[_Label]:
    """Signature labels: at the start of a column line or table cell, or after white space
    with a colon ("... Signature: ____   Signature: ____")."""
    cfg = _cfg()
    lay = page.layout
    found: list[_Label] = []
    seen: set[int] = set()
    for ln in lay.lines:
        line = page.text[ln.start:ln.end]
        for cell_no, (cs, ce) in enumerate(_cells(line)):
            cell = line[cs:ce]
            hits = [m for m in (cfg.label.match(cell),) if m] + list(cfg.mid_label.finditer(cell))
            for m in hits:
                start, end = ln.start + cs + m.start("label"), ln.start + cs + m.end("label")
                if start in seen:
                    continue
                seen.add(start)
                found.append(_Label(ln.row, start, end, page.bbox_of(start, end),
                                    cell_no if not ln.words else None))
    found.sort(key=lambda lab: (lab.row, lab.bbox[0] if lab.bbox else 0.0, lab.start))
    return found


def _heading_labels(page: Page) -> list[_Label]:
    """Headings that open a block by themselves ("For and on behalf of Contoso Ltd"): at the start
    of a column line or table cell, or after a column gap on a row that runs two columns together.
    They stand in for a label that was not read (ink written over a scanned "Signature:")."""
    cfg = _cfg()
    lay = page.layout
    lh = lay.line_height or 10.0
    found: list[_Label] = []
    for ln in lay.lines:
        line = page.text[ln.start:ln.end]
        for cell_no, (cs, ce) in enumerate(_cells(line)):
            for m in cfg.heading.finditer(line[cs:ce]):
                start, end = ln.start + cs + m.start("label"), ln.start + cs + m.end("label")
                if m.start("label") > 0 and not _after_column_gap(page, start, lh):
                    continue   # "... confirms they sign on behalf of their organisation": prose
                found.append(_Label(ln.row, start, end, page.bbox_of(start, end),
                                    cell_no if not ln.words else None))
    return found


def _after_column_gap(page: Page, start: int, lh: float) -> bool:
    """Whether the word at ``start`` begins after a horizontal gap as wide as a column gutter."""
    boxes = page.word_and_previous(start)
    if boxes is None:
        return False
    here, prev = boxes
    same_row = abs(here[1] - prev[1]) < lh
    return same_row and here[0] - prev[2] > 2.0 * lh


def _cells(line: str) -> list[tuple[int, int]]:
    """Spans of a line's `` | `` table cells (the whole line when it has none)."""
    out, pos = [], 0
    for m in re.finditer(r"(?<!\S)\|(?!\S)", line):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, len(line)))
    return [(s + len(line[s:e]) - len(line[s:e].lstrip()), e) for s, e in out if line[s:e].strip()]


def _lane(page: Page, label: _Label, peers: list[_Label], rows: list[_Row]) -> _Lane:
    cfg = _cfg()
    if label.bbox is None:
        row = next((r for r in rows if r.index == label.row), None)
        cells = len(row.cells) if row is not None and len(row.cells) > 1 else None
        return _Lane(cell=label.cell, cells=cells)
    x0 = label.bbox[0] - 6.0
    right = [p.bbox[0] for p in peers if p.bbox is not None and p.bbox[0] > label.bbox[2]]
    if right:
        x1 = min(right) - 2.0
    else:
        # up to the next column of the band, if there is one; else as far as a signature line runs
        x1 = label.bbox[2] + cfg.sign_area_width_pt
        if page.width:
            x1 = min(x1, page.width)
        lay = page.layout
        line = lay.line_of(label.start)
        if line is not None and not lay.linear and lay.columns:
            band = lay.columns[line.column].band
            nxt = [c.x_range[0] for c in lay.columns
                   if c.band == band and c.x_range and c.x_range[0] > label.bbox[2]]
            if nxt:
                x1 = min(nxt) - 2.0
    left = [p.bbox[2] for p in peers if p.bbox is not None and p.bbox[2] < label.bbox[0]]
    if left:
        x0 = max(x0, max(left) + 2.0)
    return _Lane(x0=x0, x1=x1)


def signature_blocks(page: Page) -> tuple[SignatureBlock, ...]:
    """The signature blocks of a page, in reading order (top to bottom, left to right)."""
    if not page.text.strip():
        return ()
    rows, linear, line_height = _rows(page)
    labels = _labels(page)
    headings = _heading_labels(page)
    if not labels and not headings:
        return ()
    lh = line_height or 10.0
    label_rows = {lab.row for lab in labels}
    out = []
    covered: list[tuple[int, int]] = []
    for lab in labels:
        peers = [p for p in labels if p.row == lab.row and p is not lab]
        lane = _lane(page, lab, peers, rows)
        pos = next(i for i, r in enumerate(rows) if r.index == lab.row)
        own = lane.piece(page, rows[pos])
        label_piece = own if own is not None else _Piece(lab.row, ((lab.start, lab.end),), page.text[lab.start:lab.end], lab.bbox)
        heading = _heading(page, rows, pos, lane, label_piece, label_rows, lh)
        below = _below(page, rows, pos, lane, label_piece, labels, lh)
        pieces = heading + [label_piece] + below
        covered += [span for piece in pieces for span in piece.spans]
        out.append(_block(page, lab, lane, heading, label_piece, below, linear, lh, "label"))
    # a heading with no label read under it in its lane opens its own block
    for lab in headings:
        if any(s <= lab.start < e for s, e in covered):
            continue
        peers = [p for p in headings if p.row == lab.row and p is not lab]
        lane = _lane(page, lab, peers, rows)
        pos = next(i for i, r in enumerate(rows) if r.index == lab.row)
        head = lane.piece(page, rows[pos]) or _Piece(lab.row, ((lab.start, lab.end),), page.text[lab.start:lab.end], lab.bbox)
        below = _below(page, rows, pos, lane, head, labels + headings, lh)
        if not _fields(below):
            continue   # a heading with no name, title or date under it is not a block
        out.append(_block(page, lab, lane, [head], head, below, linear, lh, "heading"))
    out.sort(key=lambda b: (b.label_where.bbox[1] if b.label_where and b.label_where.bbox else 0.0,
                            b.label_where.bbox[0] if b.label_where and b.label_where.bbox else 0.0,
                            b.label_where.span[0] if b.label_where and b.label_where.span else 0))
    return tuple(out)


def _block(page: Page, lab: _Label, lane: _Lane, heading: list[_Piece], label_piece: _Piece, below: list[_Piece],
           linear: bool, lh: float, anchored_on: str) -> SignatureBlock:
    fields = _fields(below + [label_piece])
    area = _sign_area(lab, lane, below, lh, under=anchored_on == "heading") if lab.bbox is not None else None
    pieces = heading + ([label_piece] if anchored_on == "label" else []) + below
    region = merge_bboxes([p.bbox for p in pieces if p.bbox is not None])
    return SignatureBlock(
        heading="\n".join(words_only(p.text) for p in heading),
        label=page.text[lab.start:lab.end],
        signer_name=fields.get("name"),
        title=fields.get("title"),
        date_text=fields.get("date"),
        region=region,
        lines=tuple(Anchor(page.number, p.text, p.bbox, (p.start, p.end)) for p in pieces),
        linear=linear,
        label_where=Anchor(page.number, page.text[lab.start:lab.end], lab.bbox, (lab.start, lab.end)),
        sign_area=area,
        anchored_on=anchored_on,  # type: ignore[arg-type]
    )


def _is_field(text: str) -> bool:
    cfg = _cfg()
    return bool(cfg.field.match(text.strip(" .:;'‘’|-_")) or cfg.label.match(text))


def _heading(page: Page, rows: list[_Row], pos: int, lane: _Lane, label: _Piece, label_rows: set[int],
             lh: float) -> list[_Piece]:
    """Lines right above the label in its lane, up to a blank gap or another block's line."""
    cfg = _cfg()
    out: list[_Piece] = []
    prev = label
    for row in reversed(rows[max(0, pos - 3 * cfg.lines_before):pos]):
        if len(out) >= cfg.lines_before:
            break
        piece = lane.piece(page, row)
        if piece is None:
            if prev.bbox is None:
                break  # a row with nothing in this cell: the block ends
            continue
        if not _meaningful(piece.text):
            continue
        if prev.bbox is not None and piece.bbox is not None:
            if prev.bbox[1] - piece.bbox[3] > cfg.heading_gap_lines * lh:
                break
        elif row.index < prev.row - 1:
            break
        if _is_field(piece.text) or row.index in label_rows:
            break
        out.insert(0, piece)
        prev = piece
    return out


def _below(page: Page, rows: list[_Row], pos: int, lane: _Lane, label: _Piece,
           labels: list[_Label], lh: float) -> list[_Piece]:
    """The lines under the label in its lane: the signature space (which may be tall, or filled
    with OCR'd ink), then Name / Title / Date, up to the next label."""
    cfg = _cfg()
    out: list[_Piece] = []
    prev = label
    fields = 0
    for row in rows[pos + 1:]:
        piece = lane.piece(page, row)
        if piece is None:
            if label.bbox is None and out:
                break
            continue
        if any(lb.row == row.index and lb.start >= piece.start and lb.end <= piece.end for lb in labels):
            break   # the next block in this lane
        if prev.bbox is not None and piece.bbox is not None:
            limit = cfg.sign_area_down_pt if not fields else cfg.gap_lines * lh
            if piece.bbox[1] - prev.bbox[3] > limit:
                break
        elif row.index > prev.row + 2:
            break
        is_field = _is_field(piece.text)
        if not is_field and fields >= 1 and _meaningful(piece.text):
            break   # prose after the block's fields: the block has ended
        out.append(piece)
        prev = piece
        fields += is_field
        if fields >= cfg.lines_after:
            break
    return out


def _fields(pieces: list[_Piece]) -> dict[str, str]:
    """Name, title and date the block prints (a value after the label on its own line counts)."""
    cfg = _cfg()
    out: dict[str, str] = {}
    for piece in pieces:
        text = piece.text.strip(" .'‘’|-_;")
        for key, pattern in (("name", cfg.name), ("title", cfg.title), ("date", cfg.date)):
            m = pattern.match(text)
            if m and key not in out:
                value = m.group("value").strip(" _.,;:")
                if value and any(ch.isalnum() for ch in value):
                    out[key] = value
    return out


def _sign_area(lab: _Label, lane: _Lane, below: list[_Piece], lh: float, *, under: bool = False) -> BBox:
    """Where ink is looked for: right of and under the label, above the first field line under
    it, inside the lane. A heading standing in for the label (``under``) has the space below it."""
    cfg = _cfg()
    x0, top, x1, bottom = lab.bbox  # type: ignore[misc]
    first_field = next((p for p in below if p.bbox is not None and _is_field(p.text)), None)
    floor = first_field.bbox[1] if first_field is not None else bottom + cfg.sign_area_down_pt
    floor = max(floor, bottom + 0.5 * lh)
    right = lane.x1 if lane.x1 is not None else x1 + cfg.sign_area_width_pt
    if under:
        return (lane.x0 if lane.x0 is not None else x0, bottom, right, floor)
    right = min(right, x1 + cfg.sign_area_width_pt + (x1 - x0))
    return (lane.x0 if lane.x0 is not None else x0, top - cfg.sign_area_up_pt, right, floor)


def words_only(text: str) -> str:
    """A line without its specks: tokens with no letter or digit (OCR'd table rules, dashes)."""
    return " ".join(t for t in text.split() if any(ch.isalnum() for ch in t))


def _meaningful(text: str) -> bool:
    """A line with at least one word of two letters (not OCR specks like ';' or 'i')."""
    return any(sum(ch.isalpha() for ch in w) >= 2 for w in text.split())


__all__ = ["signature_blocks", "words_only"]
