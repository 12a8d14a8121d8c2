import datetime as dt
import random
import time

import pytest

from poe_checker.model import Email, Mailbox, Page
from poe_checker.reading.dates import find_dates

from ..modelkit import boxed_page


def dates(text: str, **kw):
    return find_dates((Page(1, text),), **kw)


def values(text: str) -> list[str]:
    return [d.value.isoformat() for d in dates(text)]


def one(text: str):
    found = dates(text)
    assert len(found) == 1, [(d.value, d.where.text) for d in found]
    return found[0]


@pytest.mark.parametrize("text, iso", [
    ("6/5/2025", "2025-06-05"),
    ("06/05/25", "2025-06-05"),
    ("05.06.2025", "2025-06-05"),
    ("05.06.25", "2025-06-05"),
    ("5-6-2025", "2025-05-06"),
    ("2025-06-05", "2025-06-05"),
    ("2025/06/05", "2025-06-05"),
    ("2025.06.05", "2025-06-05"),
    ("June 5, 2025", "2025-06-05"),
    ("June 5th 2025", "2025-06-05"),
    ("Jun 5 2025", "2025-06-05"),
    ("Jun. 5, 2025", "2025-06-05"),
    ("Sept. 5, 2025", "2025-09-05"),
    ("JUNE 5,2025", "2025-06-05"),
    ("5 Jun 2025", "2025-06-05"),
    ("5 June, 2025", "2025-06-05"),
    ("5th of June 2025", "2025-06-05"),
    ("05-Jun-2025", "2025-06-05"),
    ("05-JUN-25", "2025-06-05"),
    ("Tuesday, June 10, 2025", "2025-06-10"),
    ("Tue, 10 Jun 2025 09:35:00 +0000", "2025-06-10"),
    ("Tue 6/10/2025 9:35 AM", "2025-06-10"),
    ("2025-06-05T10:00:00Z", "2025-06-05"),
    ("2025-06-05T10:00:00.123+02:00", "2025-06-05"),
    ("/CreationDate (D:20250605103000+02'00')", "2025-06-05"),
    ("5. Juni 2025", "2025-06-05"),
    ("5 de junio de 2025", "2025-06-05"),
    ("1er juin 2025", "2025-06-01"),
    ("le 5 mars 2025", "2025-03-05"),
    ("3/1/98", "1998-03-01"),
])
def test_formats(text, iso):
    assert values(text) == [iso]


@pytest.mark.parametrize("text", [
    "2025-02-30", "31/04/2025", "February 29, 2025", "13/13/2025",  # impossible
    "1899-01-01", "June 5, 2101", "01/01/1980",  # implausible years
    "version 1.2.3", "v10.0.1", "Windows 10.0.19045", "build 1.2.25",  # versions
    "$6.05", "6.05 USD", "ID 2025060512345", "Ref 20250605",  # amounts and IDs
    "+1-111-555-1234", "(425) 555-0100", "+44 20 7946 0958", "call 555-12-2025x",  # phones
    "10.12.20.1", "192.168.1.1",  # addresses
    "June 2025", "June 5", "5 June", "Windows 10 2025", "pages 5 - 7",  # no full date
    "5-6-25",  # dash dates need a four-digit year unless zero-padded
    "Q3 2025", "FY2025-06", "12:30", "10:00 AM",
])
def test_not_dates(text):
    assert values(text) == []


def test_guide_template_signature_and_engagement():
    text = ("Engagement Start and End Date\tJune 1, 2025 – September 10, 2025 3\n"
            "Section 3.1 (Required): Customer Acknowledgment*\n"
            "*Customer acknowledgement must be dated within 12 months of claim submission. "
            "Applicable for Dates Signed field below.\n"
            "1\tE-Signed by: John Doe\n"
            "Signature\tDate Signe 6/5/2025\n")
    found = dates(text)
    assert [(d.value.isoformat(), d.role) for d in found] == [
        ("2025-06-01", "engagement_start"),
        ("2025-09-10", "engagement_end"),
        ("2025-06-05", "signature"),
    ]
    assert found[0].where.text == "Engagement Start and End Date\tJune 1, 2025"
    assert found[1].where.text == "Engagement Start and End Date\tJune 1, 2025 – September 10, 2025"
    assert found[2].where.text.endswith("Date Signe 6/5/2025")
    assert found[2].day_first is False  # read month-first: June 5


