"""The store against SQLite and a real PostgreSQL server (``store`` is parametrised over both)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from poe_checker.service.db import ApiKey, Base, Blob, Check, CheckFile, migrate
from poe_checker.service.store import CheckFilter, Principal, Store, Upload

from .conftest import package_claim

CLAIM = json.loads(package_claim("seed_invalid"))
REVIEWER = Principal(1, "reviewer", None, "r")


def claim(claim_id: str, partner_id: str = "5272302", customer: str = "Contoso") -> dict:
    raw = json.loads(json.dumps(CLAIM))
    raw["claim_id"], raw["partner"]["partner_id"], raw["customer"]["name"] = claim_id, partner_id, customer
    return raw


def verdict(claim_id: str, outcome: str, score: int, failed: tuple[str, ...] = ()) -> dict:
    checks = [{"rule": r, "status": "fail", "message": "", "fix": None, "evidence": []} for r in failed]
    return {"claim_id": claim_id, "verdict": outcome, "score": score, "checks": checks, "documents": []}


def test_migrations_build_exactly_the_models_schema(store):
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"
    migrate(store.engine)  # idempotent
    assert {"api_keys", "blobs", "checks", "check_files", "decisions"} <= set(inspect(store.engine).get_table_names())


def test_keys_are_stored_only_as_hashes(store):
    key = store.create_key("partner", "5272302", "fab")
    with store.session() as s:
        row = s.query(ApiKey).one()
    assert key not in (row.key_hash, row.prefix) and row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    who = store.authenticate(key)
    assert who is not None and (who.role, who.partner_id, who.label) == ("partner", "5272302", "fab")
    assert store.authenticate(key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    assert store.authenticate("") is None and store.authenticate(None) is None
    with pytest.raises(ValueError, match="partner-id"):
        store.create_key("partner")
    with pytest.raises(ValueError):
        store.create_key("reviewer", "5272302")
    with pytest.raises(ValueError):
        store.create_key("admin")


def test_uploads_are_content_addressed_and_shared(store):
    pdf = Upload("a.pdf", b"%PDF-1.4 same bytes")
    first = store.create_check(None, claim("1"), [pdf, Upload("b.eml", b"From: x@y.z\n\nhi")])
    second = store.create_check(None, claim("2"), [Upload("renamed.pdf", pdf.data)])
    with store.session() as s:
        assert s.query(Blob).count() == 2
        assert s.get(Blob, hashlib.sha256(pdf.data).hexdigest()).data == pdf.data
    assert [(u.name, u.data) for u in store.files(first)] == [("a.pdf", pdf.data), ("b.eml", b"From: x@y.z\n\nhi")]
    assert [u.name for u in store.files(second)] == ["renamed.pdf"]


def test_a_failed_write_leaves_nothing_half_written(store):
    with pytest.raises(IntegrityError):
        # the second file's row breaks NOT NULL in the database after the check row and both blobs were flushed
        store.create_check(None, claim("1"), [Upload("ok.pdf", b"%PDF fine"), Upload(None, b"%PDF other")])  # type: ignore[arg-type]
    with store.session() as s:
        assert (s.query(Check).count(), s.query(Blob).count(), s.query(CheckFile).count()) == (0, 0, 0)


def test_results_errors_and_reruns(store):
    cid = store.create_check(None, claim("7"), [Upload("a.pdf", b"%PDF x")])
    assert store.get(REVIEWER, cid).status == "queued"
    store.mark_running(cid)
    store.save_error(cid, "crashed")
    row = store.get(REVIEWER, cid)
    assert (row.status, row.error, row.runs, row.risk) == ("error", "crashed", 1, 0)
    store.mark_running(cid)
    store.save_result(cid, verdict("7", "fail", 40, ("recency", "invoice")), "<html>")
    row = store.get(REVIEWER, cid)
    assert (row.status, row.error, row.runs, row.verdict, row.score) == ("done", None, 2, "fail", 40)
    assert row.failed_rules == ",recency,invoice," and row.report_html == "<html>"
    assert row.created_at.tzinfo is not None and row.updated_at >= row.created_at


def test_visibility_search_and_risk_order(store):
    ids = {}
    for claim_id, partner, outcome, score, failed, customer in (
            ("10", "5272302", "pass", 95, (), "Contoso"), ("11", "5272302", "fail", 30, ("recency",), "Contoso"),
            ("12", "777", "fail", 60, ("invoice",), "Tailspin Toys"), ("13", "777", "review", 85, (), "Woodgrove")):
        cid = ids[claim_id] = store.create_check(None, claim(claim_id, partner, customer), [Upload("a", b"x")])
        store.save_result(cid, verdict(claim_id, outcome, score, failed), "")
    errored = store.create_check(None, claim("14", "777"), [Upload("a", b"x")])
    store.save_error(errored, "boom")
    partner = Principal(2, "partner", "5272302", "p")
    rows, total = store.search(partner, CheckFilter())
    assert total == 2 and {r.claim_id for r in rows} == {"10", "11"}
    assert store.get(partner, ids["12"]) is None and store.get(partner, ids["10"]) is not None
    rows, _ = store.search(REVIEWER, CheckFilter(order="risk"))
    assert [r.claim_id for r in rows] == ["14", "11", "12", "13", "10"]
    assert [r.claim_id for r in store.search(REVIEWER, CheckFilter(rule="invoice"))[0]] == ["12"]
    assert {r.claim_id for r in store.search(REVIEWER, CheckFilter(q="tailSPIN"))[0]} == {"12"}
    assert {r.claim_id for r in store.search(REVIEWER, CheckFilter(q="1_"))[0]} == set()  # LIKE wildcards are inert
    assert [r.claim_id for r in store.search(REVIEWER, CheckFilter(claim_id="13"))[0]] == ["13"]
    assert store.search(REVIEWER, CheckFilter(partner_id="777"))[1] == 3
    today = dt.datetime.now(dt.UTC).date()
    assert store.search(REVIEWER, CheckFilter(since=today, until=today))[1] == 5
    assert store.search(REVIEWER, CheckFilter(since=today + dt.timedelta(days=1)))[1] == 0
    page, total = store.search(REVIEWER, CheckFilter(order="risk"), limit=2, offset=2)
    assert total == 5 and [r.claim_id for r in page] == ["12", "13"]


def test_decisions_are_appended_in_order(store):
    key = store.create_key("reviewer", label="Rita")
    who = store.authenticate(key)
    cid = store.create_check(None, claim("20"), [Upload("a", b"x")])
    store.add_decision(who, cid, "request_info", "need a newer date")
    store.add_decision(who, cid, "approve", "")
    trail = store.decisions([cid])[cid]
    assert [(d.decision, d.comment, d.actor) for d in trail] == [("request_info", "need a newer date", "Rita"),
                                                                 ("approve", "", "Rita")]
    with pytest.raises(ValueError):
        store.add_decision(who, cid, "shrug", "")
    assert not hasattr(Store, "update_decision") and not hasattr(Store, "delete_decision")


def test_postgresql_url_from_settings_gets_the_psycopg_driver():
    from poe_checker.service.settings import load_settings
    assert load_settings(database_url="postgres://u:p@h/db").sqlalchemy_url == "postgresql+psycopg://u:p@h/db"
    assert load_settings(data_dir="/x", database_url=None).sqlalchemy_url == "sqlite:////x/poe-checker.sqlite3"
