"""PDF digital signatures validated with pyHanko: real signatures by a throwaway test CA."""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from poe_checker.extractors import pdfsig
from poe_checker.extractors.pdf import extract
from poe_checker.limits import DEFAULT_LIMITS
from poe_checker.model import CertificateSubject

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture(scope="module")
def kit(signature_kit):
    return signature_kit


@pytest.fixture(scope="module")
def unsigned(kit, tmp_path_factory) -> bytes:
    return kit.unsigned_sow(tmp_path_factory.mktemp("sow"))


@pytest.fixture(scope="module")
def signed(kit, unsigned) -> bytes:
    return kit.sign_pdf(unsigned, kit.B.JOHN, "Contoso Ltd", 2001, "CustomerSignature")


def only(checks: dict) -> pdfsig.SignatureCheck:
    assert len(checks) == 1, checks
    return next(iter(checks.values()))


def test_an_intact_signature_covering_the_file_is_valid_and_names_the_certificate(kit, signed):
    check = only(pdfsig.validate(signed, trust_roots=[]))
    assert check.field == "CustomerSignature"
    assert check.valid is True
    assert check.detail.startswith("intact and covers the whole document")
    assert (check.signer_name, check.signer_org, check.signer_email) == ("John Doe", "Contoso Ltd",
                                                                         "john.doe@contoso.com")
    assert check.signed_at == kit.SIGNED_AT
    assert "signer's own clock, no timestamp token" in check.detail
    assert check.trusted is None
    assert "signer's identity self-asserted (no trusted root configured)" in check.detail


def test_a_change_after_signing_breaks_the_signature_in_plain_words(kit, signed):
    check = only(pdfsig.validate(kit.modify_after_signing(signed), trust_roots=[]))
    assert check.valid is False
    assert check.detail.startswith("the document was changed after John Doe signed it")


def test_bytes_flipped_inside_the_signed_range_fail_integrity(signed):
    at = signed.index(b"Statement of Work")
    tampered = signed[:at] + b"Statement of Wark" + signed[at + len(b"Statement of Work"):]
    check = only(pdfsig.validate(tampered, trust_roots=[]))
    assert check.valid is False
    assert "no longer matches the signature" in check.detail


def test_a_second_signature_in_a_new_field_is_an_allowed_later_change(kit, signed):
    twice = kit.sign_pdf(signed, kit.B.MEGAN, "Fabrikam Inc.", 2002, "PartnerSignature")
    checks = pdfsig.validate(twice, trust_roots=[])
    assert checks["CustomerSignature"].valid is True
    assert "only later changes are allowed ones (form filling)" in checks["CustomerSignature"].detail
    assert checks["PartnerSignature"].valid is True
    assert checks["PartnerSignature"].signer_org == "Fabrikam Inc."


def test_a_configured_trust_root_verifies_the_identity(kit, signed):
    check = only(pdfsig.validate(signed, trust_roots=[kit.ca_pem()]))
    assert check.valid is True and check.trusted is True
    assert "signer's identity verified" in check.detail


def test_a_root_the_signer_does_not_chain_to_leaves_the_identity_unverified(kit, signed, tmp_path):
    other = kit.signer_cert(kit.B.ALEX, "Fabrikam Inc.", 3001)[0]   # a leaf, not the signer's issuer
    from cryptography.hazmat.primitives import serialization

    check = only(pdfsig.validate(signed, trust_roots=[other.public_bytes(serialization.Encoding.PEM)]))
    assert check.valid is True and check.trusted is False          # trust is reported, not required
    assert "signer's identity not verified" in check.detail


def test_trust_roots_come_from_the_environment(kit, signed, tmp_path, monkeypatch):
    (tmp_path / "roots").mkdir()
    (tmp_path / "roots" / "test-ca.pem").write_bytes(kit.ca_pem())
    monkeypatch.setenv(pdfsig.TRUST_ROOTS_ENV, str(tmp_path / "roots"))
    assert only(pdfsig.validate(signed)).trusted is True
    monkeypatch.delenv(pdfsig.TRUST_ROOTS_ENV)
    assert only(pdfsig.validate(signed)).trusted is None


def test_the_time_budget_bounds_validation(signed):
    check = only(pdfsig.validate(signed, trust_roots=[], budget_s=-1))
    assert check.valid is None and "time allowed" in check.detail


def test_a_damaged_file_gives_no_checks_rather_than_an_error():
    assert pdfsig.validate(b"%PDF-1.7\nnot a pdf at all", trust_roots=[]) == {}


def test_the_pdf_extractor_fills_the_signature_from_validation(kit, signed):
    (sig,) = extract(signed, DEFAULT_LIMITS).signatures
    assert sig.kind == "digital" and sig.platform == "pdf"
    assert sig.valid is True and sig.detail.startswith("intact and covers the whole document")
    assert (sig.signer_name, sig.signer_email) == ("John Doe", "john.doe@contoso.com")
    assert sig.signed_on == dt.date(2025, 5, 28)
    assert sig.certificate == CertificateSubject("John Doe", "Contoso Ltd", "john.doe@contoso.com")
    assert sig.trusted is None and not sig.timestamp_only

    (broken,) = extract(kit.modify_after_signing(signed), DEFAULT_LIMITS).signatures
    assert broken.valid is False and "changed after John Doe signed it" in broken.detail


def test_pyhanko_is_imported_only_for_pdfs_with_signature_fields(unsigned, signed, tmp_path):
    (tmp_path / "plain.pdf").write_bytes(unsigned)
    (tmp_path / "signed.pdf").write_bytes(signed)
    code = ("import sys; from poe_checker.extractors.pdf import extract; from poe_checker.limits import DEFAULT_LIMITS;"
            "extract(open(sys.argv[1], 'rb').read(), DEFAULT_LIMITS); print('pyhanko' in sys.modules)")
    run = lambda name: subprocess.run([sys.executable, "-c", code, str(tmp_path / name)], capture_output=True,
                                      text=True, cwd=ROOT, timeout=60).stdout.strip()
    assert run("plain.pdf") == "False"
    assert run("signed.pdf") == "True"


def _signed_corpus() -> list[tuple[str, str]]:
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.is_file():
        return []
    with manifest.open(newline="", encoding="utf-8") as fh:
        return [(r["file"], r["traits"]) for r in csv.DictReader(fh, delimiter="\t")
                if r["file"].startswith("pdf/") and ("signed-modified" in r["traits"] or "sig-unparseable" in r["traits"]
                                                     or r["traits"] in ("signed", "malformed,signed"))
                and "encrypted" not in r["traits"]]


@pytest.mark.corpus
@pytest.mark.skipif(not _signed_corpus(), reason="../shared/corpus is not beside this checkout")
@pytest.mark.parametrize("name,traits", _signed_corpus(), ids=[f for f, _ in _signed_corpus()])
def test_corpus_signatures_agree_with_the_manifest(name, traits):
    checks = pdfsig.validate((CORPUS / name).read_bytes(), trust_roots=[])
    assert checks, "no signature found"
    valid = [c.valid for c in checks.values()]
    if "signed-modified" in traits or "sig-unparseable" in traits:
        assert False in valid, checks
    else:
        assert all(v is True for v in valid), checks


def test_validation_works_from_inside_a_running_event_loop(signed):
    import asyncio

    async def in_a_service():
        return pdfsig.validate(signed, trust_roots=[])

    assert only(asyncio.run(in_a_service())).valid is True
