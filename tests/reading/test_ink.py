"""Signature blocks, ink on their lines, signature pictures, fingerprints and the reading hook."""

import datetime as dt
from dataclasses import replace
import random

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from poe_checker import ocr
from poe_checker.model import Anchor, DateMention, Page, PlacedImage, Signature, Word
from poe_checker.reading import ink

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
needs_ocr = pytest.mark.skipif(not ocr.available(), reason="Tesseract is not installed")
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


def test_blocks_carry_their_heading_and_printed_name():
    text = "\n".join(BLOCK)
    customer, partner = ink.find_blocks(text)
    assert customer.signer_name == "John Doe" and partner.signer_name == "Megan Bowen"
    assert "Customer" in text[customer.start:customer.end] and "Fabrikam" not in text[customer.start:customer.end]
    assert "Partner" in text[partner.start:partner.end] and "05/27/2025" in text[partner.start:partner.end]


def test_signature_in_running_text_is_not_a_block():
    assert ink.find_blocks("on the date of the last signature below.\nSignatures\n") == []


def test_components_are_eight_connected():
    mask = np.zeros((6, 8), bool)
    mask[0, 0] = mask[1, 1] = mask[2, 2] = True  # a diagonal: one component
    mask[4:6, 5:8] = True
    got = sorted(ink.components(mask))
    assert got == [(3, 0, 0, 3, 3), (6, 5, 4, 8, 6)]


def test_the_printed_line_alone_is_no_ink():
    gray = np.full((200, 800), 255, np.uint8)
    gray[120:123, 50:750] = 0  # the signature rule
    assert ink.ink_in(gray, (0, 0, 800, 200), [], 0.24) is None
    img = Image.fromarray(gray)
    scribble(ImageDraw.Draw(img), 100, 110, 1)
    found = ink.ink_in(np.asarray(img), (0, 0, 800, 200), [], 0.24)
    assert found is not None and found.box_px[0] >= 95


@needs_ocr
def test_ink_on_the_customer_line_is_a_wet_signature_and_an_empty_line_is_nothing():
    scan = ocr.read_image(signature_page(True, False), number=2, pt_per_px=0.24)
    (sig,) = ink.wet_signatures(scan)
    assert sig.kind == "wet" and sig.signer_name == "John Doe"
    assert "Customer" in sig.context and sig.where.page == 2 and sig.where.bbox is not None
    assert sig.fingerprint is not None and len(sig.fingerprint) == 16
    scan = ocr.read_image(signature_page(False, True), number=1, pt_per_px=0.24)
    (sig,) = ink.wet_signatures(scan)
    assert sig.signer_name == "Megan Bowen" and "Partner" in sig.context


@needs_ocr
def test_a_signature_only_image_is_a_picture_and_a_text_page_is_not():
    img = Image.new("L", (700, 220), 255)
    scribble(ImageDraw.Draw(img), 40, 140, 3)
    scan = ocr.read_image(np.asarray(img), number=1, pt_per_px=0.5)
    sig = ink.signature_picture(scan)
    assert sig is not None and sig.kind == "image" and sig.where.text
    scan = ocr.read_image(signature_page(True, True), number=1, pt_per_px=0.24)
    assert ink.signature_picture(scan) is None


def test_fingerprints_match_the_same_picture_at_another_size():
    img = Image.new("L", (600, 200), 255)
    scribble(ImageDraw.Draw(img), 20, 120, 9)
    other = Image.new("L", (600, 200), 255)
    scribble(ImageDraw.Draw(other), 20, 120, 10)
    a = ink.dhash(np.asarray(img))
    assert ink._distance(a, ink.dhash(np.asarray(img.resize((300, 100))))) <= 4
    assert ink._distance(a, ink.dhash(np.asarray(other))) > 4


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
    words = (Word("Signature:", 23, 33, (54, 100, 100, 110)),)
    page = Page(1, text, words, width=595, height=842)
    sig = ink.placed_signature(page, PlacedImage(1, (140, 80, 290, 120)))
    assert sig is not None and sig.kind == "image" and sig.signer_name == "John Doe" and "Customer" in sig.context
    assert ink.placed_signature(page, PlacedImage(1, (140, 600, 290, 640))) is None  # far from the block
    assert ink.placed_signature(page, PlacedImage(1, (0, 0, 595, 842))) is None  # a full-page picture


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
    assert "Signature" in ev["text"] and ev["bbox"][1] > 100
    assert "2025-05-28" in checks["recency"]["message"]
    (doc,) = verdict["documents"]
    assert doc["pages"] == 2


def test_the_same_pasted_picture_twice_is_flagged_as_copy_paste():
    checks, _ = _verdict("scan_pasted_signature")
    ack = checks["customer_acknowledgement"]
    assert ack["status"] == "fail"
    assert "pasted signature images" in ack["message"] and "copy-paste" in ack["message"]
