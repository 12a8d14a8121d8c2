"""Ink marks measured on scans, wet signatures and pictures read from them and the page's signature
blocks, pasted pictures, fingerprints and the reading hook."""

import datetime as dt
from dataclasses import replace
import random
import re

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from poe_checker import ocr
from poe_checker.extractors import inkmarks
from poe_checker.model import Anchor, DateMention, InkMark, Page, PlacedImage, Signature, Word
from poe_checker.reading import ink
from poe_checker.reading.blocks import signature_blocks

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
needs_ocr = pytest.mark.usefixtures("tesseract")   # fails under CI=true when Tesseract is missing
BLOCK = ["For Contoso Ltd (Customer)", "Signature:", "Name: John Doe", "Title: CISO", "Date: 05/28/2025",
         "For Fabrikam, Inc. (Partner)", "Signature:", "Name: Megan Bowen", "Title: Director", "Date: 05/27/2025"]


def scribble(draw, x, y, seed):
    rng = random.Random(seed)
    pts, cy, vy = [], y, 0.0
    for i in range(60):
        vy = 0.6 * vy + rng.uniform(-20, 20)
        cy = max(y - 60, min(y + 25, cy + vy))
        pts.append((x + i * 10, int(cy)))
    draw.line(pts, fill=20, width=5)


def signature_page(sign_customer: bool, sign_partner: bool) -> np.ndarray:
    img = Image.new("L", (2480, 1800), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 42)
    for i, line in enumerate(BLOCK):
        y = 150 + i * 150
        draw.text((300, y), line, font=font, fill=0)
        if line == "Signature:":
            draw.line([(620, y + 45), (1400, y + 45)], fill=0, width=3)
            if (i < 5 and sign_customer) or (i > 5 and sign_partner):
                scribble(draw, 680, y + 20, i)
    return np.asarray(img)


def _scan(gray: np.ndarray, number: int, pt: float) -> Page:
    """OCR a page image and measure its ink, as the extractors do."""
    scan = ocr.read_image(gray, number=number, pt_per_px=pt)
    return replace(scan.page, ink=inkmarks.measure(scan))


def test_components_are_eight_connected():
    mask = np.zeros((6, 8), bool)
    mask[0, 0] = mask[1, 1] = mask[2, 2] = True  # a diagonal: one component
    mask[4:6, 5:8] = True
    got = sorted(inkmarks.components(mask))
    assert got == [(3, 0, 0, 3, 3), (6, 5, 4, 8, 6)]


def test_the_printed_line_alone_leaves_no_ink_and_a_scribble_does():
    gray = np.full((200, 800), 255, np.uint8)
    gray[120:123, 50:750] = 0  # the signature rule
    mask = inkmarks.unprinted(gray, (), (), 0.24)
    assert not mask.any()
    img = Image.fromarray(gray)
    scribble(ImageDraw.Draw(img), 100, 110, 1)
    mask = inkmarks.unprinted(np.asarray(img), (), (), 0.24)
    groups = inkmarks.group([c for c in inkmarks.components(mask) if c[0] >= 12], 12 / 0.24)
    assert len(groups) == 1 and min(c[1] for c in groups[0]) >= 95


@needs_ocr
def test_ink_on_the_customer_line_is_a_wet_signature_and_an_empty_line_is_nothing():
    page = _scan(signature_page(True, False), 2, 0.24)
    assert page.ink and all(m.fingerprint for m in page.ink)
    (sig,) = ink.wet_signatures(page)
    assert sig.kind == "wet" and sig.signer_name == "John Doe"
    assert "Customer" in sig.block.heading and sig.where.page == 2 and sig.where.bbox is not None
    assert sig.fingerprint is not None and len(sig.fingerprint) == 16
    page = _scan(signature_page(False, True), 1, 0.24)
    (sig,) = ink.wet_signatures(page)
    assert sig.signer_name == "Megan Bowen" and "Partner" in sig.block.heading


def two_column_page(sign_left: bool, sign_right: bool) -> np.ndarray:
    """An execution page with two blocks side by side, as most SOWs have it."""
    img = Image.new("L", (2480, 1200), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 40)
    columns = ((200, "For and on behalf of Fabrikam, Inc.", "Megan Bowen", "Director", "05/27/2025", sign_left),
               (1340, "For and on behalf of Contoso Ltd", "Zoë Müller-Ødegaard", "CISO", "05/28/2025", sign_right))
    for x, heading, name, title, date, signed in columns:
        draw.text((x, 150), heading, font=font, fill=0)
        draw.text((x, 260), "Signature:", font=font, fill=0)
        draw.line([(x + 260, 300), (x + 950, 300)], fill=0, width=3)
        if signed:
            scribble(draw, x + 60, 400, len(name))
        draw.text((x, 520), f"Name: {name}", font=font, fill=0)
        draw.text((x, 600), f"Title: {title}", font=font, fill=0)
        draw.text((x, 680), f"Date: {date}", font=font, fill=0)
    return np.asarray(img)


