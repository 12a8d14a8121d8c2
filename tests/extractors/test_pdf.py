"""The PDF extractor on small PDFs built here (reportlab, PDFium) and on a few corpus files."""

from __future__ import annotations

import ctypes
import datetime as dt
import io
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from PIL import Image, ImageOps
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen import canvas

from poe_checker.errors import CorruptDocument, EmptyDocument, EncryptedDocument, ExtractionError
from poe_checker.extractors.pdf import extract
from poe_checker.limits import Limits

LIMITS = Limits()
W, H = 612, 792
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "pdf"


def _pdf(draw, pages: int = 1, encrypt=None) -> bytes:
    """A PDF whose page ``i`` is drawn by ``draw(canvas, i)``."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(W, H), encrypt=encrypt)
    for i in range(pages):
        draw(c, i)
        c.showPage()
    c.save()
    return buf.getvalue()


def _word(page, text):
    matches = [w for w in page.words if w.text == text]
    assert matches, f"{text!r} not among {[w.text for w in page.words][:40]}"
    return matches[0]


def _assert_spans_consistent(extraction):
    for page in extraction.pages:
        assert "\r" not in page.text and "\ufffe" not in page.text
        for w in page.words:
            assert page.text[w.start:w.end] == w.text


# ---- text and word boxes --------------------------------------------------------------------

def test_words_have_spans_and_boxes_in_top_left_points():
    def draw(c, _):
        c.setFont("Helvetica", 12)
        c.drawString(72, H - 100, "Statement of Work for Contoso")   # baseline 100 pt from the top
        c.drawString(300, H - 400, "Total USD 12,500.00")

    x = extract(_pdf(draw), LIMITS)
    assert x.page_count == 1
    page = x.pages[0]
    assert (page.number, page.width, page.height, page.ocr) == (1, W, H, False)
    assert page.text == "Statement of Work for Contoso\nTotal USD 12,500.00"
    _assert_spans_consistent(x)

    x0, top, x1, bottom = _word(page, "Statement").bbox
    assert x0 == pytest.approx(72, abs=1.5)
    assert top < 100 < bottom                     # the box holds the baseline ...
    assert 100 - top == pytest.approx(11, abs=3)  # ... with the glyphs above it
    assert bottom - 100 < 4
    assert x1 - x0 == pytest.approx(c_width("Statement", 12), abs=2)

    amount = _word(page, "12,500.00")
    assert amount.bbox[1] < 400 < amount.bbox[3]
    assert amount.bbox[0] > 300
    # Page.bbox_of maps a text match to its box
    start = page.text.index("Contoso")
    assert page.bbox_of(start, start + 7) == _word(page, "Contoso").bbox


def c_width(text: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth
    return stringWidth(text, "Helvetica", size)


def test_line_breaks_are_plain_newlines_and_hyphenated_words_are_joined():
    def draw(c, _):
        c.setFont("Helvetica", 12)
        c.drawString(72, H - 100, "The deploy-")
        c.drawString(72, H - 114, "ment covers 500 devices")

    x = extract(_pdf(draw), LIMITS)
    page = x.pages[0]
    _assert_spans_consistent(x)
    assert "deployment" in page.text           # PDFium joins a word split by a line-end hyphen
    joined = _word(page, "deployment")
    assert joined.bbox[3] - joined.bbox[1] > 20  # its box covers both lines
    assert _word(page, "devices").bbox[1] > _word(page, "The").bbox[3] - 2


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_boxes_on_rotated_pages_match_the_rendered_page(rotation):
    def draw(c, _):
        c.setFont("Helvetica", 24)
        c.drawString(100, 650, "ROTATED")

    pdf = pdfium.PdfDocument(_pdf(draw))
    try:
        pdf[0].set_rotation(rotation)
        buf = io.BytesIO()
        pdf.save(buf)
        data = buf.getvalue()
    finally:
        pdf.close()

    page = extract(data, LIMITS).pages[0]
    expected = (W, H) if rotation in (0, 180) else (H, W)
    assert (page.width, page.height) == expected

    rendered = pdfium.PdfDocument(data)
    try:
        image = rendered[0].render(scale=1).to_pil().convert("L")
    finally:
        rendered.close()
    ink = ImageOps.invert(image).point(lambda v: 255 if v > 128 else 0).getbbox()
    box = _word(page, "ROTATED").bbox
    assert image.size == (round(page.width), round(page.height))
    # the ink lies inside the word's box (loose font box, so allow a little slack)
    assert box[0] - 2 <= ink[0] and ink[2] <= box[2] + 2
    assert box[1] - 2 <= ink[1] and ink[3] <= box[3] + 2


# ---- pages without text, images, limits ------------------------------------------------------

def _png(w=40, h=20) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), "black").save(buf, format="PNG")
    return buf.getvalue()


def test_image_only_page_is_kept_with_a_note_and_its_image():
    from reportlab.lib.utils import ImageReader
    picture = ImageReader(io.BytesIO(_png(400, 200)))

    def draw(c, i):
        if i == 0:
            c.drawString(72, H - 72, "Cover letter")
        else:
            c.drawImage(picture, 100, H - 300, width=200, height=100)

    x = extract(_pdf(draw, pages=2), LIMITS)
    assert x.page_count == 2 and len(x.pages) == 2
    assert x.pages[1].text == "" and x.pages[1].words == ()
    assert any("page 2 has no text layer" in n and "OCR" in n for n in x.notes)
    assert not any("page 1" in n for n in x.notes)
    (image,) = x.images
    assert (image.page, image.width_px, image.height_px) == (2, 400, 200)
    assert image.bbox == pytest.approx((100, 200, 300, 300), abs=0.5)


def test_page_limit_reads_the_first_pages_and_says_so():
    data = _pdf(lambda c, i: c.drawString(72, 700, f"page {i + 1} text"), pages=5)
    x = extract(data, Limits(max_pages=2))
    assert x.page_count == 5
    assert [p.number for p in x.pages] == [1, 2]
    assert any("2 of 5 pages" in n and "3 pages were skipped" in n for n in x.notes)


def test_text_limit_truncates_and_says_so():
    data = _pdf(lambda c, i: c.drawString(72, 700, "alpha beta gamma delta " * 3), pages=3)
    x = extract(data, Limits(max_text_chars=100))
    assert sum(len(p.text) for p in x.pages) <= 100
    assert len(x.pages) < 3
    assert any("text limit" in n for n in x.notes)
    _assert_spans_consistent(x)


# ---- forms ----------------------------------------------------------------------------------

def test_acroform_checkboxes_and_text_field():
    def draw(c, _):
        c.setFont("Helvetica", 11)
        c.acroForm.checkbox(name="intune", x=72, y=H - 205, size=12, checked=True)
        c.drawString(90, H - 202, "Microsoft Intune")
        c.acroForm.checkbox(name="defender", x=72, y=H - 235, size=12, checked=False)
        c.drawString(90, H - 232, "Microsoft Defender for Endpoint")
        c.drawString(72, H - 280, "Customer name:")
        c.acroForm.textfield(name="customer", value="Contoso Ltd", x=170, y=H - 285, width=200, height=16)
        c.acroForm.textfield(name="notes", value="", x=170, y=H - 335, width=200, height=16,
                             tooltip="Additional notes")

    x = extract(_pdf(draw), LIMITS)
    boxes = {cb.label: cb for cb in x.checkboxes}
    assert set(boxes) == {"Microsoft Intune", "Microsoft Defender for Endpoint"}
    assert boxes["Microsoft Intune"].checked is True
    assert boxes["Microsoft Defender for Endpoint"].checked is False
    intune = boxes["Microsoft Intune"]
    assert intune.source == "form_field" and intune.where.page == 1
    # the anchor covers the box (72..84 pt, 193..205 pt from the top) and its label
    assert intune.where.bbox[0] == pytest.approx(72, abs=0.5)
    assert intune.where.bbox[1] <= 193.5 and intune.where.bbox[3] >= 204.5
    assert x.pages[0].text[slice(*intune.where.span)] == "Microsoft Intune"

    fields = {f.name: f for f in x.form_fields}
    assert fields["customer"].kind == "text" and fields["customer"].value == "Contoso Ltd"
    assert fields["customer"].where.text == "Customer name:"
    assert fields["notes"].value is None and fields["notes"].where.text == "Additional notes"
    assert fields["intune"].kind == "checkbox" and fields["defender"].value == "Off"
    assert not x.signatures


def test_radio_buttons_give_one_field_and_a_checkbox_per_option():
    def draw(c, _):
        c.setFont("Helvetica", 11)
        c.acroForm.radio(name="motion", value="usage", selected=True, x=72, y=H - 205, size=12)
        c.drawString(90, H - 202, "Usage")
        c.acroForm.radio(name="motion", value="presales", selected=False, x=200, y=H - 205, size=12)
        c.drawString(218, H - 202, "Pre-sales")

    x = extract(_pdf(draw), LIMITS)
    assert {(cb.label, cb.checked) for cb in x.checkboxes} == {("Usage", True), ("Pre-sales", False)}
    (motion,) = x.form_fields
    assert (motion.name, motion.kind, motion.value) == ("motion", "radio", "usage")


# ---- signature fields (hand-built: reportlab cannot make them) --------------------------------

def _raw_pdf(objects: list[bytes]) -> bytes:
    """Assemble numbered objects (1..n) into a PDF with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _signature_pdf() -> bytes:
    content = b"BT /F1 12 Tf 72 680 Td (For Contoso:) Tj 260 0 Td (For Fabrikam:) Tj ET"
    return _raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R 6 0 R] /SigFlags 3 >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 7 0 R"
        b" /Resources << /Font << /F1 8 0 R >> >> /Annots [4 0 R 6 0 R] >>",
        b"<< /Type /Annot /Subtype /Widget /FT /Sig /T (CustomerSignature) /F 4"
        b" /Rect [72 600 272 660] /P 3 0 R /V 5 0 R >>",
        b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /Name (Jane Customer)"
        b" /M (D:20250605101500+02'00') /Reason (I approve the scope) /ByteRange [0 0 0 0] /Contents <00> >>",
        b"<< /Type /Annot /Subtype /Widget /FT /Sig /T (PartnerSignature) /F 4"
        b" /Rect [332 600 532 660] /P 3 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ])