@pytest.mark.parametrize("text, role", [
    ("Date Signed 6/5/2025", "signature"),
    ("Date Signe 6/5/2025", "signature"),
    ("Signed on June 5, 2025", "signature"),
    ("Signature Date: 2025-06-05", "signature"),
    ("Signed Date 06/05/2025", "signature"),
    ("Date of signature: 5 June 2025", "signature"),
    ("Signing date - 2025-06-05", "signature"),
    ("Signed: 6/5/2025 | 10:40:10 AM", "signature"),
    ("E-Signed 2025-06-05", "signature"),
    ("Date Signed\n6/5/2025", "signature"),
    ("Date\r\nSigned: 6/5/2025", "signature"),  # a label wrapped over two lines (CRLF text)
    ("Signature\tDate 6/5/2025", "other"),  # a tab separates two cells, not the words of one label
    ("Date of signature\nJohn Doe    CISO    06/05/2025", "signature"),
    ("Start Date: 6/1/2025", "engagement_start"),
    ("Project start 2025-06-01", "engagement_start"),
    ("Kick-off: June 2, 2025", "engagement_start"),
    ("Kickoff 2025-06-02", "engagement_start"),
    ("End Date: 9/10/2025", "engagement_end"),
    ("Completion date 30.09.2025", "engagement_end"),
    ("Go-live: 2025-08-15", "engagement_end"),
    ("Engagement Start and End Date: June 1, 2025", "engagement_start"),
    ("Invoice Date: 2025-06-30", "invoice"),
    ("Date of issue 30 June 2025", "invoice"),
    ("Billing date 06/30/2025", "invoice"),
    ("INVOICE DATE: 06/30/2025", "invoice"),
    ("Signed by John Doe, CISO  Date: 6/5/2025", "signature"),  # "Date:" defers to the label before it
    ("TOTAL AMOUNT DUE ON August 3 , 2014", "other"),
    ("DATE: 2022-11-13", "other"),  # a bare "Date:" outside an email header block
    ("Sent: 6/1/2025 10:35 AM", "other"),  # DocuSign event, not an email header
    ("The meeting on 2025-06-05 went well.", "other"),
])
def test_roles(text, role):
    assert one(text).role == role


def test_label_only_counts_when_close_and_not_taken_by_an_earlier_date():
    found = dates("Start Date: 6/1/2025 End Date: 9/10/2025 reviewed 9/12/2025")
    assert [d.role for d in found] == ["engagement_start", "engagement_end", "other"]
    far = "Date Signed" + " " * 5 + "x" * 70 + " 6/5/2025"
    assert one(far).role == "other"
    two_lines_up = "Date Signed\n\nsome words\n6/5/2025"
    assert one(two_lines_up).role == "other"
    inside_word = "Undesigned 6/5/2025"
    assert one(inside_word).role == "other"


def test_email_header_block():
    text = ("-----Original Message-----\n"
            "From: John Doe <john@contoso.com>\n"
            "Sent: Tuesday, June 10, 2025 9:35 AM\n"
            "To: Ann <ann@fabrikam.com>\n"
            "Subject: RE: Defender rollout\n")
    d = one(text)
    assert (d.value, d.role) == (dt.date(2025, 6, 10), "email_sent")
    assert d.where.text == "Sent: Tuesday, June 10, 2025"
    gmail = ("---------- Forwarded message ---------\nFrom: John <john@contoso.com>\n"
             "Date: Tue, Jun 10, 2025 at 9:35 AM\nSubject: POE\nTo: <ann@fabrikam.com>\n")
    assert (one(gmail).value, one(gmail).role) == (dt.date(2025, 6, 10), "email_sent")


def test_reply_attribution():
    d = one("> On Tue, Jun 10, 2025 at 9:35 AM John Doe <john@contoso.com> wrote:\n> Approved.")
    assert (d.value, d.role) == (dt.date(2025, 6, 10), "email_sent")


def test_email_sent_at_added_first():
    mail = Email(subject="Approval", sender=Mailbox("John", "john@contoso.com"),
                 sent_at=dt.datetime(2025, 6, 10, 9, 35, tzinfo=dt.timezone.utc))
    found = find_dates((Page(None, "Approved on 2025-06-09"),), email=mail)
    assert found[0].value == dt.date(2025, 6, 10) and found[0].role == "email_sent"
    assert found[0].where.page is None and found[0].where.bbox is None
    assert found[0].where.text.startswith("Sent: Tue, 10 Jun 2025 09:35")
    assert found[1].value == dt.date(2025, 6, 9)
    assert find_dates((), email=Email(subject="x", sender=None)) == ()


