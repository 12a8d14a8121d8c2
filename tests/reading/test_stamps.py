"""On-page e-signature stamps (DocuSign, Acrobat Sign, signNow) and the newer platform records
(Dropbox Sign audit trail, PandaDoc certificate), read from pages laid out word by word."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from poe_checker.model import Page, Word
from poe_checker.reading.dates import find_dates
from poe_checker.reading.signatures import find_signatures
from poe_checker.rules import customer_acknowledgement, recency

from ..modelkit import claim, package

CW = 5.0       # points a character
PITCH = 14.0   # baseline to baseline
LEFT, RIGHT = 72.0, 330.0
ENVELOPE = "481CC8F3-2D4B-4E6F-9A1B-0C2D3E4F5A6B"


def laid_out(rows, *, number: int = 1, boxes: bool = True) -> Page:
    """A page from rows of ``(left, right)`` cells (a str alone is a full-width row): the text layer
    reads each row left to right, as a PDF text layer interleaves two columns; each word gets a box
    at its column's x (``LEFT`` or ``RIGHT``)."""
    parts, words, pos = [], [], 0
    for i, row in enumerate(rows):
        cells = [(row, LEFT)] if isinstance(row, str) else [(c, x) for c, x in zip(row, (LEFT, RIGHT)) if c]
        y = 72.0 + i * PITCH
        line = ""
        for cell, x0 in cells:
            for m in re.finditer(r"\S+", cell):
                if line:
                    line += " "
                start = pos + len(line)
                line += m.group()
                box = (x0 + CW * m.start(), y, x0 + CW * m.end(), y + 10.0)
                words.append(Word(m.group(), start, start + len(m.group()), box if boxes else None))
        parts.append(line)
        pos += len(line) + 1
    return Page(number, "\n".join(parts), tuple(words), 612.0 if boxes else None, 792.0 if boxes else None)


def esigs(*pages: Page):
    return [s for s in find_signatures(pages, find_dates(pages)) if s.kind == "e_signature"]


def every(*pages: Page):
    return list(find_signatures(pages, find_dates(pages)))


# ---- DocuSign, one column --------------------------------------------------------------------

def single(stamp_rows, heading="For and on behalf of Contoso Ltd", date="Date: 5/28/2025"):
    return laid_out([f"DocuSign Envelope ID: {ENVELOPE}", "Statement of Work FAB-SOW-2025-0142", "",
                     heading, *stamp_rows, "Name: John Doe", "Title: Chief Information Security Officer", date])


def test_docusign_stamp_with_the_name_on_the_next_line():
    (sig,) = esigs(single(["DocuSigned by:", "John Doe", "7C1F0A93D2B4E65F..."]))
    assert (sig.kind, sig.platform, sig.signer_name) == ("e_signature", "docusign", "John Doe")
    assert sig.envelope_id == ENVELOPE
    assert sig.signed_on == dt.date(2025, 5, 28)
    assert sig.where.page == 1 and sig.where.bbox is not None
    assert sig.where.text == "DocuSigned by:\nJohn Doe\n7C1F0A93D2B4E65F..."
    assert "7C1F0A93…" in sig.detail and "envelope 481CC8F3-…" in sig.detail and "John Doe" in sig.detail
    assert sig.block is not None and sig.block.heading == "For and on behalf of Contoso Ltd"
    assert (sig.block.signer_name, sig.block.title, sig.block.date_text) == \
        ("John Doe", "Chief Information Security Officer", "5/28/2025")
    assert "For and on behalf of Contoso Ltd" in sig.context


def test_docusign_stamp_with_name_and_hash_on_the_label_line():
    (sig,) = esigs(single(["DocuSigned by: John Doe 7C1F0A93D2B4E65F4A2B..."]))
    assert sig.signer_name == "John Doe"
    assert "7C1F" not in sig.signer_name
    assert "7C1F0A93…" in sig.detail


@pytest.mark.parametrize("label", ["DocuSigned by:", "DocuSigned By:", "DOCUSIGNED BY:", "Docusigned by"])
def test_docusign_label_in_any_casing(label):
    (sig,) = esigs(single([label, "John Doe", "7C1F0A93D2B4E65F…"]))
    assert (sig.signer_name, sig.platform) == ("John Doe", "docusign")


