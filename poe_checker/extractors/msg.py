"""Outlook .msg files (CFB/OLE containers), read with extract-msg.

Only what a check needs is touched: extract-msg builds many properties lazily, and some are slow
on large files (the recipient list is quadratic in the number of OLE entries; HTML generated from
RTF runs a full RTF parser). So recipients are read directly and capped, and the RTF-derived HTML
is used only when a message has no plain-text body.

Embedded Outlook items (an .msg attached to an .msg) are handed over as standalone .msg files built
by extract-msg's ``exportBytes()`` (its OLE writer copies the embedded storage to a new CFB file),
so the pipeline reads them like any uploaded .msg.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import logging
import re
from email import policy
from email.parser import HeaderParser

from ..errors import CorruptDocument, EncryptedDocument, UnsupportedFormat
from ..limits import Limits
from ..model import Mailbox
from . import Attachment, Extraction
from . import mailtext
from .eml import ENCRYPTED_PGP, ENCRYPTED_SMIME

for _name in ("extract_msg", "olefile", "RTFDE", "compressed_rtf"):
    # extract-msg logs every oddity of a file at WARNING/ERROR; a damaged file is reported once, by us.
    logging.getLogger(_name).setLevel(logging.CRITICAL + 1)

_MS_HEADER_PREFIX = "Microsoft Mail Internet Headers Version 2.0"
_MAX_RTF_FOR_HTML = 2 * 1024 * 1024
"""Largest RTF body turned into HTML when a message has no plain text (the RTF parser is slow)."""
_OID_ENVELOPED = bytes.fromhex("2a864886f70d010703")
_OID_AUTH_ENVELOPED = bytes.fromhex("2a864886f70d0109100117")
_SIGNATURE_TYPES = frozenset({"application/pkcs7-signature", "application/x-pkcs7-signature",
                              "application/pgp-signature"})
_SMTP = re.compile(r"^[^@\s/<>]+@[^@\s/<>]+\.[^@\s/<>]+$")
"""An internet address; Exchange also stores "/O=ORG/OU=.../CN=NAME" distinguished names."""
_CORRUPT = "damaged Outlook message ({}): open it in Outlook and save it again, or print it to PDF, and re-upload"
_MAIL_LIKE = frozenset({"post", "meeting request"})
_KINDS = {
    "ipm.appointment": "calendar item", "ipm.schedule.meeting": "meeting request", "ipm.contact": "contact card",
    "ipm.distlist": "contact list", "ipm.task": "task", "ipm.stickynote": "note", "ipm.post": "post",
    "ipm.activity": "journal entry",
}


def extract(data: bytes, limits: Limits) -> Extraction:
    # A file object, not bytes: olefile takes bytes shorter than 1536 as a *path* to open.
    stream = io.BytesIO(data)
    msg = None
    try:
        msg = _open(stream)
        better = _better_encoding(msg)
        if better:
            _close(msg)
            msg = _open(stream, overrideEncoding=better)
        return _read(msg, limits)
    finally:
        if msg is not None:
            _close(msg)
        stream.close()  # olefile leaves caller-provided files open


def _open(data: io.BytesIO, **options):
    """Open the file once as an ordinary message; other item types are reopened by type.

    ``openMsg`` always parses the OLE directory twice (once to learn the item type, once for the
    typed class). On a message with thousands of recipients that directory has ~9,000 entries
    and olefile's duplicate-stream check is quadratic in them, so each parse costs seconds.
    """
    import extract_msg

    options = {"delayAttachments": True, "errorBehavior": _tolerant(), **options}
    try:
        msg = _lean_message_class()(data, **options)
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - not a plain message after all; openMsg decides below
        msg = None
    if msg is not None:
        class_type = (_get(msg, "classType") or "").strip("\x00 ").lower()
        if _is_plain_message(class_type):
            return msg
        _close(msg)
    try:
        return extract_msg.openMsg(data, strict=False, **options)
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - olefile and extract-msg raise many types on damaged files
        raise CorruptDocument(_CORRUPT.format(_short(exc))) from exc


def _is_plain_message(class_type: str) -> bool:
    """Item types for which ``openMsg`` would itself pick the plain ``Message`` class."""
    if class_type.endswith(("smime.multipartsigned", "smime")):
        return False
    return class_type.startswith(("ipm.note", "report", "ipm.skypeteams.message"))


def _tolerant():
    from extract_msg.enums import ErrorBehavior

    return (ErrorBehavior.ATTACH_NOT_IMPLEMENTED | ErrorBehavior.ATTACH_BROKEN
            | ErrorBehavior.CUSTOM_ATTACH_TOLERANT | ErrorBehavior.RTFDE_MALFORMED
            | ErrorBehavior.RTFDE_UNKNOWN_ERROR | ErrorBehavior.STANDARDS_VIOLATION
            | ErrorBehavior.NAMED_NAME_STREAM)


@functools.lru_cache(maxsize=1)
def _lean_message_class():
    import extract_msg

    class LeanMessage(extract_msg.Message):
        """A ``Message`` that does not synthesise headers from the recipient list when opened.

        ``MessageBase.__init__`` builds ``header``; without transport headers the library makes
        one from To/Cc/Bcc, which creates every recipient object (quadratic in the OLE entries).
        We read the few recipients we need ourselves, so the header is only what the file holds.
        """

        @functools.cached_property
        def header(self):
            text = self.headerText or ""
            if text.startswith(_MS_HEADER_PREFIX):
                text = text[len(_MS_HEADER_PREFIX):].lstrip()
            return HeaderParser(policy=policy.compat32).parsestr(text, headersonly=True)

    return LeanMessage


def _close(msg) -> None:
    try:
        msg.close()
    except Exception:  # noqa: BLE001 - closing a half-read damaged file must not hide the real result
        pass


def _better_encoding(msg) -> str | None:
    """A codepage for 8-bit (non-Unicode) strings when the file does not declare one.

    extract-msg then falls back to ISO-8859-15, which garbles Cyrillic or Chinese messages. The
    internet codepage (PidTagInternetCodepage) is the usual hint; it is taken only if the raw
    subject and body actually decode with it.
    """
    from extract_msg.encoding import lookupCodePage

    try:
        if msg.areStringsUnicode or msg.getPropertyVal("3FFD0003") is not None:
            return None
        cpid = msg.getPropertyVal("3FDE0003")
        if not cpid:
            return None
        codec = mailtext.codec_for(lookupCodePage(int(cpid)))
        if not codec or codec in ("iso8859-15", "ascii"):
            return None
        samples = [msg.getStream(name) for name in ("__substg1.0_0037001E", "__substg1.0_1000001E")]
        samples = [s for s in samples if s]
        if not samples or all(s.isascii() for s in samples):
            return None
        for sample in samples:
            sample.rstrip(b"\x00").decode(codec)
        return codec
    except Exception:  # noqa: BLE001 - an unusable hint leaves the library's default in place
        return None


def _read(msg, limits: Limits) -> Extraction:
    class_type = (_get(msg, "classType") or "").strip("\x00 ").lower()
    notes: list[str] = []
    _refuse_encrypted(msg, class_type)

    headers = _transport_headers(msg)
    subject = _clean(_get(msg, "subject")) or (mailtext.header_text(headers, "Subject") if headers else "") or ""
    sender = _sender(msg, headers)
    to, cc = _recipients(msg, headers, notes)
    sent_at, date_text = _date(msg, headers)
    in_reply_to = (mailtext.header_text(headers, "In-Reply-To") if headers else None) or _clean(_get(msg, "inReplyTo"))
    references = (mailtext.header_text(headers, "References") if headers else None) or _string(msg, "1039")

    body = _body(msg, notes)
    kind = next((label for prefix, label in _KINDS.items() if class_type.startswith(prefix)), None)
    if kind:
        details = _item_details(msg)
        body = "\n".join(details + ([body] if body else [])) if details else body
        notes.append(f"this Outlook file is a {kind}, not an ordinary email")
    attachments = _attachments(msg, limits, notes)
    if not body.strip() and any(a.name.lower().endswith(".pgp-encrypted") for a in attachments):
        raise EncryptedDocument(ENCRYPTED_PGP)
    if mailtext.looks_pgp_encrypted(body):
        raise EncryptedDocument(ENCRYPTED_PGP)

    # Calendar items, contacts, tasks and notes carry their creator as "sender" but are not mail.
    is_mail = kind is None or (kind in _MAIL_LIKE and sender is not None)
    return mailtext.build_extraction(
        subject=subject, sender=sender, to=to, cc=cc, sent_at=sent_at, date_text=date_text,
        in_reply_to=in_reply_to, has_references=bool(references and references.strip()), body=body,
        attachments=attachments, notes=notes, limits=limits, is_mail=is_mail)


def _refuse_encrypted(msg, class_type: str) -> None:
    """S/MIME encrypted Outlook mail keeps its content in one opaque smime.p7m attachment."""
    if not class_type.startswith("ipm.note.smime") or class_type.endswith("multipartsigned"):
        return
    raw = _get(msg, "rawAttachments") or []
    data = b""
    for att in raw[:1]:
        payload = _get(att, "data")
        data = payload if isinstance(payload, bytes) else b""
    head = data[:96]
    if _OID_ENVELOPED in head or _OID_AUTH_ENVELOPED in head or not head:
        raise EncryptedDocument(ENCRYPTED_SMIME)
    raise UnsupportedFormat("signed email in the opaque S/MIME format, which cannot be read here: "
                            "forward it as a normal email or save it as PDF")


# ---- headers ----------------------------------------------------------------------------------

def _transport_headers(msg):
    """The internet headers the message arrived with, when Outlook kept them (received mail)."""
    text = _get(msg, "headerText")
    if not text or not isinstance(text, str):
        return None
    if text.startswith(_MS_HEADER_PREFIX):
        text = text[len(_MS_HEADER_PREFIX):].lstrip()
    try:
        return HeaderParser(policy=policy.compat32).parsestr(text, headersonly=True)
    except Exception:  # noqa: BLE001
        return None


def _sender(msg, headers) -> Mailbox | None:
    if headers is not None:
        found = mailtext.parse_addresses(mailtext.header_values(headers, "From"), 1)
        if found:
            return found[0]
    name = _string(msg, "0C1A") or _string(msg, "0042")
    address = ""
    for prop in ("5D01", "0C1F", "5D02", "0065"):
        value = _string(msg, prop)
        if value and _SMTP.match(value.strip()):
            address = value.strip()
            break
    return mailtext.mailbox(name, address)


def _recipients(msg, headers, notes: list[str]) -> tuple[tuple[Mailbox, ...], tuple[Mailbox, ...]]:
    """To and Cc from the transport headers, else from the first recipient storages (capped)."""
    to = mailtext.parse_addresses(mailtext.header_values(headers, "To")) if headers is not None else ()
    cc = mailtext.parse_addresses(mailtext.header_values(headers, "Cc")) if headers is not None else ()
    if to or cc:
        if len(to) >= mailtext.MAX_RECIPIENTS or len(cc) >= mailtext.MAX_RECIPIENTS:
            notes.append(f"only the first {mailtext.MAX_RECIPIENTS} recipients per field were kept")
        return to, cc
    try:
        from extract_msg.enums import RecipientType
        from extract_msg.recipient import Recipient

        dirs = sorted({entry[0] for entry in msg.listDir(True, False, False)
                       if entry and entry[0].lower().startswith("__recip_version1.0_")})
    except Exception:  # noqa: BLE001
        return (), ()
    if len(dirs) > mailtext.MAX_RECIPIENTS:
        notes.append(f"the message has {len(dirs)} recipients; only the first {mailtext.MAX_RECIPIENTS} were read")
    to_list: list[Mailbox] = []
    cc_list: list[Mailbox] = []
    for directory in dirs[: mailtext.MAX_RECIPIENTS]:
        try:
            recipient = Recipient(directory, msg, RecipientType)
            kind = recipient.type
            address = (recipient.smtpAddress or recipient.email or "").strip()
            box = mailtext.mailbox(recipient.name, address if _SMTP.match(address) else "")
        except Exception:  # noqa: BLE001 - one broken recipient storage costs that recipient only
            continue
        if box is None:
            continue
        if kind == RecipientType.TO:
            to_list.append(box)
        elif kind == RecipientType.CC:
            cc_list.append(box)
    return tuple(to_list), tuple(cc_list)


def _date(msg, headers) -> tuple[dt.datetime | None, str | None]:
    raw = mailtext.header_text(headers, "Date") if headers is not None else None
    parsed = mailtext.parse_date(raw)
    if parsed is not None:
        return parsed, raw
    for source in (lambda: msg.date, lambda: msg.props.date, lambda: msg.props.getValue("0E060040")):
        try:
            value = source()
        except Exception:  # noqa: BLE001
            continue
        if isinstance(value, dt.datetime):
            return value, raw
    return None, raw


# ---- body -------------------------------------------------------------------------------------

def _body(msg, notes: list[str]) -> str:
    body = _get(msg, "body")
    if isinstance(body, bytes):
        body = mailtext.decode_text(body)
    body = _clean(body) or ""
    if body.strip():
        return body
    rtf = _get(msg, "rtfBody")
    if not _has_stream(msg, "__substg1.0_10130102") and rtf and len(rtf) > _MAX_RTF_FOR_HTML:
        notes.append("the message body is stored only as a very large RTF text and was not read")
        return ""
    html = _get(msg, "htmlBody")
    if not html:
        return ""
    if isinstance(html, bytes):
        match = re.search(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([A-Za-z0-9_.:-]{1,40})""", html[:4096], re.I)
        html = mailtext.decode_text(html, match.group(1).decode("ascii") if match else None)
    return mailtext.html_to_text(html)


