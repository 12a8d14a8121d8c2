"""EML extraction: headers, new text versus quoted history, attachments, and malformed mail."""

import datetime as dt
import email
from email import policy
from email.message import EmailMessage

import pytest

from poe_checker.errors import EmptyDocument, EncryptedDocument, UnsupportedFormat
from poe_checker.extractors import eml
from poe_checker.limits import DEFAULT_LIMITS, Limits
from poe_checker.model import Mailbox


def _message(subject: str, body: str, **headers) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = headers.pop("From", "Jane Customer <jane@contoso.com>")
    msg["To"] = headers.pop("To", "Sam Partner <sam@fabrikam.com>")
    msg["Subject"] = subject
    msg["Date"] = headers.pop("Date", "Wed, 11 Jun 2025 11:02:00 -0700")
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg


def _extract(msg_or_bytes, limits: Limits = DEFAULT_LIMITS):
    data = msg_or_bytes if isinstance(msg_or_bytes, bytes) else msg_or_bytes.as_bytes()
    return eml.extract(data, limits)


def test_customer_reply_with_quoted_history():
    body = ("Approved. Please go ahead with the Intune rollout for our 250 devices.\n\nJane\n\n"
            "On Tue, Jun 10, 2025 at 9:35 AM John Doe <john@contoso.com> wrote:\n"
            "> Hi Jane, can you confirm the scope?\n> Thanks, John\n")
    msg = _message("RE: Intune rollout scope", body, Cc="Pat <pat@contoso.com>, ops@fabrikam.com",
                   In_Reply_To="<abc@fabrikam.com>")
    x = _extract(msg)
    mail = x.email
    assert mail.subject == "RE: Intune rollout scope"
    assert mail.sender == Mailbox("Jane Customer", "jane@contoso.com")
    assert mail.to == (Mailbox("Sam Partner", "sam@fabrikam.com"),)
    assert mail.cc == (Mailbox("Pat", "pat@contoso.com"), Mailbox("", "ops@fabrikam.com"))
    assert mail.sent_at == dt.datetime(2025, 6, 11, 18, 2, tzinfo=dt.timezone.utc)
    assert mail.sent_at.utcoffset() == dt.timedelta(hours=-7)
    assert mail.body_new == "Approved. Please go ahead with the Intune rollout for our 250 devices.\n\nJane"
    assert mail.body_quoted.startswith("On Tue, Jun 10, 2025 at 9:35 AM John Doe <john@contoso.com> wrote:")
    assert "> Thanks, John" in mail.body_quoted
    assert mail.is_reply and not mail.is_forward
    assert mail.in_reply_to == "<abc@fabrikam.com>"

    (page,) = x.pages
    assert page.number is None
    assert page.text.startswith(
        "From: Jane Customer <jane@contoso.com>\nTo: Sam Partner <sam@fabrikam.com>\n"
        "Cc: Pat <pat@contoso.com>, ops@fabrikam.com\nDate: Wed, 11 Jun 2025 11:02:00 -0700\n"
        "Subject: RE: Intune rollout scope\n\nApproved. Please go ahead")
    assert page.text.endswith(mail.body_quoted)
    assert page.text.index(mail.body_new) < page.text.index(mail.body_quoted)
    assert page.words and all(page.text[w.start:w.end] == w.text and w.bbox is None for w in page.words)
    assert x.attachments == ()


def test_quoted_block_alone_makes_a_reply():
    msg = _message("Intune scope", "Yes, confirmed.\n\n> Can you confirm the 250 devices?\n")
    mail = _extract(msg).email
    assert mail.is_reply and mail.body_new == "Yes, confirmed." and mail.in_reply_to is None


def test_outlook_style_reply():
    body = ("Looks good, we accept the deliverables.\n\n-----Original Message-----\n"
            "From: Sam Partner <sam@fabrikam.com>\nSent: Tuesday, June 10, 2025 9:35 AM\n"
            "To: Jane Customer <jane@contoso.com>\nSubject: Deliverables\n\nPlease review the attached report.\n")
    mail = _extract(_message("RE: Deliverables", body)).email
    assert mail.body_new == "Looks good, we accept the deliverables."
    assert mail.body_quoted.startswith("-----Original Message-----\nFrom: Sam Partner")
    assert mail.is_reply and not mail.is_forward


def test_outlook_header_block_without_separator_line():
    body = ("Agreed.\n\nFrom: Sam Partner <sam@fabrikam.com>\nSent: Tuesday, June 10, 2025 9:35 AM\n"
            "To: Jane Customer\nSubject: Plan\n\nOld text\n")
    mail = _extract(_message("Plan", body)).email
    assert (mail.body_new, mail.is_reply) == ("Agreed.", True)
    assert mail.body_quoted.startswith("From: Sam Partner")


