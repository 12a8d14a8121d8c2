"""Domain knowledge as data files a reviewer can edit: workloads, phrasings, cues, thresholds.

Each ``*.toml`` beside this module is read once per process. Code asks for a file by name and
never hard-codes what these files say.
"""

from __future__ import annotations

import functools
import tomllib
from importlib import resources
from typing import Any


@functools.cache
def load(name: str) -> dict[str, Any]:
    """The parsed ``<name>.toml`` of this folder."""
    text = resources.files(__package__).joinpath(f"{name}.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def load_as(name: str, cls: type):
    """``<name>.toml`` as the frozen dataclass ``cls``: every key of the file must be a field of
    ``cls`` (a misspelt key is refused, not silently ignored), and every field without a default
    must be in the file."""
    import dataclasses

    data = load(name)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    if unknown := sorted(set(data) - set(fields)):
        raise ValueError(f"knowledge/{name}.toml: unknown keys {unknown}; known: {sorted(fields)}")
    missing = [n for n, f in fields.items() if n not in data
               and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    if missing:
        raise ValueError(f"knowledge/{name}.toml: missing keys {missing}")
    return cls(**data)
