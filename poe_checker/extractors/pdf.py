"""PDF extractor: text layer with word boxes, AcroForm fields, signature fields, placed images.

PDFium (pypdfium2's raw API) does the reading: it opens damaged files that pure-Python parsers
give up on, and it is about 30x faster than pdfplumber's ``extract_words``. Word boxes come from
the boxes of a word's first and last characters only (about 5 µs a word), which keeps a dense
5-page SOW in the tens of milliseconds. pdfminer.six is used for one thing PDFium does not expose: the values
of signature dictionaries (/Name, /M), and only when the file has signature fields.

Coordinates are PDF points with the origin at the top-left of the page *as displayed*: the page's
/Rotate and crop box are applied, so boxes line up with a rendered page (and with OCR, which reads
rendered pages). ``Page.width``/``height`` are the displayed size.

Every PDFium handle is closed in ``finally`` blocks: the batch mode reads thousands of files in
one process. PDFium is not thread-safe, so all PDFium calls run under one lock.
"""

from __future__ import annotations

import bisect
import ctypes
import datetime as dt
import io
import logging
import re
import threading
from dataclasses import dataclass, field, replace

import pypdfium2  # noqa: F401  (importing the package initialises the PDFium library)
import pypdfium2.raw as pdfium_c

from ..errors import CorruptDocument, EmptyDocument, EncryptedDocument
from ..limits import Limits
from ..model import (
    Anchor, BBox, CertificateSubject, Checkbox, FormField, Page, PlacedImage, Signature, Word, merge_bboxes,
)
from . import Extraction, pages_phrase

log = logging.getLogger(__name__)

_LOCK = threading.Lock()

MAX_IMAGES_PER_PAGE = 200
MAX_PAGE_OBJECTS = 50_000
"""Page objects visited per page (forms included) when looking for images; bounds hostile pages."""
MAX_FORM_DEPTH = 8
MAX_ANNOTS_PER_PAGE = 1_000
MAX_FIELD_TEXT = 20_000
MAX_CHOICE_OPTIONS = 200
MAX_SIG_FIELDS = 500

SIGNATURE_DETAIL = "digital signature present; not yet cryptographically validated"

_FIELD_KINDS = {
    pdfium_c.FPDF_FORMFIELD_CHECKBOX: "checkbox",
    pdfium_c.FPDF_FORMFIELD_RADIOBUTTON: "radio",
    pdfium_c.FPDF_FORMFIELD_COMBOBOX: "choice",
    pdfium_c.FPDF_FORMFIELD_LISTBOX: "choice",
    pdfium_c.FPDF_FORMFIELD_TEXTFIELD: "text",
    pdfium_c.FPDF_FORMFIELD_SIGNATURE: "signature",
}

# PDFium's text: CRLF line breaks; U+FFFE where it removed a line-end hyphen to join the word
# ("deploy-" / "ment" -> "deployment") or for a glyph without a Unicode value; soft hyphens; and
# control characters from fonts without a usable Unicode map. All but the line breaks are dropped.
_DIRT = re.compile(r"\r\n?|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\xad\ufffe\uffff]")
_DIRT_REPLACEMENT = {"\r\n": "\n", "\r": "\n"}
_WORD = re.compile(r"\S+")
_GENERIC_NAME = re.compile(
    r"^\s*(check\s*box|checkbox|cb|radio\s*button|radio|button|option|group|text\s*field|text|field|"
    r"signature|sig)[\s_\-.#]*\d*\s*$", re.I)
_PDF_DATE = re.compile(r"^\s*(?:D:)?(\d{4})(\d{2})?(\d{2})?")


# ---- public entry point ---------------------------------------------------------------------

def extract(data: bytes, limits: Limits) -> Extraction:
    """Read a PDF's text layer, form fields, signature fields and placed images."""
    if not data:
        raise EmptyDocument("empty file (0 bytes): upload the PDF again")
    data = bytes(data)  # PDFium reads the buffer in place; ctypes passes only bytes that way
    with _LOCK:
        doc = _read_with_pdfium(data, limits)
    _read_scans(data, doc, limits)
    sig_values: dict[str, _SigValue] | None = None
    sig_checks: dict = {}
    if doc.sig_widgets or doc.pdfium_sig_times:
        sig_values = _signature_values(data)
        sig_checks = _validate_signatures(data)
    form_fields, signatures = _signature_entries(doc, sig_values)
    signatures = _with_checks(signatures, sig_checks)
    return Extraction(
        pages=tuple(doc.pages),
        page_count=doc.page_count,
        checkboxes=tuple(doc.checkboxes),
        form_fields=tuple(doc.form_fields) + tuple(form_fields),
        signatures=tuple(signatures),
        images=tuple(doc.images),
        notes=tuple(doc.notes),
    )


# ---- what the PDFium pass collects ----------------------------------------------------------

@dataclass
class _SigWidget:
    """A signature widget as PDFium sees it (``name`` empty when PDFium could not tie it to a field)."""

    name: str
    page: int
    rect: BBox
    """Raw /Rect in PDF user space, to match pdfminer's view of the same widget."""
    bbox: BBox | None
    has_value: bool
    context: str


