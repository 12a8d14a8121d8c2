"""spaCy, offline: a blank English tokenizer with a rule-based sentencizer, and phrase matchers.

No statistical model is loaded (none may be downloaded at run time). spaCy earns its place
here by tokenising once and matching hundreds of catalogue phrases in one pass, on token
boundaries and case-insensitively (``attr="LOWER"``), which regexes over raw text do badly.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc


LOCK = threading.RLock()
"""Held for every spaCy call: the service checks in threads, and a blank pipeline's vocabulary
grows as it meets new words, which is not safe from two threads at once."""

T = TypeVar("T")


def once(build: Callable[[], T]) -> Callable[[], T]:
    """A lazily built singleton, built once even when threads ask at the same moment.

    (``functools.cache`` may run ``build`` twice under a race; for spaCy that means two
    vocabularies and matchers that cannot read each other's match ids.)
    """
    made: list[T] = []

    @functools.wraps(build)
    def get() -> T:
        if not made:
            with LOCK:
                if not made:
                    made.append(build())
        return made[0]

    return get


@once
def nlp() -> Language:
    pipeline = spacy.blank("en")
    pipeline.add_pipe("sentencizer")
    pipeline.max_length = 6_000_000
    return pipeline


MAX_PARSE_CHARS = 400_000
"""spaCy costs ~3 s a million characters; a longer page (a 900-page DOCX is one "page") is read
up to here by the spaCy-based cues. Regex cues still see all of it."""

_SURROGATES = re.compile("[\ud800-\udfff]")


def parse(text: str) -> Doc:
    """Tokenised and sentence-split text; cached because several rules read the same pages.

    Lone surrogates (left by broken mail charsets) crash spaCy; each becomes U+FFFD, one for one,
    so character offsets still match the page text.
    """
    with LOCK:
        return _parse(text)


@functools.lru_cache(maxsize=64)
def _parse(text: str) -> Doc:
    return nlp()(_SURROGATES.sub("\ufffd", text[:MAX_PARSE_CHARS]))


def phrase_matcher(phrases: Mapping[str, Iterable[str]]) -> PhraseMatcher:
    """A case-insensitive matcher whose match ids are the mapping's keys."""
    with LOCK:
        matcher = PhraseMatcher(nlp().vocab, attr="LOWER")
        tokenizer = nlp().tokenizer
        for key, variants in phrases.items():
            patterns = [tokenizer(v) for v in dict.fromkeys(variants) if v.strip()]
            if patterns:
                matcher.add(key, patterns)
        return matcher


def matches(matcher: PhraseMatcher, text: str) -> list[tuple[str, int, int]]:
    """(key, char start, char end) for every match, longest first where matches overlap."""
    with LOCK:
        doc = parse(text)
        strings = matcher.vocab.strings
        found = []
        for match_id, start, end in matcher(doc, as_spans=False):
            span = doc[start:end]
            found.append((strings[match_id], span.start_char, span.end_char))
    found.sort(key=lambda m: (m[1], -(m[2] - m[1])))
    kept: list[tuple[str, int, int]] = []
    last_end = -1
    for key, s, e in found:
        if s >= last_end:
            kept.append((key, s, e))
            last_end = e
    return kept


def match_starts(matcher: PhraseMatcher, text: str) -> list[tuple[int, int]]:
    """Character spans of matches, without building spaCy spans (for matchers that hit often)."""
    with LOCK:
        doc = parse(text)
        out = []
        for _, start, end in matcher(doc, as_spans=False):
            last = doc[end - 1]
            out.append((doc[start].idx, last.idx + len(last.text)))
        return out


def sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of sentences; a line break always ends one (list items, greetings, table rows)."""
    spans: list[tuple[int, int]] = []
    offset = 0
    for line in text.split("\n"):
        if line.strip():
            doc = parse(line)
            spans.extend((offset + s.start_char, offset + s.end_char) for s in doc.sents if s.text.strip())
        offset += len(line) + 1
    return spans
