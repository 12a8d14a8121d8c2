"""What kind of document is this? Weighted cues from ``knowledge/doc_types.toml``.

The kind matters because the guideline accepts some documents as proof (SOW, POE template,
customer email, e-signature record) and refuses others on their own (purchase orders, quotes,
licensing contracts, MSAs).
"""

from __future__ import annotations

import functools
import re

from .. import knowledge
from ..model import Email, Page, Signature


_UPPER_OUTSIDE_ESCAPE = re.compile(r"(?<!\\)[A-Z]")


@functools.cache
def _cues() -> tuple[dict, dict[str, list[tuple[re.Pattern[str], float]]]]:
    cfg = knowledge.load("doc_types")
    cues: dict[str, list[tuple[re.Pattern[str], float]]] = {}
    for doc_type, table in cfg["cues"].items():
        for pattern, weight in table.items():
            if _UPPER_OUTSIDE_ESCAPE.search(pattern):
                raise ValueError(f"doc_types.toml: cue {pattern!r} must be lower case (it is matched on lower-cased text)")
            cues.setdefault(doc_type, []).append((re.compile(pattern), float(weight)))
    return cfg, cues


def classify(kind: str, pages: tuple[Page, ...], email: Email | None,
             signatures: tuple[Signature, ...] = ()) -> str:
    if kind in ("eml", "msg") or email is not None:
        return "email"
    text = "\n".join(p.text for p in pages)
    if kind == "image" and not text.strip():
        return "image"
    scores = scores_for(text)
    best = max(scores, key=scores.__getitem__, default=None)
    cfg, _ = _cues()
    if best is None or scores[best] < float(cfg["min_score"]):
        return "image" if kind == "image" else "other"
    return best


def scores_for(text: str) -> dict[str, float]:
    """Each type's cue score; exposed so tests and reviewers can see why a type won."""
    cfg, cues = _cues()
    body = text[: int(cfg["scan_chars"])].lower()
    title_end = int(cfg["title_chars"])
    boost = float(cfg["title_boost"])
    scores: dict[str, float] = {}
    for doc_type, patterns in cues.items():
        total = 0.0
        for pattern, weight in patterns:
            first = pattern.search(body)
            if first is not None:
                total += weight * (boost if first.start() < title_end else 1.0)
        scores[doc_type] = total
    return scores
