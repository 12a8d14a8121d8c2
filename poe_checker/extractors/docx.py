"""Word (.docx, .docm, .dotx, .dotm) extraction by walking WordprocessingML with lxml.

Why not python-docx: it refuses macro-enabled and template content types, Strict OOXML and
packages with missing parts, and it has no notion of text boxes, content controls, legacy form
fields or tracked changes. Walking the XML ourselves is one pass over the tree, handles all of
those, and reads an 872-page document in well under a second.

What comes out, as ONE page (``number=None``, no boxes: Word has no fixed layout):

* the body in reading order: paragraphs one per line; each table row one line, cells joined
  by `` | `` (paragraphs inside a cell joined by a space; a nested table is flattened into its
  cell with `` | `` between cells and `` / `` between rows);
* then the text boxes (DrawingML or VML; of an ``mc:AlternateContent`` only the ``mc:Choice``
  is read, so the VML fallback copy is not read twice);
* then headers, then footers, each part once and identical texts once across sections;
* then footnotes and endnotes.

Tracked changes are read as if accepted (``w:ins``/``w:moveTo`` kept, ``w:del``/``w:moveFrom``
and deleted rows dropped). Comments and field instructions are not text.

Checkboxes, three kinds. Label: the text after the box up to the next box, a tab, a run of three
or more spaces, or the line end; when the last box of a line has nothing after it but text
precedes the first ("male ☐  female ☐", "Approved: ☒"), the text before each box; inside a table,
failing both, paragraph k of the next (else previous) cell for a box in paragraph k. A box with
no label gets ``label=""`` and an anchor span on the glyph itself.

* glyphs typed as text. Ticked: ☒ ☑ ✓ ✔ ✅ ⌧ ⊠ ✗ ✘ (and 🗹 🗷 🗵 🗸). A cross counts as ticked:
  in Word forms, and in the POE templates, an X in or next to a box is how an option is
  selected, as on paper. Unticked: ☐ □ ◻ ⬜ ❑ ❒. Symbol-font boxes (``w:sym`` or text in a
  Wingdings/Wingdings 2 run) are mapped to these glyphs first, e.g. Wingdings F0FE ☑, F0FD ☒,
  F078 ⌧, F0FC ✓, F0FB ✗ (ticked) and F0A8 ◻, F06F □, F071 ❑ (unticked).
* content controls (``w14:checkbox``): the state is ``w14:checked``, not the glyph shown.
* legacy form fields (``FORMCHECKBOX``): ``w:checked``, else ``w:default``. Word draws these
  boxes, so a ☒/☐ glyph is written into the page text where the box sits.

Also: text and date content controls and legacy text/drop-down fields become ``FormField``s;
an HTML/text ``altChunk`` is read in place; Office XML digital signatures in the package become
``Signature(kind="digital", valid=None)`` (declared, not validated); pictures and embedded
objects are counted in a note, not read. A file with no text and no picture is ``EmptyDocument``.

Security: the ZIP is checked against the member-count, total-size and per-member
compression-ratio limits before anything is inflated, reads are capped, and XML is parsed
without DTD loading, entity substitution or network access: an entity reference stays
unexpanded and is dropped from the text, and a part whose entities trip libxml2's amplification
bound is refused as an XML bomb (never "recovered"). Strict OOXML is read by mapping its
namespaces onto the transitional ones.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import datetime as dt
import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass
from urllib.parse import unquote

from lxml import etree

from ..errors import CorruptDocument, EmptyDocument, EncryptedDocument, ResourceLimit
from ..limits import Limits
from ..model import Anchor, Checkbox, FormField, Page, Signature, Table, Word
from . import Extraction

# ---- names ----------------------------------------------------------------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_M = "http://schemas.openxmlformats.org/officeDocument/2006/math"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_V = "urn:schemas-microsoft-com:vml"
_O = "urn:schemas-microsoft-com:office:office"
_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_DSIG = "http://www.w3.org/2000/09/xmldsig#"
_MDSSI = "http://schemas.openxmlformats.org/package/2006/digital-signature"
_DIGSIG = "http://schemas.microsoft.com/office/2006/digsig"


def _w(local: str) -> str:
    return f"{{{_W}}}{local}"


P, R, T, TAB, PTAB, BR, CR, SYM = map(_w, ("p", "r", "t", "tab", "ptab", "br", "cr", "sym"))
TBL, TR, TC, TRPR, TXBX = map(_w, ("tbl", "tr", "tc", "trPr", "txbxContent"))
SDT, SDTPR, SDTCONTENT = map(_w, ("sdt", "sdtPr", "sdtContent"))
INS, DEL, MOVETO, MOVEFROM = map(_w, ("ins", "del", "moveTo", "moveFrom"))
HYPERLINK, SMARTTAG, CUSTOMXML, FLDSIMPLE, DIR, BDO = map(
    _w, ("hyperlink", "smartTag", "customXml", "fldSimple", "dir", "bdo"))
FLDCHAR, FFDATA, INSTRTEXT = map(_w, ("fldChar", "ffData", "instrText"))
NOBREAKHYPHEN, DRAWING, PICT, OBJECT, RUBY, RUBYBASE = map(
    _w, ("noBreakHyphen", "drawing", "pict", "object", "ruby", "rubyBase"))
RPR, RFONTS, ALTCHUNK, BODY = map(_w, ("rPr", "rFonts", "altChunk", "body"))
HEADERREF, FOOTERREF = map(_w, ("headerReference", "footerReference"))
VAL = _w("val")
_INLINE_CONTAINERS = frozenset({HYPERLINK, SMARTTAG, CUSTOMXML, FLDSIMPLE, DIR, BDO, INS, MOVETO})
ALT = f"{{{_MC}}}AlternateContent"
CHOICE = f"{{{_MC}}}Choice"
FALLBACK = f"{{{_MC}}}Fallback"
MATH_T = f"{{{_M}}}t"
MATH_TAGS = frozenset({f"{{{_M}}}oMath", f"{{{_M}}}oMathPara"})
R_ID = f"{{{_R}}}id"
A_BLIP = f"{{{_A}}}blip"
V_IMAGEDATA = f"{{{_V}}}imagedata"
O_OLE = f"{{{_O}}}OLEObject"

_REL_OFFICE_DOC = "/officeDocument"
_REL_HEADER, _REL_FOOTER = "/header", "/footer"
_REL_FOOTNOTES, _REL_ENDNOTES = "/footnotes", "/endnotes"
_REL_DSIG_ORIGIN = "/digital-signature/origin"
_REL_DSIG = "/digital-signature/signature"

_MAIN_TYPES = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
)

_STRICT_NS = (
    (b"http://purl.oclc.org/ooxml/wordprocessingml/main", _W.encode()),
    (b"http://purl.oclc.org/ooxml/officeDocument/relationships", _R.encode()),
    (b"http://purl.oclc.org/ooxml/officeDocument/math", _M.encode()),
    (b"http://purl.oclc.org/ooxml/drawingml/main", _A.encode()),
    (b"http://purl.oclc.org/ooxml/drawingml/wordprocessingDrawing",
     b"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"),
    (b"http://purl.oclc.org/ooxml/drawingml/picture", b"http://schemas.openxmlformats.org/drawingml/2006/picture"),
)

# ---- checkbox glyphs ------------------------------------------------------------------------

TICKED = "☒☑✓✔✅⌧⊠✗✘\U0001F5F9\U0001F5F7\U0001F5F5\U0001F5F8"
UNTICKED = "☐□◻⬜❑❒"
_GLYPH_RE = re.compile(f"[{TICKED}{UNTICKED}]")
BOX_ON, BOX_OFF = "☒", "☐"
_SYMBOL_FONTS: dict[str, dict[int, str]] = {
    "wingdings": {0x6F: "□", 0x71: "❑", 0x72: "❒", 0x78: "⌧", 0xA8: "◻",
                  0xFB: "✗", 0xFC: "✓", 0xFD: "☒", 0xFE: "☑"},
    "wingdings 2": {0x4F: "✗", 0x50: "✓", 0x51: "☒", 0x52: "☑", 0x53: "☒", 0x54: "☒", 0xA3: "☐"},
}
_LABEL_STRIP = " \t\n\r\u00a0\u2002\u2003\u2009\u200b:;,-–—_|*"
_MAX_LABEL = 200
_MAX_PART_BYTES = 64 * 1024 * 1024
"""One XML part above this is refused: its lxml tree alone would take about ten times as much."""
_MAX_DEPTH = 120
_MAX_TEXTBOXES = 5_000
_TRUE = frozenset({"1", "true", "on", "yes"})


class _HostileXML(CorruptDocument):
    """XML that fails because of its entity declarations: refused outright, never recovered."""


class _Full(Exception):
    """Raised inside the walk once the text limit is reached, to stop reading early."""


def _on(el: etree._Element | None, attr: str = VAL, default: bool = True) -> bool:
    """An ST_OnOff value: an element without ``w:val`` means on."""
    if el is None:
        return False
    value = el.get(attr)
    return default if value is None else value.strip().lower() in _TRUE


# ---- package --------------------------------------------------------------------------------

class _Package:
    """The ZIP container, checked against the limits before any member is inflated."""

    def __init__(self, data: bytes, limits: Limits):
        if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
            raise EncryptedDocument(
                "this Word file is password-protected or in the old .doc format: remove the password "
                "or save it as .docx in Word, and re-upload")
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zf.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError,
                NotImplementedError, RuntimeError) as exc:
            raise CorruptDocument(f"damaged Word file: {_short(exc)}; open it in Word, save it again and re-upload") \
                from exc
        if len(infos) > limits.max_zip_members:
            raise ResourceLimit(f"Word file has {len(infos)} internal parts (limit {limits.max_zip_members}): "
                                "it looks like a ZIP bomb, not a document; save it again from Word")
        total = sum(i.file_size for i in infos)
        if total > limits.max_zip_uncompressed:
            raise ResourceLimit(f"Word file would unpack to {total // 2**20} MB (limit "
                                f"{limits.max_zip_uncompressed // 2**20} MB): it looks like a ZIP bomb; "
                                "split the document or compress its pictures")
        for info in infos:
            if info.file_size > 1_000_000 and info.file_size > limits.max_zip_ratio * max(info.compress_size, 1):
                ratio = info.file_size // max(info.compress_size, 1)
                raise ResourceLimit(f"Word file part {info.filename!r} is compressed {ratio}:1 and looks like "
                                    "a ZIP bomb: save the document again from Word and re-upload")
        self.members = {i.filename.lstrip("/").lower(): i for i in infos if not i.is_dir()}
        self.budget = limits.max_zip_uncompressed
        self.strict = False
        self.dtd = False

    def has(self, name: str) -> bool:
        return name.lower() in self.members

    def read(self, name: str) -> bytes | None:
        """The member's bytes (None when absent); damaged members raise CorruptDocument."""
        info = self.members.get(name.lower())
        if info is None:
            return None
        if info.flag_bits & 0x1:
            raise EncryptedDocument("this Word file's parts are encrypted: remove the password in Word and re-upload")
        cap = min(self.budget, _MAX_PART_BYTES)
        try:
            with self.zf.open(info) as fh:
                data = fh.read(cap + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError, NotImplementedError,
                RuntimeError) as exc:
            raise CorruptDocument(f"damaged Word file: part {info.filename!r} cannot be unpacked ({_short(exc)}); "
                                  "open it in Word, save it again and re-upload") from exc
        if len(data) > cap:
            raise ResourceLimit(f"Word file part {info.filename!r} is over {cap // 2**20} MB unpacked: "
                                "split the document and re-upload")
        self.budget -= len(data)
        return data

    def xml(self, name: str, *, recover: bool = False) -> etree._Element | None:
        data = self.read(name)
        if data is None:
            return None
        if b"purl.oclc.org/ooxml" in data:
            self.strict = True
            for strict, transitional in _STRICT_NS:
                data = data.replace(strict, transitional)
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                                 remove_comments=True, remove_pis=True, recover=recover)
        try:
            root = etree.fromstring(data, parser)
        except (etree.XMLSyntaxError, etree.ParserError, ValueError) as exc:
            if b"<!ENTITY" in data:
                raise _HostileXML(f"damaged Word file: part {name!r} declares XML entities that would expand "
                                  "without bound (an 'XML bomb'); Word never writes these: save the document "
                                  "again from Word, or as PDF, and re-upload") from exc
            raise CorruptDocument(f"damaged Word file: part {name!r} is not well-formed XML ({_short(exc)}); "
                                  "open it in Word, save it again and re-upload") from exc
        if root is None:
            raise CorruptDocument(f"damaged Word file: part {name!r} is empty; save it again and re-upload")
        if root.getroottree().docinfo.internalDTD is not None:
            self.dtd = True
        return root

    def rels(self, part: str) -> list[tuple[str, str, str | None]]:
        """(id, type, target part name) of a part's relationships; external targets are None."""
        folder, base = posixpath.split(part)
        root = self.xml(posixpath.join(folder, "_rels", base + ".rels"))
        if root is None:
            return []
        out = []
        for rel in root.iter(f"{{{_PKG_RELS}}}Relationship"):
            target = rel.get("Target") or ""
            if rel.get("TargetMode", "").lower() == "external" or not target:
                resolved = None
            else:
                resolved = _resolve(folder, target)
            out.append((rel.get("Id") or "", rel.get("Type") or "", resolved))
        return out

    def content_type(self, part: str) -> str:
        root = self._content_types()
        if root is None:
            return ""
        for over in root.iter(f"{{{_CT}}}Override"):
            if (over.get("PartName") or "").lstrip("/").lower() == part.lower():
                return over.get("ContentType") or ""
        ext = posixpath.splitext(part)[1].lstrip(".").lower()
        for default in root.iter(f"{{{_CT}}}Default"):
            if (default.get("Extension") or "").lower() == ext:
                return default.get("ContentType") or ""
        return ""

    def _content_types(self) -> etree._Element | None:
        if not hasattr(self, "_ct"):
            try:
                self._ct = self.xml("[Content_Types].xml")
            except CorruptDocument:
                self._ct = None
        return self._ct

    def main_part(self) -> str:
        for _id, rtype, target in self.rels(""):
            if rtype.endswith(_REL_OFFICE_DOC) and target and self.has(target):
                return target
        root = self._content_types()
        if root is not None:
            for over in root.iter(f"{{{_CT}}}Override"):
                name = (over.get("PartName") or "").lstrip("/")
                if over.get("ContentType") in _MAIN_TYPES and self.has(name):
                    return name
        if self.has("word/document.xml"):
            return "word/document.xml"
        raise CorruptDocument("damaged Word file: it has no main document part; "
                              "open it in Word, save it again and re-upload")


