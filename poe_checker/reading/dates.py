"""Dates in a document, normalised, with what each one dates.

Recency is judged on the customer's signature or acknowledgement date, so a date is only useful
with its role: "Date Signed 6/5/2025" dates the signature, "Engagement Start and End Date
June 1, 2025 – September 10, 2025" dates the work. Roles come from the label just before the
date; the labels, month names and year bounds live in ``knowledge/dates.toml``.

Numeric dates such as 06/05/2025 are ambiguous. A slash or dash date with a part over 12
settles it for the whole document (13/05/2025 → day-first; 05/13/2025 → month-first; both
kinds → month-first); dotted dates (05.06.2025) are day-first; a weekday beside the date
("Tue 6/10/2025") settles that one date; otherwise the reading is month-first, as in the POE
template ("Date Signed 6/5/2025" is June 5, 2025). ``DateMention.day_first`` records how an
ambiguous date was read so evidence can say so.

Speed: every date holds a digit, so one compiled pattern that can only start at a digit scans
each page once (the regex engine skips to digits in C); month and weekday names in front of
the number, and labels, are then looked up only in the few characters before each date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
import functools
import re
from dataclasses import dataclass
from email.utils import format_datetime

from ..knowledge import load
from ..model import Anchor, DateMention, DateRole, Email, Page
from ._text import lowered, trie_pattern

_ORDINAL = r"(?:st|nd|rd|th)"
_END = r"(?![\w/]|[.,:\-]\d)"
"""A numeric date does not run on into a longer number, path, version or time."""
_BAD_BEFORE = frozenset(".,/$€£¥#+")
"""Characters that make the number after them part of something else: 1.2.3, $6.05, #12, +1-425."""


@dataclass(frozen=True)
class _Grammar:
    scan: re.Pattern
    months: dict[str, int]
    long_months: dict[int, tuple[str, ...]]
    """Month names of five letters or more by length: what an OCR misreading is mended to."""
    weekdays: dict[str, int]
    month_before: re.Pattern
    weekday_before: re.Pattern
    cues: re.Pattern
    cue_roles: dict[str, str]
    cue_window: int
    cue_reach: int
    connector: re.Pattern
    and_after: re.Pattern
    header_fields: re.Pattern
    header_requires: frozenset[str]
    header_chars: int
    attribution_before: re.Pattern
    attribution_after: re.Pattern
    attribution_chars: int
    year_min: int
    year_max: int
    pivot: int


@functools.lru_cache(maxsize=1024)
def _cue_key(text: str) -> str:
    """A label as written, reduced to what tells labels apart: "Kick-off" = "kick off" = "kickoff"."""
    return re.sub(r"[\s\-‐‑–]+", "", text.lower())