@dataclass
class _DocResult:
    page_count: int
    pages: list[Page] = field(default_factory=list)
    checkboxes: list[Checkbox] = field(default_factory=list)
    form_fields: list[FormField] = field(default_factory=list)
    images: list[PlacedImage] = field(default_factory=list)
    sig_widgets: list[_SigWidget] = field(default_factory=list)
    orphan_widgets: list[_SigWidget] = field(default_factory=list)
    """Widgets PDFium could not tie to a field; pdfminer may still find their signature field."""
    pdfium_sig_times: list[str] = field(default_factory=list)
    """/M of each signature PDFium counts (top-level signed fields), for when pdfminer fails."""
    seen_fields: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)


class _Frame:
    """Maps PDF user space (origin bottom-left) to displayed page space (origin top-left)."""

    __slots__ = ("left", "bottom", "right", "top", "rotation", "width", "height")

    def __init__(self, left: float, bottom: float, right: float, top: float, rotation: int):
        self.left, self.bottom, self.right, self.top = left, bottom, right, top
        self.rotation = rotation  # clockwise quarter turns, as PDFium reports /Rotate
        w, h = right - left, top - bottom
        self.width, self.height = (h, w) if rotation in (1, 3) else (w, h)

    def box(self, l: float, b: float, r: float, t: float) -> BBox:
        if l > r:
            l, r = r, l
        if b > t:
            b, t = t, b
        rot = self.rotation
        if rot == 1:    # 90° clockwise: user up points right, user right points down
            return (b - self.bottom, l - self.left, t - self.bottom, r - self.left)
        if rot == 2:
            return (self.right - r, b - self.bottom, self.right - l, t - self.bottom)
        if rot == 3:
            return (self.top - t, self.right - r, self.top - b, self.right - l)
        return (l - self.left, self.top - t, r - self.left, self.top - b)


# ---- PDFium pass ----------------------------------------------------------------------------

def _read_with_pdfium(data: bytes, limits: Limits) -> _DocResult:
    doc = pdfium_c.FPDF_LoadMemDocument64(data, len(data), None)
    if not doc:
        _raise_open_error(pdfium_c.FPDF_GetLastError())
    form = None
    form_info = None
    try:
        page_count = pdfium_c.FPDF_GetPageCount(doc)
        if page_count <= 0 and pdfium_c.FPDF_GetSecurityHandlerRevision(doc) != -1:
            raise EncryptedDocument("encrypted PDF that could not be decrypted: upload an unencrypted copy")
        if page_count <= 0:
            raise EmptyDocument("PDF has no readable pages (empty, or its page tree is damaged): "
                                "export or print the document to PDF again")
        result = _DocResult(page_count=page_count)
        form_type = pdfium_c.FPDF_GetFormType(doc)
        if form_type in (pdfium_c.FORMTYPE_XFA_FULL, pdfium_c.FORMTYPE_XFA_FOREGROUND):
            result.notes.append("XFA form: its dynamic form content is not read; "
                                "print the filled form to PDF if its values matter")
        if form_type != pdfium_c.FORMTYPE_NONE:
            form_info = pdfium_c.FPDF_FORMFILLINFO(version=2)
            form = pdfium_c.FPDFDOC_InitFormFillEnvironment(doc, form_info) or None
        for i in range(min(max(pdfium_c.FPDF_GetSignatureCount(doc), 0), MAX_SIG_FIELDS)):
            sig = pdfium_c.FPDF_GetSignatureObject(doc, i)
            result.pdfium_sig_times.append(_ascii(pdfium_c.FPDFSignatureObj_GetTime, sig) if sig else "")
        _read_pages(doc, form, page_count, limits, result)
        return result
    finally:
        if form:
            pdfium_c.FPDFDOC_ExitFormFillEnvironment(form)
        pdfium_c.FPDF_CloseDocument(doc)
        del form_info


def _raise_open_error(err: int) -> None:
    if err == pdfium_c.FPDF_ERR_PASSWORD:
        raise EncryptedDocument("encrypted PDF: upload an unencrypted copy")
    if err == pdfium_c.FPDF_ERR_SECURITY:
        raise EncryptedDocument("encrypted PDF (certificate or unsupported security handler): "
                                "upload an unencrypted copy")
    reason = {
        pdfium_c.FPDF_ERR_FORMAT: "data format error",
        pdfium_c.FPDF_ERR_FILE: "file could not be read",
        pdfium_c.FPDF_ERR_PAGE: "page not found or content error",
    }.get(err, "unknown error")
    raise CorruptDocument(f"damaged PDF (PDFium: {reason}): re-export or print it to PDF again")