def test_the_hash_is_never_part_of_the_name():
    (sig,) = esigs(single(["DocuSigned by:", "John Doe 7C1F0A93D2B4E65F..."]))
    assert sig.signer_name == "John Doe"
    (sig,) = esigs(single(["DocuSigned by:", "9A2B33C1D0E4F567"]))
    assert sig.signer_name is None


def test_a_stamp_without_a_readable_name_is_still_a_signature():
    # the signature itself is a picture: only the label and the hash are text
    (sig,) = esigs(single(["DocuSigned by:", "7C1F0A93D2B4E65F..."]))
    assert sig.kind == "e_signature" and sig.platform == "docusign"
    assert sig.signer_name is None
    assert "no signer name" in sig.detail
    assert sig.block.signer_name == "John Doe"       # the printed Name line stays the block's
    assert sig.signed_on == dt.date(2025, 5, 28)


def test_an_envelope_id_alone_with_empty_boxes_is_no_signature():
    page = laid_out([f"DocuSign Envelope ID: {ENVELOPE}", "12. Signatures",
                     ("For and on behalf of Fabrikam Inc.", "For and on behalf of Contoso Ltd"),
                     ("Signature: ______________", "Signature: ______________"),
                     ("Name: Megan Bowen", "Name: John Doe"), ("Date: ______", "Date: ______")])
    assert every(page) == []


def test_the_envelope_id_comes_from_another_page_of_the_document():
    first = laid_out([f"Docusign Envelope ID: {ENVELOPE}", "Statement of Work"], number=1)
    second = laid_out(["For and on behalf of Contoso Ltd", "DocuSigned by:", "John Doe", "7C1F0A93D2B4E65F..."],
                      number=2)
    (sig,) = esigs(first, second)
    assert sig.envelope_id == ENVELOPE and sig.where.page == 2


def test_the_guides_e_signed_form_is_not_read_twice():
    found = esigs(laid_out(["Customer Acknowledgment*", "E-Signed by: John Doe", "098C77187874542ABA164484C281E7731",
                            "Signature Date Signed 6/5/2025"]))
    assert [(s.signer_name, s.signed_on) for s in found] == [("John Doe", dt.date(2025, 6, 5))]


# ---- two columns -----------------------------------------------------------------------------

def execution_page(right_stamp: bool = True, boxes: bool = True) -> Page:
    right = ["DocuSigned by:", "John Doe", "9A2B33C1D0E4F567..."] if right_stamp else ["", "", ""]
    left = ["DocuSigned by:", "Megan Bowen", "7C1F0A93D2B4E65F..."]
    return laid_out([f"DocuSign Envelope ID: {ENVELOPE}", "12. Signatures", "",
                     ("For and on behalf of Fabrikam Inc.", "For and on behalf of Contoso Ltd"),
                     *zip(left, right),
                     ("Name: Megan Bowen", "Name: John Doe"),
                     ("Title: Vice President, Professional Services", "Title: Chief Information Security Officer"),
                     ("Date: 5/27/2025", "Date: 5/28/2025" if right_stamp else "Date: ______")], boxes=boxes)


def test_two_stamps_side_by_side_each_keep_their_own_name_date_and_heading():
    page = execution_page()
    assert "DocuSigned by: DocuSigned by:" in page.text and "Megan Bowen John Doe" in page.text  # interleaved
    found = esigs(page)
    assert [(s.signer_name, s.signed_on) for s in found] == [
        ("Megan Bowen", dt.date(2025, 5, 27)), ("John Doe", dt.date(2025, 5, 28))]
    partner, customer = found
    assert partner.block.heading == "For and on behalf of Fabrikam Inc."
    assert customer.block.heading == "For and on behalf of Contoso Ltd"
    assert "Contoso" not in partner.context and "Fabrikam" not in customer.context
    assert partner.where.bbox[2] < RIGHT <= customer.where.bbox[0]
    assert all(s.envelope_id == ENVELOPE for s in found)


def test_two_stamps_side_by_side_without_word_boxes_are_split_by_white_space():
    rows = [("DocuSigned by:", "DocuSigned by:"), ("Megan Bowen", "John Doe"),
            ("7C1F0A93D2B4E65F...", "9A2B33C1D0E4F567...")]
    text = "\n".join(f"{a}{' ' * (40 - len(a))}{b}" for a, b in rows)
    page = Page(1, text, tuple(Word(m.group(), m.start(), m.end()) for m in re.finditer(r"\S+", text)))
    assert [s.signer_name for s in esigs(page)] == ["Megan Bowen", "John Doe"]


