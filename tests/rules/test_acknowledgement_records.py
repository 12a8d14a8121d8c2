"""Customer acknowledgement from e-signature records, validated PDF signatures and replies/forwards."""

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from poe_checker.claims import parse_claim
from poe_checker.model import Anchor, CertificateSubject, Signature
from poe_checker.pipeline import read_paths
from poe_checker.rules import customer_acknowledgement
from poe_checker.rules.acknowledgements import acknowledgements

from ..modelkit import claim, email_document, package, text_document

PACKAGES = Path(__file__).resolve().parents[2] / "fixtures" / "packages"
SOW = "Statement of Work FAB-SOW-2025-0142\nCustomer Signatory Name John Doe\nPartner Signatory Name Megan Bowen"
OK_DETAIL = "intact and covers the whole document"
JOHN = CertificateSubject("John Doe", "Contoso Ltd", "john.doe@contoso.com")


def signed(text: str = SOW, **fields):
    doc = text_document("sow.pdf", text)
    sig = Signature(where=Anchor(1, fields.pop("field", "signature"), (72.0, 600.0, 200.0, 620.0)), **fields)
    return replace(doc, signatures=doc.signatures + (sig,))


def check(*docs, **overrides):
    return customer_acknowledgement.check(package(*docs), claim(**overrides))


# ---- e-signature records -----------------------------------------------------------------------

def test_a_docusign_signer_on_the_customers_domain_is_the_customers_signature():
    doc = signed(kind="e_signature", signer_name="John Doe", signer_email="john.doe@contoso.com",
                 signed_on=dt.date(2025, 5, 28), platform="docusign")
    r = check(doc)
    assert r.status == "pass"
    assert "DocuSign e-signature by John Doe" in r.message and "on the customer's domain" in r.message
    (a,) = [a for a in acknowledgements(package(doc), claim()) if a.outcome == "valid"]
    assert a.on == dt.date(2025, 5, 28)     # recency dates the acknowledgement from the record


def test_an_adobe_signer_named_as_the_customer_signatory_is_the_customers_signature():
    r = check(signed(kind="e_signature", signer_name="John Doe", platform="adobe_sign",
                     signed_on=dt.date(2025, 5, 28)))
    assert r.status == "pass" and "Adobe Acrobat Sign e-signature" in r.message
    assert "named as the customer's signatory" in r.message


def test_the_customers_signatory_signing_from_another_domain_needs_a_person():
    r = check(signed(kind="e_signature", signer_name="John Doe", signer_email="johndoe@gmail.com",
                     platform="docusign"))
    assert r.status == "warn" and "johndoe@gmail.com" in r.message


def test_a_partner_signer_is_not_the_customer():
    r = check(signed(kind="e_signature", signer_name="Megan Bowen", signer_email="megan.bowen@fabrikam.com",
                     platform="docusign"))
    assert r.status == "fail" and "partner's side" in r.message


def test_a_record_that_never_completed_is_no_acknowledgement():
    r = check(signed(kind="e_signature", signer_name="John Doe", signer_email="john.doe@contoso.com",
                     platform="docusign", valid=False,
                     detail='DocuSign e-signature record, but the record\'s status is "Voided": the agreement was '
                            "never completed"))
    assert r.status == "fail" and "Voided" in r.message


# ---- validated PDF signatures ------------------------------------------------------------------

def test_a_valid_customer_pdf_signature_passes_and_says_the_identity_is_self_asserted():
    r = check(signed(kind="digital", platform="pdf", signer_name="John Doe", signer_email="john.doe@contoso.com",
                     valid=True, detail=OK_DETAIL, certificate=JOHN))
    assert r.status == "pass"
    assert "valid digital signature by John Doe" in r.message
    assert "intact and covers the whole document" in r.message and "self-asserted" in r.message


def test_the_certificates_organisation_attributes_a_signature_without_email():
    r = check(signed("Statement of Work", kind="digital", platform="pdf", signer_name="J. Doe", valid=True,
                     detail=OK_DETAIL, certificate=CertificateSubject("J. Doe", "Contoso Ltd", None)))
    assert r.status == "pass" and "issued to the customer's organisation (Contoso Ltd)" in r.message


def test_a_certificate_of_the_partners_organisation_is_the_partners_signature():
    r = check(signed("Statement of Work", kind="digital", platform="pdf", signer_name="M. Bowen", valid=True,
                     detail=OK_DETAIL, certificate=CertificateSubject("M. Bowen", "Fabrikam Inc.", None)))
    assert r.status == "fail" and "partner's organisation" in r.message