def _read_pages(doc, form, page_count: int, limits: Limits, result: _DocResult) -> None:
    to_read = min(page_count, max(limits.max_pages, 0))
    text_budget = limits.max_text_chars
    no_text: list[int] = []
    unreadable: list[int] = []
    truncated_at: int | None = None
    for index in range(to_read):
        number = index + 1
        page = pdfium_c.FPDF_LoadPage(doc, index)
        if not page:
            unreadable.append(number)
            result.pages.append(Page(number=number, text="", ocr=False))
            continue
        if form:
            pdfium_c.FORM_OnAfterLoadPage(page, form)  # without it, widgets report no checked state
        try:
            page_obj, cut = _read_page(page, form, number, text_budget, result)
        finally:
            if form:
                pdfium_c.FORM_OnBeforeClosePage(page, form)
            pdfium_c.FPDF_ClosePage(page)
        result.pages.append(page_obj)
        text_budget -= len(page_obj.text)
        if not page_obj.text.strip() and not cut:
            no_text.append(number)
        if cut:
            truncated_at = number
            break
    if unreadable:
        result.notes.append(f"{pages_phrase(unreadable)} could not be read (damaged page content)")
    if no_text:
        verb = "has" if len(no_text) == 1 else "have"
        result.notes.append(f"{pages_phrase(no_text)} {verb} no text layer (scanned?): sent to OCR")
    if truncated_at is not None and truncated_at < page_count:
        result.notes.append(f"text limit of {limits.max_text_chars:,} characters reached on page "
                            f"{truncated_at}: the remaining {page_count - truncated_at} pages were not read")
    elif truncated_at is not None:
        result.notes.append(f"text limit of {limits.max_text_chars:,} characters reached on page "
                            f"{truncated_at}: the rest of its text was dropped")
    elif to_read < page_count:
        result.notes.append(f"only the first {to_read} of {page_count} pages were read (page limit); "
                            f"{page_count - to_read} pages were skipped")


def _read_page(page, form, number: int, text_budget: int, result: _DocResult) -> tuple[Page, bool]:
    """The page, and whether its text was cut to fit ``text_budget``."""
    rect = pdfium_c.FS_RECTF()
    if not pdfium_c.FPDF_GetPageBoundingBox(page, rect):
        rect.left, rect.bottom = 0.0, 0.0
        rect.right, rect.top = pdfium_c.FPDF_GetPageWidthF(page), pdfium_c.FPDF_GetPageHeightF(page)
    rotation = pdfium_c.FPDFPage_GetRotation(page)
    frame = _Frame(rect.left, rect.bottom, rect.right, rect.top, rotation if rotation in (1, 2, 3) else 0)

    text, words, cut = "", [], False
    textpage = pdfium_c.FPDFText_LoadPage(page)
    if textpage:
        try:
            text, words, cut = _page_text(textpage, frame, max(text_budget, 0))
        finally:
            pdfium_c.FPDFText_ClosePage(textpage)

    result.images.extend(_page_images(page, frame, number))
    extra_text = _page_annotations(page, form, number, frame, words, result)
    if extra_text and len(text) + sum(len(t) + 1 for t, _ in extra_text) <= text_budget:
        text, words = _append_annotation_text(text, words, extra_text)
    page_obj = Page(number=number, text=text, words=tuple(words), width=frame.width,
                    height=frame.height, ocr=False)
    return page_obj, cut


def _page_text(textpage, frame: _Frame, budget: int) -> tuple[str, list[Word], bool]:
    n_chars = pdfium_c.FPDFText_CountChars(textpage)
    if n_chars <= 0:
        return "", [], False
    if budget <= 0:
        return "", [], True
    # UTF-16 output can hold surrogate pairs, so allow two units per char plus the terminator.
    buf = (ctypes.c_ushort * (2 * n_chars + 2))()
    n_units = pdfium_c.FPDFText_GetText(textpage, 0, n_chars, buf)
    if n_units <= 1:
        return "", [], False
    raw = ctypes.string_at(buf, 2 * (n_units - 1)).decode("utf-16-le", "replace")
    # On Linux PDFium's text indices count code points, which is what Python indexes.
    text, seg_clean, seg_raw = _clean_text(raw)
    char_of = pdfium_c.FPDFText_GetCharIndexFromTextIndex
    cut = len(text) > budget
    if cut:
        text = text[:budget]

    # Text and char indices differ only where PDFium left chars out of the text (control
    # characters); then each probe is translated, else the text index is the char index.
    identity = len(raw) == n_chars and char_of(textpage, n_chars - 1) == n_chars - 1
    words: list[Word] = []
    append = words.append
    box0, box1 = pdfium_c.FS_RECTF(), pdfium_c.FS_RECTF()
    get_box = pdfium_c.FPDFText_GetLooseCharBox
    fbox = frame.box
    n_seg = len(seg_clean)
    seg = 0
    next_seg = seg_clean[1] if n_seg > 1 else _NEVER
    for m in _WORD.finditer(text):
        start, end = m.span()
        last = end - 1
        while next_seg <= start:
            seg += 1
            next_seg = seg_clean[seg + 1] if seg + 1 < n_seg else _NEVER
        if last >= next_seg:
            append(Word(m.group(), start, end, _joined_word_box(
                textpage, identity, seg_clean, seg_raw, seg, start, last, frame)))
            continue
        offset = seg_raw[seg] - seg_clean[seg]
        i0, i1 = start + offset, last + offset
        if not identity:
            i0, i1 = char_of(textpage, i0), char_of(textpage, i1)
        ok0 = i0 >= 0 and get_box(textpage, i0, box0)
        ok1 = ok0 if i1 == i0 else (i1 >= 0 and get_box(textpage, i1, box1))
        if ok0 and ok1 and i1 != i0:
            l0, b0, r0, t0 = box0.left, box0.bottom, box0.right, box0.top
            l1, b1, r1, t1 = box1.left, box1.bottom, box1.right, box1.top
            bbox = fbox(l0 if l0 < l1 else l1, b0 if b0 < b1 else b1,
                        r0 if r0 > r1 else r1, t0 if t0 > t1 else t1)
        elif ok0:
            bbox = fbox(box0.left, box0.bottom, box0.right, box0.top)
        elif ok1:
            bbox = fbox(box1.left, box1.bottom, box1.right, box1.top)
        else:
            bbox = None
        append(Word(m.group(), start, end, bbox))
    return text, words, cut


