import datetime as dt

import pytest

from poe_checker.rules import recency

from ..modelkit import claim, email_document, package

APPROVAL = "We approve the Intune deployment described in the SOW."


def customer_mail(sent: str):
    return email_document("ok.eml", sender="John Doe <john.doe@contoso.com>", body=APPROVAL, sent=sent)


@pytest.mark.parametrize("sent, status", [
    ("2024-09-15T12:00:00+00:00", "pass"),   # exactly 12 months before submission
    ("2024-09-14T12:00:00+00:00", "fail"),   # one day older
    ("2025-09-15T08:00:00+00:00", "pass"),   # the submission day
    ("2025-09-16T08:00:00+00:00", "fail"),   # after submission
])
def test_the_twelve_month_window_is_inclusive(sent, status):
    assert recency.check(package(customer_mail(sent)), claim()).status == status


def test_the_fix_names_the_earliest_acceptable_date():
    r = recency.check(package(customer_mail("2024-06-05T10:00:00+00:00")), claim())
    assert "2024-09-15" in r.fix and r.evidence


def test_no_acknowledgement_fails():
    assert recency.check(package(), claim()).status == "fail"


def test_pre_sales_needs_a_transaction_date():
    r = recency.check(package(customer_mail("2025-05-01T10:00:00+00:00")), claim(motion="pre_sales"))
    assert r.status == "warn"


@pytest.mark.parametrize("transaction, status", [(dt.date(2025, 6, 1), "pass"), (dt.date(2025, 4, 1), "fail")])
def test_pre_sales_engagement_must_precede_the_transaction(transaction, status):
    r = recency.check(package(customer_mail("2025-05-01T10:00:00+00:00")),
                      claim(motion="pre_sales", transaction_date=transaction))
    assert r.status == status


# ---- an ambiguous numeric date the document itself does not settle ------------------------------

SIGNED = ("Statement of Work FAB-SOW-2025-0142\nFabrikam will deploy Microsoft Intune to 900 devices for Contoso.\n"
          "Customer Acknowledgment\nE-Signed by:\nJohn Doe\n098C77187874542ABA164484C281E7731\n"
          "Signature Date Signed {date}\nName (printed): John Doe\nTitle: CISO")


def parties(customer: str | None, partner: str | None):
    from poe_checker.model import Party
    return claim(customer=Party(name="Contoso", domain="contoso.com", country=customer),
                 partner=Party(name="Fabrikam", partner_id="5272302", country=partner))


def signed_on(date: str):
    from ..modelkit import text_document
    doc = text_document("sow.pdf", SIGNED.format(date=date))
    assert [d.read_because for d in doc.dates] == ["default_month_first"]   # nothing in it tells
    return package(doc)


@pytest.mark.parametrize("customer, partner, status, words", [
    ("GB", "GB", "pass", "read as 3 December 2024 (day-first: nothing in the document tells, and the claim's "
                         "parties are in GB)"),
    ("US", "US", "fail", "read as 12 March 2024 (month-first: nothing in the document tells, and the claim's "
                         "parties are in US)"),
    ("GB", "US", "warn", "reads as 12 March 2024 or as 3 December 2024"),
    (None, None, "warn", "only one of them is within 12 months"),
])
def test_the_claims_countries_settle_a_date_the_document_does_not(customer, partner, status, words):
    r = recency.check(signed_on("03/12/2024"), parties(customer, partner))
    assert r.status == status and words in r.message


def test_an_open_date_whose_two_readings_are_both_recent_passes():
    # 05/06/2025: 6 May or 5 June 2025, both within 12 months of 2025-09-15
    r = recency.check(signed_on("05/06/2025"), parties(None, None))
    assert r.status == "pass"