@functools.cache
def _grammar() -> _Grammar:
    k = load("dates")
    months = {name.lower(): int(num) for num, names in k["months"].items() for name in names}
    weekdays = {name.lower(): int(num) for num, names in k["weekdays"].items() for name in names}
    connectors = sorted((c.lower() for c in k["ranges"]["connectors"]), key=len, reverse=True)
    conn = "(?:" + "|".join(re.escape(c) + (r"(?!\w)" if c[-1].isalnum() else "") for c in connectors) + ")"
    month = trie_pattern(set(months))

    # Runs on lower-cased text. Every branch continues the digits of ``lead``, so the pattern
    # starts with a digit class and the engine skips straight from digit to digit.
    scan = re.compile(
        r"(?P<lead>\d(?<!\d\d)\d{0,3}+)(?:"
        # 2025-06-05, 2025/06/05, 2025-06-05T10:00:00Z
        r"(?<=\d{4})(?P<isep>[-/.])(?P<im>\d{1,2})(?P=isep)(?P<id>\d{1,2})"
        rf"(?:t\d{{1,2}}:\d{{2}}(?::\d{{2}}(?:[.,]\d+)?)?(?:z|[+-]\d{{2}}(?::?\d{{2}})?)?)?{_END}"
        # D:20250605... (PDF dates; the "D:" is checked in code)
        r"|(?<=\d{4})(?P<pm>\d{2})(?P<pd>\d{2})"
        # 6/5/2025, 06-05-25, 05.06.2025
        rf"|(?<!\d{{3}})(?P<nsep>[-/.])(?P<nb>\d{{1,2}})(?P=nsep)(?P<ny>\d{{4}}|\d{{2}}){_END}"
        # 5 June 2025, 5th of June, 2025, 5-Jun-25, 5. Juni 2025, 1 – 10 June 2025, 5 June (a range's first end)
        rf"|(?<!\d{{3}})(?:{_ORDINAL}|er|\.)?(?:\s{{0,3}}{conn}\s{{0,3}}(?P<dd2>\d{{1,2}})(?:{_ORDINAL}|er|\.)?)?"
        rf"(?:\s+(?:of|de)\s+|\s{{1,3}}|-|\s?\.\s?)(?P<m2>{month})(?:\.|(?![^\W\d_]))"
        r"(?:(?:,?\s{0,3}(?:de\s+)?|[-/]\s?)(?P<dy>\d{4})|-(?P<dy2>\d{2}))?(?!\d|[.,]\d)"
        # the day of "June 5, 2025", "June 1 – 10, 2025", "June 1 – September 10, 2025" (the month
        # before it is checked in code; a day without a year must start a range)
        rf"|(?<!\d{{3}}){_ORDINAL}?(?!\d)(?:"
        rf"\s{{0,3}}{conn}\s{{0,3}}(?P<md2>\d{{1,2}}){_ORDINAL}?\s?,?\s{{0,3}}(?P<my2>\d{{4}})(?!\d|[.,]\d)"
        r"|\s?,?\s{0,3}(?P<my>\d{4})(?!\d|[.,]\d)"  # "August 3 , 2014" (PDF text spacing)
        rf"|(?=\s{{0,3}}(?:{conn}|and(?!\w))\s{{0,3}}[^\W_])"
        r"))"
    )

    cues: dict[str, str] = {}
    for role, words in k["roles"].items():
        cues.update((_cue_key(c), role) for c in words)
    cues.update((_cue_key(c), "email_header") for c in k["email_header"]["cues"])
    words = {c.lower() for role_cues in k["roles"].values() for c in role_cues} | \
            {c.lower() for c in k["email_header"]["cues"]}
    header = k["email_header"]
    fields = {c.lower().rstrip(":").strip() for c in header["cues"]} | {"from", "to", "cc", "subject"} | \
             {r.lower() for r in header["requires"]}
    window = int(k["cues"]["window"])
    return _Grammar(
        scan=scan,
        months=months,
        long_months={n: tuple(sorted(w for w in months if len(w) == n and w.isalpha())) for n in range(5, 11)},
        weekdays=weekdays,
        month_before=re.compile(rf"({month})\.?[ \t\n\r\xa0]{{0,3}}\Z"),
        weekday_before=re.compile(rf"({trie_pattern(set(weekdays))})[.,]{{0,2}}[ \t]{{1,3}}\Z"),
        cues=re.compile(rf"(?:{trie_pattern(words)})(?:(?<=:)|(?!\w))"),
        cue_roles=cues,
        cue_window=window,
        cue_reach=window + max(len(w) for w in words) + 10,
        connector=re.compile(rf"\s*(?:{conn}|and(?!\w))\s*"),
        and_after=re.compile(r"(?:" + "|".join(re.escape(w.lower()) for w in k["ranges"]["and_after"]) + r")\W*$"),
        header_fields=re.compile(rf"(?<!\w)({trie_pattern(fields)})\s*:"),
        header_requires=frozenset(r.lower() for r in header["requires"]),
        header_chars=int(header["chars_around"]),
        attribution_before=re.compile(
            r"[\s>]*(?:" + "|".join(re.escape(w.lower()) for w in header["attribution_before"]) + r")[\s,]*"),
        attribution_after=re.compile("|".join(re.escape(w.lower()) for w in header["attribution_after"])),
        attribution_chars=int(header["attribution_chars"]),
        year_min=int(k["years"]["min"]),
        year_max=int(k["years"]["max"]),
        pivot=int(k["years"]["two_digit_pivot"]),
    )


@dataclass(slots=True)
class _Hit:
    """One date as scanned, before the document-wide day-first reading is known."""

    page: int
    start: int
    end: int
    year: int | None
    month: int = 0
    day: int = 0
    numeric: tuple[int, int, str] | None = None
    """(first part, second part, separator) of a D/M/Y-or-M/D/Y date, resolved later."""
    weekday: int | None = None
    same_month_end: int | None = None
    """The second day of "June 1 – 10, 2025"."""
    value: dt.date | None = None
    day_first: bool | None = None
    written: str | None = None
    """"day_month" ("5 June 2025") or "month_day" ("June 5, 2025") for dates with a month name."""
    because: str | None = None


