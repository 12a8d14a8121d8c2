"""The generators that write beside fixtures/build.py (build_scans.py, build_signatures.py,
build_layouts.py, build_details.py, build_activities.py): each writes only its own prefix of cases,
byte for byte the same every run, and the committed packages' expectations are in step with it."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from .conftest import fixture_script

ROOT = Path(__file__).resolve().parents[1]
GENERATORS = {"build_scans": ("scan_", 6), "build_signatures": ("sig_", 10), "build_layouts": ("lay_", 11),
              "build_details": ("det_", 19), "build_activities": ("act_", 7)}


@pytest.fixture(scope="module", params=sorted(GENERATORS))
def built(request, tmp_path_factory):
    gen = fixture_script(request.param)
    prefix, least = GENERATORS[request.param]
    out = tmp_path_factory.mktemp(prefix + "packages")
    (out / "keep_me").mkdir()                      # another generator's case must survive
    gen.main(out)
    return gen, prefix, least, out


def _digests(folder: Path, suffix: str = "") -> dict[str, str]:
    return {str(f.relative_to(folder)): hashlib.sha256(f.read_bytes()).hexdigest()
            for f in sorted(folder.rglob("*")) if f.is_file() and f.name.endswith(suffix)}


def test_only_its_own_cases_are_written_and_others_are_left_alone(built):
    _, prefix, least, out = built
    names = sorted(p.name for p in out.iterdir())
    assert "keep_me" in names
    assert all(n.startswith(prefix) for n in names if n != "keep_me") and len(names) >= least


def test_generation_is_byte_for_byte_stable(built, tmp_path):
    gen, _, _, out = built
    gen.main(tmp_path)
    assert _digests(tmp_path) == {k: v for k, v in _digests(out).items() if not k.startswith("keep_me")}


def test_committed_packages_match_the_generator(built):
    gen, prefix, _, out = built
    on_disk = {k: v for k, v in _digests(ROOT / "fixtures" / "packages", ".json").items() if k.startswith(prefix)}
    if not on_disk:
        pytest.skip(f"{prefix}* packages not generated")
    assert on_disk == _digests(out, ".json"), f"run: python fixtures/{Path(gen.__file__).name}"