def test_a_pdf_signature_broken_by_a_later_change_fails_in_plain_words():
    r = check(signed(kind="digital", platform="pdf", signer_name="John Doe", signer_email="john.doe@contoso.com",
                     valid=False, detail="the document was changed after John Doe signed it: later revisions change "
                                         "the content, not just form fields or timestamps", certificate=JOHN))
    assert r.status == "fail"
    assert "the document was changed after John Doe signed it" in r.message
    assert "certificate subject" not in r.message          # the partner reads the why, not the ASN.1


def test_a_document_timestamp_is_not_a_signature():
    r = check(signed(kind="digital", platform="pdf", timestamp_only=True, valid=True,
                     detail="document timestamp (RFC 3161) 2025-05-28 14:30 UTC: intact and covers the whole document"))
    assert r.status == "fail" and "not who signed it" in r.message


# ---- emails ------------------------------------------------------------------------------------

APPROVAL = ("We approve the Intune deployment described in the SOW FAB-SOW-2025-0142. Please proceed with the "
            "Prepare phase.")


def test_a_partner_reply_that_quotes_the_customers_approval_is_not_the_customers():
    quoted = f"-----Original Message-----\nFrom: John Doe <john.doe@contoso.com>\nSent: Thursday, July 3, 2025\n\n{APPROVAL}"
    r = check(email_document("re.eml", sender="Alex Wilber <alex.wilber@fabrikam.com>",
                             body="Thanks John, noted.", quoted=quoted, subject="RE: Plan-phase design"))
    assert r.status == "fail"
    assert "only in the quoted or forwarded history" in r.message


def test_a_partner_email_without_the_customers_words_says_only_the_domain():
    r = check(email_document("re.eml", sender="Alex Wilber <alex.wilber@fabrikam.com>", body=APPROVAL))
    assert r.status == "fail" and "quoted" not in r.message and "not from the customer's domain" in r.message


def test_the_customers_own_forward_is_rejected():
    r = check(email_document("fw.eml", sender="John Doe <john.doe@contoso.com>", body="Forwarding my approval.",
                             subject="FW: Plan-phase design", is_forward=True, is_reply=False,
                             quoted=f"From: John Doe <john.doe@contoso.com>\nSent: Thursday\n\n{APPROVAL}"))
    assert r.status == "fail" and "forwarded" in r.message


# ---- the generated packages, end to end ----------------------------------------------------------

@pytest.mark.parametrize("case,status,words", [
    ("sig_pdf_signed_customer", "pass", "intact and covers the whole document; signer's identity self-asserted"),
    ("sig_pdf_modified_after_signing", "fail", "the document was changed after John Doe signed it"),
    ("sig_pdf_signed_partner", "fail", "Megan Bowen on the partner's side"),
    ("sig_docusign_record", "pass", "DocuSign e-signature by John Doe"),
    ("sig_docusign_partner_only", "fail", "Megan Bowen on the partner's side"),
    ("sig_adobe_audit", "pass", "Adobe Acrobat Sign e-signature by John Doe"),
    ("sig_adobe_partner_signer", "fail", "Megan Bowen on the partner's side"),
    ("sig_partner_reply_quotes_customer", "fail", "only in the quoted or forwarded history"),
    ("sig_customer_forward_original_message", "fail", "a forwarded email"),
    ("sig_customer_reply_approves", "pass", "approves the work"),
])
def test_generated_signature_packages(case, status, words):
    folder = PACKAGES / case
    docs = sorted(p for p in folder.iterdir() if p.name not in ("claim.json", "expected.json"))
    r = customer_acknowledgement.check(read_paths(docs), parse_claim((folder / "claim.json").read_bytes()))
    assert r.status == status and words in r.message, r.message


# ---- copies across the package -----------------------------------------------------------------

def test_the_same_signature_raster_in_two_documents_is_a_likely_copy():
    def wet(name, fingerprint):
        doc = text_document(name, "For and on behalf of Contoso Ltd (Customer)\nSignature\nName: John Doe")
        sig = Signature(kind="wet", where=Anchor(1, "Signature", (72.0, 600.0, 200.0, 620.0)), signer_name="John Doe",
                        context="For and on behalf of Contoso Ltd (Customer)\nSignature", signed_on=dt.date(2025, 5, 28),
                        fingerprint=fingerprint)
        return replace(doc, signatures=(sig,))

    alone = check(wet("a.pdf", "00ff00ff00ff00ff"))
    assert alone.status == "pass"
    twice = check(wet("a.pdf", "00ff00ff00ff00ff"), wet("b.pdf", "00ff00ff00ff00fe"))  # one bit apart: same picture
    assert twice.status == "warn" and "appears 2 times in the package" in twice.message
    apart = check(wet("a.pdf", "00ff00ff00ff00ff"), wet("b.pdf", "ff00ff00ff00ff00"))
    assert apart.status == "pass"