def _item_details(msg) -> list[str]:
    """The few fields that carry a non-mail item's content (where, when, who)."""
    fields = (("Location", "location"), ("Start", "startDate"), ("End", "endDate"), ("Organizer", "organizer"),
              ("Due", "taskDueDate"), ("Status", "taskStatus"), ("Name", "displayName"),
              ("Company", "companyName"), ("Job title", "jobTitle"), ("Email", "email1EmailAddress"),
              ("Business phone", "businessTelephoneNumber"))
    lines = []
    for label, attribute in fields:
        value = _get(msg, attribute)
        if value is None or value == "":
            continue
        if isinstance(value, dt.datetime):
            value = value.isoformat(sep=" ")
        text = " ".join(str(getattr(value, "name", value)).split())
        if text and len(text) < 500:
            lines.append(f"{label}: {text}")
    return lines


# ---- attachments ------------------------------------------------------------------------------

def _attachments(msg, limits: Limits, notes: list[str]) -> list[Attachment]:
    from extract_msg.enums import AttachmentType

    try:
        found = list(msg.attachments)
    except Exception as exc:  # noqa: BLE001
        notes.append(f"the attachments could not be read ({_short(exc)})")
        return []
    namer = mailtext.AttachmentNamer()
    out: list[Attachment] = []
    skipped = 0
    for att in found:
        if len(out) >= limits.max_attachments:
            notes.append(f"{len(found) - len(out)} more attachments beyond the first "
                         f"{limits.max_attachments} were not read")
            break
        kind = _get(att, "type")
        mimetype = (_get(att, "mimetype") or "").lower()
        name = _get(att, "name") or _get(att, "longFilename") or _get(att, "shortFilename")
        if mimetype in _SIGNATURE_TYPES or (name or "").lower().endswith(".p7s"):
            notes.append("the email is digitally signed (S/MIME); the signature was not verified")
            continue
        data: bytes | None = None
        if kind in (AttachmentType.MSG, AttachmentType.SIGNED_EMBEDDED):
            data = _embedded_bytes(att)
            name = name or _embedded_name(att)
            mimetype = "application/vnd.ms-outlook"
        else:
            payload = _get(att, "data")
            if isinstance(payload, bytes):
                data = payload
        if data is None:
            skipped += 1
            continue
        out.append(Attachment(namer(name, mimetype or None), data))
    if skipped:
        notes.append(f"{skipped} attachments could not be read (links to online files, or damaged)")
    return out


