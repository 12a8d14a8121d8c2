"""The typed loader of knowledge files: a misspelt or missing key is refused with the file's name."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from poe_checker import knowledge


@dataclass(frozen=True)
class Cues:
    headings: list[str]
    max_lines: int = 8


def test_a_file_loads_as_its_dataclass(monkeypatch):
    monkeypatch.setattr(knowledge, "load", lambda name: {"headings": ["out of scope"], "max_lines": 3})
    assert knowledge.load_as("sections", Cues) == Cues(["out of scope"], 3)


def test_an_unknown_key_is_refused_naming_it(monkeypatch):
    monkeypatch.setattr(knowledge, "load", lambda name: {"headings": [], "max_line": 3})
    with pytest.raises(ValueError, match=r"knowledge/sections.toml: unknown keys \['max_line'\]"):
        knowledge.load_as("sections", Cues)


def test_a_missing_key_without_a_default_is_refused(monkeypatch):
    monkeypatch.setattr(knowledge, "load", lambda name: {"max_lines": 3})
    with pytest.raises(ValueError, match=r"missing keys \['headings'\]"):
        knowledge.load_as("sections", Cues)


def test_the_shipped_section_cues_load():
    from poe_checker.reading import sections
    assert sections._compiled().cues.label_max_words > 0
