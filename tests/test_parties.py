import pytest

from poe_checker.parties import core_name, find_name, registrable_domain, same_organisation

from .modelkit import email_document, package, text_document


@pytest.mark.parametrize("name, core", [
    ("Fabrikam, Inc.", "fabrikam"), ("CONTOSO LTD.", "contoso"), ("Contoso Pty Ltd", "contoso"),
    ("Northwind Traders GmbH & Co. KG", "northwind traders"), ("A. Datum Corporation", "a datum"),
])
def test_core_name_drops_legal_forms_case_and_punctuation(name, core):
    assert core_name(name) == core


def test_names_are_found_whatever_the_suffix_and_case():
    pkg = package(text_document("sow.pdf", "Agreement between FABRIKAM INC. and Contoso Limited"))
    assert [h[4] for h in find_name(pkg, "Fabrikam, Inc.")] == [100]
    assert list(find_name(pkg, "Contoso Ltd"))


def test_a_near_spelling_is_found_with_its_score():
    pkg = package(text_document("sow.pdf", "Customer: Contosso Pharmaceuticals"))
    hits = list(find_name(pkg, "Contoso Pharmaceuticals"))
    assert hits and 90 <= hits[0][4] < 100


def test_an_email_domain_is_not_a_name():
    pkg = package(email_document("m.eml", sender="John <john@contoso.com>", body="Approved."))
    assert not list(find_name(pkg, "Contoso"))


def test_a_name_inside_another_word_is_not_the_name():
    pkg = package(text_document("sow.pdf", "Fabrikamestate holdings and Contosopharmaceuticalsgroup"))
    assert not list(find_name(pkg, "Fabrikam"))
    assert not list(find_name(pkg, "Contoso Pharmaceuticals"))


@pytest.mark.parametrize("address, domain, same", [
    ("john@mail.contoso.com", "contoso.com", True),
    ("john@contoso.co.uk", "contoso.com", False),
    ("john@eu.contoso.co.uk", "contoso.co.uk", True),
    ("john@gmail.com", "contoso.com", False),
    ("john@contoso.com", None, False),
])
def test_registrable_domains(address, domain, same):
    assert same_organisation(address, domain) is same


def test_registrable_domain_of_odd_input():
    assert registrable_domain("") == ""
    assert registrable_domain("<JOHN@Contoso.COM>") == "contoso.com"


@pytest.mark.parametrize("claimed, written", [
    ("Societe Generale d'Energie", "Société Générale d’Énergie S.A."),
    ("Smith Jones", "SMITH-JONES LIMITED"),
    ("Oakridge & Partners", "Oakridge and Partners A/S"),
])
def test_names_match_across_the_marks_between_their_words(claimed, written):
    pkg = package(text_document("sow.pdf", f"For and on behalf of {written}"))
    assert [h[4] for h in find_name(pkg, claimed)] == [100]


def test_marks_between_words_do_not_make_a_name_out_of_other_words():
    pkg = package(text_document("sow.pdf", "Smith; Jonesboro Ltd and d'Energie Generale"))
    assert not [h for h in find_name(pkg, "Smith Jones") if h[4] == 100]
