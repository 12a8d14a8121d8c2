"""Where a document sets work out of its scope: exclusion sections under their headings, "Out of
scope:" labels, and clauses that exclude their subject or their object."""

from __future__ import annotations

from poe_checker.reading.sections import find_exclusions

from ..modelkit import page


def excluded(text: str, phrase: str, *pages_before: str) -> list[str]:
    """The shapes of the exclusions that hold ``phrase`` (on the last page)."""
    pages = tuple(page(t, i + 1) for i, t in enumerate((*pages_before, text)))
    start = text.index(phrase)
    return [e.shape for e in find_exclusions(pages)
            if e.holds(len(pages), start, start + len(phrase))]


SOW = """4. Scope of services
Fabrikam will migrate 1,000 mailboxes to Exchange Online and roll out Microsoft Teams.
5. Out of scope
The following may be proposed in a later phase:
- Microsoft Teams Phone: Direct Routing and calling plans.
- Teams Rooms devices for the 12 meeting rooms.
6. Fees
Fixed fee of USD 72,000; Teams Rooms licences are billed separately."""


def test_a_numbered_exclusion_section_runs_to_the_next_heading_of_its_level():
    assert excluded(SOW, "Microsoft Teams Phone") == ["section"]
    assert excluded(SOW, "Teams Rooms devices") == ["section"]
    assert excluded(SOW, "Exchange Online") == []
    # after "6. Fees" the text is in scope again
    assert excluded(SOW, "Teams Rooms licences") == []


def test_sub_items_numbered_under_the_section_stay_inside_it():
    text = ("7. Exclusions\n7.1 Telephony\nMicrosoft Teams Phone and the Mitel PBX migration.\n7.2 Devices\n"
            "Teams Rooms hardware.\n8. Responsibilities\nContoso provides a Teams administrator.")
    assert excluded(text, "Microsoft Teams Phone") == ["section"]
    assert excluded(text, "Teams Rooms hardware") == ["section"]
    assert excluded(text, "Teams administrator") == []


def test_an_unnumbered_heading_in_capitals_and_future_phases_open_sections():
    text = "FUTURE PHASES\nMicrosoft Sentinel onboarding of 40 servers.\nDELIVERABLES\nSentinel runbook."
    assert excluded(text, "Microsoft Sentinel onboarding") == ["section"]
    assert excluded(text, "Sentinel runbook") == []


def test_an_exclusion_section_carries_on_to_the_next_page_until_a_heading_closes_it():
    first = "3. Scope\nIntune for 900 devices.\n9. Out of scope"
    second = "Defender for Identity sensors on the 6 domain controllers.\n10. Signatures\nSigned for Contoso"
    assert excluded(second, "Defender for Identity", first) == ["section"]
    assert excluded(second, "Signed for Contoso", first) == []


def test_a_heading_that_mixes_assumptions_and_exclusions_is_not_an_exclusion_section():
    text = ("7. Assumptions and exclusions\n- Contoso holds Microsoft 365 E5 licences for Intune.\n"
            "- Out of scope: the 12 macOS devices and Defender for Office 365.\n8. Responsibilities")
    assert excluded(text, "Microsoft 365 E5 licences for Intune") == []
    # its item that says "Out of scope:" is read as a label
    assert excluded(text, "Defender for Office 365") == ["label"]


def test_a_label_excludes_the_rest_of_its_paragraph_only():
    text = ("Not included in this SOW: Microsoft Purview data loss prevention and the\n"
            "insider risk policies.\nFabrikam will deploy Microsoft Intune to 900 devices.")
    assert excluded(text, "Microsoft Purview") == ["label"]
    assert excluded(text, "insider risk") == ["label"]
    assert excluded(text, "Microsoft Intune") == []


def test_a_clause_excludes_its_subject_and_the_clause_after_but_does_not():
    text = "Defender for Identity is out of scope, but Microsoft Defender for Endpoint is deployed to 940 devices."
    assert excluded(text, "Defender for Identity") == ["clause"]
    assert excluded(text, "Microsoft Defender for Endpoint") == []


def test_a_clause_excludes_its_object():
    text = "The engagement covers Microsoft Intune for 900 devices, excluding the Teams Rooms consoles."
    assert excluded(text, "Teams Rooms") == ["clause"]
    assert excluded(text, "Microsoft Intune") == []
    assert excluded("The SOW does not include Microsoft Sentinel.", "Microsoft Sentinel") == ["clause"]


def test_in_scope_wording_excludes_nothing():
    text = "Microsoft Teams Phone is in scope for the 400 users of the head office.\nScope includes Exchange Online."
    assert excluded(text, "Microsoft Teams Phone") == []
    assert excluded(text, "Exchange Online") == []


def test_the_cue_is_the_heading_as_printed():
    pages = (page(SOW),)
    (section,) = [e for e in find_exclusions(pages) if e.shape == "section"]
    assert section.cue.text == "5. Out of scope"