# ---- what a platform record certifies ----------------------------------------------------------

CERT = "Certificate Of Completion\nEnvelope Id: {env}\nSubject: Complete with Docusign: {title}\nSigner Events"
ENV = "5E6F7A8B-9C0D-4E1F-A2B3-C4D5E6F7A8B9"


def certificate(title: str, envelope: str = ENV):
    doc = text_document("certificate_of_completion.pdf", CERT.format(env=envelope, title=title),
                        doc_type="signature_certificate")
    sig = Signature(where=Anchor(1, "John Doe", (72.0, 600.0, 200.0, 620.0)), kind="e_signature",
                    signer_name="John Doe", signer_email="john.doe@contoso.com", signed_on=dt.date(2025, 5, 28),
                    platform="docusign", envelope_id=envelope, record_of=title)
    return replace(doc, signatures=(sig,))


SOW_TEXT = ("Statement of Work\nModern Endpoint Management - Microsoft Intune and Defender for Endpoint\n"
            "SOW number FAB-SOW-2025-0142\nFabrikam will deploy Microsoft Intune to 900 devices.")


def test_a_record_appended_to_the_document_it_signs_certifies_that_document():
    sow = signed(SOW_TEXT, kind="e_signature", signer_name="John Doe", signer_email="john.doe@contoso.com",
                 platform="docusign", record_of="Mutual NDA.pdf", signed_on=dt.date(2025, 5, 28))
    # appended to the SOW itself, the record's own title does not take it elsewhere
    assert check(sow).status == "pass"


def test_a_separate_record_is_linked_by_the_envelope_id_printed_on_the_document():
    sow = text_document("sow.pdf", f"Docusign Envelope ID: {ENV}\n" + SOW_TEXT)
    r = check(sow, certificate("Contract pack 7.pdf"))
    assert r.status == "pass" and "the record certifies sow.pdf (same envelope id)" in r.message


def test_a_separate_record_is_linked_by_the_documents_title():
    r = check(text_document("sow.pdf", SOW_TEXT),
              certificate("Statement of Work - Modern Endpoint Management.pdf", "1C2D3E4F-0000-4C7D-8E9F-A0B1C2D3E4F5"))
    assert r.status == "pass" and "the record certifies sow.pdf (its title" in r.message


def test_a_separate_record_is_linked_by_a_number_both_print():
    r = check(text_document("scope.pdf", SOW_TEXT),
              certificate("FAB-SOW-2025-0142 signed.pdf", "2C2D3E4F-0000-4C7D-8E9F-A0B1C2D3E4F5"))
    assert r.status == "pass" and "(both name FAB-SOW-2025-0142)" in r.message


def test_a_record_of_another_kind_of_document_acknowledges_nothing():
    r = check(text_document("sow.pdf", SOW_TEXT),
              certificate("Mutual Non-Disclosure Agreement - Contoso Ltd and Fabrikam Inc.pdf",
                          "3C2D3E4F-0000-4C7D-8E9F-A0B1C2D3E4F5"))
    assert r.status == "fail"
    assert "certifies “Mutual Non-Disclosure Agreement - Contoso Ltd and Fabrikam Inc.pdf”, a different document" \
        in r.message


def test_a_record_whose_title_names_the_work_counts_and_says_the_document_is_missing():
    r = check(certificate("Contoso Intune deployment sign-off.pdf"))
    assert r.status == "pass" and "which is not itself in the package" in r.message


def test_a_record_whose_title_says_nothing_is_left_to_a_person():
    r = check(certificate("Document 7.pdf"))
    assert r.status == "warn" and "a person must check what was signed" in r.message


def test_a_block_under_a_line_naming_a_third_organisation_is_not_the_customers():
    text = ("ECIF Project Charter\nApprovals\nFor Microsoft Corporation\nE-Signed by:\nDiego Siciliani\n"
            "Name (printed): Diego Siciliani\nTitle: ECIF Program Manager")
    doc = signed(text, kind="e_signature", signer_name="Diego Siciliani", platform="docusign",
                 field="Diego Siciliani", context=text)
    r = check(doc)
    assert r.status == "fail" and "signed on behalf of Microsoft Corporation, which is neither the customer" in r.message