@needs_ocr
def test_side_by_side_blocks_each_read_their_own_ink_heading_name_and_date():
    page = _scan(two_column_page(False, True), 3, 0.24)
    (sig,) = ink.wet_signatures(page)
    assert "Contoso" in sig.block.heading and "Fabrikam" not in sig.block.heading
    assert sig.block.title == "CISO" and sig.block.date_text == "05/28/2025"
    assert sig.signer_name and "degaard" in sig.signer_name   # Tesseract may drop the diacritics
    page = _scan(two_column_page(True, False), 3, 0.24)
    (sig,) = ink.wet_signatures(page)
    assert "Fabrikam" in sig.block.heading and sig.signer_name == "Megan Bowen"
    assert not ink.wet_signatures(_scan(two_column_page(False, False), 3, 0.24))


@needs_ocr
def test_a_signature_only_image_is_a_picture_and_a_text_page_is_not():
    img = Image.new("L", (700, 220), 255)
    scribble(ImageDraw.Draw(img), 40, 140, 3)
    page = _scan(np.asarray(img), 1, 0.5)
    sig = ink.signature_picture(page)
    assert sig is not None and sig.kind == "image" and sig.where.text and sig.fingerprint
    assert ink.signature_picture(_scan(signature_page(True, True), 1, 0.24)) is None


def test_fingerprints_match_the_same_picture_at_another_size():
    img = Image.new("L", (600, 200), 255)
    scribble(ImageDraw.Draw(img), 20, 120, 9)
    other = Image.new("L", (600, 200), 255)
    scribble(ImageDraw.Draw(other), 20, 120, 10)
    a = inkmarks.dhash(np.asarray(img))
    assert inkmarks.distance(a, inkmarks.dhash(np.asarray(img.resize((300, 100))))) <= 4
    assert inkmarks.distance(a, inkmarks.dhash(np.asarray(other))) > 4


BOXED_BLOCK = (Word("For", 0, 3, (54, 60, 70, 70)), Word("Contoso", 4, 11, (72, 60, 110, 70)),
               Word("(Customer)", 12, 22, (112, 60, 160, 70)), Word("Signature:", 23, 33, (54, 100, 100, 110)),
               Word("Name:", 34, 39, (54, 150, 80, 160)), Word("John", 40, 44, (82, 150, 100, 160)),
               Word("Doe", 45, 48, (102, 150, 120, 160)))


def test_ink_outside_every_sign_area_is_no_signature():
    text = "For Contoso (Customer)\nSignature:\nName: John Doe"
    words = BOXED_BLOCK
    mark = InkMark((120, 95, 220, 130), 400.0, "00ff00ff00ff00ff")
    page = Page(1, text, words, width=595, height=842, ocr=True, ink=(mark,))
    (sig,) = ink.wet_signatures(page)
    assert sig.signer_name == "John Doe" and sig.block.heading == "For Contoso (Customer)"
    far = replace(page, ink=(InkMark((120, 600, 220, 640), 400.0, "00ff00ff00ff00ff"),))
    assert ink.wet_signatures(far) == ()
    speck = replace(page, ink=(InkMark((120, 100, 130, 104), 12.0, "00ff00ff00ff00ff"),))
    assert ink.wet_signatures(speck) == ()


def _sig(kind, page=1, detail="", span=(0, 10)):
    return Signature(kind=kind, where=Anchor(page, "Signature", (0, 0, 1, 1), span), detail=detail)


def test_settle_drops_typed_names_on_scans_and_dates_ink():
    scan = Page(1, "x", ocr=True)
    text = Page(2, "y")
    wet = replace(_sig("wet", detail="ink"), fingerprint="00ff00ff00ff00ff")
    pasted = replace(_sig("image", page=2, detail="picture"), fingerprint="00ff00ff00ff00fe")
    date = DateMention(dt.date(2025, 5, 28), "signature", Anchor(1, "05/28/2025", None, (4, 14)))
    got = ink.settle((wet, _sig("typed"), pasted, _sig("typed", page=2)), (scan, text), (date,))
    assert [s.kind for s in got] == ["wet", "image", "typed"]
    assert got[0].signed_on == dt.date(2025, 5, 28)
    assert got[0].fingerprint == "00ff00ff00ff00ff"  # copies are told across the package, by the rules


def test_a_pasted_picture_behind_an_e_signature_is_the_platforms_stamp():
    pasted = _sig("image", page=2)
    esig = _sig("e_signature", page=2)
    assert [s.kind for s in ink.settle((pasted, esig), (Page(2, "y"),), ())] == ["e_signature"]


def test_a_picture_in_a_signature_block_of_a_text_page_is_a_pasted_signature():
    text = "For Contoso (Customer)\nSignature:\nName: John Doe"
    page = Page(1, text, BOXED_BLOCK, width=595, height=842)
    (sig,) = ink.placed_signatures(page, [PlacedImage(1, (140, 80, 290, 120), fingerprint="00ff00ff00ff00ff")])
    assert sig.kind == "image" and sig.signer_name == "John Doe" and "Customer" in sig.context
    assert sig.fingerprint == "00ff00ff00ff00ff"
    assert ink.placed_signatures(page, [PlacedImage(1, (140, 600, 290, 640))]) == ()  # far from the block
    assert ink.placed_signatures(page, [PlacedImage(1, (0, 0, 595, 842))]) == ()  # a full-page picture


