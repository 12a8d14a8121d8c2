"""Who is who: company names as written, and email domains as registered.

Names are compared without legal forms, case or punctuation, and with a small tolerance for
misspellings (rapidfuzz). Email domains are compared by registrable domain (``mail.contoso.com``
is ``contoso.com``), using the Public Suffix List snapshot bundled with tldextract (no fetch).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator

from rapidfuzz import fuzz

from . import knowledge
from .model import Document, Package, Page

_EMAILS_URLS = re.compile(r"\S+@\S+|https?://\S+|www\.\S+", re.IGNORECASE)


@functools.cache
def _suffix_re() -> re.Pattern[str]:
    suffixes = sorted(knowledge.load("names")["legal_suffixes"], key=len, reverse=True)
    alternatives = "|".join(r"\s+".join(map(re.escape, s.split())) for s in suffixes)
    return re.compile(rf"(?:[\s,&]+(?:{alternatives})\.?)+[\s&]*$", re.IGNORECASE)


def fold(text: str) -> str:
    """Accents folded, one character for one ("ÉTOILE CAFÉS" → "ETOILE CAFES"), so offsets into
    the folded text are offsets into the original; characters that do not fold to one stay."""
    return text.translate(_fold_table())


@functools.cache
def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0xC0, 0x250):
        base = "".join(c for c in unicodedata.normalize("NFKD", chr(code)) if not unicodedata.combining(c))
        if len(base) == 1 and base != chr(code):
            table[code] = base
    table.update({ord("ø"): "o", ord("Ø"): "O", ord("đ"): "d", ord("Đ"): "D", ord("ł"): "l", ord("Ł"): "L",
                  ord("’"): "'", ord("‘"): "'"})
    return table


def core_name(name: str) -> str:
    """The distinctive part of a company name, as both sides are compared: accents folded, "&" read
    as "and", no legal form, no punctuation, lower case ("Pike & Sons Ltd" → "pike and sons")."""
    plain = re.sub(r"[.,]", " ", fold(name)).strip()
    plain = _suffix_re().sub("", " " + plain).strip() or plain
    plain = re.sub(r"\s*&\s*|\s*\+\s*", " and ", plain)
    return " ".join(re.sub(r"[^\w]+", " ", plain.lower()).split())


@functools.cache
def _accent_classes() -> dict[str, str]:
    """Base letter → regex class of it and its accented forms ("e" → "[eéèêë…]")."""
    forms: dict[str, set[str]] = {}
    for code, base in _fold_table().items():
        if len(base) == 1 and base.isalpha():
            forms.setdefault(base.lower(), set()).update({chr(code).lower(), chr(code).upper()})
    return {b: "[" + re.escape(b) + "".join(re.escape(c) for c in sorted(f)) + "]" for b, f in forms.items()}


@functools.lru_cache(maxsize=256)
def name_pattern(name: str) -> re.Pattern[str]:
    """A regex that finds the name's core on word boundaries, whatever the spacing, case, accents
    (either side), "&" for "and", and line breaks inside the name."""
    classes = _accent_classes()

    def word(w: str) -> str:
        if w == "and":
            return r"(?:and|&|\+)"
        return "".join(classes.get(ch, re.escape(ch)) for ch in w)

    words = core_name(name).split()
    # core_name dropped every mark between the words ("d'Énergie", "Smith-Jones", "A/S"), so any
    # run of them may stand between the words here
    body = r"[\W_]*".join(word(w) for w in words)
    return re.compile(rf"(?<![\w@.]){body}(?![\w])", re.IGNORECASE)


def find_name(package: Package, name: str, documents=None) -> Iterator[tuple[Document, Page, int, int, int]]:
    """Places where ``name`` is written: (document, page, start, end, score), exact first.

    Email addresses and web addresses are blanked out first: a domain is not a name.
    """
    pattern = name_pattern(name)
    cfg = knowledge.load("names")
    target = core_name(name)
    for doc in (package.readable if documents is None else documents):
        for page in doc.pages:
            if not page.text:
                continue
            text = _EMAILS_URLS.sub(lambda m: " " * len(m.group()), page.text)
            exact = list(pattern.finditer(text))
            for m in exact:
                yield doc, page, m.start(), m.end(), 100
            if exact or len(target) < int(cfg["min_fuzzy_length"]):
                continue
            yield from _fuzzy(doc, page, text, target, int(cfg["fuzzy_threshold"]))


def _fuzzy(doc: Document, page: Page, text: str, target: str, threshold: int):
    offset = 0
    for line in text.split("\n"):
        if len(line) >= len(target) - 2:
            found = fuzz.partial_ratio_alignment(target, line.lower(), score_cutoff=threshold)
            if found is not None:
                # widen to whole words, then judge the words themselves: a near-spelling inside a
                # longer word is not the name
                start, end = found.dest_start, found.dest_end
                while start > 0 and line[start - 1].isalnum():
                    start -= 1
                while end < len(line) and line[end].isalnum():
                    end += 1
                score = fuzz.ratio(target, core_name(line[start:end]))
                if score >= threshold:
                    yield doc, page, offset + start, offset + end, int(score)
        offset += len(line) + 1


@functools.cache
def _tld():
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def registrable_domain(domain_or_address: str) -> str:
    """``john@mail.contoso.co.uk`` → ``contoso.co.uk``; unknown suffixes fall back to the host."""
    host = domain_or_address.rsplit("@", 1)[-1].strip().strip(".").lower()
    host = host.split(":")[0].strip("<>[] ")
    if not host:
        return ""
    return _tld()(host).top_domain_under_public_suffix or host


def same_organisation(address: str, domain: str | None) -> bool:
    return bool(domain) and registrable_domain(address) == registrable_domain(domain or "")
