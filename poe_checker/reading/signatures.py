"""Signature marks written in the text: e-signature stamps and records, typed signature lines.

Only finds and describes marks; which party signed, and whether that is enough, is decided by
the rules. PDF signature fields come from the PDF extractor, ink on scans from OCR.

Three kinds of marks are read, in this order (a place claimed by one is not read again):

* platform records and one-line marks (``[[e_signature]]`` in ``knowledge/signatures.toml``):
  a certificate of completion's signer block, an audit trail's "signed by" event, the guide's
  "E-Signed by: John Doe", Acrobat Sign's printed "John Doe (Jun 5, 2025 10:12 EDT)";
* on-page stamps (``[[stamp]]``): "DocuSigned by:" with the signer's name and hash in a signature
  box, signNow's e-signature id. A stamp is read down its own column of the page layout, so two
  boxes side by side (which a PDF text layer interleaves line by line) each keep their own name,
  heading and date;
* names typed on a signature line.

An envelope id printed alone, with empty signature boxes, is no signature: only the marks above
make records.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from .. import knowledge
from ..model import Anchor, BBox, DateMention, Page, Signature, SignatureBlock, merge_bboxes
from . import dates as date_reader

_FLAGS = re.IGNORECASE | re.MULTILINE
_WORD = re.compile(r"\S+")


# ---- configuration ---------------------------------------------------------------------------

@dataclass(frozen=True)
class _Record:
    platform: str
    requires: tuple[str, ...]
    pattern: re.Pattern[str]
    marker: re.Pattern[str] | None
    columns: bool
    what: str
    record: bool


@dataclass(frozen=True)
class _Stamp:
    platform: str
    requires: tuple[str, ...]
    label: re.Pattern[str]
    name: str
    signer_id: re.Pattern[str]
    lines_after: int
    needs_id: bool
    envelope_from: str | None
    id_name: str
    what: str


@dataclass(frozen=True)
class _Cfg:
    records: tuple[_Record, ...]
    stamps: tuple[_Stamp, ...]
    markers: dict[str, re.Pattern[str]]
    typed: re.Pattern[str]
    ctx: dict
    block: dict[str, re.Pattern[str]]
    block_numbers: dict[str, float]
    signer_name: re.Pattern[str]
    envelopes: dict[str, tuple[re.Pattern[str], ...]]
    record_titles: tuple[re.Pattern[str], ...]
    platform_words: re.Pattern[str]


def _requires(value) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(v.lower() for v in ([value] if isinstance(value, str) else value))


@functools.cache
def _cfg() -> _Cfg:
    cfg = knowledge.load("signatures")
    records = tuple(_Record(
        platform=p["platform"], requires=_requires(p.get("requires")), pattern=re.compile(p["pattern"], _FLAGS),
        marker=re.compile(p["marker"], _FLAGS) if p.get("marker") else None, columns=bool(p.get("columns")),
        what=p.get("what", ""), record=bool(p.get("record"))) for p in cfg["e_signature"])
    stamps = tuple(_Stamp(
        platform=s["platform"], requires=_requires(s.get("requires")), label=re.compile(s["label"], _FLAGS),
        name=s.get("name", "after"), signer_id=re.compile(s["signer_id"], re.IGNORECASE),
        lines_after=int(s.get("lines_after", 3)), needs_id=bool(s.get("needs_id")),
        envelope_from=s.get("envelope_from"), id_name=s.get("id_name", "id"), what=s["what"])
        for s in cfg.get("stamp", ()))
    blk = cfg["stamp_block"]
    return _Cfg(
        records=records, stamps=stamps,
        markers={k: re.compile(v, _FLAGS) for k, v in cfg["markers"].items()},
        typed=re.compile(cfg["typed"]["pattern"], re.MULTILINE),
        ctx=cfg["context"],
        block={k: re.compile(blk[k], re.IGNORECASE) for k in ("name", "title", "date", "field")},
        block_numbers={k: float(blk[k]) for k in ("lines_before", "lines_below", "max_gap_lines", "heading_gap_lines",
                                                   "context_lines_before", "context_lines_after")},
        signer_name=re.compile(blk["signer_name"]),
        envelopes={k: tuple(re.compile(p, _FLAGS) for p in ([v] if isinstance(v, str) else v))
                   for k, v in cfg.get("envelope", {}).items()},
        record_titles=tuple(re.compile(p, _FLAGS) for p in cfg["record_of"]["titles"]),
        platform_words=re.compile(cfg["record_of"]["platform_words"], re.IGNORECASE),
    )


def _gate(requires: tuple[str, ...], low: str) -> bool:
    return not requires or any(r in low for r in requires)


# ---- the reader ------------------------------------------------------------------------------

def find_signatures(pages: tuple[Page, ...], found_dates: tuple[DateMention, ...]) -> tuple[Signature, ...]:
    cfg = _cfg()
    ctx = cfg.ctx
    per_page = _envelopes_by_page(pages, cfg)
    out: list[Signature] = []
    for page, envelopes in zip(pages, per_page):
        text = page.text
        if not text:
            continue
        page_dates = [d for d in found_dates if d.where.page == page.number and d.where.span is not None]
        platform_hint = _platform(text, cfg.markers)
        void = cfg.markers["not_completed"].search(text)
        low = text.lower()
        taken: list[tuple[int, int]] = []
        grid: list[_Grid | None] = []   # built once, on the first mark that needs the layout

        def layout() -> _Grid:
            if not grid:
                grid.append(_Grid(page, cfg))
            return grid[0]  # type: ignore[return-value]

        for rec in cfg.records:
            if not _gate(rec.requires, low) or (rec.marker is not None and not rec.marker.search(text)):
                continue
            for m in rec.pattern.finditer(text):
                if _overlaps(taken, m.start(), m.end()):
                    continue
                taken.append((m.start(), m.end()))
                groups = m.groupdict()
                known = rec.platform if rec.platform != "e_signature" else platform_hint
                envelope = envelopes.get(known) if known else None
                stands_void = void if (platform_hint or rec.platform != "e_signature") else None
                block = None
                context = _context(text, m.start(), m.end(), ctx)
                signed_on = _parse_date(groups.get("date"))
                if rec.columns:
                    g = layout()
                    seg = g.seg_at(m.start())
                    if seg is not None:
                        block, col_context, block_date = _read_block(g, [seg], seg, page_dates, cfg, m.group(),
                                                                     signer=_clean_name(groups.get("name")))
                        if g.shares_row(seg):   # side by side: only its own column speaks for it
                            context = col_context
                        signed_on = signed_on or block_date
                signed_on = signed_on or _nearby_date(m.start(), m.end(), page_dates, ctx)
                detail = _detail(known) if not rec.what else _record_detail(rec.what, envelope, known)
                out.append(Signature(
                    kind="e_signature",
                    where=page.anchor(m.start(), m.end()),
                    signer_name=_clean_name(groups.get("name")),
                    signer_email=(groups.get("email") or "").strip().lower() or None,
                    signed_on=signed_on,
                    platform=known,
                    context=context,
                    valid=False if stands_void else None,
                    detail=detail + (f", but the record's status is \"{stands_void.group(1)}\": the agreement "
                                     "was never completed" if stands_void else ""),
                    block=block,
                    envelope_id=envelope,
                    record_of=_record_title(pages, page, cfg) if rec.record else None,
                ))
        for stamp in cfg.stamps:
            if not _gate(stamp.requires, low):
                continue
            if stamp.envelope_from and not envelopes.get(stamp.envelope_from):
                continue
            if not stamp.label.search(text):
                continue
            for sig, spans in _read_stamps(page, layout(), stamp, page_dates, envelopes, cfg):
                if any(_overlaps(taken, s, e) for s, e in spans[:1]):
                    continue
                taken.extend(spans)
                out.append(sig)
        for m in cfg.typed.finditer(text):
            if _overlaps(taken, m.start(), m.end()):
                continue
            out.append(Signature(
                kind="typed",
                where=page.anchor(m.start(), m.end()),
                signer_name=_clean_name(m.group("name")),
                signed_on=_nearby_date(m.start(), m.end(), page_dates, ctx),
                context=_context(text, m.start(), m.end(), ctx),
                detail="a name typed on a signature line; nothing verifies who typed it",
            ))
    return tuple(out)


def _record_title(pages: tuple[Page, ...], page: Page, cfg: _Cfg) -> str | None:
    """The title of the document a record certifies: on the record's page, else on the pages of the
    record before it (a certificate's signer events run on from its first page)."""
    at = next((i for i, p in enumerate(pages) if p is page), 0)
    for candidate in (page, *reversed(pages[max(0, at - 2):at])):
        text = candidate.text or ""
        for pattern in cfg.record_titles:
            m = pattern.search(text)
            if m:
                title = cfg.platform_words.sub("", m.group("title").strip()).strip(" \t\"'“”")
                if len(title) >= 3:
                    return title
    return None


def _overlaps(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in taken)


def _platform(text: str, markers: dict[str, re.Pattern[str]]) -> str | None:
    if markers["docusign_envelope"].search(text) or markers["docusign_certificate"].search(text):
        return "docusign"
    if markers["adobe_audit"].search(text):
        return "adobe_sign"
    return None


def _detail(platform: str | None) -> str:
    return {
        "docusign": "DocuSign e-signature record",
        "adobe_sign": "Adobe Acrobat Sign e-signature record",
    }.get(platform or "", "e-signature statement in the document")


_ENVELOPE_WORDS = {"adobe_sign": "transaction", "dropbox_sign": "document", "pandadoc": "document",
                   "signnow": "document"}


def _record_detail(what: str, envelope: str | None, platform: str | None) -> str:
    if not envelope:
        return what
    return f"{what}; {_ENVELOPE_WORDS.get(platform or '', 'envelope')} {_short(envelope)}"


def _short(value: str) -> str:
    """An id cut for reading: its first eight characters (and a GUID's dash), then an ellipsis."""
    value = value.rstrip(".…")
    if len(value) <= 10:
        return value
    head = value[:9] if len(value) > 8 and value[8] == "-" else value[:8]
    return head + "…"


# ---- envelope ids ----------------------------------------------------------------------------

def _page_envelopes(text: str, cfg: _Cfg) -> dict[str, str]:
    found: dict[str, str] = {}
    for platform, patterns in cfg.envelopes.items():
        for pattern in patterns:
            m = pattern.search(text)
            if m:
                found[platform] = m.group("id")
                break
    return found


def _envelopes_by_page(pages: tuple[Page, ...], cfg: _Cfg) -> list[dict[str, str]]:
    """For each page, each platform's envelope id: the one printed on that page, else the first one
    printed anywhere in the document (each page's text is searched once)."""
    found = [_page_envelopes(page.text or "", cfg) for page in pages]
    document: dict[str, str] = {}
    for here in found:
        for platform, value in here.items():
            document.setdefault(platform, value)
    return [{**document, **here} for here in found]


# ---- the page read as column lines -----------------------------------------------------------

@dataclass(eq=False)
class _Seg:
    """A line of one column: its words (spans in the page text) left to right."""

    col: object
    row: int
    spans: list[tuple[int, int]]
    text: str
    bbox: BBox | None
    y: tuple[float, float] | None = None
    order: int = 0

    @property
    def start(self) -> int:
        return self.spans[0][0]

    @property
    def end(self) -> int:
        return self.spans[-1][1]


@dataclass(eq=False)
class _Grid:
    """A page's lines by column, from ``layout.page_layout``.

    When the layout could not be made out (a linear layout) and a text line holds several stamp
    labels side by side, that line and its neighbours are split at the labels' positions (by word
    boxes, or without boxes by wide white space): a minimal column split of its own."""

    page: Page
    cfg: _Cfg
    segs: list[_Seg] = field(default_factory=list)
    linear: bool = False
    line_height: float = 12.0

    def __post_init__(self) -> None:
        page = self.page
        lay = page.layout
        self.linear = lay.linear
        if lay.line_height:
            self.line_height = lay.line_height
        merged: dict[tuple[object, int], _Seg] = {}
        for ln in lay.lines:
            if ln.words:
                ws = sorted((page.words[i] for i in ln.words), key=lambda w: (w.bbox[0] if w.bbox else 0, w.start))
                spans = [(w.start, w.end) for w in ws]
            else:
                spans = [(ln.start + m.start(), ln.start + m.end()) for m in _WORD.finditer(page.text[ln.start:ln.end])]
            if not spans:
                continue
            col = 0 if lay.linear else ln.column
            key = (col, ln.row)
            y = (ln.bbox[1], ln.bbox[3]) if ln.bbox else None
            if key in merged:
                seg = merged[key]
                seg.spans += spans
                seg.text = " ".join(page.text[s:e] for s, e in seg.spans)
                seg.bbox = merge_bboxes([b for b in (seg.bbox, ln.bbox) if b is not None])
                continue
            seg = _Seg(col, ln.row, spans, " ".join(page.text[s:e] for s, e in spans), ln.bbox, y, len(self.segs))
            merged[key] = seg
            self.segs.append(seg)
        if self.linear or not any(seg.bbox for seg in self.segs):
            self._split_side_by_side()
        self._index()

    def _index(self) -> None:
        self.by_col: dict[object, list[_Seg]] = {}
        for seg in self.segs:
            self.by_col.setdefault(seg.col, []).append(seg)
        for segs in self.by_col.values():
            segs.sort(key=lambda s: (s.row, s.order))

    # -- look-ups

    def seg_at(self, offset: int) -> _Seg | None:
        for seg in self.segs:
            if any(s <= offset < e for s, e in seg.spans):
                return seg
        return None

    def shares_row(self, seg: _Seg) -> bool:
        """Whether another column has a line on this line's row (side-by-side text)."""
        return any(o.row == seg.row and o.col != seg.col for o in self.segs)

    def _walk(self, seg: _Seg, step: int, limit: int) -> list[_Seg]:
        col = self.by_col.get(seg.col, [])
        try:
            i = col.index(seg)
        except ValueError:
            return []
        out: list[_Seg] = []
        prev = seg
        max_gap = self.cfg.block_numbers["max_gap_lines"] * self.line_height
        j = i + step
        while 0 <= j < len(col) and len(out) < limit:
            cand = col[j]
            if prev.y is not None and cand.y is not None:
                gap = cand.y[0] - prev.y[1] if step > 0 else prev.y[0] - cand.y[1]
                if gap > max_gap:
                    break
            elif abs(cand.row - prev.row) > 2:
                break
            out.append(cand)
            prev = cand
            j += step
        return out

    def below(self, seg: _Seg, limit: int) -> list[_Seg]:
        return self._walk(seg, 1, limit)

    def above(self, seg: _Seg, limit: int) -> list[_Seg]:
        return self._walk(seg, -1, limit)

    # -- the minimal split of a linear layout

    def _split_side_by_side(self) -> None:
        labels = [s.label for s in self.cfg.stamps]
        text = self.page.text
        done: set[int] = set()
        for seg in list(self.segs):
            if id(seg) in done:
                continue
            line = text[seg.start:seg.end]
            starts = sorted({seg.start + m.start() for lab in labels for m in lab.finditer(line)})
            if len(starts) < 2:
                continue
            cuts = self._cuts(starts)
            group = seg.order
            rows = [s for s in self.segs if abs(s.row - seg.row) <= 8 and s.col == seg.col]
            for row_seg in rows:
                parts = self._parts(row_seg, cuts, len(starts))
                if parts is None:
                    continue
                done.add(id(row_seg))
                self.segs.remove(row_seg)
                for k, spans in enumerate(parts):
                    if spans:
                        boxes = [b for b in (self.page.bbox_of(s, e) for s, e in spans) if b is not None]
                        bbox = merge_bboxes(boxes)
                        self.segs.append(_Seg(("split", group, k), row_seg.row, spans,
                                              " ".join(text[s:e] for s, e in spans), bbox,
                                              (bbox[1], bbox[3]) if bbox else row_seg.y, row_seg.order))

    def _cuts(self, starts: list[int]) -> list[float]:
        """x positions where the labels' columns begin (empty without word boxes)."""
        xs = []
        for s in starts:
            box = self.page.bbox_of(s, s + 1)
            if box is None:
                return []
            xs.append(box[0])
        return xs

    def _parts(self, seg: _Seg, cuts: list[float], k: int) -> list[list[tuple[int, int]]] | None:
        text = self.page.text
        if cuts:
            parts: list[list[tuple[int, int]]] = [[] for _ in range(k)]
            for s, e in seg.spans:
                box = self.page.bbox_of(s, e)
                if box is None:
                    return None
                centre = (box[0] + box[2]) / 2
                i = max([j for j, x in enumerate(cuts) if x <= centre + 1.0] or [0])
                parts[i].append((s, e))
            return parts
        # no boxes: cells separated by wide white space, tabs or " | "
        line = text[seg.start:seg.end]
        pieces = [(seg.start + m.start(), seg.start + m.end())
                  for m in re.finditer(r"\S(?:.*?\S)?(?=\s{2,}|\t|\s\|\s|$)", line)]
        pieces = [(s, e) for s, e in pieces if text[s:e].strip() not in ("|", "")]
        if len(pieces) != k:
            return None
        return [[(s + m.start(), s + m.end()) for m in _WORD.finditer(text[s:e])] for s, e in pieces]


# ---- stamps ----------------------------------------------------------------------------------

def _read_stamps(page: Page, grid: _Grid, stamp: _Stamp, page_dates: list[DateMention],
                 envelopes: dict[str, str], cfg: _Cfg):
    """Each stamp of this kind on the page, with the word spans it claims."""
    text = page.text
    all_labels = [s.label for s in cfg.stamps]
    for m in stamp.label.finditer(text):
        seg = grid.seg_at(m.start())
        if seg is None:
            continue
        label_spans = [(s, e) for s, e in seg.spans if s < m.end() and e > m.start()]
        rest = [(s, e) for s, e in seg.spans if s >= m.end()]
        cut = _next_label(text, rest, all_labels)
        rest = rest[:cut]
        name = sid = None
        used: list[_Seg | None] = [seg]
        name_spans: list[tuple[int, int]] = []
        id_spans: list[tuple[int, int]] = []
        if stamp.name == "after":
            pieces: list[tuple[_Seg | None, list[tuple[int, int]]]] = [(None, rest)]
            for below in grid.below(seg, stamp.lines_after):
                if _is_boundary(below.text, all_labels, cfg):
                    break
                pieces.append((below, below.spans))
            for owner, spans in pieces:
                if not spans:
                    continue
                ids = [(s, e) for s, e in spans if stamp.signer_id.fullmatch(_bare(text[s:e]))]
                others = [(s, e) for s, e in spans if (s, e) not in ids]
                if others and name is None and sid is None:
                    candidate = _clean_name(" ".join(text[s:e] for s, e in others))
                    if candidate and cfg.signer_name.fullmatch(candidate):
                        name, name_spans = candidate, others
                        if owner is not None:
                            used.append(owner)
                if ids:
                    sid, id_spans = _bare(text[ids[0][0]:ids[0][1]]), ids[:1]
                    if owner is not None and owner not in used:
                        used.append(owner)
                    break
        else:
            after = text[m.end():rest[-1][1]] if rest else ""
            idm = stamp.signer_id.match(after.lstrip(" \t:"))
            if idm:
                sid = idm.group()
                at = m.end() + (len(after) - len(after.lstrip(" \t:"))) + idm.start()
                id_spans = [(s, e) for s, e in rest if s < at + len(sid) and e > at][:1]
            above = grid.above(seg, 1)
            if above and not _is_boundary(above[0].text, all_labels, cfg):
                candidate = _clean_name(above[0].text)
                if candidate and cfg.signer_name.fullmatch(candidate):
                    name, name_spans = candidate, above[0].spans
                    used.insert(0, above[0])
        if stamp.needs_id and sid is None:
            continue
        claimed = label_spans + name_spans + id_spans
        claimed.sort()
        lines_text = _stamp_lines(text, used, label_spans + name_spans + id_spans)
        boxes = [b for b in (page.bbox_of(s, e) for s, e in claimed) if b is not None]
        where = Anchor(page.number, lines_text, merge_bboxes(boxes), (claimed[0][0], claimed[-1][1]))
        last = max((u for u in used if u is not None), key=lambda u: (u.row, u.order))
        first = min((u for u in used if u is not None), key=lambda u: (u.row, u.order))
        block, context, signed_on = _read_block(grid, used, first, page_dates, cfg, lines_text,
                                                label=text[m.start():m.end()].strip(), last=last, signer=name)
        if signed_on is None and not grid.shares_row(seg):
            signed_on = _nearby_date(claimed[0][0], claimed[-1][1], page_dates, cfg.ctx)
        envelope = envelopes.get(stamp.platform)
        yield Signature(
            kind="e_signature",
            where=where,
            signer_name=name,
            signed_on=signed_on,
            platform=stamp.platform,
            context=context,
            detail=_stamp_detail(stamp, name, sid, envelope),
            block=block,
            envelope_id=envelope,
        ), claimed


def _bare(word: str) -> str:
    return word.strip(",;:()[]")


def _next_label(text: str, spans: list[tuple[int, int]], labels: list[re.Pattern[str]]) -> int:
    """How many of ``spans`` come before another stamp label on the same line."""
    if not spans:
        return 0
    line = text[spans[0][0]:spans[-1][1]]
    first = min((m.start() for lab in labels for m in lab.finditer(line)), default=None)
    if first is None:
        return len(spans)
    at = spans[0][0] + first
    return sum(1 for s, _ in spans if s < at)


def _is_boundary(line: str, labels: list[re.Pattern[str]], cfg: _Cfg) -> bool:
    """A line that ends a stamp: another stamp's label or a field of the block ("Name:", "Date")."""
    stripped = line.strip()
    return bool(cfg.block["field"].match(stripped)) or any(lab.match(stripped) for lab in labels)


def _stamp_lines(text: str, used: list, spans: list[tuple[int, int]]) -> str:
    """The stamp's own words (label, name, id), one line per text line it spans."""
    wanted = set(spans)
    lines: list[str] = []
    for owner in sorted((u for u in used if u is not None), key=lambda u: (u.row, u.order)):
        words = [text[s:e] for s, e in owner.spans if (s, e) in wanted]
        if words:
            lines.append(" ".join(words))
    return "\n".join(lines)


def _stamp_detail(stamp: _Stamp, name: str | None, sid: str | None, envelope: str | None) -> str:
    parts = [stamp.what]
    parts.append(f"for {name}" if name else "with no signer name printed as text")
    if sid:
        parts[-1] += f", {stamp.id_name} {_short(sid)}"
    out = " ".join(parts)
    if envelope:
        out += f"; envelope {_short(envelope)}"
    return out


def _read_block(grid: _Grid, used: list, first: _Seg, page_dates: list[DateMention], cfg: _Cfg,
                mark_text: str, *, label: str = "", last: _Seg | None = None, signer: str | None = None):
    """The block a mark stands in, read in its column: heading above, Name / Title / Date lines
    below; with the column context kept for the mark and the block's date."""
    nums = cfg.block_numbers
    last = last or first
    labels = [s.label for s in cfg.stamps]
    heading: list[_Seg] = []
    prev = first
    for seg in grid.above(first, int(nums["lines_before"])):
        if _is_boundary(seg.text, labels, cfg) or _gap(prev, seg) > nums["heading_gap_lines"] * grid.line_height:
            break
        prev = seg
        if signer and _clean_name(seg.text) == signer:
            continue   # the signature's script printed as text above the name line
        heading.insert(0, seg)
    below: list[_Seg] = []
    for seg in grid.below(last, int(nums["lines_below"])):
        if any(lab.match(seg.text.strip()) for lab in labels):
            break
        below.append(seg)
    fields: dict[str, str] = {}
    for seg in below:
        for key in ("name", "title", "date"):
            fm = cfg.block[key].match(seg.text.strip())
            if fm and key not in fields and fm.group("value").strip(" _:."):
                fields[key] = fm.group("value").strip()
    region_segs = heading + [u for u in used if u is not None] + below
    region = merge_bboxes([s.bbox for s in region_segs if s.bbox is not None])
    page = grid.page
    block = SignatureBlock(
        heading="\n".join(s.text for s in heading),
        label=label or mark_text.split("\n")[0],
        signer_name=_clean_name(fields.get("name")),
        title=fields.get("title"),
        date_text=fields.get("date"),
        region=region,
        lines=tuple(Anchor(page.number, s.text, s.bbox, (s.start, s.end)) for s in region_segs),
        linear=grid.linear,
    )
    before = grid.above(first, int(nums["context_lines_before"]))[::-1]
    after = grid.below(last, int(nums["context_lines_after"]))
    context = "\n".join([s.text for s in before] + [mark_text] + [s.text for s in after])
    spans = [sp for s in [u for u in used if u is not None] + below for sp in s.spans]
    inside = [d for d in page_dates if any(s <= d.where.span[0] < e for s, e in spans)]  # type: ignore[index]
    signed = [d for d in inside if d.role == "signature"]
    pick = signed[0] if signed else next((d for d in inside if d.role in ("other", "signature")), None)
    return block, context, pick.value if pick else None


def _gap(lower: _Seg, upper: _Seg) -> float:
    """The white space between a line and the line above it (0 without boxes)."""
    if lower.y is None or upper.y is None:
        return 0.0
    return lower.y[0] - upper.y[1]


# ---- shared helpers --------------------------------------------------------------------------

def _context(text: str, start: int, end: int, ctx: dict) -> str:
    return text[max(0, start - int(ctx["chars_before"])): end + int(ctx["chars_after"])]


def _nearby_date(start: int, end: int, page_dates: list[DateMention], ctx: dict):
    """The signing date: the nearest signature-role date, else the nearest date just after."""
    window = int(ctx["date_window"])

    def distance(d: DateMention) -> int:
        s, e = d.where.span  # type: ignore[misc]
        return 0 if s < end and e > start else (s - end if s >= end else start - e)

    near = [d for d in page_dates if distance(d) <= window]
    signed = [d for d in near if d.role == "signature"]
    if signed:
        return min(signed, key=distance).value
    after = [d for d in near if d.where.span[0] >= start and d.role in ("other", "signature")]  # type: ignore[index]
    return min(after, key=distance).value if after else None


def _parse_date(text: str | None):
    if not text:
        return None
    text = re.sub(r"\s*/\s*", "/", text)  # audit trails print "03 / 05 / 2025"
    found = date_reader.find_dates((Page(number=None, text=text),))
    return found[0].value if found else None


def _clean_name(name: str | None) -> str | None:
    if not name:
        return None
    name = " ".join(name.split()).strip(" .,:;")
    if name.isupper() and len(name) > 3:
        name = name.title()   # certificates print names in capitals ("JOHN DOE")
    return name or None