@pytest.mark.parametrize("text, expected", [
    ("June 1, 2025 – September 10, 2025", [("2025-06-01", "other"), ("2025-09-10", "other")]),
    ("Engagement dates: June 1 - September 10, 2025",
     [("2025-06-01", "engagement_start"), ("2025-09-10", "engagement_end")]),
    ("Project period: 01/06/2025 to 10/09/2025",  # no part > 12: month-first by default
     [("2025-01-06", "engagement_start"), ("2025-10-09", "engagement_end")]),
    ("Engagement period 1 June – 10 September 2025",
     [("2025-06-01", "engagement_start"), ("2025-09-10", "engagement_end")]),
    ("Project timeline June 1 – 10, 2025", [("2025-06-01", "engagement_start"), ("2025-06-10", "engagement_end")]),
    ("Engagement period: December 1 - January 31, 2026",
     [("2025-12-01", "engagement_start"), ("2026-01-31", "engagement_end")]),
    ("between June 1 and June 30, 2025", [("2025-06-01", "other"), ("2025-06-30", "other")]),
    ("Engagement Start and End Date 6/1/2025 9/10/2025",
     [("2025-06-01", "engagement_start"), ("2025-09-10", "engagement_end")]),
    ("Signed 6/5/2025 and 6/7/2025", [("2025-06-05", "signature"), ("2025-06-07", "other")]),
])
def test_ranges(text, expected):
    assert [(d.value.isoformat(), d.role) for d in dates(text)] == expected


def test_day_first_switch_from_an_unambiguous_date():
    found = dates("Period 01/06/2025 to 10/09/2025; invoice 13/05/2025")
    assert [d.value.isoformat() for d in found] == ["2025-06-01", "2025-09-10", "2025-05-13"]
    assert [d.day_first for d in found] == [True, True, None]


def test_month_first_evidence_and_conflict():
    assert [(d.value.isoformat(), d.day_first) for d in dates("05/13/2025 and 06/05/2025")] == \
        [("2025-05-13", None), ("2025-06-05", False)]
    # Both kinds in one document: no document-wide reading, the ambiguous one stays month-first.
    assert dates("13/05/2025 05/14/2025 06/05/2025")[-1].value == dt.date(2025, 6, 5)


def test_day_first_across_pages():
    pages = (Page(1, "Date Signed 06/05/2025"), Page(2, "Invoice date 25/05/2025"))
    first = find_dates(pages)[0]
    assert (first.value, first.day_first, first.where.page) == (dt.date(2025, 5, 6), True, 1)


def test_dotted_dates_are_day_first_and_do_not_switch_slashes():
    found = dates("05.06.2025 and 06/05/2025")
    assert [(d.value.isoformat(), d.day_first) for d in found] == [("2025-06-05", True), ("2025-06-05", False)]


def test_weekday_settles_one_date():
    assert (one("Tue 6/10/2025").value, one("Tue 6/10/2025").day_first) == (dt.date(2025, 6, 10), False)
    assert (one("Mon 6/10/2025").value, one("Mon 6/10/2025").day_first) == (dt.date(2025, 10, 6), True)


def test_day_first_is_none_when_unambiguous():
    assert one("5/5/2025").day_first is None
    assert one("25/05/2025").day_first is None
    assert one("June 5, 2025").day_first is None


def test_bbox_covers_label_and_date():
    page = boxed_page("Customer Contoso\nSignature   Date Signed 6/5/2025\n")
    d = find_dates((page,))[0]
    assert d.role == "signature"
    start = page.text.index("Date Signed")
    end = page.text.index("6/5/2025") + len("6/5/2025")
    assert d.where.span == (start, end)
    assert d.where.text == "Date Signed 6/5/2025"
    assert d.where.bbox == page.bbox_of(start, end)
    col = page.text.split("\n")[1].index("Date")
    assert d.where.bbox == (5.0 * col, 12.0, 5.0 * (len("Signature   Date Signed 6/5/2025")), 22.0)
    assert d.where.page == 1


def test_bbox_label_on_line_above():
    page = boxed_page("Date Signed\n6/5/2025")
    d = find_dates((page,))[0]
    assert d.where.bbox == (0.0, 0.0, 55.0, 22.0)


