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

from spacy.matcher import PhraseMatcher

from .. import knowledge, nlp
from ..reading._text import lowered
from ..model import CheckResult, Claim, Document, Evidence, Package, Page
from ..workloads import catalogue, claimed, find_mentions, reading_pages
from . import support
from .support import Hit

RULE = "activity_detail"
KINDS = ("quantities", "timeline", "challenge", "actions")
_GENERIC_QUOTED = 6


@dataclass(frozen=True)
class _Config:
    pass_min_kinds: int
    fail_max_kinds: int
    generic_per_kind: int
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
    """Not a version ("Windows 10"), a product ("Office 365") or a year ("in 2025 users")."""
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


def _segments(text: str) -> list[tuple[int, int]]:
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
    return out


def _generic(text: str, cfg: _Config) -> list[tuple[int, int]]:
    return [(s, e) for _, s, e in nlp.matches(cfg.generic, text)]


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
    weight = len(present) - distinct_generic // cfg.generic_per_kind
    if weight < len(present):
        generic_note += (f" {distinct_generic} generic phrases weigh against the detail (one kind less for every "
                         f"{cfg.generic_per_kind}).")
    lack = _and([cfg.labels[k] for k in missing], "or")
    fix = " ".join(cfg.fixes[k] for k in missing) + (f" {cfg.generic_fix}" if generic_quotes else "")

    if weight >= cfg.pass_min_kinds:
        return support.result(
            RULE, "pass", f"The activities are described in detail: the POE gives {have}.{generic_note}",
            evidence=evidence)
    if weight <= cfg.fail_max_kinds:
        evidence = _quoted(found["generic"], _GENERIC_QUOTED) + evidence
        if not evidence:
            evidence = _lines_read(pages)
        return support.result(
            RULE, "fail",
            f"The activities are not described in detail. The guide asks for {_and(cfg.labels[k] for k in KINDS)}; "
            f"the POE gives {'only ' if present else ''}{have}.{generic_note}",
            fix.strip(), evidence)
    return support.result(
        RULE, "warn",
        f"The POE gives {have}, but not {lack}; a person must judge whether the work is described in enough "
        f"detail.{generic_note}",
        fix.strip(), evidence + _quoted(found["generic"], 3))


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