def find_dates(pages: tuple[Page, ...], *, email: Email | None = None) -> tuple[DateMention, ...]:
    """Every date in ``pages`` with its role, plus the email's own sending date when given."""
    g = _grammar()
    lows = [(_repair_months(g, lowered(p.text)) if p.ocr else lowered(p.text)) if p.text else "" for p in pages]
    hits: list[_Hit] = []
    for index, low in enumerate(lows):
        if low:
            hits.extend(_scan(g, index, low))

    day_first_doc = _document_day_first(hits, lows)
    for hit in hits:
        _resolve(g, hit, day_first_doc)

    found: list[DateMention] = []
    if email is not None and email.sent_at is not None:
        found.append(DateMention(email.sent_at.date(), "email_sent",
                                 Anchor(None, f"Sent: {_header_text(email.sent_at)}", None)))
    by_page: dict[int, list[_Hit]] = {}
    for hit in hits:
        by_page.setdefault(hit.page, []).append(hit)
    for index, page_hits in by_page.items():
        found.extend(_mentions(g, pages[index], lows[index], page_hits))
    return tuple(found)


_WORD = re.compile(r"(?<![^\W\d_])[^\W\d_]{5,10}(?![^\W\d_])")


def _repair_months(g: _Grammar, low: str) -> str:
    """An OCR'd page with its misread month names mended ("janudry 9, 2025" → "january 9, 2025"): a
    word one letter off a month name of five letters or more, with a day or year right beside it.
    Same length, so positions still point into the page; the quoted text stays as OCR read it."""
    names = g.long_months
    out: list[str] | None = None
    for m in _WORD.finditer(low):
        word = m.group()
        if word in g.months:
            continue
        near_digit = re.match(r"[ \t.,]{0,3}\d", low[m.end():m.end() + 4]) or \
            re.search(r"\d[ \t.,]{0,3}\Z", low[max(0, m.start() - 4):m.start()])
        if not near_digit:
            continue
        fix = next((n for n in names.get(len(word), ()) if sum(a != b for a, b in zip(word, n)) == 1), None)
        if fix is not None:
            out = out if out is not None else list(low)
            out[m.start():m.end()] = fix
    return "".join(out) if out is not None else low


def _header_text(sent_at: dt.datetime) -> str:
    try:
        return format_datetime(sent_at)
    except (TypeError, ValueError):
        return sent_at.isoformat()


def _word_before(pattern: re.Pattern, low: str, pos: int) -> re.Match | None:
    """A whole word of ``pattern`` (a month, a weekday) ending just before ``pos``."""
    m = pattern.search(low, max(0, pos - 20), pos)
    if m is None or (m.start() and low[m.start() - 1].isalnum()):
        return None
    return m


def _scan(g: _Grammar, index: int, low: str) -> list[_Hit]:
    out: list[_Hit] = []
    months = g.months
    pos = 0
    search = g.scan.search
    while (m := search(low, pos)) is not None:
        hit = _hit(g, index, low, m, months)
        if hit is None:
            pos = m.end("lead")
            continue
        # "Tuesday, June 10, 2025", "Tue 6/10/2025": a weekday in front belongs to the date.
        before = _word_before(g.weekday_before, low, hit.start)
        if before is not None:
            hit.weekday = g.weekdays[before.group(1)]
            hit.start = before.start()
        out.append(hit)
        pos = m.end()
    return out