def test_pages_without_layout_and_empty():
    assert find_dates(()) == ()
    assert find_dates((Page(None, ""), Page(None, "Date Signed 6/5/2025"))) == \
        find_dates((Page(None, "Date Signed 6/5/2025"),))
    d = find_dates((Page(None, "Date Signed 6/5/2025"),))[0]
    assert d.where.page is None and d.where.bbox is None


def test_unicode_lowering_keeps_positions():
    d = one("İstanbul İİİ Date Signed 6/5/2025")
    assert d.role == "signature" and d.where.text == "Date Signed 6/5/2025"


def test_speed_dense_document(capsys):
    block = ("Statement of Work between Contoso Ltd and Fabrikam Inc for 2,500 devices. Engagement Start and End "
             "Date June 1, 2025 – September 10, 2025. Phone +1-425-555-0100. Version 10.0.19045.\n"
             "Invoice Date: 06/05/2025 Total: $12,500.00 USD. Date Signed 6/5/2025. Kick-off 5 Jun 2025, "
             "pilot 2025-07-01, rollout complete by Tuesday, August 12, 2025.\n")
    text = (block * (15000 // len(block) + 1))[:15000]
    pages = tuple(boxed_page(text[i * 3000:(i + 1) * 3000], i + 1) for i in range(5))
    found = find_dates(pages)
    assert len(found) > 100
    best = min(_elapsed(find_dates, pages) for _ in range(30))
    with capsys.disabled():
        print(f"\nfind_dates: 15,000 chars / 5 pages with word boxes, {len(found)} dates: {best * 1000:.2f} ms")


def _elapsed(fn, pages) -> float:
    t = time.perf_counter()
    fn(pages)
    return time.perf_counter() - t


def test_never_raises_on_noise():
    rng = random.Random(42)
    alphabet = "0123456789/.-,: \n\tJuneMaySeptDate Signed$€£¥T+()İß\u00a0"
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(200)))
        for d in find_dates((Page(1, text),)):
            assert 1990 <= d.value.year <= 2100
            assert d.where.span is not None and 0 <= d.where.span[0] <= d.where.span[1] <= len(text)


def test_an_ambiguous_date_follows_how_the_document_writes_its_other_dates():
    from poe_checker.reading.dates import find_dates
    from poe_checker.model import Page

    uk = Page(1, "Agreement between Pike and Sons Limited, Leeds, United Kingdom and Fabrikam.\n"
                 "Kick-off 5 June 2024; closure 30 September 2024.\nDate Signed: 03/12/2024")
    (signed,) = [d for d in find_dates((uk,)) if d.role == "signature"]
    assert signed.value == dt.date(2024, 12, 3) and signed.day_first is True
    assert signed.read_because == "written_dates" and "3 December 2024 (day-first" in signed.reading
    us = Page(1, "Agreement between Contoso Inc., Redmond, United States and Fabrikam.\n"
                 "Kick-off June 5, 2024; closure September 30, 2024.\nDate Signed: 03/12/2024")
    (signed,) = [d for d in find_dates((us,)) if d.role == "signature"]
    assert signed.value == dt.date(2024, 3, 12) and signed.day_first is False
    by_country = Page(1, "Pike and Sons Limited, 1 High Street, Leeds, United Kingdom\nDate Signed: 03/12/2024")
    (signed,) = [d for d in find_dates((by_country,)) if d.role == "signature"]
    assert signed.value == dt.date(2024, 12, 3) and signed.read_because == "countries"
    nothing = Page(1, "Date Signed: 03/12/2024")
    (signed,) = [d for d in find_dates((nothing,)) if d.role == "signature"]
    assert signed.value == dt.date(2024, 3, 12) and signed.read_because == "default_month_first"


def test_a_month_name_misread_by_ocr_is_mended_on_scans_only():
    from poe_checker.model import Page
    text = "Date: Janudry 9, 2025\nSigned 12 Septembar 2025\nMarket 5 stalls, Junk 3 boxes"
    scan = Page(1, text, (), None, None, ocr=True)
    found = [(d.value, d.where.text) for d in find_dates((scan,))]
    assert [v for v, _ in found] == [dt.date(2025, 1, 9), dt.date(2025, 9, 12)]
    assert found[0][1] == "Date: Janudry 9, 2025"          # the evidence quotes what the page says
    assert not find_dates((Page(1, text, (), None, None),))   # a text layer is read as written
