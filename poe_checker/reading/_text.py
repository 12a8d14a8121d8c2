"""Text helpers the readers share: fast alternations of many words, and length-keeping lower case."""

from __future__ import annotations

import re


def trie_pattern(words: list[str] | set[str]) -> str:
    """A prefix-factored alternation of ``words`` (longest first at every branch).

    A flat alternation of a hundred names costs a hundred branch attempts at each position; the
    factored one costs a few. A space matches one or two spaces or a line break (not a tab, which
    separates table cells); a hyphen is optional.
    """
    root: dict = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def walk(node: dict) -> str:
        terminal = "" in node
        alts = [_char(ch) + walk(child) for ch, child in sorted(node.items(), reverse=True) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 and not terminal else "(?:" + "|".join(alts) + ")"
        return body + "?" if terminal else body

    return walk(root)




def lowered(text: str) -> str:
    """``text.lower()`` with the same length, so positions in it are positions in ``text``."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)  # "İ" lowers to two chars


def _char(ch: str) -> str:
    if ch == " ":  # one or two spaces or a line break; a tab or a wider gap separates table cells
        return r"(?:[ \xa0]{1,2}|[ \xa0]?\r?\n[ \xa0]?)"
    if ch == "-":
        return r"[-‐‑–]?\s*"
    return re.escape(ch)
