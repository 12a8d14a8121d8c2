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