def test_signed_and_unsigned_signature_fields():
    x = extract(_signature_pdf(), LIMITS)
    (sig,) = x.signatures
    # its /Contents is a placeholder, so validation (extractors/pdfsig.py) finds it proves nothing
    assert sig.kind == "digital" and sig.platform == "pdf" and sig.valid is False
    assert sig.signer_name == "Jane Customer"
    assert sig.signed_on == dt.date(2025, 6, 5)
    assert "damaged or was never completed" in sig.detail
    assert sig.where.page == 1 and sig.where.text == "CustomerSignature"
    assert sig.where.bbox == pytest.approx((72, 132, 272, 192))
    assert "For Contoso:" in sig.context

    fields = {f.name: f for f in x.form_fields}
    assert fields["CustomerSignature"].kind == "signature" and fields["CustomerSignature"].value == "Jane Customer"
    unsigned = fields["PartnerSignature"]
    assert unsigned.kind == "signature" and unsigned.value is None
    assert unsigned.where.bbox == pytest.approx((332, 132, 532, 192))


# ---- annotations ----------------------------------------------------------------------------

def _annotate(data: bytes, subtype: int, rect: tuple[float, float, float, float], contents: str = "") -> bytes:
    pdf = pdfium.PdfDocument(data)
    try:
        page = pdf[0]
        annot = pdfium_c.FPDFPage_CreateAnnot(page, subtype)
        try:
            l, b, r, t = rect
            pdfium_c.FPDFAnnot_SetRect(annot, pdfium_c.FS_RECTF(left=l, top=t, right=r, bottom=b))
            if contents:
                wide = (contents + "\x00").encode("utf-16-le")
                pdfium_c.FPDFAnnot_SetStringValue(
                    annot, b"Contents", ctypes.cast(wide, ctypes.POINTER(ctypes.c_ushort)))
        finally:
            pdfium_c.FPDFPage_CloseAnnot(annot)
        page.close()
        buf = io.BytesIO()
        pdf.save(buf)
        return buf.getvalue()
    finally:
        pdf.close()


