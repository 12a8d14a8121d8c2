"""workload_match: every claimed workload is evidenced, and an unticked template row is not."""

from __future__ import annotations

from poe_checker.model import Anchor, Checkbox, Document, Email, Mailbox, Page
from poe_checker.rules import workload_match
from tests.modelkit import claim, package, page

# Section 1 of Microsoft's POE template as the guide shows it (valid example: Intune ticked).
SECTION1 = """Section 1 (Required): Select product(s)/workload(s) and activity type
☐ Microsoft Entra ID P2 (formerly AADP P2) ☐ Deployment ☐ Implementation ☐ Adoption/Change Mgmt.
☐ Microsoft Defender for Endpoint (MDE) ☐ Deployment ☐ Implementation ☐ Adoption/Change Mgmt.
☐ Microsoft Purview Information Protection (MIP) ☐ Deployment ☐ Implementation ☐ Adoption/Change Mgmt.
☒ Microsoft Intune ☒ Deployment ☐ Implementation ☐ Adoption/Change Mgmt.
☐ Microsoft Purview Insider Risk Management (IRM) ☐ Deployment ☐ Implementation ☐ Adoption/Change Mgmt.
☐ Microsoft Defender for Identity ☐ Deployment ☐ Implementation ☐ Adoption/Change Mgmt.
☐ Microsoft Defender for Office 365 ☐ Deployment ☐ Implementation ☐ Adoption/Change Mgmt.
☐ Microsoft Defender for Cloud Apps (formerly MCAS) ☐ Deployment ☐ Implementation ☐ Adoption/Change Mgmt."""

SCOPE = """Section 2 (Required): Scope of Work Details
- Contoso is using an endpoint management solution but not leveraging MDM features.
- Plans are in place to retire the current endpoint management tool and replace it with Microsoft Intune
- Approximately 1000 users, ~900 Windows 10 workstations"""


def doc(name: str, *texts: str, doc_type: str = "statement_of_work", checkboxes: tuple = (),
        ocr: bool = False, confidence: float | None = None) -> Document:
    pages = tuple(Page(p.number, p.text, p.words, p.width, p.height, ocr, confidence)
                  for p in (page(t, i + 1) for i, t in enumerate(texts)))
    return Document(name, "0" * 64, "application/pdf", doc_type, pages=pages, page_count=len(pages),
                    checkboxes=checkboxes)


def run(*docs: Document, **claim_fields):
    result = workload_match.check(package(*docs), claim(**claim_fields))
    assert result.rule == "workload_match"
    return result


def test_ticked_template_row_and_scope_pass_with_evidence_per_workload():
    result = run(doc("poe.pdf", SECTION1 + "\n" + SCOPE, doc_type="poe_template"), workloads=("INTUNE",))
    assert result.status == "pass", result.message
    texts = [e.text for e in result.evidence]
    assert any(t.startswith("☒ Microsoft Intune") for t in texts)
    assert all(e.document == "poe.pdf" and e.page == 1 and e.bbox is not None for e in result.evidence)
    assert result.fix is None


def test_unticked_template_row_is_not_evidence_even_though_its_label_is_in_the_text():
    result = run(doc("poe.pdf", SECTION1 + "\n" + SCOPE, doc_type="poe_template"),
                 workloads=("INTUNE", "MICROSOFT DEFENDER ENDPOINT"))
    assert result.status == "fail"
    assert "Microsoft Defender for Endpoint" in result.message and "not ticked" in result.message
    assert "Microsoft Intune" in result.message  # what was found is said too
    assert result.fix.startswith("Tick Microsoft Defender for Endpoint in the POE template")
    assert "remove it from the claim" in result.fix
    assert any("(MDE)" in e.text for e in result.evidence)  # the unticked row, for a person to see


def test_the_guides_template_as_html_checkboxes_reads_the_same():
    html = (SECTION1.replace("☐", '<input type="checkbox"/>').replace("☒", '<input checked="" type="checkbox"/>'))
    d = doc("poe.pdf", html, doc_type="poe_template")
    assert run(d, workloads=("INTUNE",)).status == "pass"
    assert run(d, workloads=("MICROSOFT DEFENDER FOR IDENTITY",)).status == "fail"


