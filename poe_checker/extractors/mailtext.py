"""What EML and MSG have in common: decoding text, HTML to text, splitting new text from quoted
history, and turning the parts of a message into an ``Extraction``.

Both formats end up here so an Outlook message and the same message saved as .eml read alike.
"""

from __future__ import annotations

import codecs
import html
import datetime as dt
import email.message
import email.utils
import mimetypes
import re
from collections.abc import Iterable
from email.header import decode_header

from ..limits import Limits
from ..model import Email, Mailbox, Page, Word
from . import Attachment, Extraction

MAX_RECIPIENTS = 500
"""Recipients kept per field; mailing-list blasts carry thousands and none of them matters more."""

# ---- decoding ---------------------------------------------------------------------------------

_CHARSET_ALIASES = {
    # Mail clients label supersets with the subset's name; decoding with the superset loses nothing.
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "euc-cn": "gb18030",
    "iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
    "ks_c_5601-1987": "cp949", "euc-kr": "cp949", "shift_jis": "cp932", "shift-jis": "cp932",
    "x-sjis": "cp932", "sjis": "cp932", "big5": "big5hkscs", "iso-8859-8-i": "iso-8859-8",
    "unicode-1-1-utf-7": "utf-7", "x-unicode-2-0-utf-7": "utf-7", "utf8": "utf-8",
    "windows-874": "cp874", "tis-620": "cp874",
}
_NO_CHARSET = {"", "x-unknown", "unknown", "unknown-8bit", "x-user-defined", "default", "none", "charset"}


def codec_for(charset: str | None) -> str | None:
    """A Python text codec for a mail charset label, or None when the label names no usable codec."""
    if not charset:
        return None
    name = charset.strip().strip("\"'").lower()
    if name in _NO_CHARSET:
        return None
    name = _CHARSET_ALIASES.get(name, name)
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True):  # base64_codec, zlib_codec ... are not charsets
        return None
    return info.name


def decode_text(data: bytes, charset: str | None = None) -> str:
    """Decode body bytes; a wrong or unknown charset label costs accuracy, never the message."""
    if not data:
        return ""
    codec = codec_for(charset)
    if codec:
        try:
            return data.decode(codec)
        except Exception:  # noqa: BLE001 - utf-7 and CJK codecs raise more than UnicodeDecodeError
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if codec and codec != "utf-8":
        try:
            return data.decode(codec, "replace")
        except Exception:  # noqa: BLE001
            pass
    return data.decode("cp1252", "replace")  # mislabelled "utf-8" is nearly always Windows-1252


def decode_words(value: str | None) -> str:
    """A raw header value as text: unfolded, 8-bit bytes and RFC 2047 encoded words decoded.

    Decoding goes through ``decode_text`` so the charset fallbacks (gb2312 read as gb18030, unknown
    labels) apply to headers as well as bodies; anything that still fails keeps the raw text.
    """
    value = re.sub(r"\r?\n[ \t]+", " ", value or "").replace("\r", "").replace("\n", " ")
    if any("\udc80" <= ch <= "\udcff" for ch in value):  # raw 8-bit header bytes (surrogateescape)
        value = decode_text(value.encode("utf-8", "surrogateescape"))
    if "=?" in value:
        try:
            chunks = decode_header(value)
            decoded = "".join(decode_text(chunk, charset) if isinstance(chunk, bytes) else chunk
                              for chunk, charset in chunks)
            value = decoded if decoded.strip() else value
        except Exception:  # noqa: BLE001 - bad base64 or charsets inside encoded words
            pass
    return " ".join(value.split())


# ---- headers, addresses, subjects, dates -------------------------------------------------------

def header_values(msg: email.message.Message, name: str) -> list[str]:
    """Raw values of a header. The policy's parsed header objects are skipped on purpose: their
    parser raises (or crawls) on the malformed headers real mail carries."""
    try:
        return [str(value) for key, value in msg.raw_items() if key.lower() == name.lower()]
    except Exception:  # noqa: BLE001
        return []


def header_text(msg: email.message.Message, name: str) -> str | None:
    raw = header_values(msg, name)
    return decode_words(raw[0]) if raw else None


