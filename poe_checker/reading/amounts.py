"""Money amounts in a document: value, currency and the label in front of them.

The invoice rule needs "the amount in US dollars", so an amount counts only with a currency
mark, and the mark is read strictly. Symbols, ISO codes and currency names come from
``knowledge/currencies.toml``.

How the text is read (document-wide means: over all ``pages`` passed in):

* Currency: a code or symbol before the number ("USD 1,500", "US$ 1,500", "€1.500,00", "USD1500",
  "$      1,000.00"), or a code, symbol or name after it ("1.500,00 EUR", "1,500 US Dollars").
  When both are written ("$1,000.00 USD") the code wins. A bare "$" (or "dollars") is USD unless
  the document also names another dollar currency (CAD, AUD, NZD, SGD, HKD, MXN ... as a code, a
  symbol such as "C$", or a name such as "Canadian dollars", anywhere in its text); then its
  currency is None and the rules decide. (A stray "CAD" such as "CAD drawings" also makes "$"
  unknown: the cautious side.)
* Separators: when both "," and "." occur, the last one is the decimal mark ("1.500,00" and
  "1,500.00" are both 1500.00). A single separator followed by exactly three digits groups
  thousands ("1,500" and "1.500" are 1500) except for currencies with three minor digits
  (BHD, KWD ...) or after a lone 0 ("0.500"); followed by one or two digits it is the decimal
  mark ("$6.05", "12,5 €"). Repeated separators group ("1.500.000", Indian "1,25,000.00"), as do
  spaces, no-break spaces and apostrophes ("EUR 1 500,00", "CHF 1'500.00"), except after "$" or
  "USD" without cents, which never group with spaces ("$500 250 licences" is $500).
* Bare numbers are not amounts, except after a strong label such as "Total", "Amount due" or
  "Proposed payout" (``[labels].bare_number``) on the same line: the number is then in the
  currency the label itself names, written before a ":", ")" or "=" ("Proposed payout (USD): 1956",
  "Amount in USD: 1,000"), or, when the number has cents ("Total 1,500.00"), in the one currency
  every marked amount of the document uses. Otherwise it is left out.
* A minus sign before the digits or the mark makes the amount negative ("-$100", "€ -9,32",
  "-100 EUR"); parentheses do not ("(USD 1,620.00)" is usually an aside, not a credit).
* A four-digit number right after a month name is a year ("31 mei 2015 € 9,32"), not an amount.
* ``label`` is the text in front of the amount on its line, from the first label word of
  ``[labels].cues`` ("Total", "Invoice amount (USD)", "VAT"), else a short text cell before it,
  else the column header above it in a tab-separated table, else a short label line just above.

``where`` covers the amount as written; for a bare number it starts at its label, which is
where its currency was read.

Speed: every amount holds a digit, so the pattern starts at digits only (the regex engine skips
to them in C); marks and labels in front are looked up in the few characters before.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ..knowledge import load
from ..model import Amount, Anchor, Page
from ._text import lowered, trie_pattern

_SPACES = " \u00a0\u202f\u2009"
_PRE_GAP = 8
"""Accounting layouts pad between the symbol and the number: "$      1,000.00"."""
_POST_GAP = r"[ \u00a0\u202f]?"
_BARE_TAIL = 40
"""Most characters between a strong label and its bare number: "Invoice amount (USD) in total: 1956"."""
_STOP = frozenset({"of", "is", "at", "in", "for", "and", "or", "the", "to", "plus", "with"})
"""Words trimmed from the ends of a label: "total amount due of" → "total amount due"."""
_TRIM = " \t\n\r\xa0\u202f:=-–—*#\\"
_COLUMN_BREAK = re.compile(r"\t|\||\s{3,}")
_BAD_BEFORE = frozenset(".,/-_")
"""A number right after these continues a date, version, ID or path (2025-06-05, v1.2)."""
_MINUS = "-−"
_NO_SPACE_GROUPS = frozenset({"$", "USD"})

# A number with thousands groups and decimals in any of the usual conventions. It starts with a
# plain digit class so the engine can skip from digit to digit.
_NUMBER = (
    r"(?P<num>\d(?<![0-9a-oq-rt-z.,/_]\d)(?<!\d-\d)(?:"  # not inside a word, number, date or version
    r"\d?(?:,\d\d)+,\d{3}(?:\.\d{1,2})?"                                     # 1,25,000.00 (lakh grouping)
    rf"|\d{{0,2}}(?P<g>[,.'{_SPACES}])\d{{3}}(?:(?P=g)\d{{3}})*(?:[.,]\d{{1,2}})?"  # 1,500.00  1.500,00  1 500
    r"|\d*(?:[.,]\d{1,3})?"                                                      # 1500  6.05  12,5
    r"))(?!\d|[.,]\d)"
)


@dataclass(frozen=True)
class _Grammar:
    scan: re.Pattern
    marks: dict[str, str]
    """Code, alias, symbol or lower-cased name → ISO code or "$"."""
    mark_lengths: tuple[int, ...]
    mark_ends: frozenset[str]
    """Last characters of written marks: a number with none of these before it has no prefix mark."""
    mark_in_text: re.Pattern
    other_written: re.Pattern
    other_names: tuple[str, ...]
    three_decimals: frozenset[str]
    bare_cues: re.Pattern
    bare_reach: int
    label_cues: re.Pattern
    tail_stop: frozenset[str]
    months: frozenset[str]


@functools.cache
def _grammar() -> _Grammar:
    k = load("currencies")
    codes = {c: c for c in k["codes"]["iso"]}
    codes.update(k["aliases"])
    symbols = dict(k["symbols"])
    names = {n.lower(): c for n, c in k["names"].items()}
    written = {**codes, **symbols}

    written_re = trie_pattern(set(written))
    named_re = trie_pattern(set(names))
    # A mark followed by a number is that number's prefix ("2\t$50.00" is not "2 $").
    # ... unless that number carries the same mark after it: "0,75 € 0,75 €" is two amounts.
    post = (rf"(?P<post>{written_re}|(?i:{named_re}))(?![A-Za-z])"
            rf"(?!{_POST_GAP}-?\d(?![\d.,']*{_POST_GAP}(?P=post)))")
    firsts = {m[0] for m in written} | {n[0] for n in names} | {n[0].upper() for n in names}
    guard = rf"(?={_POST_GAP}[{re.escape(''.join(sorted(firsts)))}])"  # cheap test before trying every mark
    scan = re.compile(rf"{_NUMBER}(?:{guard}{_POST_GAP}{post})?")

    others = set(k["dollar"]["others"])
    other_written = re.compile(trie_pattern({m for m, c in written.items() if c in others}))
    other_names = tuple(sorted(n for n, c in names.items() if c in others))
    labels = {c.lower() for c in k["labels"]["cues"]}
    bare = {c.lower() for c in k["labels"]["bare_number"]}
    return _Grammar(
        scan=scan,
        marks={**written, **names},
        mark_lengths=tuple(sorted({len(m) for m in written}, reverse=True)),
        mark_ends=frozenset(m[-1] for m in written),
        mark_in_text=re.compile(rf"(?<![A-Za-z])(?:{written_re})(?![A-Za-z])|(?i:\b(?:{named_re})\b)"),
        other_written=other_written,
        other_names=other_names,
        three_decimals=frozenset(k["decimals"]["three"]),
        bare_cues=re.compile(rf"(?:{trie_pattern(bare)})(?!\w)"),  # word start checked in code
        bare_reach=_BARE_TAIL + max(len(c) for c in bare),
        label_cues=re.compile(rf"(?<!\w)(?:{trie_pattern(labels)})(?!\w)"),
        tail_stop=frozenset(ch for m in symbols for ch in m if not ch.isalnum() and ch not in ".,'")
        | frozenset("0123456789\n"),
        months=frozenset(n.lower() for names in load("dates")["months"].values() for n in names),
    )


@dataclass(slots=True)
class _Hit:
    page: int
    start: int
    end: int
    number: str
    mark: str | None
    """ISO code, "$" (dollar of unknown kind) or None (bare number after a strong label)."""
    label: str | None = None
    cents: bool = False
    negative: bool = False


def find_amounts(pages: tuple[Page, ...]) -> tuple[Amount, ...]:
    """Every money amount in ``pages``, in reading order (see the module docstring for the rules)."""
    g = _grammar()
    lows = [lowered(p.text) for p in pages]
    hits: list[_Hit] = []
    for index, page in enumerate(pages):
        if page.text:
            hits.extend(_scan(g, index, page.text, lows[index]))
    if not hits:
        return ()

    if any(h.mark == "$" for h in hits):
        usd = not any(_other_dollar(g, p.text, low) for p, low in zip(pages, lows) if p.text)
        for h in hits:
            if h.mark == "$":
                h.mark = "USD" if usd else None
    currencies = {h.mark for h in hits if h.mark is not None and h.label is None}
    single = next(iter(currencies)) if len(currencies) == 1 else None

    out: list[Amount] = []
    floor: dict[int, int] = {}
    anchors: dict[int, Callable[[int, int], Anchor]] = {}
    for h in hits:
        page = pages[h.page]
        if h.label is not None:  # a bare number after a strong label
            if h.mark is None:
                if single is None or not h.cents:
                    continue
                h.mark = single
            label = h.label
        else:
            label = _label(g, page.text, lows[h.page], h.start, floor.get(h.page, 0))
        value = _value(h.number, h.mark in g.three_decimals)
        if value is None:
            continue
        if h.negative:
            value = -value
        if h.page not in anchors:
            anchors[h.page] = page.anchor
        out.append(Amount(value, h.mark, anchors[h.page](h.start, h.end), label))
        floor[h.page] = h.end
    return tuple(out)


def _mark_of(g: _Grammar, written: str) -> str | None:
    """The currency of a mark as written ("USD", "€", "US\r\nDollars")."""
    return g.marks.get(written) or g.marks.get(" ".join(written.lower().split()))


def _other_dollar(g: _Grammar, text: str, low: str) -> bool:
    """Whether ``text`` names a dollar other than the US one ("CAD", "C$", "Canadian dollars")."""
    for m in g.other_written.finditer(text):
        pos, end = m.start(), m.end()
        mark = m.group()
        if not (pos and mark[0].isalpha() and text[pos - 1].isalpha()) and \
                not (end < len(text) and mark[-1].isalpha() and text[end].isalpha()):
            return True
    return any(name in low for name in g.other_names)


def _scan(g: _Grammar, index: int, text: str, low: str) -> list[_Hit]:
    out: list[_Hit] = []
    marks = g.marks
    mark_ends = g.mark_ends
    last_end = hit_end = 0
    for m in g.scan.finditer(text):
        start, number, post = m.start(), m.group("num"), m.group("post")
        prev_end, last_end = last_end, m.end()
        after = _mark_of(g, post) if post else None
        # A minus sign right before the digits ("€ -9,32", "-100 EUR"), not a dash after a digit.
        begin = start
        negative = start > 0 and text[start - 1] in _MINUS and not (start > 1 and text[start - 2].isalnum())
        if negative:
            begin -= 1
        j = begin
        while j > 0 and begin - j < _PRE_GAP and text[j - 1] in _SPACES:
            j -= 1
        pre = _mark_before(g, text, j) if j > hit_end and text[j - 1] in mark_ends else None
        # ... unless that mark closed the previous amount ("0,75 € 0,75 €").
        if pre is not None and pre[1] >= hit_end:
            # "$1,000.00 USD": the code after the number says which dollar the symbol meant.
            mark = after if after is not None and after != "$" else marks[pre[0]]
            end = m.end()
            group = m.group("g")
            if mark in _NO_SPACE_GROUPS and after is None and group and group in _SPACES \
                    and not _has_decimals(number):
                # Dollar amounts never group with spaces: "$500 250 licences" is $500.
                number = number.split(m.group("g"))[0]
                end = start + len(number)
            begin = pre[1]
            if not negative and begin > 0 and text[begin - 1] in _MINUS:  # "-$100"
                negative, begin = True, begin - 1
            out.append(_Hit(index, begin, end, number, mark, negative=negative))
            hit_end = end
            continue
        prev = text[begin - 1] if begin else " "
        if prev.isalnum() or prev in _BAD_BEFORE:
            continue
        if len(number) == 4 and _after_month(g, text, begin):  # "31 mei 2015 € -9,32": a year, not euros
            continue
        if after is not None:
            out.append(_Hit(index, begin, m.end(), number, after, negative=negative))
            hit_end = m.end()
            continue
        cents = len(number) > 3 and number[-3] in ".," and number[-2:].isdigit()
        # A bare number needs cents, or a label that names its currency and ends in ":", ")" or "="
        # ("Proposed payout (USD): 1956"), so "migrate 1,200 mailboxes" costs no label search.
        if not cents and text[j - 1:j] not in (":", ")", "="):
            continue
        # The label's tail holds no digits, so it starts after the previous number.
        lo = max(text.rfind("\n", 0, start) + 1, start - g.bare_reach, prev_end)
        segment = text[lo:start]
        if not segment.strip() or (not cents and segment.lower() == segment):
            continue
        bare = _bare(g, text, low, lo, start, m.end(), number, index, cents)
        if bare is not None:
            out.append(bare)
            hit_end = m.end()
    return out


def _after_month(g: _Grammar, text: str, pos: int) -> bool:
    j = pos
    while j > 0 and pos - j < 3 and text[j - 1] in " ,.\xa0":
        j -= 1
    k = j
    while k > 0 and j - k < 12 and text[k - 1].isalpha():
        k -= 1
    return k < j and text[k:j].lower() in g.months


def _mark_before(g: _Grammar, text: str, j: int) -> tuple[str, int] | None:
    """(mark, its start) of a currency code or symbol ending at ``j``."""
    for length in g.mark_lengths:
        k = j - length
        if k < 0:
            continue
        mark = text[k:j]
        if mark in g.marks and not (k > 0 and mark[0].isalpha() and text[k - 1].isalpha()):
            return mark, k
    return None


def _bare(g: _Grammar, text: str, low: str, lo: int, start: int, end: int, number: str, index: int,
          cents: bool) -> _Hit | None:
    """A number without a mark after a strong label on its line ("Proposed payout (USD): 1956")."""
    cue = None
    for m in g.bare_cues.finditer(low, lo, start):
        if (start - m.end() <= _BARE_TAIL and not (m.start() and low[m.start() - 1].isalnum())
                and not any(ch in g.tail_stop for ch in text[m.end():start])):
            cue = m
            break
    if cue is None:
        return None
    tail = text[cue.end():start]
    named = [_mark_of(g, t.group()) for t in g.mark_in_text.finditer(tail)]
    named = [n for n in named if n is not None]
    label = _clean(text[cue.start():start]) or text[cue.start():cue.end()]
    return _Hit(index, cue.start(), end, number, named[-1] if named else None, label, cents)


def _has_decimals(number: str) -> bool:
    return len(number) > 2 and (number[-2] in ".," or (number[-3] in ".," and number[-2] != " "))


def _value(number: str, three_decimals: bool) -> Decimal | None:
    s = number
    for ch in _SPACES + "'":
        s = s.replace(ch, "")
    commas, dots = s.count(","), s.count(".")
    if commas and dots:
        dec = "," if s.rfind(",") > s.rfind(".") else "."
        if s.count(dec) != 1:
            return None
        whole, frac = s.split(dec)
        whole = whole.replace("." if dec == "," else ",", "")
    elif commas or dots:
        parts = s.split("," if commas else ".")
        if len(parts) > 2:
            whole, frac = "".join(parts), ""
        elif len(parts[1]) == 3 and not three_decimals and parts[0] != "0":
            whole, frac = parts[0] + parts[1], ""
        else:
            whole, frac = parts
    else:
        whole, frac = s, ""
    try:
        return Decimal(f"{whole}.{frac}" if frac else whole)
    except InvalidOperation:
        return None


def _label(g: _Grammar, text: str, low: str, start: int, floor: int) -> str | None:
    """The words naming the amount at ``start``: label cue on its line, short cell, or column header."""
    line = text.rfind("\n", 0, start) + 1
    seg_start = max(line, floor)
    segment = text[seg_start:start]
    cue = g.label_cues.search(low, max(seg_start, start - 50), start)
    if cue is not None:
        label = _clean(text[cue.start():start])
        if label:
            return label
    breaks = list(_COLUMN_BREAK.finditer(segment))
    cell = _clean(segment[breaks[-1].end():] if breaks else segment)
    if cell and len(cell) <= 50 and len(cell.split()) <= 6 and any(ch.isalpha() for ch in cell):
        return cell
    if "\t" in text[line:start]:
        header = _column_header(text, line, start)
        if header:
            return header
    if line > 0 and not segment.strip():  # "Amount due" on the line above the amount
        prev = _clean(text[text.rfind("\n", 0, line - 1) + 1:line - 1])
        if prev and len(prev) <= 50 and not any(ch.isdigit() for ch in prev) \
                and g.label_cues.search(prev.lower()):
            return prev
    return None


def _clean(label: str) -> str:
    label = label.strip(_TRIM)
    while label:
        head, _, last = label.rpartition(" ")
        if last.lower() not in _STOP:
            break
        label = head.strip(_TRIM)
    while label:
        first, _, rest = label.partition(" ")
        if first.lower() not in _STOP:
            break
        label = rest.strip(_TRIM)
    return label


def _column_header(text: str, line: int, start: int) -> str | None:
    """The header cell above the amount's cell in a tab-separated table, up to 10 rows up."""
    line_end = text.find("\n", start)
    cells = text[line:line_end if line_end >= 0 else len(text)].split("\t")
    column = text[line:start].count("\t")
    pos = line - 1
    for _ in range(10):
        if pos <= 0:
            return None
        prev = text.rfind("\n", 0, pos) + 1
        above = text[prev:pos].split("\t")
        if len(above) != len(cells):
            return None
        head = above[column].strip()
        if head and not any(ch.isdigit() for ch in head) and any(ch.isalpha() for ch in head) \
                and len(head.split()) <= 8:
            return head
        pos = prev - 1
    return None