def test_a_scope_mention_outside_the_template_evidences_an_unticked_workload():
    scope = SCOPE + "\n- Onboarded all 900 workstations to MDE and tuned attack surface reduction rules"
    result = run(doc("poe.pdf", SECTION1 + "\n" + scope), workloads=("MICROSOFT DEFENDER ENDPOINT",))
    assert result.status == "pass", result.message
    assert any("Onboarded all 900 workstations to MDE" in e.text for e in result.evidence)


def test_a_ticked_checkbox_alone_is_evidence():
    text = "Products delivered\nMicrosoft Defender for Identity\nMicrosoft Intune"
    first = page(text)
    start = text.index("Microsoft Defender for Identity")
    box = Checkbox("Microsoft Defender for Identity", True,
                   first.anchor(start, start + len("Microsoft Defender for Identity")), "form_field")
    unticked_start = text.index("Microsoft Intune")
    other = Checkbox("Microsoft Intune", False, first.anchor(unticked_start, len(text)), "form_field")
    d = doc("form.pdf", text, doc_type="poe_template", checkboxes=(box, other))
    assert run(d, workloads=("MICROSOFT DEFENDER FOR IDENTITY",)).status == "pass"
    assert run(d, workloads=("INTUNE",)).status == "fail"


def test_ticked_box_whose_label_is_not_in_the_text_still_counts():
    box = Checkbox("Microsoft Defender for Office 365", True, Anchor(1, "Microsoft Defender for Office 365"), "content_control")
    result = run(doc("form.pdf", "Partner: Fabrikam\nCustomer: Contoso", checkboxes=(box,)),
                 workloads=("MICROSOFT DEFENDER FOR OFFICE",))
    assert result.status == "pass"
    assert result.evidence[0].text == "Microsoft Defender for Office 365"


def test_form_checkbox_without_span_labels_the_words_right_of_it():
    # An AcroForm box drawn at the start of a line: the label is the text beside it (by boxes).
    text = "Workloads\n    Microsoft Defender for Cloud Apps\n    Microsoft Intune"
    first = page(text)
    line_top = 72.0 + 14 * 1
    box = Checkbox("", False, Anchor(1, "", (72.0, line_top, 82.0, line_top + 10)), "form_field")
    ticked = Checkbox("", True, Anchor(1, "", (72.0, line_top + 14, 82.0, line_top + 24)), "form_field")
    d = doc("form.pdf", text, checkboxes=(box, ticked))
    assert d.pages[0].words == first.words
    unticked = run(d, workloads=("MICROSOFT DEFENDER FOR CLOUD APPS",))
    assert unticked.status == "fail" and "not ticked" in unticked.message
    assert run(d, workloads=("INTUNE",)).status == "pass"


def test_aliases_count_as_mentions():
    scope = ("Deployed MDE to 900 devices; enabled risk-based policies with AADP P2; "
             "configured MCAS session controls for 40 cloud apps.")
    result = run(doc("sow.pdf", scope), workloads=("Microsoft Defender for Endpoint", "AZURE ACTIVE DIRECTORY PREMIUM 2",
                                                    "MICROSOFT DEFENDER FOR CLOUD APPS"))
    assert result.status == "pass", result.message
    for name in ("Microsoft Defender for Endpoint", "Microsoft Entra ID P2", "Microsoft Defender for Cloud Apps"):
        assert name in result.message


def test_lower_case_abbreviation_is_not_a_mention():
    assert run(doc("sow.pdf", "The mde team will review the plan."), workloads=("MDE",)).status == "fail"


def test_unknown_workload_is_found_by_its_own_name():
    text = "We deployed the Contoso Widget Platform for 300 users."
    assert run(doc("sow.pdf", text), workloads=("Contoso Widget Platform",)).status == "pass"
    result = run(doc("sow.pdf", "We deployed Intune."), workloads=("Contoso Widget Platform",))
    assert result.status == "fail"
    assert "Contoso Widget Platform" in result.message and "no document names it" in result.message
    assert "Describe the work done on Contoso Widget Platform" in result.fix


def test_only_an_ambiguous_alias_is_left_to_a_person():
    result = run(doc("sow.pdf", "Configured IRM policies for the legal department."), workloads=("INSIDER RISK MANAGER",))
    assert result.status == "warn"
    assert "“IRM”" in result.message
    assert "Microsoft Purview Insider Risk Management" in result.fix
    assert result.evidence[0].text.startswith("Configured IRM policies")


