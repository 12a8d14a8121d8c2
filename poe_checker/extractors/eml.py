"""EML (RFC 822/MIME) messages, read with the stdlib ``email`` package.

Mail in the wild is often malformed (missing boundaries, wrong charsets, UTF-16 files, broken
headers), so every step has a plain fallback: headers are read from their raw values with the
lenient stdlib helpers, a charset that does not decode falls back to UTF-8 or Windows-1252, and a
multipart whose boundary never occurs is re-split on the boundary it actually uses, or read as text.
"""

from __future__ import annotations

import email
import email.message
import re
from dataclasses import dataclass, field
from email import policy

from ..errors import CorruptDocument, EmptyDocument, EncryptedDocument, UnsupportedFormat
from ..limits import Limits
from . import Attachment, Extraction
from . import mailtext

_MAX_DEPTH = 40
"""MIME nesting followed; real mail nests a handful of levels, deeper means a hostile or broken file."""
_SIGNATURE_TYPES = frozenset({"application/pkcs7-signature", "application/x-pkcs7-signature",
                              "application/pgp-signature"})
_PKCS7_MIME = frozenset({"application/pkcs7-mime", "application/x-pkcs7-mime"})
_SKIPPED_TYPES = frozenset({"message/delivery-status", "message/disposition-notification",
                            "text/rfc822-headers", "message/external-body", "application/pgp-encrypted",
                            "message/feedback-report"})
_OID_ENVELOPED = bytes.fromhex("2a864886f70d010703")
_OID_AUTH_ENVELOPED = bytes.fromhex("2a864886f70d0109100117")
_OID_SIGNED = bytes.fromhex("2a864886f70d010702")
ENCRYPTED_SMIME = "encrypted email (S/MIME): forward an unencrypted copy or save it as PDF"
ENCRYPTED_PGP = "encrypted email (PGP): forward an unencrypted copy or save it as PDF"


def extract(data: bytes, limits: Limits) -> Extraction:
    msg = parse_bytes(data)
    return extract_message(msg, limits)


def parse_bytes(data: bytes) -> email.message.EmailMessage:
    """Parse mail bytes, first undoing UTF-16 files and byte-order marks that the parser cannot see."""
    raw = _normalise_bytes(data)
    if not raw.strip():
        raise EmptyDocument("empty email file: the upload has no content")
    try:
        msg = email.message_from_bytes(raw, policy=policy.default)
    except RecursionError as exc:
        raise CorruptDocument("damaged email file (its parts are nested too deeply): save the message again "
                              "(or print it to PDF) and re-upload") from exc
    except Exception as exc:  # noqa: BLE001 - the feed parser has failed on hostile input before
        raise CorruptDocument(f"damaged email file ({type(exc).__name__}): save the message again "
                              "(or print it to PDF) and re-upload") from exc
    if not list(msg.keys()) and not (_raw_payload_text(msg) or "").strip():
        raise EmptyDocument("empty email: the file has no headers and no text")
    return msg  # type: ignore[return-value]


def _normalise_bytes(data: bytes) -> bytes:
    encoding = None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif len(data) >= 8 and data[1:8:2] == b"\x00\x00\x00\x00" and data[0:8:2].strip(b"\x00"):
        encoding = "utf-16-le"
    elif len(data) >= 8 and data[0:8:2] == b"\x00\x00\x00\x00" and data[1:8:2].strip(b"\x00"):
        encoding = "utf-16-be"
    if encoding:
        data = data.decode(encoding, "replace").encode("utf-8", "surrogateescape")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.lstrip(b"\r\n\t ")


# ---- the message ------------------------------------------------------------------------------

@dataclass
class _Walk:
    """What a walk over the MIME tree collects besides the body text."""

    limits: Limits
    attachments: list[Attachment] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    namer: mailtext.AttachmentNamer = field(default_factory=mailtext.AttachmentNamer)
    encrypted: str | None = None
    signed: bool = False
    dropped: int = 0
    too_deep: bool = False

    def attach(self, name: str | None, data: bytes | None, content_type: str) -> None:
        if data is None:
            return
        if len(self.attachments) >= self.limits.max_attachments:
            self.dropped += 1
            return
        self.attachments.append(Attachment(self.namer(name, content_type), data))