def mailbox(name: str | None, address: str | None) -> Mailbox | None:
    name = " ".join((name or "").split()).strip("\"' ")
    address = (address or "").strip().strip("<>").strip()
    if address and "@" not in address and name and "@" in name and " " not in name:
        name, address = address, name
    if not name and not address:
        return None
    if name == address:
        name = ""
    return Mailbox(name, address)


def parse_addresses(raw: str | Iterable[str] | None, limit: int = MAX_RECIPIENTS) -> tuple[Mailbox, ...]:
    """Mailboxes of a raw address header ("A <a@x>, b@y"), names decoded, at most ``limit``."""
    if not raw:
        return ()
    values = [raw] if isinstance(raw, str) else [v for v in raw if v]
    values = [re.sub(r"\r?\n[ \t]+", " ", v) for v in values]
    try:
        pairs = email.utils.getaddresses(values)
    except Exception:  # noqa: BLE001 - the stdlib parser has raised on hostile input before
        pairs = [("", v) for v in values]
    out: list[Mailbox] = []
    for name, address in pairs:
        box = mailbox(decode_words(name), address)
        if box is not None:
            out.append(box)
            if len(out) >= limit:
                break
    return tuple(out)


_SUBJECT_PREFIX = re.compile(
    r"^\s*(?:\[[^\]]{0,60}\]\s*)?"
    r"(re|aw|sv|antw|antwort|vs|odp|ynt|r|fw|fwd|wg|tr|rv|enc|doorst|vb|vl|fs|i)"
    r"\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*", re.I)
_REPLY_PREFIXES = {"re", "aw", "sv", "antw", "antwort", "vs", "odp", "ynt", "r"}
_FORWARD_PREFIXES = {"fw", "fwd", "wg", "tr", "rv", "enc", "doorst", "vb", "vl", "fs", "i"}
# Italian Outlook writes "R:" for a reply and "I:" (inoltro) for a forward.


def subject_flags(subject: str) -> tuple[bool, bool]:
    """(is_reply, is_forward) from the prefixes of a subject, e.g. "RE: FW: Kick-off" is both."""
    reply = forward = False
    rest = subject or ""
    for _ in range(20):
        match = _SUBJECT_PREFIX.match(rest)
        if not match:
            break
        word = match.group(1).lower()
        if word in _REPLY_PREFIXES:
            reply = True
        elif word in _FORWARD_PREFIXES:
            forward = True
        rest = rest[match.end():]
    return reply, forward


def subject_action(subject: str) -> str | None:
    """What this message did, from its outermost prefix: "RE: FW: Kick-off" is a reply (to a forward),
    "FW: RE: Approval" a forward (of a reply); None without a prefix."""
    match = _SUBJECT_PREFIX.match(subject or "")
    if not match:
        return None
    return "reply" if match.group(1).lower() in _REPLY_PREFIXES else "forward"


def format_date(sent_at: dt.datetime | None, raw: str | None) -> str:
    if sent_at is not None:
        try:
            return email.utils.format_datetime(sent_at)
        except (ValueError, OverflowError):
            pass
    return (raw or "").strip()


def parse_date(raw: str | None) -> dt.datetime | None:
    """The Date header as a datetime: aware when the header names a zone, naive when it does not."""
    if not raw or not raw.strip():
        return None
    raw = " ".join(raw.split())
    try:
        return email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError, OverflowError):
        pass
    from dateutil import parser as dateparser

    # Non-standard dates ("2025-06-10 09:35", "10 June 2025 9:35 CET") are taken only when complete:
    # dateutil fills missing parts from its default, so parse with two defaults and compare.
    try:
        first = dateparser.parse(raw, default=dt.datetime(2000, 1, 1))
        second = dateparser.parse(raw, default=dt.datetime(2001, 2, 2))
    except (ValueError, OverflowError, TypeError, LookupError):
        return None
    return first if first == second else None


# ---- HTML to text -----------------------------------------------------------------------------

_BLOCK_TAGS = frozenset({
    "p", "div", "li", "tr", "table", "tbody", "thead", "tfoot", "ul", "ol", "dl", "dt", "dd",
    "h1", "h2", "h3", "h4", "h5", "h6", "pre", "address", "section", "article", "header", "footer",
    "hr", "center", "form", "fieldset", "caption", "main", "nav", "aside", "figure", "figcaption",
})
_SKIP_TAGS = frozenset({"script", "style", "head", "title", "noscript", "template", "xml", "object", "iframe",
                        "svg", "math", "select", "button"})
