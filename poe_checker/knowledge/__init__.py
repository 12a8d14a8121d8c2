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