def _hit(g: _Grammar, index: int, low: str, m: re.Match, months: dict[str, int]) -> _Hit | None:
    start = m.start()
    lead = m.group("lead")
    if m.group("pm"):
        # D:20250605 only: the same digits without "D:" are an ID (ID 2025060512345).
        if low[max(0, start - 2):start] != "d:" or (start > 2 and low[start - 3].isalnum()):
            return None
        return _Hit(index, start - 2, m.end(), int(lead), int(m.group("pm")), int(m.group("pd")))
    if not (m.group("isep") or m.group("nsep") or m.group("m2")):
        # The day of "June 5, 2025": the month must stand right before it.
        word = _word_before(g.month_before, low, start) if len(lead) <= 2 else None
        if word is None:
            return None
        year, end2 = m.group("my") or m.group("my2"), m.group("md2")
        return _Hit(index, word.start(), m.end(), int(year) if year else None, months[word.group(1)], int(lead),
                    same_month_end=int(end2) if end2 else None, written="month_day")
    prev = low[start - 1] if start else " "
    if prev.isalnum() or prev == "_" or prev in _BAD_BEFORE or (prev == "-" and start > 1 and low[start - 2].isdigit()):
        return None
    if m.group("isep"):
        return _Hit(index, start, m.end(), int(lead), int(m.group("im")), int(m.group("id")))
    if len(lead) > 2:
        return None
    if m.group("nsep"):
        sep, b, y = m.group("nsep"), m.group("nb"), m.group("ny")
        # Two-digit years only where dates usually carry them: 6/5/25, or zero-padded 05.06.25 / 05-06-25.
        if len(y) == 2 and sep != "/" and not (len(lead) == 2 and len(b) == 2):
            return None
        return _Hit(index, start, m.end(), _year(g, y), numeric=(int(lead), int(b), sep))
    year, end2 = m.group("dy") or m.group("dy2"), m.group("dd2")
    return _Hit(index, start, m.end(), _year(g, year) if year else None, months[m.group("m2")], int(lead),
                same_month_end=int(end2) if end2 and year else None, written="day_month")


def _year(g: _Grammar, text: str) -> int:
    y = int(text)
    if len(text) == 2:
        y += 1900 if y >= g.pivot else 2000
    return y


def _document_day_first(hits: list[_Hit], lows: list[str]) -> tuple[bool, str]:
    """How this document writes ambiguous numeric dates, and why, from the document itself:
    slash or dash dates that can only be read one way; else the order of its dates written with a
    month name ("5 June 2025" is day-first usage, "June 5, 2025" month-first); else the countries
    its text names (a UK or German address, a US one). Month-first when nothing tells."""
    day_first = month_first = False
    for hit in hits:
        if hit.numeric is None or hit.numeric[2] == ".":
            continue
        a, b, _ = hit.numeric
        if a > 12 >= b:
            day_first = True
        elif b > 12 >= a:
            month_first = True
    if day_first != month_first:
        return day_first, "unambiguous_dates"
    dm = sum(1 for h in hits if h.written == "day_month" and h.year is not None)
    md = sum(1 for h in hits if h.written == "month_day" and h.year is not None)
    if dm != md and not (day_first and month_first):
        return dm > md, "written_dates"
    locale = _locale_cues()
    text = " ".join(low[:20000] for low in lows)
    dmc, mdc = len(locale[0].findall(text)), len(locale[1].findall(text))
    if dmc != mdc:
        return dmc > mdc, "countries"
    return False, ""