_CELL_TAGS = frozenset({"td", "th"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|mso-hide\s*:\s*all", re.I)
_SOFT_BREAK = "\x01"
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0\u200b\ufeff]+")


def html_to_text(markup: str) -> str:
    """Visible text of an HTML body with its line structure; quoted blocks get "> " prefixes.

    The parser never fetches anything (no network, no external entities) and the tree is walked
    without recursion, so deeply nested mail HTML cannot exhaust the stack.
    """
    import lxml.etree as etree
    import lxml.html

    markup = _XML_DECL.sub("", markup or "", count=1).replace("\x00", "").replace(_SOFT_BREAK, "")
    if not markup.strip():
        return ""
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True,
                                  recover=True, default_doctype=False, collect_ids=False)
    try:
        root = lxml.html.document_fromstring(markup, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return _strip_tags(markup)
    if root is None:
        return _strip_tags(markup)

    buffers: list[list[str]] = [[]]
    pre_depth = 0

    def emit(text: str | None) -> None:
        if not text:
            return
        if pre_depth:
            buffers[-1].append(text.replace("\r\n", "\n"))
        else:
            buffers[-1].append(_SPACES.sub(" ", text))

    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        tag = el.tag if isinstance(el.tag, str) else ""
        tag = tag.rsplit("}", 1)[-1].lower()
        if event == "start":
            if tag in _SKIP_TAGS or _HIDDEN_STYLE.search(el.get("style") or ""):
                walker.skip_subtree()
                # "end" still arrives for a skipped element; mark it so the tail is kept but nothing else.
                el.set("data-poe-skip", "1")
                continue
            if tag == "br":
                buffers[-1].append("\n")
            elif tag == "blockquote":
                buffers.append([])
            elif tag in _BLOCK_TAGS:
                buffers[-1].append(_SOFT_BREAK)
            elif tag in _CELL_TAGS:
                buffers[-1].append("\t")
            if tag == "pre":
                pre_depth += 1
            emit(el.text)
        else:
            if el.get("data-poe-skip"):
                emit(el.tail)
                continue
            if tag == "pre":
                pre_depth = max(0, pre_depth - 1)
            if tag == "blockquote" and len(buffers) > 1:
                quoted = _normalise_lines("".join(buffers.pop()))
                if quoted:
                    buffers[-1].append("\n" + "\n".join("> " + line if line else ">"
                                                         for line in quoted.split("\n")) + "\n")
            elif tag in _BLOCK_TAGS:
                buffers[-1].append(_SOFT_BREAK)
            emit(el.tail)
    while len(buffers) > 1:  # unbalanced blockquotes cannot happen in a tree, but stay safe
        inner = buffers.pop()
        buffers[-1].extend(inner)
    text = _normalise_lines("".join(buffers[0]))
    # libxml2 stops at 256 nested elements; rather than lose such a body, strip its tags.
    return text or _strip_tags(markup)


def _strip_tags(markup: str) -> str:
    markup = re.sub(r"(?is)<(script|style|head)\b.*?</\1\s*>", " ", markup)
    markup = re.sub(r"(?i)<br\s*/?>|</(p|div|li|tr)\s*>", "\n", markup)
    text = re.sub(r"<[^>]*>", " ", markup)
    text = html.unescape(text)
    return _normalise_lines(text)


def _normalise_lines(text: str) -> str:
    # Block edges are soft: a run of them is one line break, while each <br> is a line of its own.
    text = re.sub(r"(?:[ \t]*\x01[ \t]*)+", "\n", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def plain_text(text: str) -> str:
    """A text/plain body with uniform line ends and no trailing blanks."""
    text = (text or "").replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return re.sub(r"\n{4,}", "\n\n\n", text).strip()


# ---- new text versus quoted history -----------------------------------------------------------

_HEADER_FROM = r"(?:from|von|de|da|van|fra|från|od|lähettäjä|от|寄件者|发件人|差出人)"
_HEADER_DATE = (r"(?:sent|date|gesendet|datum|envoyé|enviado(?: el)?|inviato|verzonden|skickat|sendt|data|"
                r"wysłano|lähetetty|отправлено|дата|發送時間|发送时间|送信日時)")
_RE_QUOTE_LINE = re.compile(r"^[ \t]*>")
_RE_ORIGINAL = re.compile(
    r"^[ \t]*-{2,}[ \t]*(?:original message|ursprüngliche nachricht|originalnachricht|message d'origine|"
    r"mensaje original|messaggio originale|oorspronkelijk bericht|originalmeddelande|opprinnelig melding|"
    r"original meddelelse|alkuperäinen viesti|wiadomość oryginalna|mensagem original|исходное сообщение)"
    r"[ \t]*-{2,}[ \t]*$", re.I)
_RE_FORWARDED = re.compile(
    r"^[ \t]*(?:-{2,}[ \t]*(?:forwarded message|weitergeleitete nachricht|message transféré|mensaje reenviado|"
    r"messaggio inoltrato|doorgestuurd bericht|vidarebefordrat meddelande|videresendt melding|"
    r"mensagem encaminhada|пересылаемое сообщение)[ \t]*-{2,}|"
    r"begin forwarded message[ \t]*:|anfang der weitergeleiteten nachricht[ \t]*:|"
    r"début du message réexpédié[ \t]*:|inicio del mensaje reenviado[ \t]*:|inizio messaggio inoltrato[ \t]*:)", re.I)
_RE_UNDERSCORES = re.compile(r"^[ \t]*_{10,}[ \t]*$")
_RE_FROM_LINE = re.compile(r"^[ \t]*\*?" + _HEADER_FROM + r"\*?[ \t]*:[ \t]*\S", re.I)
_RE_DATE_LINE = re.compile(r"^[ \t]*\*?" + _HEADER_DATE + r"\*?[ \t]*:[ \t]*\S", re.I)
_RE_WROTE = re.compile(
    r"^[ \t]*(?:on\b.*\bwrote|am\b.*\bschrieb\b.*|le\b.*\ba écrit|el\b.*\bescribió|il\b.*\bha scritto|"
    r"op\b.*\bschreef\b.*|den\b.*\bskrev\b.*|em\b.*\bescreveu|w dniu\b.*\bnapisał\w*)[ \t]*:[ \t]*$", re.I)

QuoteKind = str  # "reply" (a quoted reply), "forward" (a forwarded message), "history" (either)


def split_quoted(text: str) -> tuple[str, str, QuoteKind | None]:
    """Split a body into (new text, quoted history, what kind of marker started the history)."""
    lines = text.split("\n")
    offset = 0
    starts: list[int] = []
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1
    for i, line in enumerate(lines):
        kind = _marker_at(lines, i)
        if kind is not None:
            cut = starts[i]
            return text[:cut].strip(), text[cut:].strip(), kind
    return text.strip(), "", None


def _marker_at(lines: list[str], i: int) -> QuoteKind | None:
    line = lines[i]
    if not line.strip():
        return None
    if _RE_QUOTE_LINE.match(line):
        return "reply"
    if _RE_FORWARDED.match(line):
        return "forward"
    if _RE_ORIGINAL.match(line):
        return "history"
    if _RE_UNDERSCORES.match(line):
        following = [ln for ln in lines[i + 1:i + 4] if ln.strip()]
        if following and _RE_FROM_LINE.match(following[0]):
            return "history"
        return None
    if _RE_FROM_LINE.match(line):
        if any(_RE_DATE_LINE.match(ln) for ln in lines[i + 1:i + 5]):
            return "history"
        return None
    if len(line) <= 400 and _RE_WROTE.match(line) and re.search(r"\d", line):
        return "reply"
    if i + 1 < len(lines) and len(line) <= 300 and re.match(r"^[ \t]*(?:on|am|le|el|il|op|den|em|w dniu)\b",
                                                            line, re.I):
        joined = line.rstrip() + " " + lines[i + 1].strip()
        if len(joined) <= 400 and _RE_WROTE.match(joined) and re.search(r"\d", joined):
            return "reply"
    return None


def looks_pgp_encrypted(body: str) -> bool:
    """An inline-PGP message: the whole body is one armored block, nothing readable around it."""
    stripped = body.strip()
    return stripped.startswith("-----BEGIN PGP MESSAGE-----") and len(stripped) < 1_000_000


# ---- attachments ------------------------------------------------------------------------------

def safe_name(name: str | None) -> str | None:
    """A file name without directories or control characters (names come from the sender)."""
    if not name:
        return None
    name = decode_words(str(name))
    name = name.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip().lstrip(".").strip()
    if not name:
        return None
    if len(name) > 150:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:140] + "." + ext[:9]) if dot and len(ext) <= 9 else name[:150]
    return name