def test_a_part_evidences_the_whole_but_not_the_reverse():
    rooms = doc("sow.pdf", "Installed and configured 40 Teams Rooms across 6 offices.")
    assert run(rooms, workloads=("TEAMS",)).status == "pass"
    teams = doc("sow.pdf", "Rolled out Microsoft Teams chat to 400 users.")
    assert run(teams, workloads=("TEAMS ROOMS",)).status == "fail"


def test_claim_without_workloads():
    d = doc("sow.pdf", SCOPE)
    result = run(d, workloads=())
    assert result.status == "fail" and "lists no workloads" in result.message
    na = run(d, workloads=(), claim_kind="partner_activity", invoice_amount_usd=1000)
    assert na.status == "not_applicable"
    applies = run(d, workloads=("INTUNE",), claim_kind="partner_activity")
    assert applies.status == "pass"


def test_no_readable_document_fails_with_the_reason():
    broken = Document("sow.pdf", "0" * 64, "application/pdf", error="encrypted PDF: upload an unencrypted copy")
    result = run(broken, workloads=("INTUNE",))
    assert result.status == "fail"
    assert "could be read" in result.message
    assert result.evidence[0].document == "sow.pdf" and "encrypted" in result.evidence[0].text


def test_a_scan_without_text_leaves_a_missing_workload_to_a_person():
    scan = Document("scan.jpg", "0" * 64, "image/jpeg", "image", pages=(Page(1, "", ocr=True),), page_count=1)
    text = doc("sow.pdf", "Scope: deploy Intune to 900 devices.")
    result = run(text, scan, workloads=("INTUNE", "MICROSOFT DEFENDER FOR IDENTITY"))
    assert result.status == "warn"
    assert "could not be read" in result.message
    assert any(e.document == "scan.jpg" for e in result.evidence)
    # ... but not when the template shows the row unticked
    template = doc("poe.pdf", SECTION1, doc_type="poe_template")
    assert run(template, scan, workloads=("MICROSOFT DEFENDER FOR IDENTITY",)).status == "fail"


def test_poor_ocr_is_searched_fuzzily():
    scan = doc("scan.pdf", "Scope: we deployed Micros0ft lntune to all 900 devices", ocr=True, confidence=88.0)
    assert run(scan, workloads=("INTUNE",)).status == "pass"
    other = doc("scan.pdf", "Scope: we configured Microsoft Defender for Cloud Apps", ocr=True, confidence=88.0)
    assert run(other, workloads=("Microsoft Defender for Cloud",)).status == "fail"


def test_a_pricing_quote_does_not_evidence_work():
    quote = doc("quote.pdf", "Microsoft Defender for Endpoint P2 x 500 licences", doc_type="pricing_quote")
    result = run(quote, doc("sow.pdf", "Deploy Intune to 900 devices."), workloads=("MDE", "INTUNE"))
    assert result.status == "fail"
    assert "quote" in result.message


def test_quoted_email_history_is_read():
    body = "Approved, thanks."
    quoted = "From: Jane Smith\n> We will onboard the 900 laptops to Microsoft Defender for Endpoint in June."
    mail = Email(subject="Re: MDE", sender=Mailbox("John Doe", "john.doe@contoso.com"), body_new=body,
                 body_quoted=quoted, is_reply=True)
    email_doc = Document("ack.msg", "0" * 64, "application/vnd.ms-outlook", "email",
                         pages=(Page(None, body),), email=mail)
    result = run(email_doc, workloads=("MICROSOFT DEFENDER ENDPOINT",))
    assert result.status == "pass"
    assert result.evidence[0].page is None and "Defender for Endpoint" in result.evidence[0].text


def test_documents_from_the_reading_layer():
    from tests.modelkit import email_document, text_document

    sow = text_document("sow.pdf", SECTION1 + "\n" + SCOPE)
    assert run(sow, workloads=("INTUNE",)).status == "pass"
    assert run(sow, workloads=("MDE",)).status == "fail"
    mail = email_document("ack.eml", sender="John Doe <john.doe@contoso.com>", body="Approved.",
                          quoted="> We will onboard 900 laptops to Microsoft Defender for Endpoint.")
    assert run(mail, workloads=("MDE",)).status == "pass"
