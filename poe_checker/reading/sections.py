"""Where a document sets work out of its scope: exclusion sections, labelled items and clauses.

A SOW names products it will not touch ("Out of scope: Defender for Identity"), and a workload named
only there is not evidenced. Three shapes are read, with the cues in ``knowledge/sections.toml``:

1. a heading that names an exclusion ("7. Out of scope", "EXCLUSIONS", "Future phases") opens a
   section that runs, across pages, to the next heading of the same or a higher level (numbered
   headings compare their numbers, so a numbered list inside the section does not end it);
2. a label that opens a line ("Out of scope: ...", "Phase 2 (not included): ...") excludes the rest
   of its paragraph or list item;
3. a clause whose predicate excludes its subject ("Sentinel is out of scope") excludes that clause
   (clauses end at ``;``, ``but``, ``while``, so what the sentence keeps in scope stays in scope).

What a heading is comes from the text alone (numbering, capitals, the usual SOW headings) and,
where words have boxes, from type larger than the page's body text; the same reading serves a text
PDF, a scan, a DOCX and an email. Nothing here raises on a strange page: a page without lines gives
no exclusions.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from statistics import median

from .. import knowledge
from ..model import Anchor, Exclusion, Page

_NUMBER = re.compile(r"^\s*(?:(?:section|part|clause|article)\s+)?(?P<n>\d{1,2}(?:\.\d{1,2}){0,3})\.?\)?\s+(?=\S)",
                     re.IGNORECASE)
_LETTERED = re.compile(r"^\s*(?:[A-H]|[ivx]{1,4})[.)]\s+(?=[A-Z])")
_BULLET = re.compile(r"^\s*(?:[•●◦▪▫■□‣⁃∙·*\-–—]|\(?[a-z0-9]{1,3}[.)])\s+")
_SENTENCE_END = re.compile(r"[.!?;:]\s*$")
_HAS_LOWER = re.compile(r"[a-z]")


@dataclass(frozen=True, slots=True)
class _Cues:
    exclusion_headings: list[str]
    exclusion_label_cues: list[str]
    label_max_words: int
    label_max_lines: int
    subject_excluded: list[str]
    object_excluded: list[str]
    clause_breaks: str
    heading_max_words: int
    heading_taller: float
    usual_headings: list[str]
    section_max_lines: int


@dataclass(frozen=True, slots=True)
class _Compiled:
    cues: _Cues
    exclusion_heading: re.Pattern[str]
    usual_heading: re.Pattern[str]
    label_cue: re.Pattern[str]
    subject_excluded: re.Pattern[str]
    object_excluded: re.Pattern[str]
    clause_break: re.Pattern[str]


@functools.cache
def _compiled() -> _Compiled:
    cues = knowledge.load_as("sections", _Cues)
    either = lambda patterns: re.compile("(?:" + "|".join(f"(?:{p})" for p in patterns) + ")", re.IGNORECASE)
    return _Compiled(cues, either(cues.exclusion_headings), either(cues.usual_headings),
                     either(cues.exclusion_label_cues), either(cues.subject_excluded),
                     either(cues.object_excluded),
                     re.compile(cues.clause_breaks, re.IGNORECASE))


@dataclass(frozen=True, slots=True)
class _Line:
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class _Heading:
    number: tuple[int, ...] | None
    capitals: bool
    exclusion: bool
    known: bool
    """One of the usual SOW headings, or an exclusion heading."""


def find_exclusions(pages: tuple[Page, ...]) -> tuple[Exclusion, ...]:
    """Every place the document sets out of its scope, page by page, in reading order."""
    cfg = _compiled()
    found: list[Exclusion] = []
    open_section: tuple[_Heading, Anchor, int] | None = None   # heading, its anchor, lines read so far
    for page in pages:
        text = page.text or ""
        lines = list(_lines(text))
        body_height = _body_height(page)
        section_start: int | None = 0 if open_section else None
        i = 0
        while i < len(lines):
            line = lines[i]
            heading = _heading(line.text, page, line, body_height, cfg)
            if open_section is not None:
                if heading is not None and _ends(open_section[0], heading) \
                        or open_section[2] >= cfg.cues.section_max_lines:
                    if section_start is not None and section_start < line.start:
                        found.append(_section(page, section_start, lines[i - 1].end if i else line.start,
                                              open_section[1]))
                    open_section, section_start = None, None
                else:
                    open_section = (open_section[0], open_section[1], open_section[2] + 1)
            if heading is not None and heading.exclusion and open_section is None:
                open_section = (heading, page.anchor(line.start, line.end), 0)
                section_start = line.start
                i += 1
                continue
            if open_section is None:
                consumed = _label(page, lines, i, cfg, found)
                if consumed:
                    i += consumed
                    continue
                _clauses(page, line, cfg, found)
            i += 1
        if open_section is not None and section_start is not None and lines:
            found.append(_section(page, section_start, lines[-1].end, open_section[1]))
    return tuple(found)


def _section(page: Page, start: int, end: int, cue: Anchor) -> Exclusion:
    return Exclusion(page.number, start, end, cue, "section")


def _lines(text: str) -> Iterator[_Line]:
    pos = 0
    for raw in text.split("\n"):
        if raw.strip():
            yield _Line(pos, pos + len(raw), raw)
        pos += len(raw) + 1


def _body_height(page: Page) -> float | None:
    heights = [w.bbox[3] - w.bbox[1] for w in page.words if w.bbox is not None and w.bbox[3] > w.bbox[1]]
    return median(heights) if len(heights) >= 20 else None


def _heading(text: str, page: Page, line: _Line, body_height: float | None, cfg: _Compiled) -> _Heading | None:
    """The line read as a heading, or None when it is body text or a list item."""
    stripped = text.strip()
    if not stripped or len(stripped.split()) > cfg.cues.heading_max_words:
        return None
    number_match = _NUMBER.match(stripped)
    number = tuple(int(n) for n in number_match.group("n").split(".")) if number_match else None
    rest = stripped[number_match.end():] if number_match else _LETTERED.sub("", stripped, count=1)
    title = rest.strip().rstrip(":").strip()
    if not title or not title[0].isalpha() or (_SENTENCE_END.search(rest.rstrip(":")) and not rest.endswith(":")):
        return None
    exclusion = bool(cfg.exclusion_heading.fullmatch(title))
    capitals = not _HAS_LOWER.search(title) and sum(c.isalpha() for c in title) >= 4
    usual = bool(cfg.usual_heading.fullmatch(title))
    if number is not None and (title[0].isupper() or exclusion or usual):
        return _Heading(number, capitals, exclusion, exclusion or usual)
    if _BULLET.match(stripped):
        return None
    if exclusion or usual or capitals or _taller(page, line, body_height, cfg):
        return _Heading(None, capitals, exclusion, exclusion or usual)
    return None


def _taller(page: Page, line: _Line, body_height: float | None, cfg: _Compiled) -> bool:
    if body_height is None:
        return False
    box = page.bbox_of(line.start, line.end)
    return box is not None and (box[3] - box[1]) >= cfg.cues.heading_taller * body_height


def _ends(section: _Heading, heading: _Heading) -> bool:
    """Does ``heading`` close the exclusion section opened by ``section``?"""
    if section.number is not None:
        if heading.number is None:
            # an unnumbered heading closes a numbered section when it is one of the usual headings
            # or written in capitals; a title-case line in larger type may be the section's own
            # sub-heading ("Identity") and does not
            return heading.capitals or heading.known
        own = section.number
        return heading.number[:len(own)] != own and heading.number > own
    # an unnumbered section: numbered lines below it are its list, unless they are headings the
    # document plainly uses ("8. Responsibilities"); any unnumbered heading closes it
    return heading.number is None or heading.known


def _label(page: Page, lines: list[_Line], i: int, cfg: _Compiled, found: list[Exclusion]) -> int:
    """Shape 2: "Out of scope: ..." opening line ``i``; returns how many lines it excludes."""
    line = lines[i]
    body = _BULLET.sub("", line.text, count=1)
    offset = line.start + (len(line.text) - len(body))
    colon = re.search(r"[:–—]|\s-\s", body)
    if colon is None:
        return 0
    label = body[:colon.start()]
    if not label.strip() or len(label.split()) > cfg.cues.label_max_words or not cfg.label_cue.search(label):
        return 0
    last = i
    while not _SENTENCE_END.search(lines[last].text.rstrip(":")) and last + 1 < len(lines) \
            and last - i + 1 < cfg.cues.label_max_lines:
        nxt = lines[last + 1].text
        if _BULLET.match(nxt) or _heading(nxt, page, lines[last + 1], None, cfg) is not None:
            break
        last += 1
    cue_end = offset + colon.end()
    found.append(Exclusion(page.number, cue_end, lines[last].end, page.anchor(offset, offset + colon.start()),
                           "label"))
    return last - i + 1


def _clauses(page: Page, line: _Line, cfg: _Compiled, found: list[Exclusion]) -> None:
    """Shape 3: clauses of this line whose predicate excludes their subject or their object.

    A sentence wrapped over two lines ("... Defender for\\nIdentity is out of scope") keeps its
    subject: the clause before a predicate is looked for back into the previous line, unless this
    line opens a list item of its own."""
    text = page.text or ""
    for m in cfg.subject_excluded.finditer(text, line.start, line.end):
        back_from = line.start if _starts_item(text, line.start) else \
            max(0, text.rfind("\n", 0, max(0, line.start - 1)) + 1)
        breaks = [b.end() for b in cfg.clause_break.finditer(text, back_from, m.start())]
        _add_clause(page, breaks[-1] if breaks else back_from, m.end(), m, found)
    for m in cfg.object_excluded.finditer(text, line.start, line.end):
        after = cfg.clause_break.search(text, m.end(), min(len(text), line.end + 200))
        _add_clause(page, m.start(), after.start() if after else line.end, m, found)


def _add_clause(page: Page, start: int, end: int, cue: re.Match[str], found: list[Exclusion]) -> None:
    text = page.text or ""
    while start < end and text[start].isspace():
        start += 1
    if end > start:
        found.append(Exclusion(page.number, start, end, page.anchor(cue.start(), cue.end()), "clause"))


def _starts_item(text: str, start: int) -> bool:
    """Does the line at ``start`` open a list item or a paragraph of its own?"""
    return bool(_BULLET.match(text[start:start + 8]))


@dataclass(frozen=True, slots=True)
class HeadedBody:
    """A heading on a page and the text under it, up to the next heading or the page's end
    (character offsets into the page text). A scope often names a product only in a heading
    ("3.2 Microsoft Intune") and states the work in the lines below it."""

    heading_start: int
    heading_end: int
    body_end: int


def headed_bodies(page: Page) -> tuple[HeadedBody, ...]:
    """Every heading of the page with the body it heads, in reading order. A list item is never a
    heading here; a numbered line is one only when it reads as a title (no full stop)."""
    cfg = _compiled()
    text = page.text or ""
    body_height = _body_height(page)
    heads = [line for line in _lines(text) if _heading(line.text, page, line, body_height, cfg) is not None]
    out = []
    for i, line in enumerate(heads):
        end = heads[i + 1].start - 1 if i + 1 < len(heads) else len(text)
        out.append(HeadedBody(line.start, line.end, max(line.end, end)))
    return tuple(out)
