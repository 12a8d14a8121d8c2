"""Accepting an upload: limits, file types and the claim are checked before anything is stored,
then everything is stored in one transaction, then the check runs in the worker pool.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import PurePath

from fastapi import UploadFile

from ..claims import claim_from_dict
from ..errors import ClaimError, PoeCheckerError, UnsupportedFormat
from ..sniff import sniff
from .deps import ApiError
from .runner import Runner
from .settings import ServiceSettings
from .store import Principal, Store, Upload

CHUNK = 1 << 20


def parse_claim_text(text: str | None) -> dict:
    if text is None or not text.strip():
        raise ApiError(422, "missing_part", "the 'claim' part is missing: send the claim JSON as a form field "
                                            "named 'claim'", "claim")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ApiError(422, "bad_claim", f"claim is not valid JSON: {exc}", "claim") from exc
    return raw


def validate_claim(raw: object, who: Principal) -> dict:
    """The claim as it will be stored: validated, with the partner id and submission date filled in."""
    if isinstance(raw, dict) and who.role == "partner":
        partner = raw.get("partner")
        if isinstance(partner, dict) and not partner.get("partner_id"):
            raw = {**raw, "partner": {**partner, "partner_id": who.partner_id}}
    if isinstance(raw, dict) and not raw.get("submitted_on"):
        raw = {**raw, "submitted_on": dt.date.today().isoformat()}  # a re-run must judge the same date
    try:
        claim = claim_from_dict(raw)
    except ClaimError as exc:
        raise ApiError(422, "bad_claim", str(exc), f"claim.{exc.field}" if exc.field else "claim") from exc
    if who.role == "partner" and claim.partner.partner_id != who.partner_id:
        raise ApiError(403, "wrong_partner", f"this key checks claims of partner {who.partner_id} only; the claim "
                                             f"names partner id {claim.partner.partner_id}", "claim.partner.partner_id")
    return raw  # type: ignore[return-value]


async def read_uploads(files: list[UploadFile] | None, settings: ServiceSettings) -> list[Upload]:
    files = [f for f in files or [] if f.filename or f.size]
    if not files:
        raise ApiError(422, "missing_part", "no files: send the POE documents as one or more 'files' parts", "files")
    if len(files) > settings.max_files:
        raise ApiError(413, "too_many_files", f"{len(files)} files; a package may have at most {settings.max_files}: "
                                              "leave out duplicates or combine scans into one PDF", "files")
    uploads, total = [], 0
    for index, part in enumerate(files):
        name = PurePath((part.filename or f"file{index + 1}").replace("\\", "/")).name[:200] or f"file{index + 1}"
        data = bytearray()
        while chunk := await part.read(CHUNK):
            data += chunk
            if len(data) > settings.max_file_bytes:
                raise ApiError(413, "file_too_large", f"{name} is over the {settings.max_file_mb} MB limit for one "
                                                      "file: split it or compress the scans", f"files[{index}]")
        total += len(data)
        if total > settings.max_package_bytes:
            raise ApiError(413, "package_too_large", f"the files add up to more than {settings.max_package_mb} MB: "
                                                     "leave out what does not prove the work", "files")
        try:
            sniff(bytes(data))
        except UnsupportedFormat as exc:
            raise ApiError(415, "unsupported_file", f"{name}: {exc}", f"files[{index}]") from exc
        except PoeCheckerError:
            pass  # empty, damaged or encrypted: accepted, and reported on the verdict like in the CLI
        uploads.append(Upload(name, bytes(data)))
    return uploads


async def submit(store: Store, runner: Runner, who: Principal, claim_raw: dict, uploads: list[Upload]) -> str:
    check_id = store.create_check(who, claim_raw, uploads)
    await runner.run_async(check_id)
    return check_id
