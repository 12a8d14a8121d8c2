import pytest

from poe_checker.reading import doctype

from ..modelkit import page


def kind(text: str, extractor_kind: str = "pdf") -> str:
    return doctype.classify(extractor_kind, (page(text),), None)


@pytest.mark.parametrize("text, expected", [
    ("Statement of Work\nFabrikam Inc. and Contoso Ltd\nScope of work: Intune deployment\nDeliverables", "statement_of_work"),
    ("Proof of Execution (POE) Template\nSection 1 (Required): Select product(s)/workload(s) and activity type",
     "poe_template"),
    ("INVOICE\nInvoice No: 2025-118\nInvoice Date: June 5, 2025\nBill to: Microsoft\nAmount due USD 5,000.00", "invoice"),
    ("Certificate Of Completion\nEnvelope Id: 1234\nSigner Events\nEnvelope Summary Events", "signature_certificate"),
    ("PURCHASE ORDER\nPO Number: 4500012345\nShip to: Contoso", "purchase_order"),
    ("Quotation\nQuote Number Q-1001, valid until 30 June 2025\nUnit price", "pricing_quote"),
    ("Master Services Agreement\nGoverning law", "master_services_agreement"),
    ("Microsoft Enterprise Agreement enrollment\nEnrollment number 12345", "licensing_contract"),
    ("Public Sector Fee Disclosure\nFabrikam may receive fees from Microsoft for this engagement.",
     "public_sector_disclosure"),
    ("Lorem ipsum dolor sit amet.", "other"),
])
def test_cues_decide_the_kind(text, expected):
    assert kind(text) == expected


def test_emails_and_textless_images_are_what_their_format_says():
    assert kind("anything", "eml") == "email"
    assert kind("", "image") == "image"


def test_a_title_weighs_more_than_a_mention_in_the_body():
    body = "Statement of Work\n" + "filler text. " * 60 + "\nsee the invoice in the appendix"
    assert kind(body) == "statement_of_work"


def test_upper_case_cues_are_refused_at_load(monkeypatch):
    from poe_checker import knowledge
    original = knowledge.load("doc_types")
    patched = {**original, "cues": {**original["cues"], "invoice": {r"\bINVOICE\b": 1.0}}}
    monkeypatch.setattr(knowledge, "load", lambda name: patched if name == "doc_types" else original)
    doctype._cues.cache_clear()
    try:
        with pytest.raises(ValueError, match="lower case"):
            doctype._cues()
    finally:
        doctype._cues.cache_clear()


SOW_ABOUT_INVOICES = (
    "Contoso Ltd - Email Threat Protection\nStatement of Work CON-SOW-2025-019\nPrepared by Fabrikam Inc.\n"
    "1. Current challenge\nPhishing and fake supplier invoices reach the finance team: 37 invoice fraud attempts "
    "last quarter. Invoice approval runs by email, and the invoice number on a forged PDF is hard to check.\n"
    "2. Scope of work\nDeploy Microsoft Defender for Office 365 Plan 2 for 850 mailboxes.\n3. Deliverables\n"
    "Safe Links and Safe Attachments policies; attack simulation for the finance team.\n")


def test_a_sow_whose_challenge_is_about_invoices_is_still_a_sow():
    assert kind(SOW_ABOUT_INVOICES) == "statement_of_work"
    scores = doctype.scores_for(SOW_ABOUT_INVOICES)
    assert scores["invoice"] == 0.0  # no bill-to, line items or totals: the invoice structure is missing


def test_an_invoice_needs_its_structure_not_just_the_word():
    assert kind("Services invoice overview\nThe invoice process is described below.\nNo amounts.") != "invoice"
    assert kind("Fabrikam Inc.\nTax invoice\nInvoice number FAB-1\nBill to: Microsoft\nDescription Qty Amount\n"
                "Workshop 1 USD 5,000.00\nTotal USD 5,000.00") == "invoice"


@pytest.mark.parametrize("text, expected", [
    ("Modern Work Envisioning Workshop Report\nFindings and recommendations\nAttendees: 12 from Contoso\n"
     "Next steps: pilot Teams Rooms in two sites", "engagement_report"),
    ("Security Assessment Report\nExecutive summary\nKey findings: 240 devices without EDR", "engagement_report"),
    ("ECIF Project Charter\nEnd Customer Investment Funds request for Contoso\nActivities: Azure landing zone build",
     "ecif_document"),
])
def test_engagement_reports_and_ecif_documents_are_kinds_of_their_own(text, expected):
    assert kind(text) == expected


def test_a_certificate_appended_to_a_sow_leaves_it_a_sow_and_alone_it_is_a_certificate():
    sow = page("STATEMENT OF WORK SOW-77\nScope of work: deploy Intune to 400 devices in two phases.\n"
               "Deliverables: design, pilot report, handover.", 1)
    cert = page("Certificate Of Completion\nEnvelope Id: 1234\nSigner Events  Signature  Timestamp\n"
                "Envelope Summary Events  Status  Timestamps", 2)
    assert doctype.classify("pdf", (sow, cert), None) == "statement_of_work"
    assert doctype.classify("pdf", (cert,), None) == "signature_certificate"
    assert doctype.classify("pdf", (cert, page("Signer Events continued\nCertificate of completion", 2)), None) \
        == "signature_certificate"


def test_the_cues_that_decided_a_kind_are_kept_with_their_place_title_first():
    from ..modelkit import text_document
    doc = text_document("sow.pdf", SOW_ABOUT_INVOICES)
    assert doc.doc_type == "statement_of_work"
    texts = [a.text for a in doc.kind_cues]
    assert texts[0] == "Statement of Work"           # in the title: first
    assert "Deliverables" in texts and "invoice" not in " ".join(texts).lower()
    first = doc.kind_cues[0]
    assert first.page == 1 and first.bbox is not None
    assert doc.pages[0].text[first.span[0]:first.span[1]] == "Statement of Work"


def test_a_document_of_no_kind_has_no_cues():
    from ..modelkit import text_document
    doc = text_document("notes.pdf", "Lorem ipsum dolor sit amet.")
    assert doc.doc_type == "other" and doc.kind_cues == ()
