"""Every file of ../shared/corpus is read or refused in plain words, within 10 s and bounded memory.

Each file goes through the real pipeline in an isolated child process (``IsolatedReader``) capped
at 10 s and 1.5 GiB; a file that blows either bound shows up here as a failure, not a hang.
"""

import csv
from pathlib import Path

import pytest

from poe_checker.isolation import Bounds, IsolatedReader

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
FILES = sorted(p for p in CORPUS.glob("*/*") if p.is_file()) if CORPUS.is_dir() else []
pytestmark = pytest.mark.corpus


def _manifest() -> dict[str, dict]:
    path = CORPUS / "MANIFEST.tsv"
    if not path.is_file():
        return {}
    with path.open(newline="", encoding="utf-8") as fh:
        return {row["file"]: row for row in csv.DictReader(fh, delimiter="\t")}


@pytest.fixture(scope="module")
def reader():
    with IsolatedReader(Bounds(seconds=10, memory_bytes=int(1.5 * 2**30))) as r:
        yield r


@pytest.mark.skipif(not FILES, reason="../shared/corpus is not beside this checkout")
@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.name}" for p in FILES])
def test_corpus_file_is_read_or_refused_clearly(path: Path, reader: IsolatedReader):
    documents = reader.read(path.name, path.read_bytes())
    assert documents, "no document came back"
    first = documents[0]
    assert first.name == path.name
    if first.error is not None:
        assert "extraction stopped" not in first.error, first.error  # over 10 s or 1.5 GiB
        assert len(first.error) >= 15 and "Traceback" not in first.error, first.error
    for doc in documents:
        assert doc.error is None or doc.error.strip()


def test_manifest_lists_every_corpus_file():
    if not FILES:
        pytest.skip("no corpus")
    listed = set(_manifest())
    on_disk = {f"{p.parent.name}/{p.name}" for p in FILES}
    assert on_disk - {"MANIFEST.tsv"} <= listed | {"README.md"}


def test_known_cases_are_refused_for_the_right_reason(reader: IsolatedReader):
    """A few files whose nature the manifest states: the message must say that, not just 'error'."""
    manifest = _manifest()
    if not manifest:
        pytest.skip("no corpus manifest")
    refused = 0
    for rel, row in manifest.items():
        traits = set(row["traits"].split(","))
        if "password-required" in traits and row["kind"] == "pdf":
            doc = reader.read(Path(rel).name, (CORPUS / rel).read_bytes())[0]
            # some only protect their attachments and open without a password: read is right for those
            assert doc.error is None or "encrypted" in doc.error.lower(), (rel, doc.error)
            refused += doc.error is not None
    assert refused >= 20
