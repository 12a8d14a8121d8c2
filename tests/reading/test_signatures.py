import datetime as dt

from poe_checker.reading.dates import find_dates
from poe_checker.reading.signatures import find_signatures

from ..modelkit import page


def sigs(text: str):
    pages = (page(text),)
    return find_signatures(pages, find_dates(pages))


def test_the_guides_e_signed_line_with_its_date_signed():
    found = sigs("Section 3.1 (Required): Customer Acknowledgment*\nE-Signed by: John Doe\nSignature\tDate Signe 6/5/2025")
    assert len(found) == 1
    sig = found[0]
    assert (sig.kind, sig.signer_name, sig.signed_on) == ("e_signature", "John Doe", dt.date(2025, 6, 5))
    assert "Customer Acknowledgment" in sig.context
    assert sig.where.bbox is not None and sig.where.page == 1


def test_adobe_sign_audit_line_gives_name_and_email():
    found = sigs("Final Audit Report 2025-06-05\nDocument e-signed by John Doe (john.doe@contoso.com)\n"
                 "Signature Date: 2025-06-05 - 10:12:33 AM GMT - Time Source: server\nTransaction ID: CBJCHBCAABAAx")
    esign = [s for s in found if s.kind == "e_signature"]
    assert esign and esign[0].signer_email == "john.doe@contoso.com" and esign[0].platform == "adobe_sign"


def test_docusign_certificate_signer_block():
    text = ("Certificate Of Completion\nEnvelope Id: 6A1F0C3E9B2D4E7F8A9B0C1D2E3F4A5B\nSigner Events\n"
            "John Doe\njohn.doe@contoso.com\nChief Information Security Officer\nSecurity Level: Email\n"
            "Signature Adoption: Pre-selected Style\nUsing IP Address: 203.0.113.7\n"
            "Sent: 6/4/2025 | 09:01:12 AM\nViewed: 6/5/2025 | 10:10:01 AM\nSigned: 6/5/2025 | 10:12:33 AM\n")
    found = [s for s in sigs(text) if s.kind == "e_signature"]
    assert len(found) == 1
    assert (found[0].signer_name, found[0].signer_email, found[0].signed_on, found[0].platform) == \
        ("John Doe", "john.doe@contoso.com", dt.date(2025, 6, 5), "docusign")


def test_typed_name_on_a_signature_line():
    found = sigs("For Contoso Ltd\nCustomer Signature: Jane Roe\nDate: 7/1/2025")
    assert [(s.kind, s.signer_name) for s in found] == [("typed", "Jane Roe")]


def test_labels_are_not_names():
    assert sigs("Signature\tDate Signe 6/5/2025\nSignature: Print Name\nSignature Block") == ()
