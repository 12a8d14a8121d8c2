"""The one pipeline: bytes → sniffed type → extractor → Document → rules → Verdict.

Data flows one way. This module is also the one place where a failed extraction becomes
``documents[].error``: a bad file is reported in plain words and the rest is still checked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from dataclasses import replace
from collections.abc import Callable, Iterable
from pathlib import Path

from . import reading
from .errors import ExtractionError, ResourceLimit
from .extractors import Extraction, extractor_for
from .limits import DEFAULT_LIMITS, Limits
from .model import Claim, Document, Package
from .rules import run_rules
from .sniff import sniff
from .verdict import Verdict, build_verdict

log = logging.getLogger(__name__)

_MEDIA_BY_SUFFIX = {
    ".pdf": "application/pdf", ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".msg": "application/vnd.ms-outlook", ".eml": "message/rfc822", ".png": "image/png",
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".tif": "image/tiff", ".tiff": "image/tiff",
}


def read_file(name: str, data: bytes, limits: Limits = DEFAULT_LIMITS,
              *, parent: str | None = None, depth: int = 0) -> list[Document]:
    """The document for ``data`` followed by those of its attachments, in order. Never raises."""
    sha = hashlib.sha256(data).hexdigest()
    media_type = _MEDIA_BY_SUFFIX.get(Path(name).suffix.lower(), "application/octet-stream")
    if limits.ocr_deadline is None:  # an uploaded file: it and its attachments share one OCR budget
        limits = replace(limits, ocr_deadline=time.monotonic() + limits.max_ocr_seconds)
    try:
        if len(data) > limits.max_file_bytes:
            raise ResourceLimit(f"file is {len(data) // 2**20} MB, over the {limits.max_file_bytes // 2**20} MB "
                                f"limit: split it or compress the scans")
        sniffed = sniff(data)
        media_type = sniffed.media_type
        extraction = extractor_for(sniffed.kind)(data, limits)
        document = reading.understand(name=name, sha256=sha, media_type=media_type, kind=sniffed.kind,
                                      extraction=extraction, parent=parent)
    except ExtractionError as exc:
        return [_failed(name, sha, media_type, str(exc), parent)]
    except RecursionError:
        return [_failed(name, sha, media_type,
                        "damaged file (its internal structure loops or nests too deeply): save it again and re-upload",
                        parent)]
    except MemoryError:
        return [_failed(name, sha, media_type, "file needs too much memory to read: split it and re-upload", parent)]
    except Exception as exc:  # a parser's own bug on a damaged file must not end the check
        log.warning("extractor failed on %s: %r", name, exc, exc_info=True)
        return [_failed(name, sha, media_type,
                        f"damaged or unusual file that could not be read ({type(exc).__name__}): "
                        "open it, save or print it to PDF again, and re-upload", parent)]
    documents = [document]
    documents.extend(_attachments(name, extraction, limits, depth))
    return documents


def _attachments(name: str, extraction: Extraction, limits: Limits, depth: int) -> list[Document]:
    if not extraction.attachments:
        return []
    if depth + 1 > limits.max_attachment_depth:
        log.info("%s: attachments nested deeper than %d levels not read", name, limits.max_attachment_depth)
        return []
    out: list[Document] = []
    for attachment in extraction.attachments[: limits.max_attachments]:
        out.extend(read_file(f"{name}/{attachment.name}", attachment.data, limits, parent=name, depth=depth + 1))
    return out


def _failed(name: str, sha: str, media_type: str, message: str, parent: str | None) -> Document:
    return Document(name=name, sha256=sha, media_type=media_type, doc_type="other", error=message, parent=parent)


Reader = Callable[[str, bytes], list[Document]]
"""Anything that reads one file like ``read_file`` (e.g. ``isolation.IsolatedReader.read``)."""


def unopened(name: str, message: str) -> Document:
    """The document for a file whose bytes could not even be had (no content, so no hash of it)."""
    return _failed(name, hashlib.sha256(b"").hexdigest(), "application/octet-stream", message, None)


def read_package(files: Iterable[tuple[str, bytes]], limits: Limits = DEFAULT_LIMITS,
                 reader: Reader | None = None) -> Package:
    read = reader or (lambda name, data: read_file(name, data, limits))
    documents: list[Document] = []
    for name, data in files:
        documents.extend(read(name, data))
    return Package(tuple(documents))


def read_paths(paths: Iterable[Path | str], limits: Limits = DEFAULT_LIMITS,
               reader: Reader | None = None) -> Package:
    """Read files from disk; an unreadable path is reported like any unreadable document."""
    read = reader or (lambda name, data: read_file(name, data, limits))
    documents: list[Document] = []
    for path in map(Path, paths):
        try:
            data = path.read_bytes()
        except OSError as exc:
            documents.append(unopened(path.name, f"file could not be opened: {exc.strerror or exc}"))
            continue
        documents.extend(read(path.name, data))
    return Package(tuple(documents))


def check_package(claim: Claim, package: Package, *, now: dt.datetime | None = None) -> Verdict:
    return build_verdict(claim, package, run_rules(package, claim), now=now)


def check_paths(claim: Claim, paths: Iterable[Path | str], *, limits: Limits = DEFAULT_LIMITS,
                reader: Reader | None = None, now: dt.datetime | None = None) -> Verdict:
    return check_package(claim, read_paths(paths, limits, reader), now=now)