def _embedded_bytes(att) -> bytes | None:
    raw = _get(att, "asBytes")  # an .msg inside a signed message: its original bytes
    if isinstance(raw, bytes) and raw:
        return raw
    inner = _get(att, "data")
    if inner is None or isinstance(inner, bytes):
        return inner
    for allow_bad in (False, True):
        try:
            return inner.exportBytes(allowBadEmbed=allow_bad)
        except Exception:  # noqa: BLE001 - a malformed embedded storage; try the repairing writer
            continue
    try:  # last resort: the embedded item as an .eml-like text
        return inner.asEmailMessage().as_bytes()
    except Exception:  # noqa: BLE001
        return None


def _embedded_name(att) -> str | None:
    inner = _get(att, "data")
    subject = _clean(_get(inner, "subject")) if inner is not None and not isinstance(inner, bytes) else None
    if not subject:
        return None
    subject = re.sub(r'[\\/:*?"<>|]+', "_", subject)[:100].strip()
    return f"{subject}.msg" if subject else None


# ---- small helpers ----------------------------------------------------------------------------

def _get(obj, attribute: str):
    """An extract-msg property, or None when computing it fails on this file."""
    if obj is None:
        return None
    try:
        return getattr(obj, attribute, None)
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - properties decode streams lazily and raise on damaged ones
        return None


def _string(msg, prop: str) -> str | None:
    try:
        return _clean(msg.getStringStream("__substg1.0_" + prop))
    except Exception:  # noqa: BLE001
        return None


def _has_stream(msg, name: str) -> bool:
    try:
        return bool(msg.exists(name))
    except Exception:  # noqa: BLE001
        return False


def _clean(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        value = mailtext.decode_text(value)
    value = str(value).replace("\x00", "")
    return value if value.strip() else None


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]