def test_free_text_annotation_is_added_to_the_page_text():
    data = _pdf(lambda c, _: c.drawString(72, 700, "Signed by:"))
    data = _annotate(data, pdfium_c.FPDF_ANNOT_FREETEXT, (150, 690, 300, 715), "Jane Customer 06/05/2025")
    x = extract(data, LIMITS)
    page = x.pages[0]
    assert page.text == "Signed by:\nJane Customer 06/05/2025"
    _assert_spans_consistent(x)
    assert _word(page, "Jane").bbox == pytest.approx((150, 77, 300, 102))


def test_stamp_annotation_is_recorded_as_a_placed_mark():
    data = _pdf(lambda c, _: c.drawString(72, 700, "Approved"))
    data = _annotate(data, pdfium_c.FPDF_ANNOT_STAMP, (300, 600, 400, 650))
    (mark,) = extract(data, LIMITS).images
    assert mark.page == 1 and mark.bbox == pytest.approx((300, 142, 400, 192))
    assert mark.width_px is None


# ---- refusals -------------------------------------------------------------------------------

def test_user_password_is_refused():
    data = _pdf(lambda c, _: c.drawString(72, 700, "secret"),
                encrypt=StandardEncryption("user-pw", ownerPassword="owner-pw"))
    with pytest.raises(EncryptedDocument, match="encrypted PDF: upload an unencrypted copy"):
        extract(data, LIMITS)


