"""Signature marks written in the text: e-signature stamps and records, typed signature lines.

Only finds and describes marks; which party signed, and whether that is enough, is decided by
the rules. PDF signature fields come from the PDF extractor, ink on scans from OCR.
"""

from __future__ import annotations

import functools
import re

from .. import knowledge
from ..model import DateMention, Page, Signature
from . import dates as date_reader

_FLAGS = re.IGNORECASE | re.MULTILINE


@functools.cache
def _patterns() -> tuple[list[tuple[str, str, re.Pattern[str]]], dict[str, re.Pattern[str]], re.Pattern[str], dict]:
    cfg = knowledge.load("signatures")
    esign = [(p["platform"], p.get("requires", ""), re.compile(p["pattern"], _FLAGS)) for p in cfg["e_signature"]]
    markers = {k: re.compile(v, _FLAGS) for k, v in cfg["markers"].items()}
    typed = re.compile(cfg["typed"]["pattern"], re.MULTILINE)
    return esign, markers, typed, cfg["context"]


def find_signatures(pages: tuple[Page, ...], found_dates: tuple[DateMention, ...]) -> tuple[Signature, ...]:
    esign, markers, typed, ctx = _patterns()
    out: list[Signature] = []
    for page in pages:
        text = page.text
        if not text:
            continue
        page_dates = [d for d in found_dates if d.where.page == page.number and d.where.span is not None]
        platform_hint = _platform(text, markers)
        void = markers["not_completed"].search(text) if platform_hint else None
        low = text.lower()
        taken: list[tuple[int, int]] = []
        for platform, requires, pattern in esign:
            if requires not in low:
                continue
            for m in pattern.finditer(text):
                if any(s < m.end() and m.start() < e for s, e in taken):
                    continue
                taken.append((m.start(), m.end()))
                groups = m.groupdict()
                signed_on = _parse_date(groups.get("date")) or _nearby_date(m.start(), m.end(), page_dates, ctx)
                known = platform if platform != "e_signature" else platform_hint
                out.append(Signature(
                    kind="e_signature",
                    where=page.anchor(m.start(), m.end()),
                    signer_name=_clean_name(groups.get("name")),
                    signer_email=(groups.get("email") or "").strip().lower() or None,
                    signed_on=signed_on,
                    platform=known,
                    context=_context(text, m.start(), m.end(), ctx),
                    valid=False if void else None,
                    detail=_detail(known) + (f", but the record's status is \"{void.group(1)}\": the agreement was "
                                             "never completed" if void else ""),
                ))
        for m in typed.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
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
    found = date_reader.find_dates((Page(number=None, text=text),))
    return found[0].value if found else None


def _clean_name(name: str | None) -> str | None:
    if not name:
        return None
    name = " ".join(name.split()).strip(" .,:;")
    return name or None
