import time
from decimal import Decimal

import pytest

from poe_checker.model import Page
from poe_checker.reading.amounts import find_amounts

from ..modelkit import boxed_page


def amounts(*texts: str):
    return find_amounts(tuple(Page(i + 1, t) for i, t in enumerate(texts)))


def one(text: str):
    found = amounts(text)
    assert len(found) == 1, [(a.value, a.currency, a.where.text) for a in found]
    return found[0]


@pytest.mark.parametrize("text, value, currency", [
    ("$1,500.00", "1500.00", "USD"),
    ("US$ 1,500", "1500", "USD"),
    ("USD 1,500.00", "1500.00", "USD"),
    ("1,500.00 USD", "1500.00", "USD"),
    ("USD1500", "1500", "USD"),
    ("1,500 US Dollars", "1500", "USD"),
    ("1,500 U.S. dollars", "1500", "USD"),
    ("\\$1,000.00 USD", "1000.00", "USD"),  # the guide's own (markdown-escaped) invoice template
    ("$      1,000.00", "1000.00", "USD"),  # accounting layout
    ("$6.05", "6.05", "USD"),
    ("1.500,00 EUR", "1500.00", "EUR"),
    ("€1.500,00", "1500.00", "EUR"),
    ("1.500,00 €", "1500.00", "EUR"),
    ("EUR 1 500,00", "1500.00", "EUR"),
    ("EUR 1\u00a0500,00", "1500.00", "EUR"),
    ("12,5 €", "12.5", "EUR"),
    ("1.500 EUR", "1500", "EUR"),
    ("EUR 1.500.000", "1500000", "EUR"),
    ("1.500.000,50 EUR", "1500000.50", "EUR"),
    ("£250", "250", "GBP"),
    ("INR 1,25,000.00", "125000.00", "INR"),
    ("₹12,50,000", "1250000", "INR"),
    ("Rs. 1,500", "1500", "INR"),
    ("CAD 2,000", "2000", "CAD"),
    ("C$ 2,000", "2000", "CAD"),
    ("A$ 300.50", "300.50", "AUD"),
    ("R$ 1.234,56", "1234.56", "BRL"),
    ("¥100,000", "100000", "JPY"),
    ("JPY 100000", "100000", "JPY"),
    ("CHF 1'500.00", "1500.00", "CHF"),
    ("KWD 1.500", "1.500", "KWD"),  # three minor digits
    ("RMB 8,000", "8000", "CNY"),
    ("0.500 USD", "0.500", "USD"),
])
def test_formats(text, value, currency):
    a = one(text)
    assert (a.value, a.currency) == (Decimal(value), currency)
    assert a.where.text == text.lstrip("\\")


@pytest.mark.parametrize("text", [
    "1,500", "2,500 devices", "Phone +1-111-555-1234", "version 10.0.1", "2025-06-05", "06/05/2025",
    "ID 2025060512345", "FY2025 USD", "20% discount", "Total 40 hours", "Total: 1,500",
    "Windows 10", "usd 100",  # codes count in capitals only ("try 5 times" is not Turkish lira)
])
def test_not_amounts(text):
    assert amounts(text) == ()


def test_dollar_is_usd_unless_another_dollar_is_named():
    assert one("Fee $1,500.00").currency == "USD"
    found = amounts("Fee $1,500.00", "All prices in CAD.")
    assert found[0].currency is None
    found = amounts("Fee $1,500.00 and C$ 200")
    assert [a.currency for a in found] == [None, "CAD"]
    assert one("Price 1,000 dollars").currency == "USD"
    assert amounts("Price 1,000 dollars (Canadian dollars)")[0].currency is None
    # A code after the symbol says which dollar it is.
    assert [a.currency for a in amounts("$100 CAD and $200 USD")] == ["CAD", "USD"]
    assert amounts("AutoCAD licence $500")[0].currency == "USD"


@pytest.mark.parametrize("text, label", [
    ("Total: $1,500.00", "Total"),
    ("Amount due: USD 1,500.00", "Amount due"),
    ("Invoice amount (USD) $1,000.00", "Invoice amount (USD)"),
    ("Subtotal\t$900.00", "Subtotal"),
    ("VAT 20%: €100,00", "VAT 20%"),
    ("Tax = $10.00", "Tax"),
    ("Please pay the total amount due of $500", "total amount due"),
    ("Amount due\n$2,000.00", "Amount due"),
    ("Enable Frontline Workshop  $1,000.00 USD", "Enable Frontline Workshop"),
    ("$1,000.00", None),
])
def test_labels(text, label):
    assert one(text).label == label


def test_labels_of_several_amounts_on_one_line():
    found = amounts("Subtotal $900.00  VAT $100.00  Total $1,000.00")
    assert [(a.label, a.value) for a in found] == [
        ("Subtotal", Decimal("900.00")), ("VAT", Decimal("100.00")), ("Total", Decimal("1000.00"))]