def test_the_customers_column_decides_the_acknowledgement():
    both = package(sow_of(execution_page()))
    assert customer_acknowledgement.check(both, claim()).status == "pass"
    assert recency.check(both, claim()).status == "pass"
    only_partner = package(sow_of(execution_page(right_stamp=False)))
    assert customer_acknowledgement.check(only_partner, claim()).status == "fail"
    assert recency.check(only_partner, claim()).status == "fail"


def sow_of(*pages: Page):
    """A document read from these pages by the whole reading layer."""
    from poe_checker.extractors import Extraction
    from poe_checker.reading import understand
    return understand(name="sow.pdf", sha256="0" * 64, media_type="application/pdf", kind="pdf",
                      extraction=Extraction(pages=pages, page_count=len(pages)))


# ---- other platforms -------------------------------------------------------------------------

def test_adobe_acrobat_sign_on_page_signature_with_the_transaction_footer():
    page = laid_out(["For and on behalf of Contoso Ltd", "John Doe", "John Doe (May 28, 2025 10:14 PDT)",
                     "Title: Chief Information Security Officer", "",
                     "FAB-SOW-2025-0142 - May 28 2025 Adobe Acrobat Sign Transaction Number: CBJCHBCAABAAqF1kDzR8wXyV3bNn"])
    (sig,) = esigs(page)
    assert (sig.platform, sig.signer_name, sig.signed_on) == ("adobe_sign", "John Doe", dt.date(2025, 5, 28))
    assert sig.envelope_id == "CBJCHBCAABAAqF1kDzR8wXyV3bNn"
    assert sig.detail.startswith("Adobe Acrobat Sign on-page signature") and "transaction CBJCHBCA…" in sig.detail
    assert sig.block.heading == "For and on behalf of Contoso Ltd"


def test_a_name_with_a_date_in_brackets_is_no_signature_without_acrobat_signs_mark():
    assert esigs(laid_out(["Project sponsor", "John Doe (May 28, 2025 kick-off)"])) == []


def test_adobe_on_page_signatures_side_by_side_keep_their_columns():
    page = laid_out([("For and on behalf of Fabrikam Inc.", "For and on behalf of Contoso Ltd"),
                     ("Megan Bowen (May 27, 2025 09:20 PDT)", "John Doe (May 28, 2025 10:14 PDT)"),
                     ("Title: Vice President", "Title: Chief Information Security Officer"),
                     "Adobe Acrobat Sign Transaction Number: CBJCHBCAABAAqF1kDzR8wXyV3bNn"])
    partner, customer = esigs(page)
    assert (partner.signer_name, customer.signer_name) == ("Megan Bowen", "John Doe")
    assert "Contoso" not in partner.context and "Fabrikam" not in customer.context


DROPBOX = """Audit trail
Title FAB-SOW-2025-0142 Endpoint deployment SOW
File name FAB-SOW-2025-0142.pdf
Document ID 5f6491d203e91ea6c5b836c722dba886e0d1565b
Audit trail date format MM / DD / YYYY
Status Signed
05 / 27 / 2025 Sent for signature to Megan Bowen (megan.bowen@fabrikam.com) and John Doe
08:58:12 UTC (john.doe@contoso.com) from lidia.holloway@fabrikam.com IP: 20.112.52.29
05 / 27 / 2025 Viewed by Megan Bowen (megan.bowen@fabrikam.com) 09:02:10 UTC IP: 40.76.4.15
05 / 27 / 2025 Signed by Megan Bowen (megan.bowen@fabrikam.com) 09:20:31 UTC IP: 40.76.4.15
05 / 28 / 2025 Viewed by John Doe (john.doe@contoso.com) 10:02:40 UTC IP: 52.96.10.4
05 / 28 / 2025 Signed by John Doe (john.doe@contoso.com) 10:14:05 UTC IP: 52.96.10.4
05 / 28 / 2025 The document has been completed. 10:14:05 UTC
Powered by Dropbox Sign"""


