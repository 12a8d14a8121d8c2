"""activity_detail: the activities are stated in detail, not as generic tasks or product benefits.

The guide's core requirement 3 names what detail is: numbers of users or infrastructure per
workload, timelines, the customer's current challenge and how the work addresses it, and the
services explained per workload. The rule finds those four kinds of detail as signals in the
text of the readable documents (an email's quoted history included) and counts the kinds:
enough kinds pass, too few fail, and the middle is left to a person. Generic phrases (the
guide's own invalid example, marketing benefits) are quoted to show why a scope reads as
generic. Every cue and threshold lives in ``knowledge/activity.toml``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.matcher import PhraseMatcher

from .. import knowledge, nlp
from ..reading._text import lowered
from ..model import CheckResult, Claim, Document, Evidence, Package, Page
from ..reading.sections import headed_bodies
from ..reading.tickboxes import page_zones
from ..workloads import Workload, catalogue, claimed, find_mentions, reading_pages
from . import support
from .support import Hit, quote_around

RULE = "activity_detail"
KINDS = ("quantities", "timeline", "challenge", "actions")
_GENERIC_QUOTED = 6


@dataclass(frozen=True)
class _Config:
    pass_min_kinds: int
    fail_max_kinds: int
    generic_per_kind: int
    generic_share_per_kind: float
    per_kind: int
    ignore_doc_types: frozenset[str]
    labels: dict[str, str]
    fixes: dict[str, str]
    generic_fix: str
    quantity: re.Pattern[str]
    labelled_quantity: tuple[re.Pattern[str], ...]
    not_after: frozenset[str]
    year_not_after: frozenset[str]
    timeline: tuple[re.Pattern[str], ...]
    """Timeline patterns run over the whole text."""
    timeline_digits: tuple[re.Pattern[str], ...]
    """Timeline patterns that need a digit: run on the lines holding one."""
    timeline_dated: tuple[re.Pattern[str], ...]
    """Timeline patterns that need a date: run on the lines ``date_hint`` finds something in."""
    date_hint: re.Pattern[str]
    date_roles: frozenset[str]
    challenge: re.Pattern[str]
    situation: re.Pattern[str]
    """Present-tense words that are a challenge only beside ``situation_needs`` on their line."""
    situation_needs: re.Pattern[str]
    verbs: PhraseMatcher
    max_verb_distance: int
    nominal: PhraseMatcher
    work_min_words: int
    prose_min_words: int
    lead_in_lines: int
    generic: PhraseMatcher
    boilerplate: re.Pattern[str] | None


@nlp.once
def _config() -> _Config:
    cfg = knowledge.load("activity")
    frags = dict(cfg.get("fragments", {}))
    for _ in range(3):  # fragments may use each other ({date} uses {month})
        frags = {k: _fill(v, frags) for k, v in frags.items()}
    q = cfg["quantities"]
    units = "|".join(q["units"])
    between = int(q.get("max_words_between", 3))
    quantity = _compile(
        rf"(?<![\w.,/-])(?P<num>{frags['number']})(?:\s*[-–]\s*|\s+)(?:[\w&/+.-]+\s+){{0,{between}}}?"
        rf"(?:{units})\b")
    labelled = tuple(_compile(_fill(p, frags).replace("UNITS", units)) for p in q.get("labelled", ()))
    decision = cfg["decision"]
    return _Config(
        pass_min_kinds=int(decision["pass_min_kinds"]),
        fail_max_kinds=int(decision["fail_max_kinds"]),
        generic_per_kind=int(decision["generic_phrases_per_kind"]),
        generic_share_per_kind=float(decision["generic_share_per_kind"]),
        per_kind=int(decision.get("evidence_per_kind", 2)),
        ignore_doc_types=frozenset(decision.get("ignore_doc_types", ())),
        labels={k: cfg["kinds"][k]["label"] for k in KINDS},
        fixes={k: cfg["kinds"][k]["fix"] for k in KINDS},
        generic_fix=cfg["generic"]["fix"],
        quantity=quantity,
        labelled_quantity=labelled,
        not_after=frozenset(w.lower() for w in q.get("not_after", ())),
        year_not_after=frozenset(w.lower() for w in q.get("year_not_after", ())),
        timeline=tuple(_compile(_fill(p, frags)) for p in cfg["timeline"].get("wordy_patterns", ())),
        timeline_digits=tuple(_compile(_fill(p, frags)) for p in cfg["timeline"]["patterns"] if "{date}" not in p),
        timeline_dated=tuple(_compile(_fill(p, frags)) for p in cfg["timeline"]["patterns"] if "{date}" in p),
        date_hint=_compile(frags["date_hint"]),
        date_roles=frozenset(cfg["timeline"].get("date_roles", ())),
        challenge=_compile("|".join(f"(?:{p})" for p in cfg["challenge"]["patterns"])),
        situation=_compile("|".join(f"(?:{p})" for p in cfg["challenge"]["situation"])),
        situation_needs=_compile(cfg["challenge"]["situation_needs"]),
        verbs=nlp.phrase_matcher({"verb": cfg["actions"]["verbs"]}),
        max_verb_distance=int(cfg["actions"].get("max_verb_distance", 160)),
        nominal=nlp.phrase_matcher({"nominal": cfg["per_workload"]["nominal_actions"]}),
        work_min_words=int(cfg["per_workload"]["work_min_words"]),
        prose_min_words=int(cfg["per_workload"]["prose_min_words"]),
        lead_in_lines=int(cfg["per_workload"]["lead_in_lines"]),
        generic=nlp.phrase_matcher({"generic": cfg["generic_phrases"]["phrases"]}),
        boilerplate=(_compile("|".join(f"(?:{p})" for p in cfg["boilerplate"]["lines"]))
                     if cfg.get("boilerplate", {}).get("lines") else None),
    )


def _compile(pattern: str) -> re.Pattern[str]:
    """Patterns run on lower-cased text (three times faster than IGNORECASE), so must be lower case."""
    if re.search(r"(?<!\\)[A-Z]", re.sub(r"\(\?P[<=]|UNITS", "", pattern)):
        raise ValueError(f"activity.toml: pattern {pattern!r} must be written in lower case")
    return re.compile(pattern)


def _fill(pattern: str, frags: dict[str, str]) -> str:
    for name, value in frags.items():
        pattern = pattern.replace("{" + name + "}", value)
    return pattern


# ---- signals in one text --------------------------------------------------------------------

_DIGIT = re.compile(r"\d")
_SECTION_NUMBER = re.compile(r"\d{1,2}(?:\.\d{1,2}){1,3}\.?")


def _digit_lines(text: str) -> list[tuple[int, int]]:
    """Lines holding a digit: counts and dates need one, and the long patterns run only there."""
    out = []
    pos = 0
    while (m := _DIGIT.search(text, pos)) is not None:
        start = text.rfind("\n", 0, m.start()) + 1
        end = text.find("\n", m.end())
        end = len(text) if end == -1 else end
        out.append((start, end))
        pos = end + 1
    return out


def _quantities(text: str, lines: list[tuple[int, int]], cfg: _Config) -> list[tuple[int, int]]:
    out = []
    for line_start, line_end in lines:
        pos = line_start
        while (m := cfg.quantity.search(text, pos, line_end)) is not None:
            if _is_count(text, m.start("num"), m.group("num"), cfg):
                out.append((m.start(), m.end()))
                pos = m.end()
            else:
                pos = m.end("num")
        for pattern in cfg.labelled_quantity:
            out.extend(m.span() for m in pattern.finditer(text, line_start, line_end))
    return out


def _is_count(text: str, start: int, number: str, cfg: _Config) -> bool:
    """Not a version ("Windows 10"), a product ("Office 365"), a year ("in 2025 users") or the number
    of a section heading ("3.2 Microsoft Defender for Endpoint")."""
    if _SECTION_NUMBER.fullmatch(number) and not text[text.rfind("\n", 0, start) + 1:start].strip():
        return False
    before = re.search(r"([A-Za-z]+)\W{0,2}$", text[max(0, start - 30):start])
    word = before.group(1).lower() if before else ""
    if word in cfg.not_after:
        return False
    digits = re.sub(r"\D", "", number)
    if len(digits) == 4 and number.strip().isdigit() and 1990 <= int(digits) <= 2100 and word in cfg.year_not_after:
        return False
    return True


def _timeline(text: str, lines: list[tuple[int, int]], cfg: _Config) -> list[tuple[int, int]]:
    out = [m.span() for p in cfg.timeline for m in p.finditer(text)]
    for start, end in lines:
        out.extend(m.span() for p in cfg.timeline_digits for m in p.finditer(text, start, end))
        if cfg.date_hint.search(text, start, end):
            out.extend(m.span() for p in cfg.timeline_dated for m in p.finditer(text, start, end))
    return out


def _challenge(text: str, cfg: _Config) -> list[tuple[int, int]]:
    """Problem statements, and present-tense words ("currently") on a line that states a lack or
    gives a count or version: a word alone is no challenge."""
    out = [m.span() for m in cfg.challenge.finditer(text)]
    for m in cfg.situation.finditer(text):
        start = max(text.rfind("\n", 0, m.start()), *(text.rfind(p, 0, m.start()) for p in _STOPS)) + 1
        ends = [e for e in (text.find(p, m.end()) for p in ("\n", *_STOPS)) if e != -1]
        sentence = text[start:min(ends, default=len(text))]
        if cfg.situation_needs.search(sentence.replace(m.group(), " ")):
            out.append(m.span())
    return out


_STOPS = (". ", "; ", "! ", "? ")


@functools.lru_cache(maxsize=256)
def _boilerplate_lines(text: str) -> tuple[tuple[int, int], ...]:
    """Spans of the lines a form template prints whoever fills it in."""
    cfg = _config()
    if cfg.boilerplate is None:
        return ()
    low = lowered(text)
    out = []
    for m in cfg.boilerplate.finditer(low):
        start = low.rfind("\n", 0, m.start()) + 1
        end = low.find("\n", m.end())
        out.append((start, len(low) if end == -1 else end))
    return tuple(out)


def _actions(text: str, cfg: _Config, unknown: tuple[str, ...]) -> list[tuple[int, int]]:
    """Sentences (and list items) where an action verb stands near a named workload."""
    verbs = nlp.match_starts(cfg.verbs, text)
    if not verbs:
        return []
    cat = catalogue()
    # products that are claimed (an on-premises server named beside them is not work on one)
    named = [(m.start, m.end) for m in find_mentions(text) if not m.weak and cat.by_id[m.workload].areas]
    for name in unknown:
        named.extend(cat.find_name(name, text, fuzzy=False))
    if not named:
        return []
    out = []
    for seg_start, seg_end in _segments(text):
        seg_verbs = [v for v in verbs if seg_start <= v[0] < seg_end]
        seg_named = [n for n in named if seg_start <= n[0] < seg_end]
        if any(abs(v[0] - n[0]) <= cfg.max_verb_distance for v in seg_verbs for n in seg_named):
            out.append((seg_start, seg_end))
    return out


@functools.lru_cache(maxsize=256)
def _segments(text: str) -> tuple[tuple[int, int], ...]:
    """spaCy sentences cut again at line breaks: a list item is a sentence of its own."""
    out = []
    for start, end in nlp.sentences(text):
        pos = start
        for part in text[start:end].split("\n"):
            part_end = pos + len(part)
            stripped = part.strip()
            if stripped:
                lead = len(part) - len(part.lstrip())
                out.append((pos + lead, pos + lead + len(stripped)))
            pos = part_end + 1
    return tuple(out)


@functools.lru_cache(maxsize=256)
def _items(text: str) -> tuple[tuple[int, int], ...]:
    """Sentences and list items, with a line that wraps the one above joined to it: a PDF breaks
    a long bullet into lines ("... replace it with a modern solution, i.e.\\nMicrosoft Intune")."""
    out: list[tuple[int, int]] = []
    full = max((len(line.strip()) for line in text.split("\n")), default=0)  # the width of a full line
    for start, end in _segments(text):
        if out:
            prev_start, prev_end = out[-1]
            between = text[prev_end:start]
            line = text[text.rfind("\n", 0, prev_end) + 1:prev_end]
            if between.count("\n") == 1 and not between.strip() and _wraps(
                    text[prev_start:prev_end], text[start:end], full=len(line.strip()) >= _FULL_LINE * full):
                out[-1] = (prev_start, end)
                continue
        out.append((start, end))
    return tuple(out)


def _wraps(line: str, nxt: str, *, full: bool) -> bool:
    """Does ``nxt`` continue ``line``? Not when either is a numbered title or ``nxt`` opens a list
    item; yes when ``line`` stops where no sentence can ("..., i.e.", "... and"), or when it has no
    closing punctuation and ``nxt`` goes on in lower case, or ``line`` is a ``full`` line (as wide
    as the page's widest) of prose: a wrap before a name ("... will deliver for Microsoft\nIntune
    and ...")."""
    line = line.rstrip()
    if not line or _LIST_ITEM.match(nxt) or _NUMBERED_TITLE.match(nxt) or _NUMBERED_TITLE.match(line):
        return False
    if _OPEN_END.search(line):
        return True
    if line[-1:] in ".!?:;":
        return False
    return nxt[:1].islower() or (full and len(_WORD.findall(line)) >= _PROSE_LINE_WORDS)


def _generic(text: str, cfg: _Config) -> list[tuple[int, int]]:
    return [(s, e) for _, s, e in nlp.matches(cfg.generic, text)]


@dataclass(frozen=True)
class _Share:
    """How much of the scope's prose is generic: content words of the sentences and list items
    that hold a generic phrase, out of the content words of all of them."""

    generic_words: int
    words: int

    @property
    def fraction(self) -> float:
        return self.generic_words / self.words if self.words else 0.0


def _generic_share(pages: list[tuple[Document, Page]], cfg: _Config) -> _Share:
    generic_words = words = 0
    for _, page in pages:
        text = page.text
        spans = _generic(text, cfg)
        skip = _boilerplate_lines(text)
        for start, end in _items(text):
            if any(s <= start < e for s, e in skip):
                continue
            n = _other_words(text, (start, end), [])
            if n < cfg.prose_min_words:
                continue  # headings, labels, table cells: not prose
            words += n
            if any(start <= s < end for s, _ in spans):
                generic_words += n
    return _Share(generic_words, words)


@functools.lru_cache(maxsize=256)
def _text_signals(text: str) -> dict[str, list[tuple[int, int]]]:
    """The signals regexes find (cheap, linear in the text)."""
    cfg = _config()
    low = lowered(text)
    lines = _digit_lines(low)
    return {
        "quantities": _quantities(low, lines, cfg),
        "timeline": _timeline(low, lines, cfg),
        "challenge": _challenge(low, cfg),
    }


def _signals(text: str, unknown: tuple[str, ...]) -> dict[str, list[tuple[int, int]]]:
    """Every signal of one text (the spaCy ones too)."""
    cfg = _config()
    return {**_text_signals(text), "actions": _actions(text, cfg, unknown), "generic": _generic(text, cfg)}


# ---- work on each claimed workload ----------------------------------------------------------

_NUMBERED_TITLE = re.compile(r"^\s*\d{1,2}(?:\.\d{1,2}){0,3}\.?\)?\s+[A-Z]")
_OPEN_END = re.compile(r"(?:,|\b(?:i\.e\.?|e\.g\.?|incl\.?|approx\.?|and|or|of|to|with|for|the|an?|in|on|into|via|"
                       r"using|from|across|by|such as|including))\s*$", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z0-9][\w'’-]*")
_PROSE_LINE_WORDS = 10  # a line this long without closing punctuation is prose that wraps, not a title
_FULL_LINE = 0.8        # ... when it is at least this share of the widest line on the page
_LIST_ITEM = re.compile(r"^\s*(?:[•●◦▪▫■□‣⁃∙·*\-–—]|\(?[a-z0-9]{1,3}[.)])\s+")


@dataclass
class _Coverage:
    """What the scope says about one claimed workload, from the places that name it."""

    workload: Workload
    stated: list[Hit]
    """Sentences or list items that state work on it (an action with substance, or a count)."""
    thin: list[Hit]
    """Prose that names it without stating work (a benefit, a high-level task)."""
    named: list[Hit]
    """Places that only name it: a heading with nothing under it, a product list, a template row."""

    @property
    def state(self) -> str:
        return "stated" if self.stated else "thin" if self.thin else "named" if self.named else "absent"


def _coverage(pages: list[tuple[Document, Page]], claim: Claim) -> list[_Coverage]:
    """For each claimed workload (once per catalogue entry), how the scope describes work on it.

    Work is attributed where the text ties it to the workload: the sentence or list item naming
    it, the section its heading names, the list its lead-in opens; and a document that names one
    claimed workload only is about that one, so work it states without a product name is work on
    it (an e-mail per workload, a one-product SOW)."""
    cat = catalogue()
    out: dict[str, _Coverage] = {}
    for name in claim.workloads:
        if name.strip():
            workload = claimed(name)
            out.setdefault(workload.id, _Coverage(workload, [], [], []))
    for doc, doc_pages in _by_document(pages):
        in_doc: set[str] = set()
        for page in doc_pages:
            # a template's tick-box rows are the selection (workload_match reads them), not scope text
            skip = [*_boilerplate_lines(page.text), *((z.start, z.end) for z in page_zones(doc, page))]
            spans = {wid: [(s, e) for s, e, weak in cat.names(cov.workload, page.text)
                           if not weak and not any(a <= s < b for a, b in skip)
                           and not any(x.holds(page.number, s, e) for x in doc.exclusions)]
                     for wid, cov in out.items()}
            for wid, cov in out.items():
                in_doc.update([wid] if spans[wid] else [])
                others = [span for other, found in spans.items() if other != wid for span in found]
                for start, end in spans[wid]:
                    if cov.stated:
                        break
                    _place(cov, doc, page, start, end, others)
        if len(in_doc) == 1 and not (cov := out[next(iter(in_doc))]).stated:
            work = next((Hit(doc, page, *seg) for page in doc_pages for seg in _items(page.text)
                         if _states_work(page.text, seg, [], _config(), lead_in=True)), None)
            if work is not None:
                cov.stated.append(work)
    return list(out.values())


def _by_document(pages: list[tuple[Document, Page]]) -> list[tuple[Document, list[Page]]]:
    out: dict[int, tuple[Document, list[Page]]] = {}
    for doc, page in pages:
        out.setdefault(id(doc), (doc, []))[1].append(page)
    return list(out.values())


def _place(cov: _Coverage, doc: Document, page: Page, start: int, end: int,
           others: list[tuple[int, int]]) -> None:
    """Read the place ``start:end`` naming ``cov.workload`` and file it as stated, thin or named.
    A sentence that names other claimed workloads too is an overview ("we will deploy Intune and
    Defender for Endpoint across the estate"): it states work on each only with a count, and
    without one it only names them (it says nothing about any one of them)."""
    cfg = _config()
    text = page.text
    segment = next(((a, b) for a, b in _items(text) if a <= start < b), None)
    if segment is None:
        return
    names = [(s, e) for s, e, _ in catalogue().names(cov.workload, text) if segment[0] <= s < segment[1]]
    shared = [(s, e) for s, e in others if segment[0] <= s < segment[1]]
    if _states_work(text, segment, names + shared, cfg, lead_in=True, counted_only=bool(shared)):
        cov.stated.append(Hit(doc, page, *segment))
        return
    for body in headed_bodies(page):
        if body.heading_start <= start < body.heading_end:
            under = [seg for seg in _items(text) if body.heading_end < seg[0] < body.body_end]
            hit = next((seg for seg in under if _states_work(text, seg, [], cfg, lead_in=True)), None)
            if hit is not None:
                cov.stated.append(Hit(doc, page, *hit))
                return
            prose = next((seg for seg in under if _other_words(text, seg, []) >= cfg.prose_min_words), None)
            if prose is not None:
                cov.thin.append(Hit(doc, page, *prose))  # the text a person reads, not the heading
                return
            break
    if not shared and _other_words(text, segment, names) >= cfg.prose_min_words:
        cov.thin.append(Hit(doc, page, *segment))
    else:
        cov.named.append(Hit(doc, page, *segment))


def _states_work(text: str, segment: tuple[int, int], names: list[tuple[int, int]], cfg: _Config,
                 *, lead_in: bool, counted_only: bool = False) -> bool:
    """Does this sentence or list item state concrete work: a count, or (unless ``counted_only``)
    an action, its own or its lead-in line's, with enough other words to say what was done?"""
    a, b = segment
    if any(a <= s < b for s, _ in _text_signals(text)["quantities"]):
        return True
    if counted_only:
        return False
    actions = _action_spans(text)
    own = [(s, e) for s, e in actions if a <= s < b]
    if not own and lead_in and _LIST_ITEM.match(text[a:b]) is not None:
        lead = _lead_in(text, a, cfg)
        if lead is None or not any(lead[0] <= s < lead[1] for s, _ in actions):
            return False
    elif not own:
        return False
    return _other_words(text, segment, names + own) >= cfg.work_min_words


def _lead_in(text: str, item_start: int, cfg: _Config) -> tuple[int, int] | None:
    """The line that opens the list this item belongs to ("We will configure the following:")."""
    end = item_start - 1
    for _ in range(cfg.lead_in_lines):
        if end <= 0:
            return None
        start = text.rfind("\n", 0, end) + 1
        line = text[start:end]
        if line.strip() and _LIST_ITEM.match(line) is None:
            return (start, end) if line.rstrip().endswith(":") else None
        end = start - 1
    return None


def _other_words(text: str, segment: tuple[int, int], taken: list[tuple[int, int]]) -> int:
    """Words of the segment outside the ``taken`` spans (the workload's name, the action)."""
    a, b = segment
    return sum(1 for m in _WORD.finditer(text, a, b)
               if not any(s <= m.start() < e for s, e in taken) and not m.group().isdigit()
               and m.group().lower() not in STOP_WORDS)


@functools.lru_cache(maxsize=256)
def _action_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Every action verb and nominal action ("migration of") in the text."""
    cfg = _config()
    return tuple(sorted((*nlp.match_starts(cfg.verbs, text), *nlp.match_starts(cfg.nominal, text))))


# ---- the rule -------------------------------------------------------------------------------

def check(package: Package, claim: Claim) -> CheckResult:
    cfg = _config()
    readable = package.readable
    scope_docs = [d for d in readable if d.doc_type not in cfg.ignore_doc_types]
    pages = list(reading_pages(scope_docs))
    if not pages:
        return _nothing_to_read(package, readable)

    unknown = tuple(w.name for w in (claimed(n) for n in claim.workloads if n.strip()) if not w.known)
    # places are kept as hits and quoted only when reported: a dense page has hundreds of them
    found: dict[str, list[Hit | Evidence]] = {k: [] for k in (*KINDS, "generic")}
    for doc, page in pages:
        if all(found[k] for k in KINDS):
            break  # every kind is there: the rest cannot change the result (long documents stop early)
        spans_of = dict(_text_signals(page.text))
        if not found["actions"]:  # spaCy work only while it can still matter
            spans_of["actions"] = _actions(page.text, cfg, unknown)
        if len(found["generic"]) < _GENERIC_QUOTED:
            spans_of["generic"] = _generic(page.text, cfg)
        skip = _boilerplate_lines(page.text)
        for kind, spans in spans_of.items():
            found[kind].extend(Hit(doc, page, start, end) for start, end in sorted(spans)
                               if not any(s <= start < e for s, e in skip))
    for doc in scope_docs:
        for mention in doc.dates:
            if mention.role in cfg.date_roles:
                found["timeline"].append(Evidence.at(doc, mention.where))
    generic_quotes = [" ".join(h.text.split()) for h in found["generic"] if isinstance(h, Hit)]

    present = [k for k in KINDS if found[k]]
    missing = [k for k in KINDS if not found[k]]
    evidence: list[Evidence] = []
    for kind in present:
        evidence.extend(_quoted(found[kind], cfg.per_kind, whole_line=kind != "actions"))
    generic_note = ""
    if generic_quotes:
        phrases = list(dict.fromkeys(q.lower() for q in generic_quotes))
        generic_note = " Generic phrases found: " + ", ".join(f"“{p}”" for p in phrases[:_GENERIC_QUOTED]) + "."
    have = _and(cfg.labels[k] for k in present) or "none of them"
    distinct_generic = len({q.lower() for q in generic_quotes})
    by_count = distinct_generic // cfg.generic_per_kind
    share = _generic_share(pages, cfg) if generic_quotes else _Share(0, 0)
    by_share = int(share.fraction / cfg.generic_share_per_kind)
    weight = len(present) - max(by_count, by_share)
    if by_share and by_share >= by_count:
        generic_note += (f" Sentences with generic text make up {share.fraction:.0%} of the scope's prose "
                         f"({share.generic_words} of {share.words} words) and weigh against the detail (one kind "
                         f"less for every {cfg.generic_share_per_kind:.0%}).")
    elif by_count:
        generic_note += (f" {distinct_generic} generic phrases weigh against the detail (one kind less for every "
                         f"{cfg.generic_per_kind}).")
    lack = _and([cfg.labels[k] for k in missing], "or")
    fix = " ".join(cfg.fixes[k] for k in missing) + (f" {cfg.generic_fix}" if generic_quotes else "")

    if weight <= cfg.fail_max_kinds:
        evidence = _quoted(found["generic"], _GENERIC_QUOTED) + evidence
        if not evidence:
            evidence = _lines_read(pages)
        return support.result(
            RULE, "fail",
            f"The activities are not described in detail. The guide asks for {_and(cfg.labels[k] for k in KINDS)}; "
            f"the POE gives {'only ' if present else ''}{have}.{generic_note}",
            fix.strip(), evidence)
    gap = _gap(_coverage(pages, claim))
    if gap is not None and gap.fails:
        return support.result(RULE, "fail", f"{gap.message} The rest of the POE gives {have}.{generic_note}",
                              gap.fix, gap.evidence + evidence)
    if weight >= cfg.pass_min_kinds and gap is None:
        return support.result(
            RULE, "pass", f"The activities are described in detail: the POE gives {have}.{generic_note}",
            evidence=evidence)
    if weight >= cfg.pass_min_kinds:
        return support.result(
            RULE, "warn", f"The POE gives {have}. {gap.message}{generic_note}",
            gap.fix, gap.evidence + evidence)
    note = f" {gap.message}" if gap is not None else ""
    return support.result(
        RULE, "warn",
        f"The POE gives {have}, but not {lack}; a person must judge whether the work is described in enough "
        f"detail.{note}{generic_note}",
        " ".join(filter(None, (fix.strip(), gap.fix if gap else ""))), evidence + _quoted(found["generic"], 3)
        + (gap.evidence if gap else []))


@dataclass(frozen=True)
class _Gap:
    """Claimed workloads the scope names without stating work on them."""

    fails: bool
    message: str
    fix: str
    evidence: list[Evidence]


def _gap(coverage: list[_Coverage]) -> _Gap | None:
    """None when every claimed workload the scope names has its work stated. A workload that is
    only named while others have theirs fails; one thinly described, or a scope that states work
    on none of the workloads it names, is left to a person. A workload the scope never names is
    workload_match's finding, not this rule's."""
    seen = [c for c in coverage if c.state != "absent"]
    if len(seen) < 2:
        return None  # one workload: the package-wide detail above is the detail on it
    stated = [c for c in seen if c.state == "stated"]
    named = [c for c in seen if c.state == "named"]
    thin = [c for c in seen if c.state == "thin"]
    if not named and not thin:
        return None
    parts = []
    if stated:
        parts.append(f"work is stated for {_and(c.workload.name for c in stated)} "
                     f"(“{_quote_place(stated[0], stated[0].stated[0], 80)}”)")
    if named:
        parts.append(f"{_and(c.workload.name for c in named)} {'is' if len(named) == 1 else 'are'} only named "
                     f"(“{_quote_place(named[0], named[0].named[0], 60)}”)")
    if thin:
        parts.append(f"{_and(c.workload.name for c in thin)} {'is' if len(thin) == 1 else 'are'} mentioned without "
                     f"the work done on {'it' if len(thin) == 1 else 'them'} "
                     f"(“{_quote_place(thin[0], thin[0].thin[0], 80)}”)")
    lacking = named + thin
    joined = _and(parts, "but")
    message = (joined[0].upper() + joined[1:] + ": the guide asks for the services explained for each workload "
               "claimed, and no sentence names "
               + ("it" if len(lacking) == 1 else "them") + " with an action and what it covered.")
    fix = (f"Describe the work done on {_and(c.workload.name for c in lacking)}: what was deployed, configured or "
           "migrated, for how many users, devices or mailboxes, and in which phase.")
    evidence = [h.evidence(whole_line=False) for c in lacking for h in (c.named + c.thin)[:2]]
    evidence += [c.stated[0].evidence(whole_line=False) for c in stated]
    return _Gap(bool(stated and named), message, fix, evidence)


def _quote_place(cov: _Coverage, hit: Hit, limit: int) -> str:
    """The place quoted around the workload's name in it (a long sentence names it at its end)."""
    text = hit.text
    name = next(((s, e) for s, e, _ in catalogue().names(cov.workload, text)), (0, 0))
    return quote_around(text, *name, limit=limit)


def _nothing_to_read(package: Package, readable: Iterable[Document]) -> CheckResult:
    other = list(reading_pages(readable))
    if other:
        kinds = sorted({f"{d.name} ({d.doc_type.replace('_', ' ')})" for d, _ in other})
        return support.result(
            RULE, "fail",
            f"No document describes the work done: the only readable text is in {', '.join(kinds)}, "
            "which does not describe the activities.",
            "Add a statement of work, the POE template or an email that describes the work done for the customer: "
            "users or devices covered, phases or dates, the customer's challenge and what you did per product.",
            _lines_read(other))
    evidence = [Evidence(d.name, None, f"could not be read: {d.error}" if d.error else "no readable text")
                for d in package.documents]
    return support.result(
        RULE, "warn",
        "Nothing in the POE could be read (unreadable files, or images and scans without text), so the detail "
        "of the activities cannot be checked; a person must look at the documents.",
        "Upload the scope of work as a text PDF, Word document or email, or a clear scan.", evidence)


def _and(items: Iterable[str], word: str = "and") -> str:
    """"a, b and c" for a message."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


def _quoted(places: list[Hit | Evidence], limit: int, *, whole_line: bool = True) -> list[Evidence]:
    """The first ``limit`` distinct places as evidence (one per line when quoting lines)."""
    seen: set[tuple] = set()
    out: list[Evidence] = []
    for place in places:
        if len(out) >= limit:
            break
        if isinstance(place, Evidence):
            key: tuple = (place.document, place.page, place.text)
        else:
            span = place.line() if whole_line else (place.start, place.end)
            key = (place.document.name, place.page.number, span)
        if key not in seen:
            seen.add(key)
            out.append(place if isinstance(place, Evidence) else place.evidence(whole_line=whole_line))
    return out


def _lines_read(pages: list[tuple[Document, Page]], limit: int = 3) -> list[Evidence]:
    """The first lines of what was read, so a person sees what the judgement rests on."""
    out = []
    for doc, page in pages:
        pos = 0
        for line in page.text.split("\n"):
            if len(line.split()) >= 3:
                out.append(Hit(doc, page, pos, pos + len(line)).evidence(whole_line=False))
                if len(out) >= limit:
                    return out
            pos += len(line) + 1
    return out