_NEVER = 1 << 62


def _joined_word_box(textpage, identity: bool, seg_clean: list[int], seg_raw: list[int], seg: int,
                     start: int, last: int, frame: _Frame) -> BBox | None:
    """Box of a word PDFium joined across a line break ("hyphen-" / "ated"): box every piece."""
    probes = [seg_raw[seg] + start - seg_clean[seg]]
    k = seg
    while k + 1 < len(seg_clean) and seg_clean[k + 1] <= last:
        k += 1
        probes.append(seg_raw[k - 1] + seg_clean[k] - 1 - seg_clean[k - 1])
        probes.append(seg_raw[k])
    probes.append(seg_raw[k] + last - seg_clean[k])
    box = pdfium_c.FS_RECTF()
    boxes = []
    for raw_index in probes:
        char_index = raw_index if identity else pdfium_c.FPDFText_GetCharIndexFromTextIndex(textpage, raw_index)
        if char_index >= 0 and pdfium_c.FPDFText_GetLooseCharBox(textpage, char_index, box):
            boxes.append(frame.box(box.left, box.bottom, box.right, box.top))
    return merge_bboxes(boxes)


def _clean_text(raw: str) -> tuple[str, list[int], list[int]]:
    """Clean PDFium text; returns it with segment starts mapping clean offsets to raw offsets."""
    seg_clean, seg_raw = [0], [0]
    if not _DIRT.search(raw):
        return raw, seg_clean, seg_raw
    parts: list[str] = []
    pos_clean = pos_raw = 0
    for m in _DIRT.finditer(raw):
        s, e = m.span()
        parts.append(raw[pos_raw:s])
        pos_clean += s - pos_raw
        repl = _DIRT_REPLACEMENT.get(m.group(), "")
        if repl:
            parts.append(repl)
            seg_clean.append(pos_clean)
            seg_raw.append(s)
            pos_clean += len(repl)
        pos_raw = e
        seg_clean.append(pos_clean)
        seg_raw.append(e)
    parts.append(raw[pos_raw:])
    return "".join(parts), seg_clean, seg_raw


# ---- scans and pasted signature pictures ----------------------------------------------------

MAX_FINGERPRINTS = 24
"""Placed pictures fingerprinted per document at most (the small ones that could be signatures)."""


def _read_scans(data: bytes, result: _DocResult, limits: Limits) -> None:
    """OCR for pages without a text layer; fingerprints of small pictures on pages that have one.

    Scanned pages are rendered at the OCR resolution (300 dpi) and read by Tesseract; their text
    (and the ink on them that is not printed text) replaces the empty page, ``ocr=True``. A
    picture small enough to be a signature gets a fingerprint of its pixels as shown, so the
    reading can tell a pasted signature and the rules a copy of one. Nothing here decides what a
    mark or a picture is.
    """
    from .. import knowledge

    blank = [p.number for p in result.pages if p.number is not None and not p.text.strip()]
    text_pages = {p.number: p for p in result.pages if p.text.strip()}
    placed = knowledge.load("ink")["placed"]

    def small(img: PlacedImage) -> bool:
        page = text_pages.get(img.page)
        if page is None or not page.width or not page.height:
            return False
        x0, y0, x1, y1 = img.bbox
        return (x1 - x0) <= float(placed["max_width_share"]) * page.width and \
            (y1 - y0) <= float(placed["max_height_share"]) * page.height

    pictures = [i for i, img in enumerate(result.images) if small(img)][:MAX_FINGERPRINTS]
    if not blank and not pictures:
        return
    from ..ocr import to_gray
    from .image import ocr_pages
    from .inkmarks import dhash

    cfg = knowledge.load("ink")["ocr"]
    with _LOCK:
        pdf = pypdfium2.PdfDocument(data)

    def render(number: int, scale: float, crop=(0, 0, 0, 0)):
        with _LOCK:
            page = pdf[number - 1]
            try:
                bitmap = page.render(scale=scale, crop=crop, grayscale=True, may_draw_forms=False)
                try:
                    return to_gray(bitmap.to_pil())
                finally:
                    bitmap.close()
            finally:
                page.close()

    def load(number: int):
        with _LOCK:
            page = pdf[number - 1]
            try:
                longest = max(page.get_width(), page.get_height(), 1.0)
            finally:
                page.close()
        scale = min(float(cfg["dpi"]) / 72.0, float(cfg["max_side_pixels"]) / longest)
        return render(number, scale), scale * 72.0

    try:
        read, notes = ocr_pages(blank, load, limits)
        for number, page in read.items():
            result.pages[number - 1] = page
        result.notes.extend(notes)
        for i in pictures:
            img = result.images[i]
            page = text_pages[img.page]
            x0, y0, x1, y1 = img.bbox
            try:
                crop = render(img.page, 2.0, (x0, (page.height or 0) - y1, (page.width or 0) - x1, y0))
            except Exception:  # noqa: BLE001 - a picture that cannot be rendered keeps no fingerprint
                continue
            if crop is not None and crop.size:
                result.images[i] = replace(img, fingerprint=dhash(crop))
    finally:
        with _LOCK:
            pdf.close()


# ---- images ---------------------------------------------------------------------------------