def test_owner_password_only_is_read():
    data = _pdf(lambda c, _: c.drawString(72, 700, "restricted but readable"),
                encrypt=StandardEncryption("", ownerPassword="owner-pw", canCopy=0, canModify=0))
    assert b"/Encrypt" in data
    x = extract(data, LIMITS)
    assert x.pages[0].text == "restricted but readable"


@pytest.mark.parametrize("cut", [0.1, 0.5, 0.9])
def test_truncated_pdf_is_corrupt(cut):
    data = _pdf(lambda c, i: c.drawString(72, 700, f"page {i}"), pages=3)
    with pytest.raises(CorruptDocument, match="damaged PDF .*re-export or print it to PDF again"):
        extract(data[: int(len(data) * cut)], LIMITS)


def test_not_a_pdf_is_corrupt():
    with pytest.raises(CorruptDocument):
        extract(b"%PDF-1.7\nthis is not really a PDF at all", LIMITS)


def test_empty_inputs():
    with pytest.raises(EmptyDocument):
        extract(b"", LIMITS)
    empty = pdfium.PdfDocument.new()
    buf = io.BytesIO()
    empty.save(buf)
    empty.close()
    with pytest.raises(EmptyDocument, match="no readable pages"):
        extract(buf.getvalue(), LIMITS)


# ---- a few real files -----------------------------------------------------------------------

def _corpus(name: str) -> bytes:
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"corpus file {name} not available")
    return path.read_bytes()


def test_corpus_signed_pdf_reports_its_signer_and_date():
    x = extract(_corpus("qpdf__digitally-signed.pdf"), LIMITS)
    (sig,) = x.signatures
    assert (sig.signer_name, sig.signed_on, sig.where.page) == ("John Doe", dt.date(2019, 9, 27), 1)


def test_corpus_unsigned_signature_field_is_not_a_signature():
    x = extract(_corpus("pyhanko__form-tree-circular-ref-input.pdf"), LIMITS)
    assert not x.signatures
    assert [(f.name, f.value) for f in x.form_fields if f.kind == "signature"] == [("Sig1", None)]


@pytest.mark.parametrize("name, error", [
    ("pypdf__r2-user-password.pdf", EncryptedDocument),
    ("pyhanko__minimal-pubkey-aes256.pdf", EncryptedDocument),
    ("qpdf__bad1.pdf", CorruptDocument),
])
def test_corpus_refusals(name, error):
    with pytest.raises(error) as info:
        extract(_corpus(name), LIMITS)
    assert isinstance(info.value, ExtractionError) and str(info.value)


def test_corpus_long_document_is_capped_and_scan_is_noted():
    x = extract(_corpus("unstructured__pdf2image-memory-error-test-400p.pdf"), Limits(max_pages=20))
    assert x.page_count == 400 and len(x.pages) == 20
    _assert_spans_consistent(x)
    scan = extract(_corpus("pdfjs__cmykjpeg.pdf"), LIMITS)
    assert scan.pages[0].ocr and any("no text layer" in n for n in scan.notes)  # a photo: OCR'd, little to read
    assert len(scan.images) == 1


def test_values_typed_into_form_fields_join_the_page_text_boxed_at_the_field():
    import io

    from reportlab.pdfgen import canvas

    from poe_checker.limits import DEFAULT_LIMITS
    from poe_checker.extractors.pdf import extract

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(612, 792))
    c.drawString(72, 700, "Customer Company Name")
    c.acroForm.textfield(name="customer_name", tooltip="Customer Company Name", value="Contoso Ltd",
                         x=250, y=690, width=200, height=20)
    c.drawString(72, 660, "Date Signed")
    c.acroForm.textfield(name="date_signed", value="6/5/2025", x=250, y=650, width=120, height=20)
    c.save()
    page = extract(buf.getvalue(), DEFAULT_LIMITS).pages[0]
    assert "Customer Company Name: Contoso Ltd" in page.text
    assert "Date Signed: 6/5/2025" in page.text  # the field's name, made readable, labels it
    contoso = next(w for w in page.words if w.text == "Contoso")
    x0, top, x1, bottom = contoso.bbox
    assert 245 <= x0 <= 455 and 792 - 715 <= top <= 792 - 685  # inside the field's rectangle
