"""What kind of document is this? Weighted cues from ``knowledge/doc_types.toml``.

The kind matters because the guideline accepts some documents as proof (SOW, POE template,
customer email, e-signature record) and refuses others on their own (purchase orders, quotes,
licensing contracts, MSAs).
"""

from __future__ import annotations

import functools
import re

from .. import knowledge
from ..model import Anchor, Email, Page, Signature


_UPPER_OUTSIDE_ESCAPE = re.compile(r"(?<!\\)[A-Z]")


@functools.cache
def _cues() -> tuple[dict, dict[str, list[tuple[re.Pattern[str], float]]], dict[str, tuple[int, list[re.Pattern[str]]]]]:
    cfg = knowledge.load("doc_types")
    cues: dict[str, list[tuple[re.Pattern[str], float]]] = {}
    for doc_type, table in cfg["cues"].items():
        for pattern, weight in table.items():
            cues.setdefault(doc_type, []).append((_lower(pattern), float(weight)))
    structure: dict[str, tuple[int, list[re.Pattern[str]]]] = {}
    for doc_type, table in cfg.get("structure", {}).items():
        unknown = set(table) - {"min", "cues"}
        if unknown or doc_type not in cues:
            raise ValueError(f"doc_types.toml: [structure.{doc_type}] has unknown keys {sorted(unknown)} "
                             "or names a kind without cues")
        structure[doc_type] = (int(table["min"]), [_lower(p, re.MULTILINE) for p in table["cues"]])
    return cfg, cues, structure


def _lower(pattern: str, flags: int = 0) -> re.Pattern[str]:
    if _UPPER_OUTSIDE_ESCAPE.search(pattern):
        raise ValueError(f"doc_types.toml: cue {pattern!r} must be lower case (it is matched on lower-cased text)")
    return re.compile(pattern, flags)


def classify(kind: str, pages: tuple[Page, ...], email: Email | None,
             signatures: tuple[Signature, ...] = ()) -> str:
    if kind in ("eml", "msg") or email is not None:
        return "email"
    text = "\n".join(p.text for p in pages)
    if kind == "image" and not text.strip():
        return "image"
    best = _best(text)
    if best is None:
        return "image" if kind == "image" else "other"
    if best in _APPENDED and len(pages) > 1:
        # a DocuSign certificate of completion or an audit trail appended to the SOW it certifies:
        # the document is what its other pages are
        rest = "\n".join(p.text for p in pages if _best(p.text) not in _APPENDED)
        other = _best(rest) if rest.strip() else None
        if other is not None:
            return other
    return best


_APPENDED = frozenset({"signature_certificate"})
"""Kinds of record that platforms append to the document they record (its last pages)."""


def _best(text: str) -> str | None:
    """The type whose cues score highest, if it reaches the minimum score."""
    scores = scores_for(text)
    best = max(scores, key=scores.__getitem__, default=None)
    if best is None or scores[best] < float(_cues()[0]["min_score"]):
        return None
    return best


def title_of(text: str, lines: int) -> str:
    """The document's title area: its first ``lines`` non-empty lines."""
    out: list[str] = []
    for line in text.split("\n"):
        if line.strip():
            out.append(line)
            if len(out) >= lines:
                break
    return "\n".join(out)


def scores_for(text: str) -> dict[str, float]:
    """Each type's cue score (0 for a type whose structure is missing); exposed so tests and
    reviewers can see why a type won."""
    cfg, cues, structure = _cues()
    body = text[: int(cfg["scan_chars"])].lower()
    title = title_of(body, int(cfg["title_lines"]))
    boost = float(cfg["title_boost"])
    scores: dict[str, float] = {}
    for doc_type, patterns in cues.items():
        gate = structure.get(doc_type)
        if gate is not None:
            # a title that names the kind ("INVOICE") lowers the bar by one structural cue
            titled = any(p.search(title) for p, _ in patterns)
            if sum(1 for p in gate[1] if p.search(body)) < gate[0] - (1 if titled else 0):
                scores[doc_type] = 0.0
                continue
        total = 0.0
        for pattern, weight in patterns:
            if pattern.search(title):
                total += weight * boost
            elif pattern.search(body):
                total += weight
        scores[doc_type] = total
    return scores


def kind_cues(doc_type: str, pages: tuple[Page, ...], limit: int = 4) -> tuple[Anchor, ...]:
    """Where the cues of ``doc_type`` are printed: each cue's first place in the document (those
    in its title first, then the structural cues), so a person can see why it is that kind."""
    cfg, cues, structure = _cues()
    patterns = [p for p, _ in sorted(cues.get(doc_type, ()), key=lambda c: -c[1])]
    patterns += structure.get(doc_type, (0, []))[1]
    found: list[tuple[bool, int, int, Anchor]] = []
    budget = int(cfg["scan_chars"])
    for order, pattern in enumerate(patterns):
        seen = 0
        for page in pages:
            text = page.text or ""
            low = text[: max(0, budget - seen)].lower()
            seen += len(text)
            m = pattern.search(low)
            if m is not None and m.end() > m.start():
                in_title = page is pages[0] and m.start() < len(title_of(low, int(cfg["title_lines"])))
                found.append((not in_title, order, m.start(), page.anchor(m.start(), m.end())))
                break
            if seen >= budget:
                break
    found.sort(key=lambda f: f[:3])
    out: list[Anchor] = []
    for *_, a in found:
        if all(a.text.lower() != b.text.lower() for b in out):
            out.append(a)
    return tuple(out[:limit])
