"""The server-rendered pages through the test client: login cookie, form errors, roles, drafts."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from poe_checker.api import create_app
from poe_checker.service.comments import draft_comment
from poe_checker.service.settings import load_settings
from poe_checker.service.store import Store

from .conftest import PACKAGES, package_claim, package_files


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    settings = load_settings(data_dir=tmp_path_factory.mktemp("pages"), database_url=None)
    store = Store(settings.sqlalchemy_url)
    keys = {"partner": store.create_key("partner", "5272302"), "other": store.create_key("partner", "111"),
            "reviewer": store.create_key("reviewer", label="Rita")}
    with TestClient(create_app(settings, store=store), follow_redirects=False) as client:
        yield client, store, keys
    store.dispose()


def logged_in(client: TestClient, key: str) -> TestClient:
    client.cookies.clear()
    response = client.post("/login", data={"key": key, "next": "/"})
    assert response.status_code == 303
    return client


def form_fields(case: str) -> dict:
    claim = json.loads(package_claim(case))
    return {"claim_id": claim["claim_id"], "claim_kind": claim["claim_kind"], "motion": claim["motion"],
            "solution_area": claim["solution_area"], "partner_name": claim["partner"]["name"],
            "customer_name": claim["customer"]["name"], "customer_domain": claim["customer"]["domain"],
            "customer_country": claim["customer"]["country"], "workloads": "\n".join(claim["workloads"]),
            "submitted_on": claim["submitted_on"]}


def test_pages_send_strangers_to_login(env):
    client = env[0]
    client.cookies.clear()
    for path in ("/", "/precheck", "/queue", "/checks", "/checks/abc"):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert client.get("/login").status_code == 200


def test_login_sets_an_httponly_strict_cookie_and_rejects_bad_keys(env):
    client, _, keys = env
    client.cookies.clear()
    bad = client.post("/login", data={"key": "poe_nope-nope-nope-nope-nope"})
    assert bad.status_code == 401 and "not valid" in bad.text and "set-cookie" not in bad.headers
    good = client.post("/login", data={"key": keys["reviewer"], "next": "//evil.example/"})
    cookie = good.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert good.headers["location"] == "/queue"  # an off-site next is ignored
    out = client.post("/logout")
    assert out.status_code == 303 and 'poe_key=""' in out.headers["set-cookie"]


def test_precheck_form_runs_a_check_and_shows_the_fixes(env):
    client, _, keys = env
    logged_in(client, keys["partner"])
    form = client.get("/precheck")
    assert form.status_code == 200 and 'value="5272302" readonly' in form.text
    files = [("files", (n, d)) for n, d in package_files("seed_invalid")]
    response = client.post("/precheck", data=form_fields("seed_invalid"), files=files)
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert page.status_code == 200
    assert "Not ready" in page.text and "What to do:" in page.text
    assert "No page images" in page.text and 'class="card decide"' not in page.text
    mine = client.get("/checks")
    assert "3079759" in mine.text


def test_precheck_form_errors_are_shown_on_the_form(env):
    client, _, keys = env
    logged_in(client, keys["partner"])
    fields = form_fields("seed_valid") | {"submitted_on": "15/09/2025"}
    files = [("files", (n, d)) for n, d in package_files("seed_valid")]
    response = client.post("/precheck", data=fields, files=files)
    assert response.status_code == 422 and "Please fix this first" in response.text and "YYYY-MM-DD" in response.text
    assert 'value="Fabrikam"' in response.text  # what was typed is kept
    response = client.post("/precheck", data=form_fields("seed_valid") | {"invoice_amount_usd": "lots"}, files=files)
    assert response.status_code == 422 and "not a number" in response.text
    response = client.post("/precheck", data=form_fields("seed_valid"))
    assert response.status_code == 422 and "no files" in response.text


def test_reviewer_queue_detail_and_decision(env):
    client, _, keys = env
    logged_in(client, keys["partner"])
    files = [("files", (n, d)) for n, d in package_files("recency_stale")]
    check_url = client.post("/precheck", data=form_fields("recency_stale"), files=files).headers["location"]
    logged_in(client, keys["reviewer"])
    queue = client.get("/queue?rule=recency")
    assert queue.status_code == 200 and check_url in queue.text
    assert check_url not in client.get("/queue?rule=invoice").text
    assert check_url in client.get("/queue?q=3079769").text
    detail = client.get(check_url)
    assert "cannot be approved yet" in detail.text and "/documents/0/pages/5.png" in detail.text
    response = client.post(check_url + "/decision", data={"decision": "approve", "comment": "ok by me"})
    assert response.status_code == 303
    assert "Approved</b> by Rita" in client.get(check_url).text
    assert "Approved" in client.get("/queue?q=3079769").text
    logged_in(client, keys["partner"])
    assert client.post(check_url + "/decision", data={"decision": "approve"}).status_code == 403
    logged_in(client, keys["other"])
    other = client.get(check_url)
    assert other.status_code == 404 and "another partner" in other.text
    assert client.post(check_url + "/decision", data={"decision": "approve"}).status_code == 404


def test_draft_comment_lists_failed_and_unsure_rules():
    verdict = {"claim_id": "42", "documents": [{"name": "x.pdf", "error": "encrypted PDF: upload an unencrypted copy"}],
               "checks": [{"rule": "recency", "status": "fail", "message": "Too old.", "fix": "Add a newer one."},
                          {"rule": "party_names", "status": "warn", "message": "Name unclear.", "fix": None},
                          {"rule": "invoice", "status": "pass", "message": "fine", "fix": None}]}
    text = draft_comment(verdict)
    assert text.splitlines()[0] == "Claim 42: the proof of execution cannot be approved yet."
    assert "- Dates (12-month window): Too old. Add a newer one." in text
    assert "- Partner and customer names: Name unclear." in text and "x.pdf: encrypted PDF" in text
    assert "Invoice" not in text
    clean = draft_comment({"claim_id": "42", "documents": [], "checks": [verdict["checks"][2]]})
    assert clean.endswith("Approved.")


def test_demo_loader_checks_every_fixture_package(tmp_path):
    from poe_checker.service.cli import load_packages
    from poe_checker.service.runner import Runner
    settings = load_settings(data_dir=tmp_path, database_url=None)
    store = Store(settings.sqlalchemy_url)
    runner = Runner(store, settings)
    try:
        for case in ("seed_invalid", "bad_documents"):
            (tmp_path / case).symlink_to(PACKAGES / case)
        ids = load_packages(store, runner, tmp_path)
    finally:
        runner.close()
    from poe_checker.service.store import Principal
    rows = [store.get(Principal(0, "reviewer", None, ""), i) for i in ids]
    assert [r.status for r in rows] == ["done", "done"] and [r.claim_id for r in rows][1] == "3079759"
    store.dispose()
