"""Outlook .msg extraction, on real files from ../shared/corpus/msg (skipped when it is absent)."""

import datetime as dt
import time
from pathlib import Path

import pytest

from poe_checker.errors import CorruptDocument, EncryptedDocument
from poe_checker.extractors import msg as msgmod
from poe_checker.limits import DEFAULT_LIMITS
from poe_checker.model import Mailbox
from poe_checker.sniff import OLE_MAGIC, sniff

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "msg"
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not beside this checkout")


def _read(name: str):
    return msgmod.extract((CORPUS / name).read_bytes(), DEFAULT_LIMITS)


def test_ordinary_message_with_cc():
    x = _read("unstructured__fake-email-with-cc-and-bcc.msg")
    mail = x.email
    assert mail.subject == "Fake email with cc and bcc recipients"
    assert mail.sender == Mailbox("John", "johnjennings702@gmail.com")
    assert mail.to == (Mailbox("John Jennings", "john-ctr@unstructured.io"),)
    assert mail.cc == (Mailbox("", "steve@unstructured.io"),)
    assert mail.sent_at == dt.datetime(2024, 7, 29, 20, 38, 11, tzinfo=dt.timezone.utc)
    assert mail.body_new == "This is a test email. Please ignore.\n\nAll the best,\nJohn"
    assert not mail.is_reply and not mail.is_forward and mail.body_quoted == ""
    (page,) = x.pages
    assert page.number is None
    assert page.text.startswith("From: John <johnjennings702@gmail.com>\nTo: John Jennings <john-ctr@unstructured.io>\n"
                                "Cc: steve@unstructured.io\nDate: Mon, 29 Jul 2024 16:38:11 -0400\n"
                                "Subject: Fake email with cc and bcc recipients\n\nThis is a test email.")
    assert all(page.text[w.start:w.end] == w.text and w.bbox is None for w in page.words)


def test_nested_msg_is_handed_over_as_a_standalone_msg():
    x = _read("poi__attachment_msg_pdf.msg")
    assert [a.name for a in x.attachments] == ["Test Attachment.msg", "smbprn.00009008.KdcPjl.pdf"]
    nested, pdf = x.attachments
    assert pdf.data.startswith(b"%PDF-")
    assert nested.data.startswith(OLE_MAGIC) and sniff(nested.data).kind == "msg"
    inner = msgmod.extract(nested.data, DEFAULT_LIMITS)
    assert inner.email.subject == "Test Attachment"
    assert inner.email.sender == Mailbox("Nick Booth", "nick.booth@pof.com.au")


def test_many_recipients_are_capped_and_fast():
    started = time.perf_counter()
    x = _read("poi__lots-of-recipients.msg")
    elapsed = time.perf_counter() - started
    assert len(x.email.to) == 500
    assert x.email.sender.address == "vishu_mankar@yahoo.com"
    assert any("500" in note for note in x.notes)
    assert elapsed < 6, f"took {elapsed:.1f}s"


def test_non_mail_items_yield_their_text_without_an_email():
    task = _read("poi__msgClassTask.msg")
    assert task.email is None
    assert "Must jump over the lazy dog" in task.pages[0].text
    assert "Quick brown fox must do what he must" in task.pages[0].text
    assert any("task" in note for note in task.notes)
    contact = _read("poi__msgClassContact.msg")
    assert contact.email is None and "Fence Co" in contact.pages[0].text


def test_ansi_message_uses_its_internet_codepage():
    assert _read("poi__ASCII_CP1251_LCID1049.msg").email.subject == "Subject автоматически Subject"


def test_signed_message_is_read_without_the_signature_file():
    x = _read("poi__logsat.com_signatures_valid.msg")
    assert x.email.body_new == "This is a valid digitally signed email."
    assert x.attachments == ()
    assert any("signed" in note for note in x.notes)


def test_pgp_encrypted_message_is_refused():
    with pytest.raises(EncryptedDocument, match="PGP"):
        _read("unstructured__fake-encrypted.msg")


@pytest.mark.parametrize("name", [
    "poi__clusterfuzz-testcase-minimized-POIHSMFFuzzer-4735011465854976.msg",
    "poi__clusterfuzz-testcase-minimized-POIHSMFFuzzer-5336473854148608.msg",
])
def test_fuzzed_container_is_corrupt(name):
    with pytest.raises(CorruptDocument, match="damaged Outlook message"):
        _read(name)


def test_message_object_is_closed(monkeypatch):
    closed = []
    original = msgmod._close

    def spy(msg):
        closed.append(msg)
        original(msg)

    monkeypatch.setattr(msgmod, "_close", spy)
    _read("poi__58214_with_attachment.msg")
    assert closed
    with pytest.raises(OSError, match="closed"):  # the OLE file behind the message is closed
        closed[-1].getStream("__substg1.0_0037001F")
