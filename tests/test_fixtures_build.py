"""The fixture generator: claims match the contract, expectations are complete, output is stable."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT.parent / "shared" / "contract" / "claim.schema.json"
RULES = ("customer_acknowledgement", "party_names", "activity_detail", "workload_match",
         "recency", "invoice", "public_sector_disclosure", "document_type")


@pytest.fixture(scope="module")
def build():
    spec = importlib.util.spec_from_file_location("fixtures_build", ROOT / "fixtures" / "build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module          # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def built(build, tmp_path_factory):
    out = tmp_path_factory.mktemp("packages")
    build.main(out, readme=None)
    return out


def _digests(folder: Path) -> dict[str, str]:
    return {str(f.relative_to(folder)): hashlib.sha256(f.read_bytes()).hexdigest()
            for f in sorted(folder.rglob("*")) if f.is_file()}


def test_every_claim_matches_the_contract_schema(built):
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()),
                                                format_checker=jsonschema.FormatChecker())
    claims = sorted(built.glob("*/claim.json"))
    assert len(claims) >= 20
    for path in claims:
        claim = json.loads(path.read_text())
        assert not list(validator.iter_errors(claim)), path.parent.name
        assert claim["submitted_on"], "results must not depend on today's date"


def test_expectations_name_only_known_rules_and_a_consistent_verdict(built):
    for path in sorted(built.glob("*/expected.json")):
        expected = json.loads(path.read_text())
        assert set(expected) == {"verdict", "checks"}
        assert set(expected["checks"]) <= set(RULES), path.parent.name
        statuses = set(expected["checks"].values())
        assert statuses <= {"pass", "fail", "warn", "not_applicable"}
        want = "fail" if "fail" in statuses else "review" if "warn" in statuses else "pass"
        assert expected["verdict"] == want, path.parent.name


def test_every_package_has_documents_beside_its_claim(built):
    for folder in sorted(p for p in built.iterdir() if p.is_dir()):
        docs = [f for f in folder.iterdir() if f.name not in ("claim.json", "expected.json")]
        assert docs, folder.name


def test_generation_is_deterministic(build, built, tmp_path):
    build.main(tmp_path / "again", readme=None)
    assert _digests(tmp_path / "again") == _digests(built)


def test_committed_packages_match_the_generator(built):
    """The checked-in JSON must be what build.py writes (documents may differ by zlib version)."""
    committed = ROOT / "fixtures" / "packages"
    if not committed.exists():
        pytest.skip("fixtures/packages not generated")
    fresh = {k: v for k, v in _digests(built).items() if k.endswith(".json")}
    # other generators (fixtures/build_signatures.py: sig_*, ...) add cases beside build.py's; their own tests check them
    ours = {p.name for p in built.iterdir() if p.is_dir()}
    on_disk = {k: v for k, v in _digests(committed).items() if k.endswith(".json") and Path(k).parts[0] in ours}
    assert fresh == on_disk, "run: python fixtures/build.py"