@functools.cache
def _locale_cues() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Words that place a document where dates are written day-first, and month-first."""
    k = load("dates")["locale"]
    return tuple(re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w.lower()) for w in k[key]) + r")(?!\w)")
                 for key in ("day_first", "month_first"))  # type: ignore[return-value]


def _resolve(g: _Grammar, hit: _Hit, document: tuple[bool, str]) -> None:
    """Set ``hit.value`` when the hit is a real date in the plausible years."""
    if hit.year is None or not g.year_min <= hit.year <= g.year_max:
        return
    if hit.numeric is None:
        hit.value = _date(hit.year, hit.month, hit.day)
        return
    a, b, sep = hit.numeric
    as_day_first = _date(hit.year, b, a)
    as_month_first = _date(hit.year, a, b)
    if as_day_first is None or as_month_first is None or a == b:
        hit.value = as_day_first or as_month_first
        return
    # Both readings are real dates: the weekday beside it, else the separator, else the document.
    wd = hit.weekday
    if wd is not None and (as_day_first.weekday() == wd) != (as_month_first.weekday() == wd):
        first, because = as_day_first.weekday() == wd, "weekday"
    elif sep == ".":
        first, because = True, "dot_separator"
    else:
        first, because = document[0], document[1] or "default_month_first"
    hit.value = as_day_first if first else as_month_first
    hit.day_first = first
    hit.because = because


def _date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def _label(g: _Grammar, low: str, hit: _Hit, floor: int) -> tuple[str, int | None]:
    """(role, label start) from the closest label before the date, on its line or the line before.

    A "Date:" or "Sent:" outside an email header block dates nothing in particular, so an earlier
    label still counts ("Signed by John Doe, CISO  Date: 6/5/2025" is a signature date).
    """
    start = hit.start
    line = _line_start(low, start)
    prev_line = _line_start(low, line - 1) if line > 0 else 0
    lo = max(floor, prev_line, start - g.cue_reach)
    found = [m for m in g.cues.finditer(low, lo, start)
             if m.end() >= start - g.cue_window and not (m.start() and low[m.start() - 1].isalnum())]
    plain = None
    for m in reversed(found):
        role = g.cue_roles.get(_cue_key(m.group()))
        if role is None:
            continue
        if role != "email_header":
            return role, m.start()
        if _email_header(g, low, hit.start, hit.end):
            return "email_sent", m.start()
        if plain is None:
            plain = m.start()
    if _attribution(g, low, hit.start, hit.end):
        return "email_sent", None
    return "other", plain


def _email_header(g: _Grammar, low: str, start: int, end: int) -> bool:
    fields = set(g.header_fields.findall(low, max(0, start - g.header_chars), end + g.header_chars))
    return g.header_requires <= fields


def _attribution(g: _Grammar, low: str, start: int, end: int) -> bool:
    """ "On Tue, Jun 10, 2025 at 9:35 AM John <j@x.com> wrote:" dates a quoted message."""
    if not g.attribution_before.fullmatch(low, _line_start(low, start), start):
        return False
    return g.attribution_after.search(low, end, end + g.attribution_chars) is not None


def _is_range(g: _Grammar, low: str, first: _Hit, second: _Hit, role: str) -> bool:
    gap = g.connector.fullmatch(low, first.end, second.start)
    if gap is not None:
        if gap.group().strip() == "and":
            return g.and_after.search(low, max(0, first.start - 20), first.start) is not None
        return True
    # "Engagement Start and End Date 6/1/2025 9/10/2025": a period label pairs two dates side by side.
    return role == "engagement_period" and not low[first.end:second.start].strip(" \t\n,;|")


def _mentions(g: _Grammar, page: Page, low: str, hits: list[_Hit]) -> list[DateMention]:
    anchor = page.anchor
    out: list[DateMention] = []
    floor = 0
    i = 0
    while i < len(hits):
        hit = hits[i]
        nxt = hits[i + 1] if i + 1 < len(hits) else None
        role, label = _label(g, low, hit, floor)
        label_start = label if label is not None else hit.start

        if hit.same_month_end is not None and hit.value is not None:
            end_value = _date(hit.value.year, hit.value.month, hit.same_month_end)
            if end_value is not None and end_value >= hit.value:
                out.extend(_range(anchor, hit.value, end_value, role, label_start, hit.end, hit.end))
                floor = hit.end
                i += 1
                continue

        if nxt is not None and nxt.value is not None and (hit.value is not None or hit.year is None) \
                and _is_range(g, low, hit, nxt, role):
            start_value = hit.value
            if start_value is None:  # "June 1 - September 10, 2025": the year comes from the end
                start_value = _date(nxt.value.year, hit.month, hit.day)
                if start_value is not None and start_value > nxt.value:
                    start_value = _date(nxt.value.year - 1, hit.month, hit.day)
            if start_value is not None and start_value <= nxt.value:
                out.extend(_range(anchor, start_value, nxt.value, role, label_start, hit.end, nxt.end,
                                  (hit.day_first, hit.because), (nxt.day_first, nxt.because)))
                floor = nxt.end
                i += 2
                continue

        if hit.value is not None:
            if role == "engagement_period":
                role = "engagement_start"
            out.append(DateMention(hit.value, role, anchor(label_start, hit.end), hit.day_first, hit.because))
        floor = hit.end
        i += 1
    return out


def _range(anchor: Callable[[int, int], Anchor], start: dt.date, end: dt.date, role: str, label_start: int, first_end: int,
           range_end: int, first: tuple[bool | None, str | None] = (None, None),
           second: tuple[bool | None, str | None] = (None, None)) -> list[DateMention]:
    """Both ends of a range: engagement start and end under an engagement label, else "other"."""
    engagement = role in ("engagement_start", "engagement_end", "engagement_period")
    start_role: DateRole = "engagement_start" if engagement else "other"
    end_role: DateRole = "engagement_end" if engagement else "other"
    return [
        DateMention(start, start_role, anchor(label_start, first_end), *first),
        DateMention(end, end_role, anchor(label_start, range_end), *second),
    ]