def _resolve(folder: str, target: str) -> str | None:
    target = unquote(target.split("#", 1)[0])
    path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
    path = posixpath.normpath(path)
    return None if path.startswith("..") or path in (".", "") else path


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


# ---- the walk -------------------------------------------------------------------------------

@dataclass(slots=True)
class _Box:
    start: int
    checked: bool
    source: str
    name: str
    cell: tuple[int, int] | None


@dataclass(slots=True)
class _Field:
    ff: etree._Element | None
    in_instr: bool = True
    result_mark: int = 0
    box: _Box | None = None


class _Walker:
    """Writes text into one buffer while recording boxes, fields, segments and table cells."""

    def __init__(self, pkg: _Package, max_chars: int):
        self.pkg = pkg
        self.max_chars = max_chars
        self.parts: list[str] = []
        self.pos = 0
        self.boxes: list[_Box] = []
        self.fields: list[tuple[str, str | None, str, int, int]] = []
        self.segments: list[tuple[int, int]] = []
        self.rows: dict[int, list[tuple[int, int, int, int]]] = {}
        """Row id -> its cells as (text start, text end, first segment, segment after the last)."""
        self.tables: list[tuple[tuple[str, ...], ...]] = []
        self.notes: list[str] = []
        self.seg_start = 0
        self.cells: list[tuple[int, int]] = []
        """(row id, cell index) of the cells being walked, innermost last."""
        self.cell_starts: list[int] = []
        self.field_stack: list[_Field] = []
        self.instr_depth = 0
        self.no_glyph = 0
        self.pending: list[etree._Element] = []
        self.depth = 0
        self.table_depth = 0
        self.record_tables = False
        self.count_media = False
        self.images = 0
        self.objects = 0
        self.tracked = False
        self.part = ""
        self.row_ids = 0
        self.depth_note = False

    # -- buffer --------------------------------------------------------------------------------

    def add(self, s: str) -> None:
        if not s:
            return
        self.parts.append(s)
        self.pos += len(s)
        if self.pos > self.max_chars:
            raise _Full

    def emit(self, s: str) -> None:
        """Document text: dropped inside a field instruction, scanned for checkbox glyphs."""
        if not s or self.instr_depth:
            return
        if not self.no_glyph and _GLYPH_RE.search(s):
            cell = self.cells[-1] if self.cells else None
            for m in _GLYPH_RE.finditer(s):
                self.boxes.append(_Box(self.pos + m.start(), m.group() in TICKED, "glyph", "", cell))
        self.add(s)

    def since(self, mark: int) -> str:
        return "".join(self.parts[mark:])

    def mark(self) -> tuple[int, ...]:
        return (len(self.parts), self.pos, len(self.boxes), len(self.fields), len(self.segments),
                len(self.tables), len(self.pending))

    def rollback(self, m: tuple[int, ...]) -> None:
        del self.parts[m[0]:]
        self.pos = m[1]
        del self.boxes[m[2]:]
        del self.fields[m[3]:]
        del self.segments[m[4]:]
        del self.tables[m[5]:]
        del self.pending[m[6]:]

    def close_segment(self) -> None:
        if self.pos > self.seg_start:
            self.segments.append((self.seg_start, self.pos))
        self.seg_start = self.pos

    # -- stories -------------------------------------------------------------------------------

    def story(self, container: etree._Element) -> None:
        """A story (body, header, note) and then the text boxes anchored in it."""
        self.pending = []
        self.blocks(container, in_cell=False)
        self.reset_fields()
        done = 0
        while done < len(self.pending):
            if done >= _MAX_TEXTBOXES:
                self.notes.append(f"only the first {_MAX_TEXTBOXES} text boxes were read")
                break
            box = self.pending[done]
            done += 1
            self.blocks(box, in_cell=False)
            self.reset_fields()
        self.pending = []

    def reset_fields(self) -> None:
        self.field_stack.clear()
        self.instr_depth = 0

    def blocks(self, parent: etree._Element, in_cell: bool) -> None:
        if self.depth > _MAX_DEPTH:
            self._too_deep()
            return
        self.depth += 1
        try:
            for child in parent:
                tag = child.tag
                if tag == P:
                    if in_cell:
                        self.cell_gap()
                    self.paragraph(child)
                    if not in_cell:
                        self.add("\n")
                elif tag == TBL:
                    if in_cell:
                        self.cell_gap()
                    self.table(child, in_cell)
                elif tag == SDT:
                    self.sdt(child, lambda content: self.blocks(content, in_cell))
                elif tag in (CUSTOMXML, INS, MOVETO, SMARTTAG):
                    self.tracked |= tag in (INS, MOVETO)
                    self.blocks(child, in_cell)
                elif tag in (DEL, MOVEFROM):
                    self.tracked = True
                elif tag == ALT:
                    alt = _choose(child)
                    if alt is not None:
                        self.blocks(alt, in_cell)
                elif tag == ALTCHUNK:
                    self.altchunk(child)
        finally:
            self.depth -= 1

    def _too_deep(self) -> None:
        if not self.depth_note:
            self.depth_note = True
            self.notes.append("content nested too deeply was skipped")

    def cell_gap(self) -> None:
        """A space between two paragraphs (or a paragraph and a table) of one cell."""
        if self.cell_starts and self.pos > self.cell_starts[-1] and not self.parts[-1][-1:].isspace():
            self.add(" ")

    # -- paragraphs and runs ---------------------------------------------------------------------

    def paragraph(self, p: etree._Element) -> None:
        self.seg_start = self.pos
        self.inline(p)
        for field in self.field_stack:  # an instruction never spans paragraphs in sane files
            if field.in_instr:
                field.in_instr = False
                field.result_mark = len(self.parts)
        self.instr_depth = 0
        self.close_segment()

    def inline(self, parent: etree._Element) -> None:
        if self.depth > _MAX_DEPTH:
            self._too_deep()
            return
        self.depth += 1
        try:
            for child in parent:
                tag = child.tag
                if tag == R:
                    self.run(child, child)
                elif tag in _INLINE_CONTAINERS or tag == P:  # a paragraph here is malformed: read its runs
                    if tag in (INS, MOVETO):
                        self.tracked = True
                    self.inline(child)
                elif tag == SDT:
                    self.sdt(child, self.inline)
                elif tag in (DEL, MOVEFROM):
                    self.tracked = True
                elif tag == ALT:
                    alt = _choose(child)
                    if alt is not None:
                        self.inline(alt)
                elif tag in MATH_TAGS:
                    self.emit(" ".join(t.text or "" for t in child.iter(MATH_T)))
        finally:
            self.depth -= 1

    def run(self, r: etree._Element, container: etree._Element) -> None:
        font = None
        rpr = r.find(RPR)
        if rpr is not None:
            fonts = rpr.find(RFONTS)
            if fonts is not None:
                font = _symbol_font(fonts.get(_w("ascii")) or fonts.get(_w("hAnsi")))
        for child in container:
            tag = child.tag
            if tag == T:
                text = child.text or ""
                if len(child):  # unexpanded entity references: keep only the literal text around them
                    text += "".join(c.tail or "" for c in child)
                if font is not None:
                    text = "".join(font.get(ord(ch) - 0xF000 if ord(ch) >= 0xF000 else ord(ch), "") for ch in text)
                self.emit(text)
            elif tag in (TAB, PTAB):
                self.emit("\t")
            elif tag in (BR, CR):
                if not self.instr_depth:
                    self.close_segment()
                    self.add(" " if self.cells else "\n")
                    self.seg_start = self.pos
            elif tag == NOBREAKHYPHEN:
                self.emit("-")
            elif tag == SYM:
                self.emit(_sym(child))
            elif tag == FLDCHAR:
                self.fldchar(child)
            elif tag in (DRAWING, PICT, OBJECT):
                self.shapes(child)
            elif tag == ALT:
                alt = _choose(child)
                if alt is not None:
                    self.run(r, alt)
            elif tag == RUBY:
                base = child.find(RUBYBASE)
                if base is not None:
                    self.inline(base)
            elif tag in (INS, MOVETO):  # run content wrapped in revision marks (seen in the wild)
                self.tracked = True
                self.run(r, child)
            elif tag in (DEL, MOVEFROM, _w("delText")):
                self.tracked = True

    def shapes(self, el: etree._Element) -> None:
        """Queue the text boxes of a drawing in document order; count its pictures and objects."""
        stack = [iter(el)]
        while stack:
            child = next(stack[-1], None)
            if child is None:
                stack.pop()
                continue
            tag = child.tag
            if tag == TXBX:
                self.pending.append(child)  # not descended: its own boxes are found when it is walked
            elif tag == ALT:
                alt = _choose(child)
                if alt is not None:
                    stack.append(iter(alt))
            elif isinstance(tag, str):
                if self.count_media:
                    if tag == A_BLIP or tag == V_IMAGEDATA:
                        self.images += 1
                    elif tag == O_OLE:
                        self.objects += 1
                stack.append(iter(child))

    # -- fields ------------------------------------------------------------------------------------

    def fldchar(self, el: etree._Element) -> None:
        kind = el.get(_w("fldCharType"))
        if kind == "begin":
            field = _Field(el.find(FFDATA))
            self.field_stack.append(field)
            self.instr_depth += 1
            if field.ff is not None and field.ff.find(_w("checkBox")) is not None and len(self.field_stack) < 50:
                cb = field.ff.find(_w("checkBox"))
                checked_el = cb.find(_w("checked"))
                checked = _on(checked_el) if checked_el is not None else _on(cb.find(_w("default")))
                field.box = _Box(self.pos, checked, "form_field", _ff_name(field.ff),
                                 self.cells[-1] if self.cells else None)
                self.boxes.append(field.box)
                self.add(BOX_ON if checked else BOX_OFF)
        elif kind == "separate" and self.field_stack:
            field = self.field_stack[-1]
            if field.in_instr:
                field.in_instr = False
                self.instr_depth = max(0, self.instr_depth - 1)
            field.result_mark = len(self.parts)
        elif kind == "end" and self.field_stack:
            field = self.field_stack.pop()
            if field.in_instr:
                self.instr_depth = max(0, self.instr_depth - 1)
                field.result_mark = len(self.parts)
            if field.ff is not None and field.box is None:
                self.form_field_end(field)

    def form_field_end(self, field: _Field) -> None:
        ff = field.ff
        name = _ff_name(ff)
        shown = self.since(field.result_mark) if field.result_mark <= len(self.parts) else ""
        start = self.pos - len(shown)
        dd = ff.find(_w("ddList"))
        if dd is not None:
            entries = [e.get(VAL) or "" for e in dd.findall(_w("listEntry"))]
            index = _int((dd.find(_w("result")) if dd.find(_w("result")) is not None else dd.find(_w("default"))))
            value = entries[index] if 0 <= index < len(entries) else None
            if not shown.strip() and value and not self.instr_depth:
                start = self.pos
                self.emit(value)
            self.fields.append((name, value, "choice", start, self.pos))
        elif ff.find(_w("textInput")) is not None:
            self.fields.append((name, shown.strip(" \u2002\u00a0\t") or None, "text", start, self.pos))

    # -- content controls ----------------------------------------------------------------------

    def sdt(self, sdt: etree._Element, walk) -> None:
        pr = sdt.find(SDTPR)
        content = sdt.find(SDTCONTENT)
        if content is None:
            return
        kind, name, checked, placeholder = _sdt_props(pr)
        start_mark, start = len(self.parts), self.pos
        if kind == "checkbox":
            self.no_glyph += 1
            try:
                walk(content)
            finally:
                self.no_glyph -= 1
            shown = self.since(start_mark)
            m = _GLYPH_RE.search(shown)
            cell = self.cells[-1] if self.cells else None
            if m is not None:
                box = _Box(start + m.start(), checked, "content_control", name, cell)
            else:
                box = _Box(self.pos, checked, "content_control", name, cell)
                self.add(BOX_ON if checked else BOX_OFF)
            self.boxes.append(box)
            return
        walk(content)
        if kind in ("text", "date", "choice") or (kind == "rich" and name):
            shown = self.since(start_mark)
            value = shown.strip()
            lead = len(shown) - len(shown.lstrip())
            self.fields.append((name or kind, None if placeholder or not value else value,
                                "choice" if kind == "choice" else "text",
                                start + lead, start + lead + len(value)))

    # -- tables ------------------------------------------------------------------------------------

    def table(self, tbl: etree._Element, in_cell: bool) -> None:
        if self.depth > _MAX_DEPTH:
            self._too_deep()
            return
        self.depth += 1
        self.table_depth += 1
        record = self.record_tables and self.table_depth == 1
        rows: list[tuple[str, ...]] = []
        first = True
        try:
            for tr in _rows(tbl):
                trpr = tr.find(TRPR)
                if trpr is not None and trpr.find(DEL) is not None:
                    self.tracked = True
                    continue
                mark = self.mark()
                if not first and in_cell:
                    self.add(" / ")
                cells = self.row(tr)
                if cells is None:
                    continue
                if (not any(c.strip() for c in cells) and len(self.boxes) == mark[2]
                        and len(self.fields) == mark[3] and len(self.pending) == mark[6]):
                    self.rollback(mark)
                else:
                    first = False
                    if not in_cell:
                        self.add("\n")
                rows.append(tuple(cells))
        finally:
            self.table_depth -= 1
            self.depth -= 1
        if record and rows:
            self.tables.append(tuple(rows))

    def row(self, tr: etree._Element) -> list[str] | None:
        self.row_ids += 1
        row_id = self.row_ids
        spans: list[tuple[int, int, int, int]] = []
        texts: list[str] = []
        self.rows[row_id] = spans
        last_sdt = None
        for tc, sdt in _cells(tr):
            if spans:
                self.add(" | ")
            mark, start, first_seg = len(self.parts), self.pos, len(self.segments)
            self.cells.append((row_id, len(spans)))
            self.cell_starts.append(start)
            try:
                self.blocks(tc, in_cell=True)
            finally:
                self.cells.pop()
                self.cell_starts.pop()
            spans.append((start, self.pos, first_seg, len(self.segments)))
            texts.append(self.since(mark))
            if sdt is not None and sdt is not last_sdt:  # a control around several cells: its first cell
                self.cell_sdt(sdt, start, texts[-1])
            last_sdt = sdt
        return texts

    def cell_sdt(self, sdt: etree._Element, start: int, shown: str) -> None:
        kind, name, _checked, placeholder = _sdt_props(sdt.find(SDTPR))
        if kind in ("text", "date", "choice") or (kind == "rich" and name):
            value = shown.strip()
            lead = len(shown) - len(shown.lstrip())
            self.fields.append((name or kind, None if placeholder or not value else value,
                                "choice" if kind == "choice" else "text", start + lead, start + lead + len(value)))

    # -- altChunk --------------------------------------------------------------------------------

    def altchunk(self, el: etree._Element) -> None:
        rid = el.get(R_ID)
        target = next((t for i, _ty, t in self.pkg.rels(self.part) if i == rid), None) if rid else None
        if not target:
            return
        ctype = self.pkg.content_type(target).lower()
        ext = posixpath.splitext(target)[1].lower()
        if "html" in ctype or ext in (".htm", ".html", ".xhtml"):
            text = _html_text(self.pkg.read(target) or b"")
        elif ctype.startswith("text/plain") or ext == ".txt":
            text = (self.pkg.read(target) or b"").decode("utf-8", "replace")
        else:
            self.notes.append(f"an embedded document chunk ({ext or ctype or 'unknown type'}) was not read")
            return
        for line in text.splitlines():
            line = " ".join(line.split())
            if line:
                self.seg_start = self.pos
                self.emit(line)
                self.close_segment()
                self.add("\n")


