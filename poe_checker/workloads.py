"""The workload catalogue: what a claimed workload is, and where a text names a workload.

Partner Center, partners and Microsoft's own guides name one product many ways (INTUNE,
Microsoft Intune, Endpoint Manager; MDE, Defender ATP, MICROSOFT DEFENDER ENDPOINT). Rules
compare catalogue entries, never strings, so every spelling in ``knowledge/workloads.toml``
counts the same. Text is matched with one spaCy PhraseMatcher pass per case mode (on token
boundaries, so "Intune-managed" and "(MDE)" match), the longest alias winning overlaps.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process
from spacy.matcher import PhraseMatcher

from . import knowledge, nlp
from .model import Document, Page

AREAS = ("modern_work", "security", "business_applications", "azure")


@dataclass(frozen=True, slots=True)
class Alias:
    text: str
    case_sensitive: bool = False
    weak: bool = False
    """Also means something else: a mention is a hint for a person, never proof on its own."""


@dataclass(frozen=True, slots=True)
class Workload:
    id: str
    name: str
    areas: tuple[str, ...] = ()
    partner_center: tuple[str, ...] = ()
    aliases: tuple[Alias, ...] = ()
    part_of: str | None = None
    distinct_from: tuple[str, ...] = ()
    """Products this one is often named in place of (Exchange Server for Exchange Online)."""
    known: bool = True
    """False for a claimed name the catalogue does not know; it is then searched by that name."""

    def text_aliases(self) -> tuple[Alias, ...]:
        """What a text may call it: the name, the aliases, and Partner Center names of 2+ words."""
        out = [Alias(self.name)] if self.known else []
        out.extend(self.aliases)
        out.extend(Alias(n) for n in self.partner_center if len(n.split()) > 1)
        seen: set[tuple[str, bool]] = set()
        kept = []
        for alias in out:  # one pattern per spelling: the first (the name) is the one reported
            key = (alias.text if alias.case_sensitive else alias.text.lower(), alias.case_sensitive)
            if key not in seen:
                seen.add(key)
                kept.append(alias)
        return tuple(kept)


@dataclass(frozen=True, slots=True)
class Mention:
    """A workload named in a text: character span, the alias read, and whether it is weak."""

    workload: str
    start: int
    end: int
    alias: str
    weak: bool = False


def _key(text: str, filler: frozenset[str]) -> str:
    """A claimed or catalogue name reduced to what tells products apart."""
    words = re.findall(r"[a-z0-9]+", text.lower().replace("&", " and "))
    return " ".join(w for w in words if w not in filler)


class Catalogue:
    """The parsed catalogue with its claim index and text matchers; build once, share."""

    def __init__(self, data: dict[str, Any]):
        self.settings: dict[str, Any] = dict(data.get("matching", {}))
        self._filler = frozenset(self.settings.get("claim_filler_words", ()))
        self.workloads: tuple[Workload, ...] = tuple(_parse_entry(e) for e in data.get("workload", ()))
        self.by_id: dict[str, Workload] = {}
        for w in self.workloads:
            if w.id in self.by_id:
                raise ValueError(f"workloads.toml: id {w.id!r} is used twice")
            self.by_id[w.id] = w
        for w in self.workloads:
            if w.part_of is not None and w.part_of not in self.by_id:
                raise ValueError(f"workloads.toml: {w.id} is part_of unknown id {w.part_of!r}")
            unknown = [o for o in w.distinct_from if o not in self.by_id]
            if unknown:
                raise ValueError(f"workloads.toml: {w.id} is distinct_from unknown ids {unknown}")
            if w.distinct_from and w.areas:
                raise ValueError(f"workloads.toml: {w.id} names products it is distinct from, so it is "
                                 "not claimable and must have no areas")
        self._claim_keys = self._index_claim_names()
        self._full_names = {_key(text, frozenset()): w.id for w in self.workloads
                            for text in (w.name, *w.partner_center, *(a.text for a in w.aliases))}
        self._alias_of: dict[str, tuple[str, Alias]] = {}
        self._matchers = self._build_matchers()

    # ---- claims ---------------------------------------------------------------------------

    def _index_claim_names(self) -> dict[str, str]:
        keys: dict[str, str] = {}
        for w in self.workloads:
            for text in (w.name, *w.partner_center, *(a.text for a in w.aliases)):
                key = _key(text, self._filler)
                if not key:
                    continue
                other = keys.setdefault(key, w.id)
                if other != w.id:
                    raise ValueError(f"workloads.toml: {text!r} names both {other} and {w.id}")
        return keys

    def resolve(self, claimed: str) -> Workload | None:
        """The entry a claimed workload names, or None when the catalogue cannot tell.

        Exact (case and punctuation ignored), then the longest catalogue name contained in the
        claim ("INTUNE - Associated to you", "Microsoft Defender for Endpoint P2"), then a fuzzy
        match for typos and word order. token_set_ratio/WRatio are not used on their own: they
        score a generic "Microsoft Defender" 90-100 against every Defender product.
        """
        key = _key(claimed, self._filler)
        if not key:
            return None
        if key in self._claim_keys:
            return self.by_id[self._claim_keys[key]]
        tokens = key.split()
        best: list[tuple[int, int, str]] = []
        for alias_key, wid in self._claim_keys.items():
            alias_tokens = alias_key.split()
            if len(alias_tokens) == 1 and len(alias_key) < 4:
                continue
            if _contains(tokens, alias_tokens):
                best.append((len(alias_tokens), len(alias_key), wid))
        if best:
            best.sort(reverse=True)
            top = [b for b in best if b[:2] == best[0][:2]]
            if len({b[2] for b in top}) == 1:
                return self.by_id[top[0][2]]
            return None  # two products named in one claim string: leave it to its own name
        cutoff = self.settings.get("claim_fuzzy_min", 90)
        candidates = []
        for query, index in ((key, self._claim_keys), (_key(claimed, frozenset()), self._full_names)):
            for name, score, _ in process.extract(query, list(index), scorer=fuzz.token_sort_ratio,
                                                  score_cutoff=cutoff, limit=5):
                if _same_shape(query, name):
                    candidates.append((score, index[name]))
        return self.by_id[max(candidates)[1]] if candidates else None

    def claimed(self, claimed: str) -> Workload:
        """The entry for a claimed name; an unknown name becomes its own entry, searched as written."""
        found = self.resolve(claimed)
        if found is not None:
            return found
        name = " ".join(claimed.split())
        return Workload(id=f"claimed:{name.lower()}", name=name, aliases=(Alias(name),), known=False)

    def covering(self, workload_id: str) -> frozenset[str]:
        """Ids whose mention evidences ``workload_id``: itself and every entry part of it."""
        out = {workload_id}
        changed = True
        while changed:
            changed = False
            for w in self.workloads:
                if w.part_of in out and w.id not in out:
                    out.add(w.id)
                    changed = True
        return frozenset(out)

    def named_instead(self, workload_id: str) -> frozenset[str]:
        """Ids of products a POE names in place of ``workload_id`` (its on-premises server)."""
        return frozenset(w.id for w in self.workloads if workload_id in w.distinct_from)

    # ---- text -----------------------------------------------------------------------------

    def _build_matchers(self) -> tuple[PhraseMatcher, PhraseMatcher]:
        insensitive: dict[str, list[str]] = {}
        sensitive: dict[str, list[str]] = {}
        for w in self.workloads:
            for i, alias in enumerate(w.text_aliases()):
                match_key = f"{w.id}#{i}"
                self._alias_of[match_key] = (w.id, alias)
                (sensitive if alias.case_sensitive else insensitive)[match_key] = [alias.text]
        lower = nlp.phrase_matcher(insensitive)
        exact = PhraseMatcher(nlp.nlp().vocab, attr="ORTH")
        tokenizer = nlp.nlp().tokenizer
        for match_key, texts in sensitive.items():
            exact.add(match_key, [tokenizer(t) for t in texts])
        return lower, exact

    def find(self, text: str) -> tuple[Mention, ...]:
        """Every workload named in ``text``, in order, longest alias first where two overlap."""
        if not text.strip():
            return ()
        found = []
        for matcher in self._matchers:
            for match_key, start, end in nlp.matches(matcher, text):
                wid, alias = self._alias_of[match_key]
                found.append(Mention(wid, start, end, alias.text, alias.weak))
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        kept: list[Mention] = []
        last_end = -1
        for m in found:
            if m.start >= last_end:
                kept.append(m)
                last_end = m.end
        return tuple(kept)

    def find_name(self, name: str, text: str, *, fuzzy: bool = True,
                  cutoff: float | None = None) -> list[tuple[int, int]]:
        """Spans where ``text`` names ``name``: as written (any case, loose punctuation), else
        line by line with rapidfuzz partial_ratio, which forgives OCR slips ("lntune", "0ffice")."""
        words = re.findall(r"[A-Za-z0-9]+", name)
        if not words:
            return []
        pattern = re.compile(r"(?<![A-Za-z0-9])" + r"[^A-Za-z0-9\n]{0,3}".join(map(re.escape, words))
                             + r"(?![A-Za-z0-9])", re.IGNORECASE)
        spans = [(m.start(), m.end()) for m in pattern.finditer(text)]
        if spans or not fuzzy:
            return spans
        needle = " ".join(words).lower()
        if len(needle) < self.settings.get("text_fuzzy_min_chars", 8):
            return []
        if cutoff is None:
            cutoff = self.settings.get("text_fuzzy_min", 90)
        for line_start, line in _lines(text):
            if len(line) < len(needle):
                continue
            al = fuzz.partial_ratio_alignment(needle, line.lower(), score_cutoff=cutoff)
            if al is not None and al.score >= cutoff:
                start, end = _widen(line, al.dest_start, al.dest_end)
                spans.append((line_start + start, line_start + end))
        return spans

    def names(self, workload: Workload, text: str) -> list[tuple[int, int, bool]]:
        """Spans (start, end, weak) naming ``workload`` or a part of it in ``text``."""
        if not workload.known:
            return [(s, e, False) for s, e in self.find_name(workload.name, text)]
        ids = self.covering(workload.id)
        return [(m.start, m.end, m.weak) for m in find_mentions(text) if m.workload in ids]


_ENTRY_KEYS = frozenset({"id", "name", "areas", "partner_center", "aliases", "part_of", "distinct_from"})
_ALIAS_KEYS = frozenset({"text", "case_sensitive", "weak"})


def _parse_entry(entry: dict[str, Any]) -> Workload:
    wid = entry.get("id", "")
    if not re.fullmatch(r"[a-z0-9_]+", wid):
        raise ValueError(f"workloads.toml: bad id {wid!r}")
    if unknown := sorted(set(entry) - _ENTRY_KEYS):
        raise ValueError(f"workloads.toml: {wid} has unknown keys {unknown}")
    areas = tuple(entry.get("areas", ()))
    bad = [a for a in areas if a not in AREAS]
    if bad:
        raise ValueError(f"workloads.toml: {wid} has unknown areas {bad}")
    aliases = []
    for raw in entry.get("aliases", ()):
        if not isinstance(raw, str) and (unknown := sorted(set(raw) - _ALIAS_KEYS)):
            raise ValueError(f"workloads.toml: {wid}: alias {raw!r} has unknown keys {unknown}")
        alias = Alias(raw) if isinstance(raw, str) else Alias(
            raw["text"], bool(raw.get("case_sensitive", False)), bool(raw.get("weak", False)))
        if isinstance(raw, str) and re.fullmatch(r"[A-Za-z0-9&]{1,4}", raw):
            raise ValueError(f"workloads.toml: {wid}: short alias {raw!r} must say case_sensitive (and weak if "
                             "it also means something else)")
        aliases.append(alias)
    return Workload(id=wid, name=entry["name"], areas=areas,
                    partner_center=tuple(entry.get("partner_center", ())),
                    aliases=tuple(aliases), part_of=entry.get("part_of"),
                    distinct_from=tuple(entry.get("distinct_from", ())))


def _contains(tokens: list[str], part: list[str]) -> bool:
    n = len(part)
    return any(tokens[i:i + n] == part for i in range(len(tokens) - n + 1))


def _same_shape(a: str, b: str) -> bool:
    """A typo keeps the word count and the numbers: "Defender" is not "Defender ATP", P1 is not P2."""
    a_words, b_words = a.split(), b.split()
    digits = [w for w in a_words if any(c.isdigit() for c in w)]
    return len(a_words) == len(b_words) and digits == [w for w in b_words if any(c.isdigit() for c in w)]


def _lines(text: str) -> Iterator[tuple[int, str]]:
    start = 0
    for line in text.split("\n"):
        yield start, line
        start += len(line) + 1


def _widen(line: str, start: int, end: int) -> tuple[int, int]:
    """A fuzzy alignment widened to whole words, so evidence never quotes half a word."""
    while start > 0 and line[start - 1].isalnum():
        start -= 1
    while end < len(line) and line[end].isalnum():
        end += 1
    return start, end


# ---- module API: the shipped catalogue -------------------------------------------------------

@nlp.once
def catalogue() -> Catalogue:
    return Catalogue(knowledge.load("workloads"))


def resolve(claimed: str) -> Workload | None:
    return catalogue().resolve(claimed)


@functools.lru_cache(maxsize=1024)
def claimed(claimed_name: str) -> Workload:
    """The entry for a claimed name (cached: every rule resolves the same few names)."""
    return catalogue().claimed(claimed_name)


@functools.lru_cache(maxsize=512)
def find_mentions(text: str) -> tuple[Mention, ...]:
    """Catalogue workloads named in ``text`` (cached: several rules read the same pages)."""
    return catalogue().find(text)


def reading_pages(documents: Iterable[Document]) -> Iterator[tuple[Document, Page]]:
    """The pages with text of ``documents``, plus an email's quoted history when its page text
    lacks it (a partner's scope quoted under the customer's reply is still the partner's scope)."""
    for doc in documents:
        for page in doc.pages:
            if page.text.strip():
                yield doc, page
        quoted = doc.email.body_quoted.strip() if doc.email is not None else ""
        if quoted and quoted[:200] not in doc.text:
            yield doc, Page(number=None, text=quoted)