def test_dropbox_sign_audit_trail_gives_each_signer_with_email_and_date():
    found = esigs(laid_out(DROPBOX.split("\n")))
    assert [(s.signer_name, s.signer_email, s.signed_on, s.platform) for s in found] == [
        ("Megan Bowen", "megan.bowen@fabrikam.com", dt.date(2025, 5, 27), "dropbox_sign"),
        ("John Doe", "john.doe@contoso.com", dt.date(2025, 5, 28), "dropbox_sign")]
    assert all(s.envelope_id == "5f6491d203e91ea6c5b836c722dba886e0d1565b" for s in found)
    assert found[0].detail.startswith("Dropbox Sign audit trail")


def test_signed_by_events_are_read_only_on_a_dropbox_sign_page():
    assert esigs(laid_out(["Meeting notes", "Signed by John Doe (john.doe@contoso.com) on behalf of the board"])) == []


PANDADOC = """Signature Certificate
REF. NUMBER DOCUMENT COMPLETED BY ALL PARTIES ON
KQXTZ-8WPLM-RT4ZC-NV7QD 28 MAY 2025 10:14:27
UTC
SIGNER TIMESTAMP SIGNATURE
MEGAN BOWEN SENT 27 MAY 2025 08:58:12
EMAIL VIEWED 27 MAY 2025 09:02:10
MEGAN.BOWEN@FABRIKAM.COM SIGNED 27 MAY 2025 09:20:31 IP ADDRESS 40.76.4.15
JOHN DOE SENT 27 MAY 2025 09:20:31
EMAIL VIEWED 28 MAY 2025 10:02:40
JOHN.DOE@CONTOSO.COM SIGNED 28 MAY 2025 10:14:27 IP ADDRESS 52.96.10.4
ALEX WILBER SENT 28 MAY 2025 10:14:30
EMAIL
ALEX.WILBER@FABRIKAM.COM VIEWED 28 MAY 2025 10:20:00
Signed with PandaDoc"""


def test_pandadoc_certificate_gives_the_signers_who_signed():
    found = esigs(laid_out(PANDADOC.split("\n")))
    assert [(s.signer_name, s.signer_email, s.signed_on, s.platform) for s in found] == [
        ("Megan Bowen", "megan.bowen@fabrikam.com", dt.date(2025, 5, 27), "pandadoc"),
        ("John Doe", "john.doe@contoso.com", dt.date(2025, 5, 28), "pandadoc")]
    assert all(s.envelope_id == "KQXTZ-8WPLM-RT4ZC-NV7QD" for s in found)


def test_pandadoc_on_page_signed_by():
    page = laid_out(["For and on behalf of Contoso Ltd", "Signed by John Doe", "Date: 5/28/2025", "",
                     "Signed with PandaDoc"])
    (sig,) = esigs(page)
    assert (sig.platform, sig.signer_name, sig.signed_on) == ("pandadoc", "John Doe", dt.date(2025, 5, 28))


def test_signnow_stamp_with_the_typed_name_above_it():
    page = laid_out(["For and on behalf of Contoso Ltd", "John Doe", "signNow e-signature ID: 4f2a9c1e77b0d3a5",
                     "Date: 5/28/2025"])
    (sig,) = esigs(page)
    assert (sig.platform, sig.signer_name, sig.signed_on) == ("signnow", "John Doe", dt.date(2025, 5, 28))
    assert "e-signature ID 4f2a9c1e…" in sig.detail


def test_signnow_stamp_without_a_name():
    (sig,) = esigs(laid_out(["Customer signature", "signNow e-signature ID: 4f2a9c1e77b0d3a5"]))
    assert sig.platform == "signnow" and sig.signer_name is None


def test_docusigns_newer_signed_by_stamp_needs_its_hash_and_an_envelope():
    stamp = ["For and on behalf of Contoso Ltd", "Signed by:", "John Doe", "7C1F0A93D2B4E65F..."]
    (sig,) = esigs(laid_out([f"Docusign Envelope ID: {ENVELOPE}", *stamp]))
    assert (sig.platform, sig.signer_name, sig.envelope_id) == ("docusign", "John Doe", ENVELOPE)
    assert every(laid_out(stamp)) == []                             # no envelope: not Docusign's stamp
    assert every(laid_out([f"Docusign Envelope ID: {ENVELOPE}", "Signed by:", "John Doe"])) == []  # no hash