def _choose(alt: etree._Element) -> etree._Element | None:
    """The ``mc:Choice`` of an AlternateContent (its Fallback repeats the same content)."""
    choice = alt.find(CHOICE)
    return choice if choice is not None else alt.find(FALLBACK)


def _rows(tbl: etree._Element):
    for child in tbl:
        if child.tag == TR:
            yield child
        elif child.tag in (SDT, CUSTOMXML):
            inner = child.find(SDTCONTENT) if child.tag == SDT else child
            if inner is not None:
                yield from _rows(inner)
        elif child.tag == ALT:
            alt = _choose(child)
            if alt is not None:
                yield from _rows(alt)


def _cells(tr: etree._Element, sdt: etree._Element | None = None):
    for child in tr:
        if child.tag == TC:
            yield child, sdt
        elif child.tag == SDT:
            inner = child.find(SDTCONTENT)
            if inner is not None:
                yield from _cells(inner, child)
        elif child.tag == CUSTOMXML:
            yield from _cells(child, sdt)


def _sdt_props(pr: etree._Element | None) -> tuple[str, str, bool, bool]:
    """(kind, name, checked, showing placeholder) of a content control."""
    if pr is None:
        return "rich", "", False, False
    name = ""
    for tag in ("tag", "alias"):
        el = pr.find(_w(tag))
        if el is not None and (el.get(VAL) or "").strip():
            name = el.get(VAL).strip()
            break
    placeholder = _on(pr.find(_w("showingPlcHdr")))
    cb = pr.find(f"{{{_W14}}}checkbox")
    if cb is not None:
        checked_el = cb.find(f"{{{_W14}}}checked")
        checked = checked_el is not None and _on(checked_el, f"{{{_W14}}}val", default=False)
        return "checkbox", name, checked, placeholder
    for tag, kind in (("text", "text"), ("date", "date"), ("dropDownList", "choice"), ("comboBox", "choice")):
        if pr.find(_w(tag)) is not None:
            return kind, name, False, placeholder
    for tag in ("docPartObj", "docPartList", "bibliography", "citation", "group", "equation", "picture"):
        if pr.find(_w(tag)) is not None:
            return "other", name, False, placeholder
    return "rich", name, False, placeholder