# ---- through the whole pipeline, on fixtures/build_scans.py's packages ----------------------

PACKAGES = __import__("pathlib").Path(__file__).resolve().parents[2] / "fixtures" / "packages"


def _verdict(case):
    from poe_checker.claims import parse_claim
    from poe_checker.pipeline import check_paths

    folder = PACKAGES / case
    files = sorted(p for p in folder.iterdir() if p.suffix != ".json")
    claim = parse_claim((folder / "claim.json").read_bytes())
    verdict = check_paths(claim, files, now=dt.datetime(2025, 9, 15, tzinfo=dt.timezone.utc)).to_dict()
    return {c["rule"]: c for c in verdict["checks"]}, verdict


@needs_ocr
def test_scanned_wet_signed_sow_points_at_the_ink_on_the_signature_page():
    checks, verdict = _verdict("scan_wet_pdf")
    ack = checks["customer_acknowledgement"]
    assert ack["status"] == "pass" and "wet-ink signature by John Doe" in ack["message"]
    (ev,) = [e for e in ack["evidence"] if e["page"] == 2]
    assert "Signature" in ev["text"] and ev["bbox"][1] > 90   # the ink may rise a little above the label
    assert "2025-05-28" in checks["recency"]["message"]
    (doc,) = verdict["documents"]
    assert doc["pages"] == 2


def test_the_same_pasted_picture_twice_is_flagged_as_copy_paste():
    checks, _ = _verdict("scan_pasted_signature")
    ack = checks["customer_acknowledgement"]
    assert ack["status"] == "fail"
    assert "pasted signature images" in ack["message"] and "copy-paste" in ack["message"]


def labelless_columns(sign_left: bool, sign_right: bool) -> np.ndarray:
    """Two blocks side by side whose only label is the heading: a line to sign on, no "Signature:"
    (or one OCR could not read because the ink runs over it)."""
    img = Image.new("L", (2480, 1100), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 40)
    for x, heading, name, date, signed in ((200, "For and on behalf of Fabrikam, Inc.", "Megan Bowen", "27 May 2025",
                                            sign_left),
                                           (1340, "For and on behalf of Contoso Ltd", "John Doe", "28 May 2025",
                                            sign_right)):
        draw.text((x, 150), heading, font=font, fill=0)
        draw.line([(x, 420), (x + 900, 420)], fill=0, width=3)
        if signed:
            scribble(draw, x + 100, 380, len(name))
        draw.text((x, 480), f"Name: {name}", font=font, fill=0)
        draw.text((x, 560), f"Date: {date}", font=font, fill=0)
    return np.asarray(img)


@needs_ocr
def test_a_heading_opens_a_block_when_no_label_is_read_and_each_column_keeps_its_ink():
    (sig,) = ink.wet_signatures(_scan(labelless_columns(False, True), 2, 0.24))
    assert sig.block.anchored_on == "heading"
    assert "Contoso" in sig.block.heading and "Fabrikam" not in sig.block.heading
    assert sig.signer_name == "John Doe" and sig.block.date_text == "28 May 2025"
    (sig,) = ink.wet_signatures(_scan(labelless_columns(True, False), 2, 0.24))
    assert "Fabrikam" in sig.block.heading and sig.signer_name == "Megan Bowen"
    assert not ink.wet_signatures(_scan(labelless_columns(False, False), 2, 0.24))


def test_an_unread_printed_label_in_a_heading_block_is_not_ink():
    text = "For and on behalf of Contoso Ltd\n\nName: John Doe\nDate: 28 May 2025"
    words, y = [], {0: 100.0, 2: 160.0, 3: 175.0}
    for line_no, line in enumerate(text.split("\n")):
        start = sum(len(x) + 1 for x in text.split("\n")[:line_no])
        for m in re.finditer(r"\S+", line):
            words.append(Word(m.group(), start + m.start(), start + m.end(),
                              (72.0 + 6 * m.start(), y[line_no], 72.0 + 6 * m.end(), y[line_no] + 10.0)))
    printed = InkMark((73.0, 128.0, 120.0, 138.0), 110.0, None)     # "Signature:" as ink: flush, text-high
    signed = InkMark((140.0, 115.0, 260.0, 150.0), 400.0, None)      # a signature rises above and below
    page = Page(1, text, tuple(words), 612.0, 792.0, ocr=True, ink=(printed,))
    (block,) = signature_blocks(page)
    assert block.anchored_on == "heading" and block.signer_name == "John Doe"
    assert ink.ink_in_block(page, block) is None
    assert ink.ink_in_block(replace(page, ink=(printed, signed)), block) is not None