_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _page_images(page, frame: _Frame, number: int) -> list[PlacedImage]:
    images: list[PlacedImage] = []
    visited = 0
    l, b, r, t = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    w_px, h_px = ctypes.c_uint(), ctypes.c_uint()
    matrix = pdfium_c.FS_MATRIX()
    # (container, is_form_object, matrix from container space to page space, depth)
    stack = [(page, False, _IDENTITY, 0)]
    while stack and len(images) < MAX_IMAGES_PER_PAGE and visited < MAX_PAGE_OBJECTS:
        container, is_form, ctm, depth = stack.pop()
        if is_form:
            count = pdfium_c.FPDFFormObj_CountObjects(container)
            get = pdfium_c.FPDFFormObj_GetObject
        else:
            count = pdfium_c.FPDFPage_CountObjects(container)
            get = pdfium_c.FPDFPage_GetObject
        for i in range(max(count, 0)):
            visited += 1
            if visited > MAX_PAGE_OBJECTS or len(images) >= MAX_IMAGES_PER_PAGE:
                break
            obj = get(container, i)
            if not obj:
                continue
            kind = pdfium_c.FPDFPageObj_GetType(obj)
            if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
                if not pdfium_c.FPDFPageObj_GetBounds(obj, l, b, r, t):
                    continue
                x0, y0, x1, y1 = _transform_rect(ctm, l.value, b.value, r.value, t.value)
                if x1 - x0 < 1 or y1 - y0 < 1:
                    continue  # invisible or hairline: not something a person sees
                px = pdfium_c.FPDFImageObj_GetImagePixelSize(obj, w_px, h_px)
                images.append(PlacedImage(
                    page=number, bbox=frame.box(x0, y0, x1, y1),
                    width_px=int(w_px.value) if px else None, height_px=int(h_px.value) if px else None))
            elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth + 1 < MAX_FORM_DEPTH:
                if pdfium_c.FPDFPageObj_GetMatrix(obj, matrix):
                    inner = _concat((matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f), ctm)
                else:
                    inner = ctm
                stack.append((obj, True, inner, depth + 1))
    return images