def test_column_header_label_in_tab_table():
    text = ("MCI ENGAGEMENT CLAIM ID #\tENGAGEMENT NAME\tPRE-TAX FEE AMOUNT\n"
            "3016006\tEnable Frontline Workshop\t\\$1,000.00 USD\n")
    a = one(text)
    assert (a.value, a.currency, a.label) == (Decimal("1000.00"), "USD", "PRE-TAX FEE AMOUNT")
    rows = "Item\tQty\tPrice\nWidget\t2\t$50.00\nGadget\t1\t$25.00"
    assert [(a.label, a.value) for a in amounts(rows)] == [("Price", Decimal("50.00")), ("Price", Decimal("25.00"))]


def test_bare_number_after_strong_label():
    a = one("Proposed payout (USD): 1956")
    assert (a.value, a.currency, a.label) == (Decimal("1956"), "USD", "Proposed payout (USD)")
    assert a.where.text == "Proposed payout (USD): 1956"
    a = one("Invoice amount (Incentive rate) in US Dollars: 1,000")
    assert (a.value, a.currency) == (Decimal("1000"), "USD")
    # With cents, the document's one currency is used.
    found = amounts("Total 1,500.00", "Fee: EUR 20,00")
    assert [(a.value, a.currency, a.label) for a in found] == [
        (Decimal("1500.00"), "EUR", "Total"), (Decimal("20.00"), "EUR", "Fee")]
    # No currency anywhere, or several: left out.
    assert amounts("Total 1,500.00") == ()
    assert [a.currency for a in amounts("Total 1,500.00\nEUR 5 and GBP 6")] == ["EUR", "GBP"]


def test_guide_invoice_and_payout_lines():
    found = amounts("Total earned 0.00 USD\nTotal paid 0.00 USD\nProposed payout (USD): 1630")
    assert [(a.value, a.currency, a.label) for a in found] == [
        (Decimal("0.00"), "USD", "Total earned"), (Decimal("0.00"), "USD", "Total paid"),
        (Decimal("1630"), "USD", "Proposed payout (USD)")]


def test_local_currency_beside_usd():
    found = amounts("Total: EUR 1.500,00 (USD 1,620.00)")
    assert [(a.value, a.currency) for a in found] == [(Decimal("1500.00"), "EUR"), (Decimal("1620.00"), "USD")]


def test_bbox_and_span():
    page = boxed_page("INVOICE\nTotal due:   USD 1,500.00\n")
    a = find_amounts((page,))[0]
    start = page.text.index("USD")
    end = page.text.index("1,500.00") + len("1,500.00")
    assert a.where.span == (start, end)
    assert a.where.page == 1
    assert a.where.bbox == page.bbox_of(start, end) == (65.0, 12.0, 125.0, 22.0)
    assert a.label == "Total due"


def test_signs_and_mark_between_amounts():
    assert [(a.value, a.currency, a.where.text) for a in amounts("Justificatif PDF 1 0,75 € 0,75 €")] == [
        (Decimal("0.75"), "EUR", "0,75 €"), (Decimal("0.75"), "EUR", "0,75 €")]
    assert one("Credit -$100.00").value == Decimal("-100.00")
    assert one("Afschrijving € -9,32").value == Decimal("-9.32")
    assert one("Discount -100 EUR").value == Decimal("-100")
    assert one("(USD 1,620.00)").value == Decimal("1620.00")  # parentheses are an aside, not a credit


def test_space_groups():
    assert [(a.value, a.where.text) for a in amounts("$500 250 licences")] == [(Decimal("500"), "$500")]
    assert one("EUR 1 500").value == Decimal("1500")
    assert one("1 500 EUR").value == Decimal("1500")
    assert one("1,500 US\r\nDollars").currency == "USD"


def test_year_after_month_is_not_an_amount():
    found = amounts("''Afschrijvingskosten'' op 31 mei 2015 € -9,32")
    assert [(a.value, a.currency) for a in found] == [(Decimal("-9.32"), "EUR")]


def test_never_raises_on_noise():
    import random
    rng = random.Random(42)
    alphabet = "0123456789.,' -$€£¥USDEURTotal:()\n\t\u00a0İ"
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(200)))
        for a in find_amounts((Page(1, text),)):
            assert a.where.span is not None and 0 <= a.where.span[0] < a.where.span[1] <= len(text)


def test_empty_input():
    assert find_amounts(()) == ()
    assert find_amounts((Page(None, ""),)) == ()


def test_speed_dense_document(capsys):
    block = ("Invoice Date: 06/05/2025 Claim 3016006. Subtotal $12,500.00  VAT 20% EUR 1.500,00  Total: "
             "$14,000.00 USD for 2,500 devices, version 10.0.19045, phone +1-425-555-0100.\n"
             "Fees of 3 workshops at $1,500 each; INR 1,25,000.00 local; Proposed payout (USD): 1956.\n")
    text = (block * (15000 // len(block) + 1))[:15000]
    pages = tuple(boxed_page(text[i * 3000:(i + 1) * 3000], i + 1) for i in range(5))
    found = find_amounts(pages)
    assert len(found) > 80
    best = min(_elapsed(pages) for _ in range(30))
    with capsys.disabled():
        print(f"\nfind_amounts: 15,000 chars / 5 pages with word boxes, {len(found)} amounts: {best * 1000:.2f} ms")


def _elapsed(pages) -> float:
    t = time.perf_counter()
    find_amounts(pages)
    return time.perf_counter() - t