class AttachmentNamer:
    """Gives every attachment a usable, unique name: the sender's, or "attachment-N.ext"."""

    def __init__(self) -> None:
        self._used: set[str] = set()
        self._count = 0

    def __call__(self, name: str | None, content_type: str | None = None, default_ext: str = ".bin") -> str:
        self._count += 1
        clean = safe_name(name)
        if not clean:
            ext = default_ext
            if content_type:
                ctype = content_type.lower()
                guessed = {"message/rfc822": ".eml", "message/global": ".eml", "image/jpeg": ".jpg",
                           "application/ms-tnef": ".dat", "application/vnd.ms-tnef": ".dat",
                           "text/plain": ".txt", "text/html": ".html",
                           "application/vnd.ms-outlook": ".msg"}.get(ctype) or mimetypes.guess_extension(ctype)
                ext = guessed or default_ext
            clean = f"attachment-{self._count}{ext}"
        candidate, n = clean, 1
        while candidate.lower() in self._used:
            n += 1
            stem, dot, ext = clean.rpartition(".")
            candidate = f"{stem} ({n}).{ext}" if dot and stem else f"{clean} ({n})"
        self._used.add(candidate.lower())
        return candidate


# ---- the extraction ---------------------------------------------------------------------------

def words_of(text: str) -> tuple[Word, ...]:
    return tuple(Word(m.group(), m.start(), m.end()) for m in re.finditer(r"\S+", text))


