"""The parts EML and MSG share: quoted-history split, subject prefixes, HTML to text, decoding."""

import pytest

from poe_checker.extractors import mailtext


@pytest.mark.parametrize("body, new, quoted_start, kind", [
    ("Approved, go ahead.\n\nOn Tue, Jun 10, 2025 at 9:35 AM John Doe <john@contoso.com> wrote:\n> Can you confirm?",
     "Approved, go ahead.", "On Tue, Jun 10, 2025", "reply"),
    # Gmail wraps a long attribution line: the marker spans two lines.
    ("Approved.\n\nOn Tue, Jun 10, 2025 at 9:35 AM John Doe <\njohn@contoso.com> wrote:\n\n> Can you confirm?",
     "Approved.", "On Tue, Jun 10, 2025", "reply"),
    ("Looks good.\n\n-----Original Message-----\nFrom: John Doe\nSent: Tuesday, June 10, 2025 9:35 AM\nTo: Jane\n\nOld",
     "Looks good.", "-----Original Message-----", "history"),
    ("Agreed.\n\n________________________________\nFrom: John Doe <john@contoso.com>\nSent: 10 June 2025 09:35\n\nOld",
     "Agreed.", "________________________________", "history"),
    ("Agreed.\n\nFrom: John Doe <john@contoso.com>\nSent: Tuesday, June 10, 2025 9:35 AM\nTo: Jane\nSubject: SOW\n\nOld",
     "Agreed.", "From: John Doe", "history"),
    ("FYI\n\n---------- Forwarded message ---------\nFrom: John <john@contoso.com>\nDate: Tue, Jun 10, 2025\n\nOld",
     "FYI", "---------- Forwarded message", "forward"),
    ("See below\n\nBegin forwarded message:\n\nFrom: John\n\nOld", "See below", "Begin forwarded message:", "forward"),
    ("Sent from my phone\n\n-------- Original message --------\nFrom: John\nDate: 6/10/25\n\nOld",
     "Sent from my phone", "-------- Original message --------", "history"),
    ("Danke!\n\nAm 10.06.2025 um 09:35 schrieb John Doe <john@contoso.com>:\n> Alt", "Danke!", "Am 10.06.2025", "reply"),
    ("Plain note with no history at all.\nSecond line.", "Plain note with no history at all.\nSecond line.", "", None),
])
def test_split_quoted_cuts_at_the_first_history_marker(body, new, quoted_start, kind):
    got_new, got_quoted, got_kind = mailtext.split_quoted(body)
    assert got_new == new
    assert got_quoted.startswith(quoted_start)
    assert got_kind == kind


def test_text_that_only_mentions_from_or_wrote_is_not_history():
    body = "From: our side we approve the plan.\nThe team wrote: a detailed runbook."
    assert mailtext.split_quoted(body) == (body, "", None)


@pytest.mark.parametrize("subject, flags", [
    ("RE: FW: Kick-off", (True, True)),
    ("Fwd: SOW signed", (False, True)),
    ("AW: WG: Angebot", (True, True)),
    ("SV: Avtale", (True, False)),
    ("Antw: offerte", (True, False)),
    ("TR: devis", (False, True)),
    ("RV: propuesta", (False, True)),
    ("[EXTERNAL] Re[2]: approval", (True, False)),
    ("Regarding the approval", (False, False)),
    ("Fwding nothing", (False, False)),
])
def test_subject_prefixes(subject, flags):
    assert mailtext.subject_flags(subject) == flags


def test_html_to_text_keeps_lines_drops_scripts_and_marks_quotes():
    html = """<html><head><style>p {color: red}</style><title>t</title></head><body>
    <div>Hello <b>Fabrikam</b>,<br>we approve the <i>Intune</i> rollout.</div><div><br></div>
    <p>Regards</p><script>document.write('tracking')</script>
    <ul><li>250 devices</li><li>3 sites</li></ul>
    <table><tr><td>Phase</td><td>Date</td></tr><tr><td>Pilot</td><td>June</td></tr></table>
    <div style="display:none">preheader junk</div>
    <blockquote>older text<br>more</blockquote>
    <img src="http://tracker.example/pixel.png" alt="">
    </body></html>"""
    text = mailtext.html_to_text(html)
    assert text.split("\n") == [
        "Hello Fabrikam,", "we approve the Intune rollout.", "", "Regards", "250 devices", "3 sites",
        "Phase Date", "Pilot June", "", "> older text", "> more",
    ]


def test_html_to_text_survives_deep_nesting_and_garbage():
    assert mailtext.html_to_text("<div>" * 5000 + "deep" + "</div>" * 5000).strip() == "deep"
    assert mailtext.html_to_text("") == ""
    assert mailtext.html_to_text("<?xml version='1.0' encoding='utf-8'?><p>x</p>") == "x"


@pytest.mark.parametrize("data, charset, expected", [
    ("Café".encode("cp1252"), "no-such-charset", "Café"),
    ("Café".encode("utf-8"), "iso-8859-1", "CafÃ©"),  # declared charset wins when it decodes
    ("Café".encode("cp1252"), "utf-8", "Café"),      # wrong label: falls back instead of crashing
    ("你好".encode("gbk"), "gb2312", "你好"),
    (b"+AGQAaQBl-", "utf-7", "die"),
    (b"abc", "base64_codec", "abc"),                 # a bytes-to-bytes codec is not a charset
])
def test_decode_text_never_fails(data, charset, expected):
    assert mailtext.decode_text(data, charset) == expected


