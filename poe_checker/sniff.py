"""Decide a file's type from its bytes, never its name.

Names lie in real packages (an Outlook .msg saved as .eml, a text mail named .msg), so only
content decides. Types we do not read are refused here with a message that says what to upload.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from typing import Literal

from .errors import CorruptDocument, EmptyDocument, EncryptedDocument, UnsupportedFormat

Kind = Literal["pdf", "docx", "msg", "eml", "image"]

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORD_MAIN_TYPES = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
)
_HEADER_LINE = re.compile(rb"^[A-Za-z][A-Za-z0-9-]{0,76}:[ \t]*\S", re.M)
_MAIL_HEADERS = re.compile(
    rb"^(from|to|cc|subject|date|message-id|received|return-path|mime-version|delivered-to|"
    rb"reply-to|sender|in-reply-to|references|content-type|x-[a-z0-9-]+):", re.I | re.M)


@dataclass(frozen=True, slots=True)
class Sniffed:
    kind: Kind
    media_type: str


def sniff(data: bytes) -> Sniffed:
    """Return the file's kind, or raise an ``ExtractionError`` naming what it is instead."""
    if not data or not data.strip():
        raise EmptyDocument("empty file: the upload has no content")
    head = data[:1024]
    if b"%PDF-" in head:
        return Sniffed("pdf", "application/pdf")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed("image", "image/png")
    if data.startswith(b"\xff\xd8\xff"):
        return Sniffed("image", "image/jpeg")
    if data[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return Sniffed("image", "image/tiff")
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return _sniff_zip(data)
    if data.startswith(OLE_MAGIC):
        return _sniff_ole(data)
    _refuse_known(data)
    if _looks_like_mail(data):
        return Sniffed("eml", "message/rfc822")
    if b"%PDF" in data[:1024 * 64]:
        return Sniffed("pdf", "application/pdf")
    raise UnsupportedFormat(
        "unrecognised file type: upload a PDF, Word (.docx), Outlook (.msg), email (.eml) "
        "or image (PNG, JPEG, TIFF) file")


def _refuse_known(data: bytes) -> None:
    head = data[:64]
    if head.startswith((b"GIF87a", b"GIF89a")):
        raise UnsupportedFormat("GIF images are not accepted: upload the page as PDF, PNG or JPEG")
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftyphevc", b"ftypavif"):
        raise UnsupportedFormat("HEIC/AVIF photos are not accepted: export the photo as JPEG or PNG, or scan to PDF")
    if head.startswith(b"\x78\x9f\x3e\x22"):
        raise UnsupportedFormat(
            "winmail.dat (TNEF) attachment: ask the sender to resend in plain format, or upload the original .msg")
    if head.startswith(b"{\\rtf"):
        raise UnsupportedFormat("RTF documents are not accepted: save as PDF or .docx")
    if head.startswith(b"\x30\x82") and b"\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02" in data[:64]:
        raise UnsupportedFormat(
            "a detached signature file (.p7s) on its own proves nothing: upload the signed document itself")


def _sniff_zip(data: bytes) -> Sniffed:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            content_types = ""
            if "[Content_Types].xml" in names:
                info = zf.getinfo("[Content_Types].xml")
                if info.file_size < 2_000_000:
                    content_types = zf.read(info).decode("utf-8", "replace")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError, OSError) as exc:
        raise CorruptDocument(
            f"damaged Word/ZIP file ({_short(exc)}): open it in Word, save it again, and re-upload") from exc
    word = "word/document.xml" in names or any(t in content_types for t in _WORD_MAIN_TYPES)
    if word or any(n.startswith("word/") for n in names):
        return Sniffed("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    if any(n.startswith("xl/") for n in names):
        raise UnsupportedFormat("Excel workbooks are not accepted as POE: save the sheet as PDF")
    if any(n.startswith("ppt/") for n in names):
        raise UnsupportedFormat("PowerPoint files are not accepted as POE: save the slides as PDF")
    raise UnsupportedFormat("ZIP archives are not accepted: upload each document on its own")


def _sniff_ole(data: bytes) -> Sniffed:
    import olefile

    try:
        ole = olefile.OleFileIO(data)
        try:
            streams = {"/".join(s) for s in ole.listdir(streams=True, storages=True)}
        finally:
            ole.close()
    except Exception as exc:  # olefile raises many types on damaged containers
        raise CorruptDocument(f"damaged Office/Outlook file ({_short(exc)}): save it again and re-upload") from exc
    if "EncryptionInfo" in streams or "EncryptedPackage" in streams:
        raise EncryptedDocument("password-protected Office document: remove the password in Word and re-upload")
    if "__properties_version1.0" in streams or any(s.startswith("__substg1.0_") for s in streams):
        return Sniffed("msg", "application/vnd.ms-outlook")
    if "WordDocument" in streams:
        raise UnsupportedFormat("legacy Word .doc file: save it as .docx or PDF and re-upload")
    if "Workbook" in streams or "Book" in streams:
        raise UnsupportedFormat("legacy Excel .xls file: save the sheet as PDF")
    raise UnsupportedFormat("unrecognised Office container: upload a PDF, .docx or .msg")


def _looks_like_mail(data: bytes) -> bool:
    head = data[:16384]
    head = _utf16_as_utf8(head)
    head = head.lstrip(b"\r\n\t \xef\xbb\xbf")
    if head.startswith(b"From ") and b"\n" in head:  # mbox "From " line
        head = head.split(b"\n", 1)[1]
    lines = head.split(b"\n", 40)
    if not lines or not _HEADER_LINE.match(lines[0]):
        return False
    return len(_MAIL_HEADERS.findall(head)) >= 2


def _utf16_as_utf8(head: bytes) -> bytes:
    """UTF-16 mail, with or without a byte-order mark (NULs at every other byte give it away)."""
    for bom, enc in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return head[2:].decode(enc, "replace").encode("utf-8", "replace")
    probe = head[:16]
    if len(probe) == 16:
        if all(b == 0 for b in probe[1::2]) and any(probe[0::2]):
            return head.decode("utf-16-le", "replace").encode("utf-8", "replace")
        if all(b == 0 for b in probe[0::2]) and any(probe[1::2]):
            return head.decode("utf-16-be", "replace").encode("utf-8", "replace")
    return head


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]
