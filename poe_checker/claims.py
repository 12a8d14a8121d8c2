"""Load and validate a claim. The contract's JSON Schema is the judge, exactly as written."""

from __future__ import annotations

import datetime as dt
import functools
import json
from decimal import Decimal
from importlib import resources
from typing import Any

import jsonschema

from .errors import ClaimError
from .model import Claim, Party


@functools.cache
def schema(name: str) -> dict[str, Any]:
    return json.loads(resources.files("poe_checker.schemas").joinpath(name).read_text(encoding="utf-8"))


@functools.cache
def _claim_validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        schema("claim.schema.json"), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def parse_claim(text: str | bytes, today: dt.date | None = None) -> Claim:
    """Parse claim JSON text, or raise ``ClaimError`` naming the field that is wrong."""
    try:
        raw = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ClaimError(f"claim is not valid JSON: {exc}") from exc
    return claim_from_dict(raw, today=today)


def claim_from_dict(raw: Any, today: dt.date | None = None) -> Claim:
    errors = sorted(_claim_validator().iter_errors(raw), key=lambda e: (list(e.absolute_path), e.message))
    if errors:
        problems = [_claim_error(e) for e in errors[:5]]
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        raise ClaimError("; ".join(str(p) for p in problems) + more, problems[0].field)
    partner, customer = raw["partner"], raw["customer"]
    return Claim(
        claim_id=raw["claim_id"],
        claim_kind=raw["claim_kind"],
        solution_area=raw["solution_area"],
        motion=raw.get("motion") or "usage",
        engagement=raw.get("engagement"),
        partner=Party(name=partner["name"], partner_id=partner.get("partner_id"),
                      country=partner.get("country")),
        customer=Party(name=customer["name"], domain=(customer.get("domain") or None),
                       tenant_id=customer.get("tenant_id"), country=customer.get("country"),
                       public_sector=bool(customer.get("public_sector", False))),
        workloads=tuple(raw.get("workloads") or ()),
        submitted_on=_date(raw.get("submitted_on")) or today or dt.date.today(),
        transaction_date=_date(raw.get("transaction_date")),
        invoice_amount_usd=(Decimal(str(raw["invoice_amount_usd"]))
                            if raw.get("invoice_amount_usd") is not None else None),
        created_on=_date(raw.get("created_on")),
        consent_on=_date(raw.get("consent_on")),
        engagement_size=raw.get("engagement_size"),
        status=raw.get("status"),
        status_on=_date(raw.get("status_on")),
    )


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _claim_error(err: jsonschema.ValidationError) -> ClaimError:
    path = ".".join(str(p) for p in err.absolute_path)
    where = f"claim.{path}" if path else "claim"
    if err.validator == "additionalProperties":
        extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
        names = ", ".join(f"'{n}'" for n in extra)
        field = f"{path}.{extra[0]}" if path else extra[0]
        return ClaimError(f"{where}: unknown field {names} (check the spelling; see the contract)", field)
    if err.validator == "required":
        missing = [n for n in err.validator_value if n not in err.instance]
        field = f"{path}.{missing[0]}" if path else missing[0]
        return ClaimError(f"{where}: missing required field '{missing[0]}'", field)
    if err.validator == "enum":
        allowed = ", ".join(json.dumps(v) for v in err.validator_value)
        return ClaimError(f"{where}: {json.dumps(err.instance)} is not one of {allowed}", path or None)
    if err.validator == "format":
        return ClaimError(f"{where}: {json.dumps(err.instance)} is not a {err.validator_value} (use YYYY-MM-DD)",
                          path or None)
    return ClaimError(f"{where}: {err.message}", path or None)