def show(box: Mailbox | None) -> str:
    """"Name <address>", or whichever of the two is known."""
    if box is None:
        return ""
    if box.name and box.address:
        return f"{box.name} <{box.address}>"
    return box.name or box.address


def _line(label: str, value: str) -> str:
    return f"{label}: {' '.join(value.split())}".rstrip()


def build_extraction(
    *,
    subject: str,
    sender: Mailbox | None,
    to: tuple[Mailbox, ...],
    cc: tuple[Mailbox, ...],
    sent_at: dt.datetime | None,
    date_text: str | None,
    in_reply_to: str | None,
    has_references: bool,
    body: str,
    attachments: Iterable[Attachment],
    notes: Iterable[str],
    limits: Limits,
    is_mail: bool = True,
) -> Extraction:
    """One page (header block + new text + quoted history), the ``Email`` and the attachments."""
    notes = list(notes)
    subject = " ".join((subject or "").split())
    body = plain_text(body)
    if len(body) > limits.max_text_chars:
        body = body[: limits.max_text_chars]
        notes.append(f"the email body is longer than {limits.max_text_chars} characters; the rest was not read")
    body_new, body_quoted, marker = split_quoted(body)
    # This message's own action decides, not the thread's: a reply to a forwarded thread ("RE: FW:")
    # is the sender's own answer; a body that opens a forwarded message is a forward whatever the
    # subject says (a forward dressed as a reply).
    action = subject_action(subject)
    is_forward = action == "forward" or marker == "forward"
    is_reply = (bool(in_reply_to) or has_references or action == "reply" or marker == "reply"
                or (marker == "history" and not is_forward))
    header = "\n".join((
        _line("From", show(sender)),
        _line("To", ", ".join(show(m) for m in to)),
        _line("Cc", ", ".join(show(m) for m in cc)),
        _line("Date", format_date(sent_at, date_text)),
        _line("Subject", subject),
    ))
    text = header + "\n\n" + body_new
    if body_quoted:
        text += "\n\n" + body_quoted
    if len(text) > limits.max_text_chars:
        text = text[: limits.max_text_chars]
    page = Page(number=None, text=text, words=words_of(text))
    mail = None
    if is_mail:
        mail = Email(subject=subject, sender=sender, to=tuple(to), cc=tuple(cc), sent_at=sent_at,
                     body_new=body_new, body_quoted=body_quoted, is_reply=is_reply, is_forward=is_forward,
                     in_reply_to=(in_reply_to or "").strip() or None)
    return Extraction(pages=(page,), email=mail, attachments=tuple(attachments), notes=tuple(notes))
