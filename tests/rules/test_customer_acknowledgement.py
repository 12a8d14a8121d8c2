"""Branches of the acknowledgement judgement that the fixture packages do not reach."""

import datetime as dt

from poe_checker.model import Anchor, Party, Signature
from poe_checker.rules import customer_acknowledgement, recency
from poe_checker.rules.acknowledgements import acknowledgements

from ..modelkit import claim, email_document, package, text_document

APPROVAL = "We approve the Intune deployment described in the SOW. Please proceed with the Prepare phase."


def ack(*docs, **claim_overrides):
    return customer_acknowledgement.check(package(*docs), claim(**claim_overrides))


def with_signature(doc, **fields):
    from dataclasses import replace
    sig = Signature(where=Anchor(1, fields.pop("text", "signature"), (72.0, 600.0, 200.0, 620.0)), **fields)
    return replace(doc, signatures=doc.signatures + (sig,))


def test_explicit_approval_from_the_customers_domain_passes_quoting_it():
    r = ack(email_document("ok.eml", sender="John Doe <john.doe@contoso.com>", body=APPROVAL))
    assert r.status == "pass"
    assert r.evidence[0].text.startswith("We approve the Intune deployment")


def test_negated_approval_is_not_acceptance():
    r = ack(email_document("no.eml", sender="John Doe <john.doe@contoso.com>",
                           body="We do not approve the deployment plan yet."))
    assert r.status == "fail"


def test_licensing_email_fails_naming_why():
    r = ack(email_document("lic.eml", sender="John Doe <john.doe@contoso.com>",
                           body="Please send the quote for 500 Microsoft 365 E5 licences; we will issue a PO."))
    assert r.status == "fail" and "licensing" in r.message


def test_forwarded_customer_email_fails():
    r = ack(email_document("fw.eml", sender="Jane Smith <jane.smith@fabrikam.com>", subject="FW: approval",
                           body="See below.", quoted=APPROVAL, is_forward=True))
    assert r.status == "fail" and "forwarded" in r.message


def test_without_a_customer_domain_an_explicit_email_needs_a_person():
    r = ack(email_document("ok.eml", sender="John Doe <john.doe@contoso.com>", body=APPROVAL),
            customer=Party(name="Contoso", domain=None, country="US"))
    assert r.status == "warn" and "no customer domain" in r.message


def test_a_typed_name_on_the_customer_line_needs_a_person():
    doc = text_document("sow.pdf", "Statement of Work\nFor Contoso:\nCustomer Signature: John Doe\nDate: 6/5/2025")
    r = ack(doc)
    assert r.status == "warn" and "typed" in r.message


def test_an_unvalidated_digital_signature_of_the_customer_needs_a_person():
    doc = with_signature(text_document("sow.pdf", "Statement of Work\nCustomer Signatory Name John Doe"),
                         kind="digital", signer_name="John Doe", platform="pdf", signed_on=dt.date(2025, 6, 5))
    r = ack(doc)
    assert r.status == "warn" and "not been cryptographically validated" in r.message


def test_a_broken_digital_signature_is_no_acknowledgement():
    doc = with_signature(text_document("sow.pdf", "Statement of Work\nCustomer Signatory Name John Doe"),
                         kind="digital", signer_name="John Doe", valid=False,
                         detail="the document was changed after signing")
    r = ack(doc)
    assert r.status == "fail" and "changed after signing" in r.message


def test_a_signature_picture_alone_fails():
    doc = with_signature(text_document("sow.pdf", "Statement of Work\nCustomer Signatory Name John Doe"),
                         kind="image", signer_name="John Doe")
    r = ack(doc)
    assert r.status == "fail" and "picture" in r.message


def test_signer_on_another_domain_is_not_the_customer():
    doc = with_signature(text_document("cert.pdf", "Certificate Of Completion"), kind="e_signature",
                         signer_name="Jane Smith", signer_email="jane.smith@fabrikam.com", platform="docusign")
    r = ack(doc)
    assert r.status == "fail" and "partner's side" in r.message


def test_a_signature_whose_side_cannot_be_told_needs_a_person():
    doc = text_document("sow.pdf", "Statement of Work\n\nE-Signed by: Alex Wu\nDate Signed 6/5/2025")
    r = ack(doc)
    assert r.status == "warn" and "whose it is" in r.message


def test_a_partners_own_recent_email_does_not_refresh_an_old_signature():
    old = text_document("sow.pdf", "Customer Acknowledgment\nCustomer Signatory Name John Doe\n"
                                   "E-Signed by: John Doe\nDate Signed 6/5/2024")
    status = email_document("status.eml", sender="Jane Smith <jane.smith@fabrikam.com>",
                            body="We confirm the deployment is on track.", sent="2025-09-01T10:00:00+00:00")
    pkg, c = package(old, status), claim()
    assert customer_acknowledgement.check(pkg, c).status == "pass"
    r = recency.check(pkg, c)
    assert r.status == "fail" and "2024-06-05" in r.message
    assert [a.outcome for a in acknowledgements(pkg, c)] == ["valid", "rejected"]


def test_a_block_signed_on_behalf_of_another_company_is_not_the_customers():
    from poe_checker.rules.acknowledgements import _side_from_heading
    c = claim()
    side, why = _side_from_heading("For and on behalf of Northwind Traders S.A.", c)
    assert side == "third_party" and "Northwind Traders S.A." in why
    assert _side_from_heading("For and on behalf of Contoso Ltd", c)[0] == "customer"
    assert _side_from_heading("For and on behalf of the Customer", c)[0] == "customer"
    assert _side_from_heading("Signature", c) is None
