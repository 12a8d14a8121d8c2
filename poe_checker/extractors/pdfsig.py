"""Cryptographic validation of a PDF's signatures with pyHanko, told in plain words.

Called by the PDF extractor only for files that have signed signature fields, so pyHanko (and
its ~0.3 s import) is paid for by signed PDFs alone. For each signed field it reports:

- integrity: the hash over the signed byte range matches and the CMS signature verifies;
- coverage: whether the signature still covers the whole file, and if later revisions were
  appended, whether they are allowed ones (form filling, LTA timestamps) by pyHanko's
  reject-by-default difference analysis;
- the signer certificate's subject (CN, O, email) and the signing time, preferring a
  timestamp token's time over the signer's own clock;
- trust: whether the certificate chains to a configured trust root. None are configured by
  default (``POE_CHECKER_TRUST_ROOTS``), and then the identity is reported as self-asserted.
  Trust is reported, never required; nothing is fetched from the network.

A signature that is not intact, no longer covers the document, or whose later changes are not
allowed gets ``valid=False``; one whose data cannot be parsed also gets ``valid=False`` (it
proves nothing). Validation stops at a time budget; what is left is reported as not validated.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import functools
import io
import logging
import os
import time
from dataclasses import dataclass
from ..model import trust_words
from pathlib import Path

log = logging.getLogger(__name__)

TRUST_ROOTS_ENV = "POE_CHECKER_TRUST_ROOTS"
"""Trust-root certificate files (PEM or DER) or folders of them, separated by ``os.pathsep``."""

MAX_SIGNATURES = 50
DEFAULT_BUDGET_S = 5.0
"""Wall time for all signatures of one file; the corpus cap per file is 10 s."""

_ALLOWED_LATER_CHANGES = {"NONE": "", "LTA_UPDATES": "timestamps added for long-term validation",
                          "FORM_FILLING": "form filling"}


@dataclass(frozen=True)
class SignatureCheck:
    """What validation of one signature field found."""

    field: str
    valid: bool | None
    """True: intact and covers the document (or only allowed changes); False: it does not hold;
    None: it could not be checked (unsupported format, time budget)."""
    detail: str
    signer_name: str | None = None
    signer_org: str | None = None
    signer_email: str | None = None
    signed_at: dt.datetime | None = None
    trusted: bool | None = None
    """True: chains to a configured root; False: roots configured, no chain; None: no roots."""
    timestamp_only: bool = False
    integrity: str = ""
    """Plain words on integrity and coverage alone ("intact and covers the whole document")."""


def validate(data: bytes, *, trust_roots: list[bytes] | None = None,
             budget_s: float = DEFAULT_BUDGET_S) -> dict[str, SignatureCheck]:
    """Signature checks by fully qualified field name (trust roots: PEM or DER certificate bytes;
    None reads ``POE_CHECKER_TRUST_ROOTS``). Never raises on a damaged file."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _validate(data, trust_roots, budget_s)
    # pyHanko runs its own event loop (asyncio.run), which cannot start inside a running one
    # (e.g. a web service calling the pipeline from a coroutine): validate on a worker thread.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_validate, data, trust_roots, budget_s).result()


def _validate(data: bytes, trust_roots: list[bytes] | None, budget_s: float) -> dict[str, SignatureCheck]:
    deadline = time.monotonic() + budget_s
    try:
        reader, fields = _open(data)
    except Exception as exc:  # pyHanko's parser on a damaged file: tell, don't crash
        log.info("pyHanko could not read the signature fields: %r", exc)
        return {}
    roots = _configured_roots() if trust_roots is None else _parse_roots(tuple(trust_roots))
    out: dict[str, SignatureCheck] = {}
    for name, sig_obj_ref, sig_field in fields[:MAX_SIGNATURES]:
        if time.monotonic() > deadline:
            out[name] = SignatureCheck(name, None, "not validated: the time allowed for checking this file's "
                                                   "signatures ran out")
            continue
        try:
            out[name] = _check_one(reader, name, sig_field, roots)
        except Exception as exc:  # noqa: BLE001 -- any parser or CMS error means "proves nothing"
            log.info("signature %s not validated: %r", name, exc)
            out[name] = SignatureCheck(name, False, _damaged(exc))
    return out


# ---- trust configuration --------------------------------------------------------------------

def _configured_roots() -> tuple:
    return _load_roots(os.environ.get(TRUST_ROOTS_ENV, ""))


@functools.lru_cache(maxsize=4)
def _load_roots(spec: str) -> tuple:
    """Certificates from the files and folders named in ``spec`` (unreadable ones skipped, logged)."""
    raw: list[bytes] = []
    for part in filter(None, (p.strip() for p in spec.split(os.pathsep))):
        path = Path(part)
        files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
        for f in files:
            try:
                raw.append(f.read_bytes())
            except OSError as exc:
                log.warning("trust root %s not readable: %s", f, exc)
    return _parse_roots(tuple(raw))


def _parse_roots(blobs: tuple[bytes, ...]) -> tuple:
    """asn1crypto certificates from PEM (one or many) or DER blobs; what does not parse is skipped."""
    from asn1crypto import pem, x509

    certs = []
    for blob in blobs:
        ders = [der for kind, _, der in pem.unarmor(blob, multiple=True) if kind == "CERTIFICATE"] \
            if pem.detect(blob) else [blob]
        for der in ders:
            try:
                cert = x509.Certificate.load(der)
                cert.native  # parse now: a bad file must not fail every validation later
                certs.append(cert)
            except Exception as exc:  # noqa: BLE001
                log.warning("a configured trust root is not a certificate: %r", exc)
    return tuple(certs)


