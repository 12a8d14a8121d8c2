"""The workload catalogue: claimed names resolve to entries, texts are searched for aliases."""

from __future__ import annotations

import copy

import pytest

from poe_checker import knowledge
from poe_checker.model import Document, Email, Mailbox
from poe_checker.workloads import Catalogue, catalogue, claimed, find_mentions, reading_pages, resolve
from tests.modelkit import page

# The Partner Center workload names shown in the guide's "Associate workload" screens.
PARTNER_CENTER = {
    "INTUNE": "intune",
    "MICROSOFT DEFENDER ENDPOINT": "defender_endpoint",
    "MICROSOFT DEFENDER FOR CLOUD APPS": "defender_cloud_apps",
    "MICROSOFT DEFENDER FOR IDENTITY": "defender_identity",
    "MICROSOFT DEFENDER FOR OFFICE": "defender_office",
    "MICROSOFT INFORMATION PROTECTION": "purview_information_protection",
    "INSIDER RISK MANAGER": "purview_insider_risk",
    "AZURE ACTIVE DIRECTORY PREMIUM 2": "entra_id_p2",
    "AZURE ACTIVE DIRECTORY PREMIUM CONDITIONAL ACCESS": "entra_conditional_access",
    "EXCHANGE ONLINE": "exchange_online",
    "SHAREPOINT ONLINE": "sharepoint_online",
    "TEAMS": "teams",
    "TEAMS PHONE ENABLED USERS": "teams_phone",
    "TEAMS ROOMS": "teams_rooms",
    "TEAMS MEETINGS": "teams_meetings",
    "TEAMS APPS": "teams_apps",
    "TEAMS FOR FRONTLINE WORKERS": "teams_frontline",
    "MICROSOFT 365 APPS": "m365_apps",
    "OUTLOOK MOBILE": "outlook_mobile",
    "VIVA CONNECTIONS": "viva_connections",
    "VIVA ENGAGE": "viva_engage",
    "VIVA GOALS": "viva_goals",
    "VIVA INSIGHTS": "viva_insights",
    "VIVA LEARNING": "viva_learning",
    "VIVA TOPICS": "viva_topics",
    "MANAGED SECURITY SERVICES": "managed_security_services",
    "DYNAMICS 365 SALES ENTERPRISE EDITION": "d365_sales",
    "DYNAMICS 365 SALES ENTERPRISE - GCCHIGH": "d365_sales",
    "DYNAMICS 365 CUSTOMER SERVICE ENTERPRISE": "d365_customer_service",
    "DYNAMICS 365 MARKETING ATTACH": "d365_marketing",
    "DYNAMICS 365 MARKETING ADDNL CONTACTS TIER 5": "d365_marketing",
    "COMMON DATA SERVICE DATABASE CAPACITY": "dataverse",
    "POWER AUTOMATE PER USER PLAN": "power_automate",
}


@pytest.mark.parametrize("name,expected", sorted(PARTNER_CENTER.items()))
def test_every_partner_center_name_of_the_guide_resolves(name, expected):
    assert resolve(name).id == expected
    assert resolve(name.title()).id == expected  # case does not matter in a claim


@pytest.mark.parametrize("name,expected", [
    ("Microsoft Entra ID P2", "entra_id_p2"), ("AADP P2", "entra_id_p2"), ("Azure AD Premium P2", "entra_id_p2"),
    ("Microsoft Defender for Endpoint", "defender_endpoint"), ("MDE", "defender_endpoint"),
    ("Defender ATP", "defender_endpoint"), ("MCAS", "defender_cloud_apps"), ("Cloud App Security", "defender_cloud_apps"),
    ("MDI", "defender_identity"), ("Azure ATP", "defender_identity"), ("Office 365 ATP", "defender_office"),
    ("MDO", "defender_office"), ("MIP", "purview_information_protection"), ("AIP", "purview_information_protection"),
    ("IRM", "purview_insider_risk"), ("D365 F&O", "d365_finance_operations"),
    ("Dynamics 365 Finance and Operations", "d365_finance_operations"), ("CE", "d365_customer_engagement"),
    ("Power Apps", "power_apps"), ("Low Code", "power_platform"), ("AVD", "azure_virtual_desktop"),
    ("Azure SQL", "azure_sql"), ("AKS", "azure_kubernetes_service"), ("Azure OpenAI", "azure_openai"),
])
def test_marketing_names_and_abbreviations_resolve(name, expected):
    assert resolve(name).id == expected


def test_claim_resolution_tolerates_suffixes_editions_and_typos():
    assert resolve("INTUNE - Associated to you").id == "intune"
    assert resolve("Microsoft Defender for Endpoint P2").id == "defender_endpoint"
    assert resolve("DYNAMICS 365 MARKETING ADDNL CONTACTS TIER 4").id == "d365_marketing"
    assert resolve("Microsft Defender for Endpiont").id == "defender_endpoint"
    assert resolve("Microsoft Defender for Identiy").id == "defender_identity"


def test_generic_or_double_claims_are_not_guessed():
    assert resolve("Microsoft Defender") is None  # which Defender?
    assert resolve("Microsoft Defender for Endpoint and Microsoft Defender for Identity") is None
    assert resolve("Contoso Widget Platform") is None
    unknown = claimed("Contoso  Widget Platform")
    assert not unknown.known and unknown.name == "Contoso Widget Platform"


