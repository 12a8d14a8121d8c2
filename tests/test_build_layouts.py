"""fixtures/build_layouts.py: stable output, only lay_* cases, committed expectations in step."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def gen(layout_kit):
    return layout_kit


@pytest.fixture(scope="module")
def built(gen, tmp_path_factory):
    out = tmp_path_factory.mktemp("lay_packages")
    (out / "keep_me").mkdir()                      # another generator's case must survive
    gen.main(out)
    return out


def _digests(folder: Path, suffix: str = "") -> dict[str, str]:
    return {str(f.relative_to(folder)): hashlib.sha256(f.read_bytes()).hexdigest()
            for f in sorted(folder.rglob("*")) if f.is_file() and f.name.endswith(suffix)}


def test_only_lay_cases_are_written_and_others_are_left_alone(built):
    names = sorted(p.name for p in built.iterdir())
    assert "keep_me" in names
    assert all(n.startswith("lay_") for n in names if n != "keep_me") and len(names) >= 11


def test_generation_is_byte_for_byte_stable(gen, built, tmp_path):
    gen.main(tmp_path)
    assert _digests(tmp_path) == {k: v for k, v in _digests(built).items() if not k.startswith("keep_me")}


def test_committed_lay_packages_match_the_generator(built):
    committed = ROOT / "fixtures" / "packages"
    on_disk = {k: v for k, v in _digests(committed, ".json").items() if k.startswith("lay_")}
    if not on_disk:
        pytest.skip("lay_* packages not generated")
    assert on_disk == _digests(built, ".json"), "run: python fixtures/build_layouts.py"