def test_forward():
    body = ("FYI, the customer signed off.\n\n---------- Forwarded message ---------\n"
            "From: Jane Customer <jane@contoso.com>\nDate: Tue, Jun 10, 2025 at 9:35 AM\n"
            "Subject: Sign-off\nTo: Sam <sam@fabrikam.com>\n\nWe approve the project.\n")
    msg = _message("Fwd: Sign-off", body, From="Sam Partner <sam@fabrikam.com>")
    mail = _extract(msg).email
    assert mail.is_forward and not mail.is_reply
    assert mail.body_new == "FYI, the customer signed off."
    assert "We approve the project." in mail.body_quoted
    assert mail.sender.domain == "fabrikam.com"


def test_forward_marker_without_subject_prefix_and_reply_forward_subject():
    body = "See below\n\nBegin forwarded message:\n\nFrom: Jane\nSubject: x\n\nOld\n"
    assert _extract(_message("Sign-off", body)).email.is_forward
    mail = _extract(_message("RE: FW: Sign-off", "Thanks!")).email
    assert mail.is_reply and not mail.is_forward   # a reply to a forwarded thread is the sender's own answer


def test_html_only_message():
    msg = EmailMessage()
    msg["From"] = "jane@contoso.com"
    msg["Subject"] = "Acceptance"
    msg.set_content(
        "<html><head><style>.x{color:red}</style><script>var t='tracking';</script></head><body>"
        "<p>Hello Sam,</p><div>We accept the <b>Defender for Endpoint</b> rollout.<br>Regards, Jane</div>"
        "<img src='https://tracker.example.com/p.gif'>"
        "<div class='gmail_quote'>On Mon, Jun 9, 2025 at 8:00 AM Sam &lt;sam@fabrikam.com&gt; wrote:"
        "<blockquote>Please confirm.</blockquote></div></body></html>", subtype="html")
    mail = _extract(msg).email
    assert mail.body_new == "Hello Sam,\nWe accept the Defender for Endpoint rollout.\nRegards, Jane"
    assert mail.body_quoted.startswith("On Mon, Jun 9, 2025 at 8:00 AM Sam <sam@fabrikam.com> wrote:")
    assert "> Please confirm." in mail.body_quoted
    assert "tracking" not in mail.body_new and "color" not in mail.body_new and "tracker" not in mail.body_new
    assert mail.is_reply


def test_plain_text_is_preferred_over_html():
    msg = _message("Plan", "plain version of the text")
    msg.add_alternative("<p>html version of the text</p>", subtype="html")
    assert _extract(msg).email.body_new == "plain version of the text"


def test_pdf_attachment_inline_image_and_nested_message():
    inner = _message("SOW signed", "We accept the statement of work.", From="cfo@contoso.com")
    outer = _message("Documents", "Both documents attached.")
    pdf = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    outer.add_attachment(pdf, maintype="application", subtype="pdf", filename="..\\..\\Signed SOW.pdf")
    outer.add_attachment(b"\x89PNG\r\n\x1a\nfake", maintype="image", subtype="png", disposition="inline")
    outer.add_attachment(inner)
    x = _extract(outer)
    assert x.email.body_new == "Both documents attached."
    names = [a.name for a in x.attachments]
    assert names == ["Signed SOW.pdf", "attachment-2.png", "SOW signed.eml"]
    assert x.attachments[0].data == pdf
    nested = email.message_from_bytes(x.attachments[2].data, policy=policy.default)
    assert nested["Subject"] == "SOW signed"
    assert "We accept the statement of work." in nested.get_content()
    # the nested bytes are a mail the EML extractor reads again, as the pipeline will
    assert eml.extract(x.attachments[2].data, DEFAULT_LIMITS).email.sender.address == "cfo@contoso.com"


def test_tnef_attachment_is_passed_on():
    msg = _message("Outlook rich text", "see attachment")
    msg.add_attachment(b"\x78\x9f\x3e\x22" + b"\x00" * 20, maintype="application", subtype="ms-tnef",
                       filename="winmail.dat")
    assert [a.name for a in _extract(msg).attachments] == ["winmail.dat"]


def test_bad_and_unknown_charsets_do_not_crash():
    raw = (b"From: =?x-no-such-charset?q?Jos=E9?= <jose@contoso.com>\r\nSubject: Caf\xe9 approval\r\n"
           b"Date: Tue, 10 Jun 2025 09:35:00 +0200\r\nContent-Type: text/plain; charset=x-no-such-charset\r\n"
           b"\r\nCaf\xe9 rollout approved.\r\n")
    mail = _extract(raw).email
    assert mail.body_new == "Café rollout approved."
    assert mail.subject == "Café approval"
    assert mail.sender.address == "jose@contoso.com"

    utf7 = b"Subject: x\r\nContent-Type: text/plain; charset=utf-7\r\n\r\nHi +AOk-quipe\r\n"
    assert _extract(utf7).email.body_new == "Hi équipe"
    broken_utf7 = b"Subject: x\r\nContent-Type: text/plain; charset=utf-7\r\n\r\nHi +\xff\xfe-\r\n"
    assert _extract(broken_utf7).email.body_new.startswith("Hi")


