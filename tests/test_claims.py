import datetime as dt
import json
from decimal import Decimal

import pytest

from poe_checker.claims import parse_claim
from poe_checker.errors import ClaimError

BASE = {
    "claim_id": "3079758", "claim_kind": "cpor", "solution_area": "security",
    "partner": {"name": "Fabrikam", "partner_id": "5272302", "country": "US"},
    "customer": {"name": "Contoso", "domain": "contoso.com", "country": "US"},
    "workloads": ["Microsoft Intune"], "submitted_on": "2025-09-15",
}


def with_(**changes):
    raw = json.loads(json.dumps(BASE))
    for path, value in changes.items():
        target = raw
        *parents, leaf = path.split("__")
        for p in parents:
            target = target[p]
        if value is ...:
            del target[leaf]
        else:
            target[leaf] = value
    return json.dumps(raw)


def test_a_full_claim_becomes_a_typed_claim_with_defaults():
    claim = parse_claim(with_(invoice_amount_usd=5000))
    assert claim.motion == "usage"
    assert claim.customer.public_sector is False
    assert claim.workloads == ("Microsoft Intune",)
    assert claim.submitted_on == dt.date(2025, 9, 15)
    assert claim.invoice_amount_usd == Decimal("5000")


def test_submitted_on_defaults_to_today():
    assert parse_claim(with_(submitted_on=...), today=dt.date(2026, 1, 2)).submitted_on == dt.date(2026, 1, 2)


@pytest.mark.parametrize("text, field, words", [
    (with_(claim_kind="cspor"), "claim_kind", "is not one of"),
    (with_(customer__name=...), "customer.name", "missing required field 'name'"),
    (with_(claim_id=...), "claim_id", "missing required field 'claim_id'"),
    (with_(customer__domian="contoso.com"), "customer.domian", "unknown field 'domian'"),
    (with_(workload=["INTUNE"]), "workload", "unknown field 'workload'"),
    (with_(submitted_on="15/09/2025"), "submitted_on", "YYYY-MM-DD"),
    (with_(customer__country="usa"), "customer.country", "claim.customer.country"),
    (with_(invoice_amount_usd=-1), "invoice_amount_usd", "claim.invoice_amount_usd"),
])
def test_an_unusable_claim_names_the_field(text, field, words):
    with pytest.raises(ClaimError) as err:
        parse_claim(text)
    assert err.value.field == field
    assert words in str(err.value)


def test_bad_json_is_a_claim_error():
    with pytest.raises(ClaimError, match="not valid JSON"):
        parse_claim('{"claim_id": ')


def test_shipped_schemas_are_the_contract(contract_dir):
    from importlib import resources
    for name in ("claim.schema.json", "verdict.schema.json"):
        shipped = resources.files("poe_checker.schemas").joinpath(name).read_text()
        assert json.loads(shipped) == json.loads((contract_dir / name).read_text()), name


def test_the_claim_clock_fields_of_contract_section_6_are_read():
    raw = dict(BASE, created_on="2026-01-05", consent_on="2026-01-20", engagement_size="small",
               status="action_required", status_on="2026-02-01")
    c = parse_claim(json.dumps(raw))
    assert (c.created_on, c.consent_on, c.engagement_size, c.status, c.status_on) == (
        dt.date(2026, 1, 5), dt.date(2026, 1, 20), "small", "action_required", dt.date(2026, 2, 1))
    raw["engagement_size"] = "huge"
    with pytest.raises(ClaimError, match="engagement_size"):
        parse_claim(json.dumps(raw))
