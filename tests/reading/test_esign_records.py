"""E-signature platform records: DocuSign certificates of completion, Adobe Acrobat Sign audit reports."""

import datetime as dt
from pathlib import Path

import pytest

from poe_checker.pipeline import read_file
from poe_checker.reading.dates import find_dates
from poe_checker.reading.signatures import find_signatures

from ..modelkit import page

PACKAGES = Path(__file__).resolve().parents[2] / "fixtures" / "packages"

COC = """Docusign Envelope ID: 9B1F3C2A-5D4E-4F60-8A7B-0C1D2E3F4A5B
Certificate Of Completion
Envelope Id: 9B1F3C2A5D4E4F608A7B0C1D2E3F4A5B
Status: {status}
Envelope Originator:
Lidia Holloway
lidia.holloway@fabrikam.com
IP Address: 20.112.52.29
Record Tracking
Status: Original
5/27/2025 | 08:58 AM
Holder: Lidia Holloway
lidia.holloway@fabrikam.com
Location: DocuSign
Signer Events Signature Timestamp
Megan Bowen
megan.bowen@fabrikam.com
Vice President, Professional Services
Security Level: Email, Account Authentication (None)
Signature Adoption: Pre-selected Style
Using IP Address: 40.76.4.15
Sent: 5/27/2025 | 08:58 AM
Viewed: 5/27/2025 | 09:02 AM
Signed: 5/27/2025 | 09:20 AM
John Doe
john.doe@contoso.com
Chief Information Security Officer
Contoso Ltd
Security Level: Email, Account Authentication (None)
Signature Adoption: Drawn on Device
Sent: 5/27/2025 | 09:20 AM
Viewed: 5/28/2025 | 10:02 AM
Signed: 5/28/2025 | 10:14 AM
Carbon Copy Events Status Timestamp
Alex Wilber
alex.wilber@fabrikam.com
Sent: 5/28/2025 | 10:15 AM
Envelope Summary Events Status Timestamps
Completed Security Checked 5/28/2025 | 10:14 AM
"""


def esigs(text: str):
    pages = (page(text),)
    return [s for s in find_signatures(pages, find_dates(pages)) if s.kind == "e_signature"]


def test_docusign_certificate_gives_every_signer_with_email_and_signing_date():
    found = esigs(COC.format(status="Completed"))
    assert [(s.signer_name, s.signer_email, s.signed_on, s.platform) for s in found] == [
        ("Megan Bowen", "megan.bowen@fabrikam.com", dt.date(2025, 5, 27), "docusign"),
        ("John Doe", "john.doe@contoso.com", dt.date(2025, 5, 28), "docusign"),
    ]
    assert all(s.valid is None and s.detail == "DocuSign e-signature record" for s in found)


def test_the_originator_and_carbon_copies_are_not_signers():
    names = {s.signer_name for s in esigs(COC.format(status="Completed"))}
    assert "Lidia Holloway" not in names and "Alex Wilber" not in names


def test_a_signer_without_a_signed_event_is_not_a_signature():
    text = COC.format(status="Completed").replace("Signed: 5/28/2025 | 10:14 AM\n", "Declined: 5/28/2025 | 10:14 AM\n")
    assert [s.signer_name for s in esigs(text)] == ["Megan Bowen"]


@pytest.mark.parametrize("status", ["Voided", "Declined", "Sent"])
def test_an_envelope_that_never_completed_does_not_stand(status):
    found = esigs(COC.format(status=status))
    assert found and all(s.valid is False for s in found)
    assert all(f'status is "{status}"' in s.detail for s in found)


@pytest.mark.parametrize("stamp", ["DocuSign Envelope ID:", "Docusign Envelope ID:", "DOCUSIGN ENVELOPE ID:"])
def test_the_envelope_stamp_names_the_platform_in_any_casing(stamp):
    found = esigs(f"{stamp} 9B1F3C2A-5D4E-4F60-8A7B-0C1D2E3F4A5B\nCustomer Acknowledgment\n"
                  "E-Signed by: John Doe\nDate Signed 5/28/2025")
    assert [(s.signer_name, s.platform, s.signed_on) for s in found] == [("John Doe", "docusign", dt.date(2025, 5, 28))]


AUDIT = """FAB-SOW-2025-0142 Endpoint deployment SOW
Final Audit Report 2025-05-28
Created: 2025-05-27
By: Lidia Holloway (lidia.holloway@fabrikam.com)
Status: {status}
Transaction ID: CBJCHBCAABAAqF1kDzR8wXyV3bNn0Tq5S7uA9cE2hJ4l
Document created by Lidia Holloway (lidia.holloway@fabrikam.com)
2025-05-27 - 3:58:12 PM GMT
Document emailed to john.doe@contoso.com for signature
Email viewed by john.doe@contoso.com
2025-05-28 - 2:02:11 PM GMT
Document e-signed by John Doe (john.doe@contoso.com)
Signature Date: 2025-05-28 - 2:14:05 PM GMT - Time Source: server
Agreement completed.
2025-05-28 - 2:14:27 PM GMT
"""


def test_adobe_audit_report_gives_signer_email_and_signature_date():
    (sig,) = esigs(AUDIT.format(status="Signed"))
    assert (sig.signer_name, sig.signer_email, sig.signed_on, sig.platform) == \
        ("John Doe", "john.doe@contoso.com", dt.date(2025, 5, 28), "adobe_sign")
    assert sig.valid is None


def test_adobe_creator_and_viewer_lines_are_not_signatures():
    names = [s.signer_name for s in esigs(AUDIT.format(status="Signed"))]
    assert names == ["John Doe"]


def test_adobe_name_and_email_wrapped_onto_two_lines():
    (sig,) = esigs("Final Audit Report\nTransaction ID: CBJCHBCAABAAx\nDocument e-signed by Jane Q. Roe-Smith\n"
                   "(jane.roe-smith@contoso.co.uk)\nSignature Date: 2025-06-05 - 10:12:33 AM GMT - Time Source: server")
    assert (sig.signer_name, sig.signer_email, sig.signed_on) == \
        ("Jane Q. Roe-Smith", "jane.roe-smith@contoso.co.uk", dt.date(2025, 6, 5))


def test_an_adobe_agreement_that_was_cancelled_does_not_stand():
    (sig,) = esigs(AUDIT.format(status="Cancelled"))
    assert sig.valid is False and "never completed" in sig.detail


def test_the_guides_e_signed_by_form_still_reads():
    (sig,) = esigs("Customer Acknowledgment*\nE-Signed by: John Doe\n098C77187874542ABA164484C281E7731\n"
                   "Signature Date Signed 6/5/2025")
    assert (sig.signer_name, sig.signed_on, sig.valid) == ("John Doe", dt.date(2025, 6, 5), None)


@pytest.mark.parametrize("case,file,signers", [
    ("sig_docusign_record", "certificate_of_completion.pdf",
     [("Megan Bowen", "megan.bowen@fabrikam.com", dt.date(2025, 5, 27)),
      ("John Doe", "john.doe@contoso.com", dt.date(2025, 5, 28))]),
    ("sig_adobe_audit", "audit_report.pdf", [("John Doe", "john.doe@contoso.com", dt.date(2025, 5, 28))]),
])
def test_generated_platform_records_read_from_the_pdf(case, file, signers):
    path = PACKAGES / case / file
    (doc,) = read_file(path.name, path.read_bytes())
    found = [(s.signer_name, s.signer_email, s.signed_on) for s in doc.signatures if s.kind == "e_signature"]
    assert found == signers
    assert all(s.where.page == 1 and s.where.bbox is not None for s in doc.signatures)