def test_mentions_are_found_by_alias_on_token_boundaries():
    text = ("Onboarded 900 devices to MDE (Defender ATP) and Intune-managed phones; "
            "rolled out AADP P2 and MCAS policies; Hybrid Azure AD join.")
    found = {(m.workload, text[m.start:m.end]) for m in find_mentions(text)}
    assert ("defender_endpoint", "MDE") in found
    assert ("defender_endpoint", "Defender ATP") in found
    assert ("intune", "Intune") in found
    assert ("entra_id_p2", "AADP P2") in found
    assert ("defender_cloud_apps", "MCAS") in found
    assert ("entra_id", "Azure AD") in found


def test_short_abbreviations_and_everyday_words_match_only_as_written():
    assert find_mentions("the mde and mip teams met our teams") == ()
    assert [m.workload for m in find_mentions("Teams calls and MIP labels")] == ["teams", "purview_information_protection"]


def test_longest_alias_wins_and_weak_aliases_are_flagged():
    text = "Microsoft Defender for Cloud Apps and Teams Rooms; IRM policies"
    found = find_mentions(text)
    assert [m.workload for m in found] == ["defender_cloud_apps", "teams_rooms", "purview_insider_risk"]
    assert [m.weak for m in found] == [False, False, True]


def test_a_part_evidences_the_whole_not_the_reverse():
    cat = catalogue()
    assert "teams_rooms" in cat.covering("teams")
    assert "teams" not in cat.covering("teams_rooms")
    assert cat.names(resolve("TEAMS"), "Deployed 40 Teams Rooms") != []
    assert cat.names(resolve("TEAMS ROOMS"), "Deployed Microsoft Teams to 400 users") == []


def test_unknown_names_are_found_as_written_or_fuzzily():
    cat = catalogue()
    text = "Kick-off\nWe rolled out the Contoso Widgte Platform to 300 users.\n"
    [(start, end)] = cat.find_name("Contoso Widget Platform", text)
    assert text[start:end] == "Contoso Widgte Platform"
    assert cat.find_name("Contoso Widget Platform", text, fuzzy=False) == []
    assert cat.find_name("Contoso Widget Platform", "nothing to see here") == []


def _data():
    return copy.deepcopy(knowledge.load("workloads"))


def test_the_loader_refuses_an_alias_two_entries_share():
    data = _data()
    data["workload"][0]["aliases"].append("Intune")
    with pytest.raises(ValueError, match="names both"):
        Catalogue(data)


def test_the_loader_refuses_a_short_alias_without_a_case_decision():
    data = _data()
    data["workload"][0]["aliases"].append("XYZ")
    with pytest.raises(ValueError, match="case_sensitive"):
        Catalogue(data)


def test_the_loader_refuses_an_unknown_parent():
    data = _data()
    data["workload"][0]["part_of"] = "nothing"
    with pytest.raises(ValueError, match="part_of"):
        Catalogue(data)


def test_the_loader_refuses_a_misspelt_key_of_an_entry_or_an_alias():
    data = _data()
    data["workload"][0]["alias"] = ["Intune for Education"]
    with pytest.raises(ValueError, match="unknown keys"):
        Catalogue(data)
    data = _data()
    data["workload"][0]["aliases"].append({"text": "Intune Suite", "case_sensitiv": True})
    with pytest.raises(ValueError, match="unknown keys"):
        Catalogue(data)


def test_a_product_distinct_from_a_claimable_one_is_not_itself_claimable():
    data = _data()
    server = next(e for e in data["workload"] if e["id"] == "exchange_server")
    server["distinct_from"].append("nothing")
    with pytest.raises(ValueError, match="distinct_from unknown ids"):
        Catalogue(data)
    data = _data()
    next(e for e in data["workload"] if e["id"] == "exchange_server")["areas"] = ["modern_work"]
    with pytest.raises(ValueError, match="not claimable"):
        Catalogue(data)


def test_the_on_premises_server_is_what_a_poe_names_instead_of_the_online_service():
    cat = catalogue()
    assert "exchange_server" in cat.named_instead("exchange_online")
    assert "sharepoint_server" in cat.named_instead("sharepoint_online")
    assert cat.named_instead("intune") == frozenset()
    found = [m.workload for m in find_mentions("We upgrade to Exchange Server Subscription Edition this year.")]
    assert found == ["exchange_server"]


def test_reading_pages_adds_quoted_history_missing_from_the_page_text():
    mail = Email(subject="Re: scope", sender=Mailbox("John", "john@contoso.com"), body_new="Approved.",
                 body_quoted="From: Jane\n> We will deploy Intune to 900 devices.")
    doc = Document("a.eml", "x", "message/rfc822", "email", pages=(page("Approved.", None, layout=False),), email=mail)
    texts = [p.text for _, p in reading_pages([doc])]
    assert texts == ["Approved.", mail.body_quoted]
    whole = Document("b.eml", "x", "message/rfc822", "email",
                     pages=(page("Approved.\n\n" + mail.body_quoted, None, layout=False),), email=mail)
    assert len(list(reading_pages([whole]))) == 1


def test_lone_surrogates_from_a_bad_mail_decoder_do_not_break_matching():
    text = "Caf\udce9 deployed Intune to 900 devices"
    [mention] = find_mentions(text)
    assert text[mention.start:mention.end] == "Intune"