def test_decode_words_handles_encoded_words_and_raw_8bit():
    assert mailtext.decode_words("=?utf-8?q?Caf=C3=A9?= approval") == "Café approval"
    raw_8bit = "Frösche".encode("latin-1").decode("ascii", "surrogateescape")
    assert mailtext.decode_words(raw_8bit) == "Frösche"
    assert mailtext.decode_words("=?x-unknown?b?!!!?=") == "=?x-unknown?b?!!!?="


def test_attachment_names_are_sanitised_unique_and_invented_when_missing():
    namer = mailtext.AttachmentNamer()
    assert namer("..\\..\\Windows\\evil.pdf") == "evil.pdf"
    assert namer("/etc/passwd") == "passwd"
    assert namer("evil.pdf") == "evil (2).pdf"
    assert namer(None, "image/png") == "attachment-4.png"
    assert namer("", "message/rfc822") == "attachment-5.eml"


# ---- reply versus forward: this message's own action ------------------------------------------

@pytest.mark.parametrize("subject, action", [
    ("RE: FW: Kick-off", "reply"),
    ("FW: RE: Approval", "forward"),
    ("Fwd: SOW signed", "forward"),
    ("[EXTERNAL] Re[2]: approval", "reply"),
    ("AW: WG: Angebot", "reply"),
    ("I: offerta", "forward"),
    ("Regarding the approval", None),
])
def test_subject_action_is_the_outermost_prefix(subject, action):
    assert mailtext.subject_action(subject) == action


def _mail(subject: str, body: str, *, in_reply_to: str | None = None, references: bool = False):
    from poe_checker.limits import DEFAULT_LIMITS
    from poe_checker.model import Mailbox

    x = mailtext.build_extraction(subject=subject, sender=Mailbox("John Doe", "john.doe@contoso.com"), to=(), cc=(),
                                  sent_at=None, date_text=None, in_reply_to=in_reply_to, has_references=references,
                                  body=body, attachments=(), notes=(), limits=DEFAULT_LIMITS)
    return x.email


ORIGINAL = ("-----Original Message-----\nFrom: Alex Wilber <alex.wilber@fabrikam.com>\n"
            "Sent: Monday, June 30, 2025 4:12 PM\nTo: John Doe <john.doe@contoso.com>\nSubject: Plan-phase design\n\n"
            "Could you confirm your approval?")


def test_a_reply_to_a_forwarded_thread_is_the_senders_own_reply():
    mail = _mail("RE: FW: Plan-phase design", "We approve the Prepare phase.\n\n" + ORIGINAL, in_reply_to="<a@b>")
    assert mail.is_reply and not mail.is_forward
    assert mail.body_new == "We approve the Prepare phase."


def test_a_forward_dressed_as_a_reply_is_a_forward():
    body = ("See below.\n\nBegin forwarded message:\n\nFrom: John Doe <john.doe@contoso.com>\n"
            "Subject: Approval\n\nWe approve the SOW.")
    mail = _mail("RE: Plan-phase design", body, in_reply_to="<a@b>", references=True)
    assert mail.is_forward
    assert mail.body_new == "See below." and "We approve the SOW." in mail.body_quoted


def test_original_message_block_under_fw_is_a_forward_and_under_re_a_reply():
    fw = _mail("FW: Plan-phase design", "Forwarding as requested.\n\n" + ORIGINAL)
    assert fw.is_forward and not fw.is_reply
    assert fw.body_new == "Forwarding as requested." and fw.body_quoted.startswith("-----Original Message-----")
    re_ = _mail("RE: Plan-phase design", "Approved.\n\n" + ORIGINAL, in_reply_to="<a@b>")
    assert re_.is_reply and not re_.is_forward and re_.body_new == "Approved."


def test_in_reply_to_alone_makes_a_reply_but_never_hides_a_forward():
    assert _mail("Plan-phase design", "Approved.", in_reply_to="<a@b>").is_reply
    fwd = _mail("Plan-phase design", "FYI\n\n---------- Forwarded message ---------\nFrom: x <x@y.com>\n\nOld",
                in_reply_to="<a@b>")
    assert fwd.is_forward


def test_the_generated_forward_and_replies_read_as_such():
    from pathlib import Path

    from poe_checker.extractors.eml import extract
    from poe_checker.limits import DEFAULT_LIMITS

    packages = Path(__file__).resolve().parents[2] / "fixtures" / "packages"
    fw = extract((packages / "sig_customer_forward_original_message" / "fw_approval.eml").read_bytes(),
                 DEFAULT_LIMITS).email
    assert fw.is_forward and fw.body_new == "Alex, as requested, forwarding my approval again."
    re_ = extract((packages / "sig_partner_reply_quotes_customer" / "re_customer_approval.eml").read_bytes(),
                  DEFAULT_LIMITS).email
    assert re_.is_reply and not re_.is_forward and re_.sender.domain == "fabrikam.com"
    assert "We approve the Intune and Defender for Endpoint deployment" in re_.body_quoted
    assert "We approve" not in re_.body_new


def test_an_outlook_msg_reply_splits_new_text_from_the_original_message():
    from pathlib import Path

    from poe_checker.extractors.msg import extract
    from poe_checker.limits import DEFAULT_LIMITS

    path = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "msg" / "poi__chinese-traditional.msg"
    if not path.is_file():
        pytest.skip("../shared/corpus is not beside this checkout")
    mail = extract(path.read_bytes(), DEFAULT_LIMITS).email
    assert mail.is_reply and not mail.is_forward
    assert mail.body_quoted.startswith("-----Original Message-----")
    assert "-----Original Message-----" not in mail.body_new and mail.body_new.strip()