def extract_message(msg: email.message.Message, limits: Limits) -> Extraction:
    """The extraction of a parsed message (also used for the first part of a message/partial)."""
    ctype = _content_type(msg)
    notes: list[str] = []
    if ctype == "message/partial":
        msg, notes = _partial(msg)
        ctype = _content_type(msg)
    if ctype == "multipart/encrypted":
        raise EncryptedDocument(ENCRYPTED_PGP if "pgp" in (_param(msg, "protocol") or "").lower()
                                else ENCRYPTED_SMIME)
    if ctype in _PKCS7_MIME:
        _refuse_pkcs7(msg)

    walk = _Walk(limits, notes=notes)
    segments = _walk(msg, 0, walk, top=True)
    body = "\n\n".join(text for text in (_segment_text(kind, text) for kind, text in segments) if text.strip())
    if walk.encrypted and not body.strip():
        raise EncryptedDocument(walk.encrypted)
    if mailtext.looks_pgp_encrypted(body):
        raise EncryptedDocument(ENCRYPTED_PGP)
    if walk.signed:
        walk.notes.append("the email is digitally signed (S/MIME or PGP); the signature was not verified")
    if walk.too_deep:
        walk.notes.append(f"parts nested deeper than {_MAX_DEPTH} levels were not read")
    if walk.dropped:
        walk.notes.append(f"{walk.dropped} more attachments beyond the first {limits.max_attachments} were not read")

    to = mailtext.parse_addresses(mailtext.header_values(msg, "To"))
    cc = mailtext.parse_addresses(mailtext.header_values(msg, "Cc"))
    sender = (next(iter(mailtext.parse_addresses(mailtext.header_values(msg, "From"))), None)
              or next(iter(mailtext.parse_addresses(mailtext.header_values(msg, "Sender"))), None))
    for name, boxes in (("To", to), ("Cc", cc)):
        if len(boxes) >= mailtext.MAX_RECIPIENTS:
            walk.notes.append(f"only the first {mailtext.MAX_RECIPIENTS} {name} recipients were kept")
    date_raw = mailtext.header_text(msg, "Date")
    sent_at = mailtext.parse_date(date_raw)
    in_reply_to = mailtext.header_text(msg, "In-Reply-To")
    references = mailtext.header_text(msg, "References")
    return mailtext.build_extraction(
        subject=mailtext.header_text(msg, "Subject") or "", sender=sender, to=to, cc=cc, sent_at=sent_at,
        date_text=date_raw, in_reply_to=in_reply_to, has_references=bool((references or "").strip()),
        body=body, attachments=walk.attachments, notes=walk.notes, limits=limits)


def _segment_text(kind: str, text: str) -> str:
    return mailtext.html_to_text(text) if kind == "html" else mailtext.plain_text(text)


def _walk(part: email.message.Message, depth: int, walk: _Walk, top: bool = False) -> list[tuple[str, str]]:
    """Body segments ("plain"/"html", text) of ``part`` in order; attachments go to ``walk``."""
    if depth > _MAX_DEPTH:
        walk.too_deep = True
        return []
    ctype = _content_type(part)
    maintype = ctype.split("/", 1)[0]

    if maintype == "multipart":
        children = part.get_payload()
        if not isinstance(children, list):
            recovered = _recover_multipart(part)
            if recovered is None:
                text = _raw_payload_text(part)
                return [("plain", text)] if text and text.strip() else []
            children = recovered
        if ctype == "multipart/encrypted":
            walk.encrypted = ENCRYPTED_PGP if "pgp" in (_param(part, "protocol") or "").lower() else ENCRYPTED_SMIME
            return []
        if ctype == "multipart/alternative":
            return _alternative(children, depth, walk)
        segments: list[tuple[str, str]] = []
        for child in children:
            if ctype == "multipart/signed" and _content_type(child) in _SIGNATURE_TYPES:
                walk.signed = True
                continue
            segments.extend(_walk(child, depth + 1, walk))
        return segments

    if ctype in ("message/rfc822", "message/global", "message/news"):
        inner = part.get_payload()
        inner_msg = inner[0] if isinstance(inner, list) and inner else None
        walk.attach(_filename(part) or _subject_name(inner_msg), _message_bytes(part, inner_msg), "message/rfc822")
        return []
    if ctype in _SIGNATURE_TYPES:
        walk.signed = True
        return []
    if ctype in _PKCS7_MIME:
        kind = _pkcs7_kind(part)
        if kind == "enveloped":
            walk.encrypted = ENCRYPTED_SMIME
            return []
    if ctype in _SKIPPED_TYPES or maintype == "message":
        return []

    filename = _filename(part)
    disposition = _disposition(part)
    is_body_text = ctype in ("text/plain", "text/html") and disposition != "attachment" and (top or not filename)
    if is_body_text:
        text = _decoded_text(part)
        return [("html" if ctype == "text/html" else "plain", text)] if text.strip() else []
    if maintype == "text" and not filename and disposition != "attachment":
        return []  # calendar invites, vCards, enriched text without a name are not documents
    walk.attach(filename, _payload_bytes(part), ctype)
    return []


def _alternative(children: list, depth: int, walk: _Walk) -> list[tuple[str, str]]:
    """One rendering of a multipart/alternative: the plain text when it says something, else HTML."""
    options = [_walk(child, depth + 1, walk) for child in children]
    for wanted in ("plain", "html"):
        for segments in options:
            if any(kind == wanted and text.strip() for kind, text in segments):
                return segments
    return next((s for s in options if s), [])