def _concat(m, n):
    """``m`` then ``n`` (row-vector convention, as in PDF: p' = p·m·n)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D,
            e * A + f * C + E, e * B + f * D + F)


def _transform_rect(m, l, b, r, t):
    if m is _IDENTITY:
        return l, b, r, t
    a, bb, c, d, e, f = m
    xs, ys = [], []
    for x, y in ((l, b), (r, b), (l, t), (r, t)):
        xs.append(a * x + c * y + e)
        ys.append(bb * x + d * y + f)
    return min(xs), min(ys), max(xs), max(ys)


# ---- annotations and form fields ------------------------------------------------------------

def _wide(fn, *args) -> str:
    """Call a PDFium getter that fills a UTF-16LE buffer (size in bytes, NUL included)."""
    n = fn(*args, None, 0)
    if n <= 2 or n > 64 * MAX_FIELD_TEXT:
        return ""  # PDFium fills nothing unless the whole value fits, so absurd sizes are skipped
    buf = (ctypes.c_ushort * (n // 2 + 1))()
    got = min(fn(*args, buf, n), n)
    if got <= 2:
        return ""
    value = ctypes.string_at(buf, got - 2).decode("utf-16-le", "replace").replace("\x00", "")
    return value[:MAX_FIELD_TEXT]


def _page_annotations(page, form, number: int, frame: _Frame, words: list[Word],
                      result: _DocResult) -> list[tuple[str, BBox | None]]:
    """Record widgets, placed marks (stamps, ink); return the text of free-text annotations and
    of filled form fields, to be added to the page text."""
    count = pdfium_c.FPDFPage_GetAnnotCount(page)
    if count <= 0:
        return []
    extra: list[tuple[str, BBox | None]] = []
    rect = pdfium_c.FS_RECTF()
    index = _WordIndex(words)
    for i in range(min(count, MAX_ANNOTS_PER_PAGE)):
        annot = pdfium_c.FPDFPage_GetAnnot(page, i)
        if not annot:
            continue
        try:
            subtype = pdfium_c.FPDFAnnot_GetSubtype(annot)
            bbox = None
            raw_rect = (0.0, 0.0, 0.0, 0.0)
            if pdfium_c.FPDFAnnot_GetRect(annot, rect):
                raw_rect = _norm_rect(rect.left, rect.bottom, rect.right, rect.top)
                if rect.right != rect.left and rect.top != rect.bottom:
                    bbox = frame.box(*raw_rect)
            if subtype == pdfium_c.FPDF_ANNOT_WIDGET:
                if form:
                    filled = _widget(form, annot, number, raw_rect, bbox, index, result)
                    if filled:
                        extra.append(filled)
            elif subtype == pdfium_c.FPDF_ANNOT_FREETEXT:
                contents = _wide(pdfium_c.FPDFAnnot_GetStringValue, annot, b"Contents").strip()
                if contents:
                    extra.append((contents[:MAX_FIELD_TEXT], bbox))
            elif subtype in (pdfium_c.FPDF_ANNOT_STAMP, pdfium_c.FPDF_ANNOT_INK) and bbox is not None:
                # A stamp or a drawn mark sits on the page like a pasted picture: nothing verifiable.
                result.images.append(PlacedImage(page=number, bbox=bbox))
        finally:
            pdfium_c.FPDFPage_CloseAnnot(annot)
    return extra


def _widget(form, annot, number: int, raw_rect: BBox, bbox: BBox | None, index: _WordIndex,
            result: _DocResult) -> tuple[str, BBox | None] | None:
    """Record a form widget; return a filled text or choice field as a "label: value" line.

    A value typed into a field is content of the page (a customer's name, a signing date), but
    PDFium's page text leaves it out; the line, boxed at the field, lets every rule read it.
    """
    field_type = pdfium_c.FPDFAnnot_GetFormFieldType(form, annot)
    kind = _FIELD_KINDS.get(field_type)
    if kind is None or kind == "signature":
        if kind is None and field_type > pdfium_c.FPDF_FORMFIELD_UNKNOWN:
            return None  # push buttons carry no data
        has_value = pdfium_c.FPDFAnnot_GetValueType(annot, b"V") in (
            pdfium_c.FPDF_OBJECT_DICTIONARY, pdfium_c.FPDF_OBJECT_REFERENCE)
        widget = _SigWidget(
            name=_wide(pdfium_c.FPDFAnnot_GetFormFieldName, form, annot) if kind else "",
            page=number, rect=raw_rect, bbox=bbox, has_value=has_value,
            context=index.around(bbox) if bbox else "")
        (result.sig_widgets if kind else result.orphan_widgets).append(widget)
        return None
    name = _wide(pdfium_c.FPDFAnnot_GetFormFieldName, form, annot)
    alt = _wide(pdfium_c.FPDFAnnot_GetFormFieldAlternateName, form, annot).strip()

    prefer = "right" if kind in ("checkbox", "radio") else "left"
    near = _nearby_label(index, bbox, prefer) if bbox else None
    if kind == "radio":
        export = _wide(pdfium_c.FPDFAnnot_GetFormFieldExportValue, form, annot).strip()
        candidates = [near[0] if near else "", export, _useful(alt), name]
    else:
        candidates = [_useful(alt), near[0] if near else "", name]
    label = next((c for c in candidates if c), name)
    from_text = bool(near) and label == near[0]
    where = Anchor(number, label,
                   merge_bboxes([b for b in (bbox, near[1] if near else None) if b]) if from_text else bbox,
                   near[2] if from_text else None)

    value = _wide(pdfium_c.FPDFAnnot_GetFormFieldValue, form, annot)
    if kind in ("checkbox", "radio"):
        checked = bool(pdfium_c.FPDFAnnot_IsChecked(form, annot))
        result.checkboxes.append(Checkbox(label=label, checked=checked, where=where, source="form_field"))
    elif kind == "choice":
        selected = _selected_options(form, annot)
        if selected:
            value = "; ".join(selected)
    if name in result.seen_fields:
        return None  # one FormField per field; its other widgets only add checkboxes
    result.seen_fields.add(name)
    result.form_fields.append(FormField(name=name, value=value or None, kind=kind, where=where))
    if kind in ("text", "choice") and value and value.strip():
        shown = label if label != name else _readable_field_name(name)
        return f"{shown}: {' '.join(value.split())}"[:MAX_FIELD_TEXT], bbox
    return None


def _readable_field_name(name: str) -> str:
    """'form1[0].page1[0].DateSigned[0]' or 'date_signed' → 'Date Signed', so cues can read it."""
    last = re.sub(r"\[\d+\]", "", name).rsplit(".", 1)[-1]
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", last.replace("_", " ").replace("-", " "))
    return " ".join(word[:1].upper() + word[1:] for word in spaced.split()) or name


def _ascii(fn, *args) -> str:
    """Call a PDFium getter that fills a byte buffer (size in bytes, NUL included)."""
    n = fn(*args, None, 0)
    if n <= 1:
        return ""
    buf = ctypes.create_string_buffer(min(n, 512))
    fn(*args, buf, len(buf))
    return buf.value.decode("latin-1")


def _norm_rect(l: float, b: float, r: float, t: float) -> BBox:
    return (min(l, r), min(b, t), max(l, r), max(b, t))


def _selected_options(form, annot) -> list[str]:
    n = pdfium_c.FPDFAnnot_GetOptionCount(form, annot)
    out = []
    for i in range(min(max(n, 0), MAX_CHOICE_OPTIONS)):
        if pdfium_c.FPDFAnnot_IsOptionSelected(form, annot, i):
            label = _wide(pdfium_c.FPDFAnnot_GetOptionLabel, form, annot, i)
            if label:
                out.append(label)
    return out


def _useful(alt: str) -> str:
    """A field's alternate name, unless it is a tool's default such as "Check Box12"."""
    return "" if not alt or _GENERIC_NAME.match(alt) else alt


class _WordIndex:
    """A page's boxed words sorted by vertical centre, built on first use, for look-ups near widgets."""

    def __init__(self, words: list[Word]):
        self._words = words
        self._centres: list[float] | None = None
        self._sorted: list[Word] = []

    def band(self, lo: float, hi: float) -> list[Word]:
        """Words whose vertical centre lies in ``lo..hi`` (top-left coordinates)."""
        if self._centres is None:
            boxed = sorted(((w.bbox[1] + w.bbox[3]) / 2, i) for i, w in enumerate(self._words)
                           if w.bbox is not None)
            self._centres = [c for c, _ in boxed]
            self._sorted = [self._words[i] for _, i in boxed]
        return self._sorted[bisect.bisect_left(self._centres, lo):bisect.bisect_right(self._centres, hi)]

    def around(self, box: BBox, dx: float = 72, dy: float = 48) -> str:
        """Text around a signature box (labels such as "For Contoso:"), in reading order."""
        x0, top, x1, bottom = box
        near = [w for w in self.band(top - dy, bottom + dy)
                if w.bbox[2] >= x0 - dx and w.bbox[0] <= x1 + dx]  # type: ignore[index]
        near.sort(key=lambda w: w.start)
        return " ".join(w.text for w in near)[:300]


def _nearby_label(index: _WordIndex, box: BBox, prefer: str
                  ) -> tuple[str, BBox | None, tuple[int, int]] | None:
    """The run of words on the field's line just right (or left) of it: its label."""
    x0, top, x1, bottom = box
    same_line = sorted(index.band(top - 3, bottom + 3), key=lambda w: w.bbox[0])  # type: ignore[index]
    if not same_line:
        return None
    right = [i for i, w in enumerate(same_line) if x1 - 2 <= w.bbox[0] <= x1 + 36]  # type: ignore[index]
    left = [i for i, w in enumerate(same_line) if x0 - 36 <= w.bbox[2] <= x0 + 2]  # type: ignore[index]

    def run_right(first: int) -> list[Word]:
        run = [same_line[first]]
        for w in same_line[first + 1:]:
            if w.bbox[0] - run[-1].bbox[2] > 14 or w.bbox[0] > x1 + 300:  # type: ignore[index]
                break
            run.append(w)
        return run

    def run_left(last: int) -> list[Word]:
        run = [same_line[last]]
        for w in reversed(same_line[:last]):
            if run[0].bbox[0] - w.bbox[2] > 14 or w.bbox[2] < x0 - 300:  # type: ignore[index]
                break
            run.insert(0, w)
        return run

    for side in (("right", "left") if prefer == "right" else ("left", "right")):
        if side == "right" and right:
            run = run_right(right[0])
        elif side == "left" and left:
            run = run_left(left[-1])
        else:
            continue
        run.sort(key=lambda w: w.start)
        label = " ".join(w.text for w in run)[:200].strip()
        if label:
            return label, merge_bboxes([w.bbox for w in run if w.bbox]), (run[0].start, run[-1].end)
    return None


def _append_annotation_text(text: str, words: list[Word], extra: list[tuple[str, BBox | None]]
                            ) -> tuple[str, list[Word]]:
    """Free-text annotations are visible on the page but not in its content: add them at the end."""
    parts = [text]
    pos = len(text)
    words = list(words)
    for content, bbox in extra:
        content = _clean_text(content)[0]
        parts.append("\n")
        pos += 1
        for m in _WORD.finditer(content):
            words.append(Word(m.group(), pos + m.start(), pos + m.end(), bbox))
        parts.append(content)
        pos += len(content)
    return "".join(parts), words


# ---- signatures -----------------------------------------------------------------------------

@dataclass(frozen=True)
class _SigValue:
    signed: bool
    signer: str | None = None
    when: str | None = None
    reason: str | None = None
    timestamp_only: bool = False
    rects: tuple[BBox, ...] = ()


def _signature_entries(doc: _DocResult, values: dict[str, _SigValue] | None
                       ) -> tuple[list[FormField], list[Signature]]:
    """Join pdfminer's signature values with PDFium's widgets (page, box, nearby labels)."""
    fields: list[FormField] = []
    signatures: list[Signature] = []
    by_name: dict[str, _SigWidget] = {}
    for w in doc.sig_widgets:
        by_name.setdefault(w.name, w)
    used: set[int] = set()

    def widget_for(name: str, value: _SigValue) -> _SigWidget | None:
        w = by_name.get(name)
        if w is None:
            w = next((c for c in doc.sig_widgets + doc.orphan_widgets if id(c) not in used
                      and any(_same_rect(c.rect, r) for r in value.rects)), None)
        if w is not None:
            used.add(id(w))
        return w

    def emit(name: str, value: _SigValue, w: _SigWidget | None) -> None:
        where = Anchor(w.page if w else None, name, w.bbox if w else None)
        if not value.signed:
            fields.append(FormField(name=name, value=None, kind="signature", where=where))
            return
        fields.append(FormField(name=name, value=value.signer or "signed", kind="signature", where=where))
        detail = SIGNATURE_DETAIL
        if value.timestamp_only:
            detail = "document timestamp (RFC 3161) present, no signer; not yet cryptographically validated"
        elif value.reason:
            detail = f"{SIGNATURE_DETAIL}; reason given: {value.reason[:200]}"
        signatures.append(Signature(
            kind="digital", where=where, signer_name=value.signer, signed_on=_pdf_date(value.when),
            platform="pdf", context=w.context if w else "", valid=None, detail=detail,
            timestamp_only=value.timestamp_only))

    if values is not None:
        for name, value in values.items():
            emit(name, value, widget_for(name, value))
    emitted = {f.name for f in fields}
    for w in doc.sig_widgets:
        if id(w) in used or w.name in emitted:
            continue
        # pdfminer could not tell: trust the widget's own /V (field and widget merged).
        emitted.add(w.name)
        emit(w.name, _SigValue(signed=w.has_value), w)
    if values is None and not signatures:
        # Neither source tied a signature to a widget; PDFium still counted signed fields.
        for i, when in enumerate(doc.pdfium_sig_times, 1):
            emit(f"signature {i}", _SigValue(signed=True, when=when or None), None)
    return fields, signatures


def _validate_signatures(data: bytes) -> dict:
    """pyHanko's validation by field name; imported here so unsigned PDFs never load it."""
    from . import pdfsig

    return pdfsig.validate(data)


def _with_checks(signatures: list[Signature], checks: dict) -> list[Signature]:
    """Fill validity, plain-words detail, certificate signer and signing time from validation.

    Matched by field name; when names disagree but counts match, in signing order.
    """
    if not checks:
        return signatures
    unmatched = [c for name, c in checks.items() if name not in {s.where.text for s in signatures}]
    out: list[Signature] = []
    for sig in signatures:
        check = checks.get(sig.where.text)
        if check is None and unmatched and len(unmatched) == sum(1 for s in signatures if s.where.text not in checks):
            check = unmatched.pop(0)
        if check is None:
            out.append(sig)
            continue
        signed_at = check.signed_at
        out.append(replace(
            sig, valid=check.valid, detail=check.integrity or check.detail,
            signer_name=check.signer_name or sig.signer_name,
            signer_email=check.signer_email or sig.signer_email,
            signed_on=signed_at.date() if signed_at is not None else sig.signed_on,
            certificate=CertificateSubject(check.signer_name, check.signer_org, check.signer_email)
            if (check.signer_name or check.signer_org or check.signer_email) else None,
            trusted=check.trusted, timestamp_only=check.timestamp_only or sig.timestamp_only))
    return out


def _same_rect(a: BBox, b: BBox) -> bool:
    return all(abs(x - y) <= 0.5 for x, y in zip(a, b))


def _pdf_date(raw: str | None) -> dt.date | None:
    if not raw:
        return None
    m = _PDF_DATE.match(raw)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))
    except ValueError:
        return None


