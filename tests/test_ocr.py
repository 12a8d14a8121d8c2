"""OCR with the real Tesseract: words, boxes in points, confidence, orientation and skew."""

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from poe_checker import ocr

pytestmark = pytest.mark.usefixtures("tesseract")   # fails under CI=true when Tesseract is missing

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
LINES = ["Statement of Work for Contoso Ltd", "Fabrikam deploys Microsoft Intune",
         "Customer signatory John Doe", "Start date 02 June 2025", "Windows Autopilot enrolment for devices",
         "Defender for Endpoint onboarding", "Pilot with fifty users in June", "Rollout in three waves after it"]


def page_image(dpi: int = 300) -> Image.Image:
    """Half an A4 page of text at ``dpi``; the first line starts at one inch from the top left."""
    img = Image.new("L", (int(8.27 * dpi), int(5.5 * dpi)), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, round(12 * dpi / 72))
    for i, line in enumerate(LINES):
        draw.text((dpi, dpi + i * round(0.3 * dpi)), line, font=font, fill=0)
    return img


def word(page, text):
    return next(w for w in page.words if w.text == text)


def test_words_come_back_with_boxes_in_points_and_confidence():
    scan = ocr.read_image(np.asarray(page_image()), number=1, pt_per_px=72 / 300)
    page = scan.page
    assert page.ocr and page.number == 1
    assert "Fabrikam deploys Microsoft Intune" in page.text
    assert page.width == pytest.approx(8.27 * 72, abs=1)
    first = word(page, "Statement")
    assert first.bbox[0] == pytest.approx(72, abs=3) and first.bbox[1] == pytest.approx(72, abs=6)
    assert page.text[first.start:first.end] == "Statement"
    assert first.confidence > 80 and page.mean_confidence > 80
    assert page.confidence_of(first.start, first.end) == first.confidence


@pytest.mark.parametrize("turn", [90, 180])
def test_a_page_scanned_turned_is_read_upright_with_boxes_on_the_page_as_shown(turn):
    shown = page_image().rotate(turn, expand=True)
    assert ocr.looks_turned(np.asarray(shown)) == (turn == 90)  # sideways is seen before reading
    scan = ocr.read_image(np.asarray(shown), number=1, pt_per_px=72 / 300)
    assert scan.rotated == turn  # PIL turns counter-clockwise; the reader turns it back clockwise
    assert "Fabrikam deploys Microsoft Intune" in scan.page.text
    assert (scan.page.width, scan.page.height) == pytest.approx((shown.width * 0.24, shown.height * 0.24))
    box = word(scan.page, "Statement").bbox
    if turn == 180:  # the first word now sits near the bottom right of the page as shown
        assert box[2] > scan.page.width - 80 and box[3] > scan.page.height - 80
    else:  # turned 90° counter-clockwise: it runs up the left edge, near the bottom
        assert box[0] < 80 and box[3] > scan.page.height - 200 and box[3] - box[1] > box[2] - box[0]


def test_a_tilted_page_is_straightened_before_reading():
    tilted = page_image().rotate(2.5, fillcolor=255, resample=Image.BILINEAR)
    assert ocr.skew_angle(np.asarray(tilted)) == pytest.approx(-2.5, abs=0.6)
    assert ocr.skew_angle(np.asarray(page_image())) == 0.0
    scan = ocr.read_image(np.asarray(tilted), number=1, pt_per_px=72 / 300)
    assert "Windows Autopilot enrolment for devices" in scan.page.text


def test_low_resolution_images_are_scaled_up_and_keep_their_size_in_points():
    gray = np.asarray(page_image(150))
    scaled, pt_per_px = ocr.fit_for_ocr(gray, 150)
    assert scaled.shape[1] == pytest.approx(gray.shape[1] * 2, abs=1)
    assert scaled.shape[1] * pt_per_px == pytest.approx(gray.shape[1] * 72 / 150)


def test_an_emails_attachments_share_one_ocr_budget():
    """Each uploaded file has one OCR budget, so an email with many scans cannot run for N budgets."""
    import time
    from email.message import EmailMessage
    from pathlib import Path

    from poe_checker.limits import Limits
    from poe_checker.pipeline import read_file

    scan = next((Path(__file__).resolve().parents[1] / "fixtures" / "packages" / "scan_wet_png").glob("*.png"))
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "john.doe@contoso.com", "jane@fabrikam.com", "Signed scans"
    msg.set_content("Scans attached.")
    for i in range(4):
        msg.add_attachment(scan.read_bytes(), maintype="image", subtype="png", filename=f"scan{i}.png")
    started = time.monotonic()
    docs = read_file("scans.eml", msg.as_bytes(), Limits(max_ocr_seconds=1.5))
    elapsed = time.monotonic() - started
    notes = [n for d in docs[1:] for n in d.notes]
    assert len(docs) == 5
    assert any("not read by OCR" in n and "per uploaded file" in n for n in notes), notes
    assert elapsed < 4 * 1.5, elapsed


def test_a_missing_tesseract_fails_under_ci_and_skips_elsewhere(monkeypatch):
    from _pytest.outcomes import Failed, Skipped

    from .conftest import tesseract_or_skip
    monkeypatch.setattr(ocr, "available", lambda: False)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(Failed, match="Tesseract is not installed"):
        tesseract_or_skip()
    monkeypatch.delenv("CI")
    with pytest.raises(Skipped):
        tesseract_or_skip()
