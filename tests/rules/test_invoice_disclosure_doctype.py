import pytest

from poe_checker.model import Party
from poe_checker.rules import document_type, invoice, public_sector_disclosure

from ..modelkit import claim, email_document, package, text_document

INVOICE = ("INVOICE\nInvoice No: 2025-118\nInvoice Date: June 5, 2025\nFrom: Fabrikam Inc.\n"
           "Engagement Claim ID: 4102231\nIncentive amount: {amount}\n")


def activity_claim(**kw):
    base = dict(claim_kind="partner_activity", claim_id="4102231", solution_area="modern_work", workloads=(),
                invoice_amount_usd=5000)
    base.update(kw)
    return claim(**base)


@pytest.mark.parametrize("amount, status", [
    ("$5,000.00", "pass"), ("USD 5,000.00", "pass"), ("USD 4,500.00", "fail"), ("EUR 5,000.00", "fail"),
])
def test_invoice_amount_must_be_the_payout_in_usd(amount, status):
    doc = text_document("invoice.pdf", INVOICE.format(amount=amount))
    assert invoice.check(package(doc), activity_claim()).status == status


def test_invoice_is_not_applicable_to_cpor():
    assert invoice.check(package(), claim()).status == "not_applicable"


def test_missing_invoice_fails():
    r = invoice.check(package(text_document("sow.pdf", "Statement of Work")), activity_claim())
    assert r.status == "fail" and "No invoice" in r.message


def test_an_invoice_billing_two_claims_fails():
    doc = text_document("invoice.pdf", INVOICE.format(amount="USD 5,000.00") + "Engagement Claim ID: 4102232\n")
    r = invoice.check(package(doc), activity_claim())
    assert r.status == "fail" and "4102232" in r.message


COLUMNS = ("INVOICE\nInvoice No: 2025-120\nFrom: Fabrikam Inc.\nClaim ID   Description   Amount\n{rows}"
           "Total USD {total}\nBank: 40112233 Postcode 98052\n")


@pytest.mark.parametrize("rows, total, status", [
    ("4102231\nModern Work incentive USD 5,000.00\n", "5,000.00", "pass"),
    ("4102231 Modern Work incentive USD 5,000.00\n4102239 Modern Work incentive USD 5,000.00\n", "10,000.00", "fail"),
    ("4102231\nModern Work incentive USD 5,000.00\n4102239\nModern Work incentive USD 5,000.00\n", "10,000.00",
     "fail"),
])
def test_claim_ids_in_a_column_of_line_items_are_counted(rows, total, status):
    doc = text_document("invoice.pdf", COLUMNS.format(rows=rows, total=total))
    r = invoice.check(package(doc), activity_claim(invoice_amount_usd=None))
    assert r.status == status, r.message
    if status == "fail":
        assert "4102239" in r.message and "one invoice per claim" in r.message
        assert "40112233" not in r.message and "98052" not in r.message  # not claim-id shaped where they stand


def public(country, **kw):
    return claim(customer=Party(name="Contoso County", domain="contosocounty.gov", country=country,
                                public_sector=True), **kw)


@pytest.mark.parametrize("c, applies", [
    (public("US"), True), (public("PR"), True), (public("IN"), False), (public("DE"), False),
    (public("US", solution_area="azure"), False), (public("US", motion="pre_sales"), False),
    (public("IN", claim_kind="partner_activity", workloads=()), True), (claim(), False),
])
def test_disclosure_applies_where_the_guide_says(c, applies):
    status = public_sector_disclosure.check(package(), c).status
    assert (status != "not_applicable") is applies


def test_disclosure_without_a_country_needs_a_person():
    assert public_sector_disclosure.check(package(), public(None)).status == "warn"


def test_disclosure_acknowledged_by_customer_email_passes():
    letter = text_document("disclosure.pdf", "Public Sector Fee Disclosure\nFabrikam may receive fees and "
                                             "incentive payments from Microsoft for this engagement.")
    mail = email_document("ack.eml", sender="John Doe <john.doe@contosocounty.gov>",
                          body="We acknowledge the fee disclosure you sent.")
    assert public_sector_disclosure.check(package(letter, mail), public("US")).status == "pass"
    assert public_sector_disclosure.check(package(letter), public("US")).status == "fail"


@pytest.mark.parametrize("sender, body, status", [
    ("john.doe@contosocounty.gov", "Contoso County acknowledges in writing the disclosure below regarding "
                                   "compensation.", "pass"),
    ("john.doe@contosocounty.gov", "Hi Jane,\nWe have read and accept the fee disclosure.\nRegards, John", "pass"),
    ("john.doe@contosocounty.gov", "We have not yet reviewed the fee disclosure.", "fail"),
    ("john.doe@contosocounty.gov", "Could you resend the fee disclosure? We will acknowledge it next week.", "fail"),
    ("john.doe@contosocounty.gov", "Fabrikam Inc acknowledges the disclosure regarding compensation.", "fail"),
    ("jane.smith@fabrikam.com", "We acknowledge the fee disclosure.", "fail"),
])
def test_a_disclosure_acknowledgement_is_read_by_the_sentence_reader(sender, body, status):
    letter = text_document("disclosure.pdf", "Public Sector Fee Disclosure\nFabrikam may receive fees and "
                                             "incentive payments from Microsoft for this engagement.")
    mail = email_document("ack.eml", sender=f"J <{sender}>", body=body, subject="RE: Fee disclosure")
    r = public_sector_disclosure.check(package(letter, mail), public("US"))
    assert r.status == status, r.message


@pytest.mark.parametrize("texts, status", [
    (["Statement of Work\nScope"], "pass"),
    (["PURCHASE ORDER\nPO Number: 45001"], "fail"),
    (["Lorem ipsum dolor sit amet."], "warn"),
])
def test_document_type(texts, status):
    docs = [text_document(f"d{i}.pdf", t) for i, t in enumerate(texts)]
    assert document_type.check(package(*docs), claim()).status == status


def test_document_type_says_what_shows_each_kind_and_points_at_it():
    sow = text_document("sow.pdf", "Statement of Work\nScope of work: Intune for 900 devices\nDeliverables")
    r = document_type.check(package(sow), claim())
    assert r.status == "pass"
    assert "sow.pdf (statement of work: “Statement of Work”" in r.message and "“Deliverables”" in r.message
    assert r.evidence[0].text == "Statement of Work" and r.evidence[0].bbox is not None
    po = text_document("po.pdf", "PURCHASE ORDER\nPO Number: 45001\nQty 3")
    r = document_type.check(package(po), claim())
    assert r.status == "fail" and "po.pdf (purchase order: “PURCHASE ORDER”" in r.message


def test_an_invoice_alone_does_not_prove_partner_activity_work():
    doc = text_document("invoice.pdf", INVOICE.format(amount="USD 5,000.00"))
    assert document_type.check(package(doc), activity_claim()).status == "fail"
    assert document_type.check(package(doc, email_document(
        "m.eml", sender="a <a@contoso.com>", body="x")), activity_claim()).status == "pass"