def _ff_name(ff: etree._Element) -> str:
    el = ff.find(_w("name"))
    return (el.get(VAL) or "").strip() if el is not None else ""


def _int(el: etree._Element | None) -> int:
    try:
        return int(el.get(VAL)) if el is not None else 0
    except (TypeError, ValueError):
        return -1


def _symbol_font(name: str | None) -> dict[int, str] | None:
    return _SYMBOL_FONTS.get(name.strip().lower()) if name else None


def _sym(el: etree._Element) -> str:
    """A ``w:sym`` as a Unicode glyph: symbol-font boxes mapped, other pictographs dropped."""
    try:
        code = int(el.get(_w("char")) or "", 16)
    except ValueError:
        return ""
    font = _symbol_font(el.get(_w("font")))
    if font is not None:
        return font.get(code - 0xF000 if code >= 0xF000 else code, "")
    if 0xF000 <= code <= 0xF0FF or code < 0x20 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return ""  # a private-use symbol-font slot we have no table for
    return chr(code)


def _html_text(data: bytes) -> str:
    import lxml.html

    if not data.strip():
        return ""
    parser = lxml.html.HTMLParser(no_network=True, huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        root = lxml.html.document_fromstring(data, parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return ""
    for bad in list(root.iter("script", "style", "head", "title")):
        bad.drop_tree()
    for block in root.iter("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "td", "th"):
        block.tail = ("\n" if block.tag not in ("td", "th") else " | ") + (block.tail or "")
    return root.text_content()


# ---- labels -----------------------------------------------------------------------------------

def _label(text: str, lo: int, hi: int) -> tuple[int, int]:
    """``lo:hi`` with separator characters trimmed from both ends (and capped in length)."""
    while lo < hi and text[lo] in _LABEL_STRIP:
        lo += 1
    while hi > lo and text[hi - 1] in _LABEL_STRIP:
        hi -= 1
    if hi - lo > _MAX_LABEL:
        hi = lo + _MAX_LABEL
        while hi > lo and text[hi - 1] in _LABEL_STRIP:
            hi -= 1
    if not any(ch.isalnum() for ch in text[lo:hi]):  # "->", "/", "(" label nothing
        return lo, lo
    return lo, hi


_GAP = re.compile(r"\t|[ \u00a0\u2002\u2003]{3,}")
"""A tab or a wide run of spaces: how Word forms separate one option from the next."""


def _stop(text: str, lo: int, hi: int) -> int:
    """Where a label that starts at ``lo`` ends: the first gap, else ``hi``."""
    m = _GAP.search(text, lo, hi)
    while m is not None and m.start() == lo:  # the gap right after the box is not the end
        lo = m.end()
        m = _GAP.search(text, lo, hi)
    return m.start() if m is not None else hi


def _restart(text: str, lo: int, hi: int) -> int:
    """Where a label that ends at ``hi`` starts: after the last gap before it, else ``lo``."""
    start = lo
    for m in _GAP.finditer(text, lo, hi):
        if text[m.end():hi].strip(_LABEL_STRIP):
            start = m.end()
    return start


def _checkboxes(text: str, boxes: list[_Box], segments: list[tuple[int, int]],
                rows: dict[int, list[tuple[int, int, int, int]]]) -> list[tuple[_Box, str, tuple[int, int]]]:
    """Each box with its label and the label's span (the glyph's span when it has none).

    Per line: labels follow the boxes ("☒ Deployment ☐ Adoption") unless the last box has nothing
    after it while text precedes the first ("male ☐  female ☐", "Signed: ☒"); then they precede.
    A box alone in a table cell takes the text of the next (else previous) cell, paragraph k of
    that cell for a box in paragraph k, which reads two-column lists of boxes and options.
    """
    boxes = sorted((b for b in boxes if b.start < len(text)), key=lambda b: b.start)
    starts = [b.start for b in boxes]
    seg_starts = [lo for lo, _ in segments]
    seg_of = []
    for b in boxes:
        k = bisect.bisect_right(seg_starts, b.start) - 1
        seg_of.append(k if k >= 0 and segments[k][1] > b.start else -1)
    out: list[tuple[_Box, str, tuple[int, int]]] = []
    i = 0
    while i < len(boxes):
        j = i + 1
        while j < len(boxes) and seg_of[j] == seg_of[i] and seg_of[i] >= 0:
            j += 1
        seg_lo, seg_hi = segments[seg_of[i]] if seg_of[i] >= 0 else (starts[i], starts[i] + 1)
        seg_hi = min(seg_hi, len(text))

        def after(n: int) -> tuple[int, int]:
            end = starts[n] + 1
            nxt = starts[n + 1] if n + 1 < j else seg_hi
            return _label(text, end, _stop(text, end, nxt))

        def before(n: int) -> tuple[int, int]:
            prev = starts[n - 1] + 1 if n > i else seg_lo
            return _label(text, _restart(text, prev, starts[n]), starts[n])

        last = after(j - 1)
        first = before(i)
        before_first = last[0] >= last[1] and first[0] < first[1]
        for n in range(i, j):
            lo, hi = before(n) if before_first else after(n)
            if lo >= hi:
                lo, hi = after(n) if before_first else before(n)
            if lo >= hi and boxes[n].cell is not None:
                lo, hi = _neighbour_label(text, boxes[n], seg_of[n], rows, starts, segments)
            if lo >= hi:
                out.append((boxes[n], "", (starts[n], starts[n] + 1)))
            else:
                out.append((boxes[n], text[lo:hi], (lo, hi)))
        i = j
    return out


def _neighbour_label(text: str, box: _Box, seg: int, rows: dict[int, list[tuple[int, int, int, int]]],
                     starts: list[int], segments: list[tuple[int, int]]) -> tuple[int, int]:
    row_id, index = box.cell  # type: ignore[misc]
    cells = rows.get(row_id, [])
    if index >= len(cells):
        return 0, 0
    own = cells[index]
    para = seg - own[2] if own[2] <= seg < own[3] else 0
    for j in (index + 1, index - 1):
        if not 0 <= j < len(cells):
            continue
        c_lo, c_hi, s_from, s_to = cells[j]
        if s_from + para < s_to:
            c_lo, c_hi = segments[s_from + para]
        c_hi = min(c_hi, len(text))
        k = bisect.bisect_left(starts, c_lo)
        if k < len(starts) and c_lo < starts[k] < c_hi:
            c_hi = starts[k]
        lo, hi = _label(text, c_lo, _stop(text, c_lo, c_hi))
        if lo < hi and not _GLYPH_RE.search(text, lo, hi):
            return lo, hi
    return 0, 0


# ---- signatures -------------------------------------------------------------------------------

def _signatures(pkg: _Package) -> list[Signature]:
    """Office XML digital signatures declared by the package (read, not validated)."""
    parts: list[str] = []
    for _id, rtype, origin in pkg.rels(""):
        if rtype.endswith(_REL_DSIG_ORIGIN) and origin:
            parts += [t for _i, ty, t in pkg.rels(origin) if ty.endswith(_REL_DSIG) and t]
    if not parts:
        parts = [n for n in pkg.members if n.startswith("_xmlsignatures/") and n.endswith(".xml")]
    out = []
    for part in dict.fromkeys(parts):
        try:
            root = pkg.xml(part)
        except (CorruptDocument, ResourceLimit):
            continue
        if root is None or root.tag != f"{{{_DSIG}}}Signature":
            continue
        name = email = None
        cert_el = next(root.iter(f"{{{_DSIG}}}X509Certificate"), None)
        if cert_el is not None and cert_el.text:
            name, email = _cert_subject(cert_el.text)
        when = None
        value = next(root.iter(f"{{{_MDSSI}}}Value"), None)
        if value is not None and value.text:
            try:
                when = dt.date.fromisoformat(value.text.strip()[:10])
            except ValueError:
                when = None
        shown = next(root.iter(f"{{{_DIGSIG}}}SignatureText"), None)
        shown_text = (shown.text or "").strip() if shown is not None else ""
        label = f"Office digital signature of {name or shown_text or 'an unnamed signer'}"
        out.append(Signature(
            kind="digital", where=Anchor(None, label), signer_name=name or shown_text or None,
            signer_email=email, signed_on=when, platform="office", valid=None,
            detail="Office XML digital signature found in the Word file; its certificate and the signed "
                   "content were not checked"))
    return out


def _cert_subject(b64: str) -> tuple[str | None, str | None]:
    try:
        from cryptography import x509
        from cryptography.x509.oid import NameOID

        cert = x509.load_der_x509_certificate(base64.b64decode("".join(b64.split())))
        cn = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        mail = cert.subject.get_attributes_for_oid(NameOID.EMAIL_ADDRESS)
        return (str(cn[0].value) if cn else None), (str(mail[0].value) if mail else None)
    except (ImportError, ValueError, TypeError, binascii.Error):
        return None, None


# ---- entry point ------------------------------------------------------------------------------

def extract(data: bytes, limits: Limits) -> Extraction:
    pkg = _Package(data, limits)
    main = pkg.main_part()
    notes: list[str] = []
    try:
        root = pkg.xml(main)
    except _HostileXML:
        raise
    except CorruptDocument:
        root = pkg.xml(main, recover=True)
        notes.append("the Word file's XML is damaged; the text read may be incomplete")
    if root is None or root.tag != _w("document"):
        raise CorruptDocument("damaged Word file: its main part is not a Word document; "
                              "open it in Word, save it again and re-upload")
    walker = _Walker(pkg, limits.max_text_chars)
    walker.part = main
    truncated = False
    try:
        body = root.find(BODY)
        walker.record_tables = walker.count_media = True
        if body is not None:
            walker.story(body)
        walker.record_tables = walker.count_media = False
        rels = pkg.rels(main)
        by_id = {rid: target for rid, _t, target in rels if target}
        _headers_footers(walker, pkg, root, rels, by_id)
        _notes_parts(walker, pkg, rels)
    except _Full:
        truncated = True
    text = "".join(walker.parts)
    if truncated or len(text) > limits.max_text_chars:
        text = text[: limits.max_text_chars]
        notes.append(f"only the first {limits.max_text_chars:,} characters of text were kept")
    if not text.strip() and not walker.images:
        raise EmptyDocument("the Word file has no text: check it is the right document, or save it as PDF "
                            "and re-upload")
    boxes = _checkboxes(text, walker.boxes, walker.segments, walker.rows)
    checkboxes = []
    form_fields = []
    for box, label, span in boxes:
        where = Anchor(None, label, None, span)
        checkboxes.append(Checkbox(label, box.checked, where, box.source))  # type: ignore[arg-type]
        if box.name:
            form_fields.append(FormField(box.name, "checked" if box.checked else "unchecked", "checkbox", where))
    for name, value, kind, start, end in walker.fields:
        if start <= len(text):
            end = min(end, len(text))
            where = Anchor(None, text[start:end], None, (start, end))
            form_fields.append(FormField(name, value, kind, where))  # type: ignore[arg-type]
    words = tuple(Word(m.group(), m.start(), m.end()) for m in re.finditer(r"\S+", text))
    if walker.tracked:
        notes.append("the document has tracked changes: it was read as if all changes were accepted")
    if walker.images:
        notes.append(f"{walker.images} picture(s) in the document were not read (only text is read)")
    if walker.objects:
        notes.append(f"{walker.objects} embedded object(s) in the document were not opened")
    if pkg.strict:
        notes.append("Strict Open XML document: read by mapping it to the usual Word format")
    if pkg.dtd:
        notes.append("the Word file contains an XML DTD, which Word files never need; its entities were ignored")
    notes.extend(dict.fromkeys(walker.notes))
    try:
        signatures = _signatures(pkg)
    except (CorruptDocument, ResourceLimit, EncryptedDocument):
        signatures = []
    return Extraction(
        pages=(Page(number=None, text=text, words=words),),
        page_count=None,
        tables=tuple(Table(None, rows) for rows in walker.tables),
        checkboxes=tuple(checkboxes),
        form_fields=tuple(form_fields),
        signatures=tuple(signatures),
        notes=tuple(notes),
    )


def _headers_footers(walker: _Walker, pkg: _Package, root: etree._Element,
                     rels: list[tuple[str, str, str | None]], by_id: dict[str, str]) -> None:
    """Headers then footers, each part once, and a text already seen in another section once."""
    seen_parts: set[str] = set()
    seen_texts: set[str] = set()
    for ref_tag, rel_suffix in ((HEADERREF, _REL_HEADER), (FOOTERREF, _REL_FOOTER)):
        targets = [by_id.get(ref.get(R_ID) or "") for ref in root.iter(ref_tag)]
        if not any(targets):
            targets = [t for _i, ty, t in rels if ty.endswith(rel_suffix)]
        for target in targets:
            if not target or target in seen_parts:
                continue
            seen_parts.add(target)
            _read_story(walker, pkg, target, seen_texts)


def _notes_parts(walker: _Walker, pkg: _Package, rels: list[tuple[str, str, str | None]]) -> None:
    for suffix, tag in ((_REL_FOOTNOTES, "footnote"), (_REL_ENDNOTES, "endnote")):
        for target in dict.fromkeys(t for _i, ty, t in rels if ty.endswith(suffix) and t):
            try:
                root = pkg.xml(target)
            except (CorruptDocument, EncryptedDocument):
                walker.notes.append(f"the damaged part {target} was skipped")
                continue
            if root is None:
                continue
            walker.part = target
            for note in root.iter(_w(tag)):
                if (note.get(_w("type")) or "normal") == "normal":
                    walker.story(note)


def _read_story(walker: _Walker, pkg: _Package, target: str, seen_texts: set[str]) -> None:
    try:
        root = pkg.xml(target)
    except (CorruptDocument, EncryptedDocument):
        walker.notes.append(f"the damaged part {target} was skipped")
        return
    if root is None:
        return
    walker.part = target
    mark = walker.mark()
    start = len(walker.parts)
    walker.story(root)
    key = " ".join(walker.since(start).split())
    if not key or key in seen_texts:
        walker.rollback(mark)
    else:
        seen_texts.add(key)