def _signature_values(data: bytes) -> dict[str, _SigValue] | None:
    """Signature dictionaries by full field name, via pdfminer (PDFium does not expose /Name)."""
    try:
        from pdfminer.pdfdocument import PDFDocument
        from pdfminer.pdfparser import PDFParser
        from pdfminer.pdftypes import PDFObjRef, resolve1
        from pdfminer.psparser import PSLiteral

        doc = PDFDocument(PDFParser(io.BytesIO(data)), password="")
        acro = resolve1(doc.catalog.get("AcroForm"))
        if not isinstance(acro, dict):
            return None
        top = resolve1(acro.get("Fields"))
        if not isinstance(top, list):
            return None

        def text(v) -> str | None:
            v = resolve1(v)
            if isinstance(v, bytes):
                return _decode_pdf_text(v).strip() or None
            if isinstance(v, str):
                return v.strip() or None
            return None

        def name_of(v) -> str | None:
            v = resolve1(v)
            return v.name if isinstance(v, PSLiteral) else None

        def rect_of(node) -> BBox | None:
            node = resolve1(node)
            r = resolve1(node.get("Rect")) if isinstance(node, dict) else None
            if isinstance(r, list) and len(r) == 4:
                try:
                    return _norm_rect(*(float(resolve1(x)) for x in r))
                except (TypeError, ValueError):
                    return None
            return None

        out: dict[str, _SigValue] = {}
        seen: set[int] = set()
        stack = [(f, "", None, 0) for f in reversed(top)]
        while stack and len(out) < MAX_SIG_FIELDS and len(seen) < 20_000:
            ref, prefix, inherited_ft, depth = stack.pop()
            if isinstance(ref, PDFObjRef):
                if ref.objid in seen:
                    continue
                seen.add(ref.objid)
            node = resolve1(ref)
            if not isinstance(node, dict) or depth > 30:
                continue
            part = text(node.get("T"))
            full = f"{prefix}.{part}" if prefix and part else (part or prefix)
            ft = name_of(node.get("FT")) or inherited_ft
            kids = resolve1(node.get("Kids"))
            if isinstance(kids, list) and any(isinstance(resolve1(k), dict) and "T" in resolve1(k) for k in kids):
                stack.extend((k, full, ft, depth + 1) for k in reversed(kids))
                continue
            if ft != "Sig" or not full:
                continue
            rects = tuple(r for r in (rect_of(node), *(rect_of(k) for k in (kids or [])[:50])) if r)
            v = resolve1(node.get("V"))
            if not isinstance(v, dict):
                out.setdefault(full, _SigValue(signed=False, rects=rects))
                continue
            sub = name_of(v.get("SubFilter")) or ""
            out[full] = _SigValue(
                signed=True, signer=text(v.get("Name")), when=text(v.get("M")), reason=text(v.get("Reason")),
                timestamp_only=sub == "ETSI.RFC3161" or name_of(v.get("Type")) == "DocTimeStamp",
                rects=rects)
        return out
    except (Exception, RecursionError) as exc:  # a damaged form tree must not cost the text
        log.info("signature dictionaries not readable: %r", exc)
        return None


def _decode_pdf_text(raw: bytes) -> str:
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be", "replace")
    if raw.startswith(b"\xff\xfe"):
        return raw[2:].decode("utf-16-le", "replace")
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", "replace")
    if any(c >= 0x80 for c in raw):
        try:  # not what the standard says, but what many signing tools write
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
    from pdfminer.utils import decode_text
    return decode_text(raw)