def _recover_multipart(part: email.message.Message) -> list | None:
    """Re-split a multipart whose declared boundary never occurs, using the boundary the body uses."""
    text = _raw_payload_text(part)
    if not text:
        return None
    for match in re.finditer(r"^--([^\r\n]{1,70}?)[ \t]*\r?\n(?=[A-Za-z-]+:)", text, re.M):
        boundary = match.group(1)
        if boundary.endswith("--"):
            continue
        head = f'Content-Type: {_content_type(part)}; boundary="{boundary}"\n\n'
        try:
            raw = head.encode("ascii", "replace") + text.encode("ascii", "surrogateescape")
        except UnicodeEncodeError:
            raw = head.encode("ascii", "replace") + text.encode("utf-8", "surrogateescape")
        try:
            rebuilt = email.message_from_bytes(raw, policy=policy.default)
        except Exception:  # noqa: BLE001
            return None
        children = rebuilt.get_payload()
        if isinstance(children, list) and children:
            return children
        return None
    return None


def _partial(msg: email.message.Message) -> tuple[email.message.Message, list[str]]:
    number = _param(msg, "number") or "?"
    total = _param(msg, "total") or "?"
    if number.strip() != "1":
        raise UnsupportedFormat(f"this file is part {number} of {total} of an email split into pieces "
                                "(message/partial): upload the complete email, or save it as PDF")
    payload = msg.get_payload()
    if isinstance(payload, list) and payload:
        return payload[0], [_partial_note(total)]
    try:
        first = email.message_from_bytes((_raw_payload_text(msg) or "").encode("utf-8", "surrogateescape"),
                                         policy=policy.default)
    except Exception as exc:  # noqa: BLE001
        raise CorruptDocument("damaged split email (message/partial): upload the complete email, "
                              "or save it as PDF") from exc
    return first, [_partial_note(total)]


def _partial_note(total: str) -> str:
    return (f"this file holds only part 1 of {total} of a split email (message/partial): the text was read "
            "as far as it goes; attachments in it may be cut off")


def _refuse_pkcs7(msg: email.message.Message) -> None:
    kind = _pkcs7_kind(msg)
    if kind == "enveloped":
        raise EncryptedDocument(ENCRYPTED_SMIME)
    raise UnsupportedFormat("signed email in the opaque S/MIME format, which cannot be read here: "
                            "forward it as a normal email or save it as PDF")


def _pkcs7_kind(part: email.message.Message) -> str:
    smime = (_param(part, "smime-type") or "").lower()
    if "enveloped" in smime:
        return "enveloped"
    if smime in ("signed-data", "certs-only", "compressed-data"):
        return "signed"
    head = (_payload_bytes(part) or b"")[:64]
    if _OID_ENVELOPED in head or _OID_AUTH_ENVELOPED in head:
        return "enveloped"
    if _OID_SIGNED in head:
        return "signed"
    return "enveloped" if (_filename(part) or "").lower().endswith(".p7m") else "signed"


# ---- safe accessors: a broken header or part must cost that field only ------------------------

def _content_type(part: email.message.Message) -> str:
    try:
        return part.get_content_type().lower()
    except Exception:  # noqa: BLE001
        return "text/plain"


def _param(part: email.message.Message, name: str) -> str | None:
    try:
        value = part.get_param(name)
    except Exception:  # noqa: BLE001
        return None
    if isinstance(value, tuple):  # RFC 2231 (charset, language, value)
        value = value[2]
    return str(value) if value is not None else None


def _filename(part: email.message.Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:  # noqa: BLE001
        name = None
    if not name:
        name = _param(part, "name")
    return mailtext.safe_name(name) if name else None


def _disposition(part: email.message.Message) -> str | None:
    try:
        return part.get_content_disposition()
    except Exception:  # noqa: BLE001
        return None


def _payload_bytes(part: email.message.Message) -> bytes | None:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001
        data = None
    if data is None:
        text = _raw_payload_text(part)
        if text is None:
            return None
        data = text.encode("utf-8", "surrogateescape")
    return data


def _raw_payload_text(part: email.message.Message) -> str | None:
    try:
        payload = part.get_payload()
    except Exception:  # noqa: BLE001
        return None
    return payload if isinstance(payload, str) else None


def _decoded_text(part: email.message.Message) -> str:
    data = _payload_bytes(part) or b""
    try:
        charset = part.get_content_charset()
    except Exception:  # noqa: BLE001
        charset = None
    return mailtext.decode_text(data, charset)


def _message_bytes(part: email.message.Message, inner: email.message.Message | None) -> bytes | None:
    """The nested message as a file of its own, the pipeline reads it like an uploaded .eml."""
    if inner is not None:
        for render in (lambda: inner.as_bytes(), lambda: inner.as_bytes(policy=policy.compat32),
                       lambda: inner.as_string(policy=policy.compat32).encode("utf-8", "surrogateescape")):
            try:
                return render()
            except Exception:  # noqa: BLE001 - the generator refuses some malformed headers
                continue
    return _payload_bytes(part)


def _subject_name(inner: email.message.Message | None) -> str | None:
    if inner is None:
        return None
    subject = mailtext.header_text(inner, "Subject")
    if not subject:
        return None
    subject = re.sub(r'[\\/:*?"<>|]+', "_", subject)[:100].strip()
    return f"{subject}.eml" if subject else None