# ---- pyHanko --------------------------------------------------------------------------------

@functools.cache
def _pyhanko():
    """Import pyHanko once, quietly: its warnings are our evidence, not log noise."""
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields
    from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
    from pyhanko_certvalidator import ValidationContext

    return PdfFileReader, enumerate_sig_fields, validate_pdf_signature, validate_pdf_timestamp, \
        EmbeddedPdfSignature, ValidationContext


def _open(data: bytes):
    PdfFileReader, enumerate_sig_fields, *_ = _pyhanko()
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    if reader.encrypted:
        reader.decrypt("")  # files PDFium opened need no password; others fail here, which is told
    fields = list(enumerate_sig_fields(reader, filled_status=True))
    return reader, fields


def _check_one(reader, name: str, sig_field, roots: tuple) -> SignatureCheck:
    _, _, validate_sig, validate_ts, EmbeddedPdfSignature, ValidationContext = _pyhanko()
    embedded = EmbeddedPdfSignature(reader, sig_field, name)

    def context():
        return ValidationContext(trust_roots=list(roots), allow_fetching=False, revocation_mode="soft-fail")

    if embedded.sig_object_type == "/DocTimeStamp":
        status = validate_ts(embedded, context())
        holds, why = _integrity(status, "the timestamp")
        when = getattr(status, "timestamp", None)
        text = f"document timestamp (RFC 3161){_at(when)}: {why}; it records when, not who signed"
        return SignatureCheck(name, holds, text, signed_at=when, timestamp_only=True, integrity=why)

    subject = _subject(embedded.signer_cert)
    who = subject[0] or subject[2] or "the signer"
    status = validate_sig(embedded, context())
    holds, why = _integrity(status, who)
    parts = [why, "certificate subject: " + _subject_text(subject)]
    signed_at, how = _signing_time(status)
    if signed_at is not None:
        parts.append(f"signed {_fmt(signed_at)} ({how})")
    trusted = bool(status.trusted) if roots else None
    parts.append(trust_words(trusted))
    return SignatureCheck(name, holds, "; ".join(parts), signer_name=subject[0], signer_org=subject[1],
                          signer_email=subject[2], signed_at=signed_at, trusted=trusted, integrity=why)


def _integrity(status, who: str) -> tuple[bool, str]:
    """Does the signature still hold for this file, and why (plain words)."""
    changed = f"the document was changed after {who} signed it"
    if not status.intact:
        return False, f"{changed}: the signed content no longer matches the signature"
    if not status.valid:
        return False, f"the signature of {who} does not verify against the signer's certificate"
    coverage = getattr(status.coverage, "name", None)
    if coverage == "ENTIRE_FILE":
        return True, "intact and covers the whole document"
    if coverage != "ENTIRE_REVISION":
        return False, f"{changed}: content was added that the signature does not cover"
    level = getattr(getattr(status, "modification_level", None), "name", None)
    if level not in _ALLOWED_LATER_CHANGES:
        return False, f"{changed}: later revisions change the content, not just form fields or timestamps"
    if getattr(status, "docmdp_ok", None) is False:
        return False, f"{changed}, in a way the signer's certification of the document does not permit"
    allowed = _ALLOWED_LATER_CHANGES[level]
    return True, "intact; the only later changes are allowed ones" + (f" ({allowed})" if allowed else "")


def _subject(cert) -> tuple[str | None, str | None, str | None]:
    """(CN, O, email) of the signer certificate; email from the subject or the SAN."""
    if cert is None:
        return None, None, None
    native = cert.subject.native

    def first(key: str) -> str | None:
        v = native.get(key)
        if isinstance(v, list):
            v = v[0] if v else None
        return str(v).strip() or None if v else None

    email = first("email_address")
    if email is None:
        try:
            san = cert.subject_alt_name_value
            for general in (san or []):
                if general.name == "rfc822_name":
                    email = str(general.native)
                    break
        except Exception:  # noqa: BLE001 -- a malformed extension only costs the email
            email = None
    return first("common_name"), first("organization_name"), email.lower() if email else None


def _subject_text(subject: tuple[str | None, str | None, str | None]) -> str:
    cn, org, email = subject
    parts = [f"CN={cn}" if cn else "", f"O={org}" if org else "", f"email={email}" if email else ""]
    return ", ".join(p for p in parts if p) or "(empty)"


def _signing_time(status) -> tuple[dt.datetime | None, str]:
    ts = getattr(status, "timestamp_validity", None)
    if ts is not None and getattr(ts, "timestamp", None) is not None:
        ok = "intact" if ts.intact and ts.valid else "NOT intact"
        return ts.timestamp, f"timestamp token, {ok}"
    reported = getattr(status, "signer_reported_dt", None)
    if reported is not None:
        return reported, "signer's own clock, no timestamp token"
    return None, ""


def _damaged(exc: Exception) -> str:
    text = str(exc).split("[")[0].strip().rstrip(".")
    if "SubFilter" in text:
        return f"the signature uses a format that cannot be checked ({text[:120]}); it proves nothing"
    return f"the signature data is damaged or was never completed ({text[:120]}); it proves nothing"


def _at(when: dt.datetime | None) -> str:
    return f" {_fmt(when)}" if when is not None else ""


def _fmt(when: dt.datetime) -> str:
    if when.tzinfo is not None:
        when = when.astimezone(dt.timezone.utc)
        return when.strftime("%Y-%m-%d %H:%M UTC")
    return when.strftime("%Y-%m-%d %H:%M")
