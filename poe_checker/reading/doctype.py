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


@functools.cache
def _cues() -> tuple[dict, dict[str, list[tuple[re.Pattern[str], float]]]]:
    cfg = knowledge.load("doc_types")
    cues = {
        doc_type: [(re.compile(pattern, re.IGNORECASE), float(weight)) for pattern, weight in table.items()]
        for doc_type, table in cfg["cues"].items()
    }
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
    body = text[: int(cfg["scan_chars"])]
    title = body[: int(cfg["title_chars"])]
    boost = float(cfg["title_boost"])
    scores: dict[str, float] = {}
    for doc_type, patterns in cues.items():
        total = 0.0
        for pattern, weight in patterns:
            if pattern.search(title):
                total += weight * boost
            elif pattern.search(body):
                total += weight
        scores[doc_type] = total
    return scores