def test_utf16_file_without_bom_and_with_bom():
    text = "From: jane@contoso.com\r\nSubject: Approval\r\n\r\nWe approve.\r\n"
    for data in (text.encode("utf-16-le"), text.encode("utf-16-be"), text.encode("utf-16")):
        mail = _extract(data).email
        assert (mail.subject, mail.body_new) == ("Approval", "We approve.")


def test_missing_boundary_is_recovered():
    raw = (b"From: jane@contoso.com\r\nSubject: boundary mismatch\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/alternative; boundary=\"declared\"\r\n\r\n"
           b"--actual\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nWe approve the plan.\r\n"
           b"--actual\r\nContent-Type: text/html\r\n\r\n<p>We approve the plan.</p>\r\n--actual--\r\n")
    assert _extract(raw).email.body_new == "We approve the plan."


def test_date_without_zone_is_naive_and_bad_date_is_none():
    assert _extract(_message("x", "y", Date="Tue, 10 Jun 2025 09:35:00 -0000")).email.sent_at.tzinfo is None
    x = _extract(b"From: a@contoso.com\r\nDate: not a date at all\r\nSubject: x\r\n\r\ny\r\n")
    assert x.email.sent_at is None
    assert "\nDate: not a date at all\n" in x.pages[0].text  # kept as written for a person to read


def test_smime_signed_reads_inner_content_and_drops_signature():
    raw = (b"From: jane@contoso.com\r\nSubject: signed\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; "
           b"boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nWe approve.\r\n"
           b"--b1\r\nContent-Type: application/pkcs7-signature; name=smime.p7s\r\n"
           b"Content-Disposition: attachment; filename=smime.p7s\r\nContent-Transfer-Encoding: base64\r\n\r\n"
           b"MIAGCSqGSIb3DQEHAqCAMIACAQE=\r\n--b1--\r\n")
    x = _extract(raw)
    assert x.email.body_new == "We approve."
    assert x.attachments == ()
    assert any("signed" in note for note in x.notes)


def test_smime_encrypted_and_pgp_encrypted_are_refused():
    smime = (b"From: jane@contoso.com\r\nSubject: secret\r\nMIME-Version: 1.0\r\n"
             b"Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\r\n"
             b"Content-Transfer-Encoding: base64\r\n\r\nMIAGCSqGSIb3DQEHA6CAMIACAQAx\r\n")
    with pytest.raises(EncryptedDocument, match="S/MIME"):
        _extract(smime)
    pgp = (b"From: jane@contoso.com\r\nSubject: secret\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=b\r\n\r\n"
           b"--b\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n"
           b"--b\r\nContent-Type: application/octet-stream\r\n\r\n-----BEGIN PGP MESSAGE-----\r\nx\r\n--b--\r\n")
    with pytest.raises(EncryptedDocument, match="PGP"):
        _extract(pgp)


def test_message_partial():
    later = (b"From: a@contoso.com\r\nSubject: part\r\nMIME-Version: 1.0\r\n"
             b"Content-Type: message/partial; id=\"x@y\"; number=2; total=3\r\n\r\nrest of it\r\n")
    with pytest.raises(UnsupportedFormat, match="part 2 of 3"):
        _extract(later)
    first = (b"From: a@contoso.com\r\nSubject: part\r\nMIME-Version: 1.0\r\n"
             b"Content-Type: message/partial; id=\"x@y\"; number=1; total=2\r\n\r\n"
             b"From: jane@contoso.com\r\nSubject: Approval\r\nContent-Type: text/plain\r\n\r\nWe approve\r\n")
    x = _extract(first)
    assert (x.email.subject, x.email.body_new) == ("Approval", "We approve")
    assert any("part 1 of 2" in note for note in x.notes)


def test_empty_file_is_refused():
    with pytest.raises(EmptyDocument):
        _extract(b"   \r\n\r\n  ")


def test_long_body_is_cut_at_the_text_limit():
    x = _extract(_message("long", "word " * 5000), Limits(max_text_chars=1000))
    assert len(x.pages[0].text) <= 1000
    assert any("longer than 1000" in note for note in x.notes)


def test_hostile_header_does_not_crash():
    raw = (b"From: \"unterminated <a@b\r\nTo: " + b"(" * 5000 + b"x@y.com\r\nSubject: =?utf-8?b?####?=\r\n"
           b"Date: Mon, 99 Foo 2025 99:99:99 +9999\r\n\r\nbody text\r\n")
    x = _extract(raw)
    assert x.email.body_new == "body text"
