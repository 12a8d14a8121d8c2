import importlib.util
import json
import os
import sys
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def contract_dir() -> Path:
    path = SHARED / "contract"
    if not path.is_dir():
        pytest.skip("../shared/contract is not beside this checkout")
    return path


@pytest.fixture(scope="session")
def verdict_validator():
    """Validates against the contract's own schema when present, else the copy we ship."""
    path = SHARED / "contract" / "verdict.schema.json"
    if path.is_file():
        schema = json.loads(path.read_text())
    else:
        from poe_checker.claims import schema as shipped
        schema = shipped("verdict.schema.json")
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)

    def validate(verdict: dict) -> dict:
        errors = list(validator.iter_errors(verdict))
        assert not errors, [e.message for e in errors]
        return verdict
    return validate


def fixture_script(name: str):
    """A generator script of fixtures/ loaded as a module (its helpers, its ``main(out)``)."""
    spec = importlib.util.spec_from_file_location(f"fixtures_{name}", ROOT / "fixtures" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def signature_kit():
    """fixtures/build_signatures.py as a module: its test CA, pyHanko signing and after-signing edit."""
    return fixture_script("build_signatures")


def tesseract_or_skip() -> None:
    """Tests of real OCR need Tesseract: under CI (``CI=true``) its absence fails the run, as the
    PostgreSQL and browser tests do; on a developer machine without it they skip."""
    from poe_checker import ocr
    if ocr.available():
        return
    message = "Tesseract is not installed: apt-get install tesseract-ocr tesseract-ocr-eng"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def tesseract() -> None:
    tesseract_or_skip()
