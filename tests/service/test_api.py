"""Every endpoint, role rule, limit and error of the HTTP API, through FastAPI's test client."""

from __future__ import annotations

import datetime as dt
import io
import json
import threading

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from poe_checker.api import create_app
from poe_checker.service import runner as runner_module
from poe_checker.service.db import Blob, Check
from poe_checker.service.settings import load_settings
from poe_checker.service.store import Store

from .conftest import package_claim, package_files

OTHER_PARTNER = "9990001"


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("api")
    settings = load_settings(data_dir=data_dir, database_url=None, max_file_mb=1, max_package_mb=2, max_files=4)
    store = Store(settings.sqlalchemy_url)
    keys = {"partner": store.create_key("partner", "5272302", "Fabrikam key"),
            "other": store.create_key("partner", OTHER_PARTNER, "Other partner"),
            "reviewer": store.create_key("reviewer", label="Rita Reviewer")}
    with TestClient(create_app(settings, store=store)) as client:
        yield client, store, keys
    store.dispose()


def auth(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def upload(client, key, case, *, claim=None, files=None):
    files = package_files(case) if files is None else files
    return client.post("/v1/checks", headers=auth(key), data={"claim": claim if claim is not None else package_claim(case)},
                       files=[("files", (name, data)) for name, data in files])


def other_claim(case: str) -> str:
    raw = json.loads(package_claim(case))
    raw["partner"]["partner_id"] = OTHER_PARTNER
    raw["partner"]["name"] = "Northwind Traders"
    return json.dumps(raw)


@pytest.fixture(scope="module")
def checks(env):
    """One check per partner: Fabrikam's failing seed_invalid, Fabrikam's failing recency_stale (PDF),
    the other partner's package."""
    client, _, keys = env
    out = {}
    for name, key, case, claim in (("invalid", keys["partner"], "seed_invalid", None),
                                   ("stale", keys["partner"], "recency_stale", None),
                                   ("other", keys["other"], "seed_valid", other_claim("seed_valid"))):
        response = upload(client, key, case, claim=claim)
        assert response.status_code == 201, response.text
        out[name] = response.json()
    return out


def count_rows(store: Store) -> tuple[int, int]:
    with store.session() as s:
        return s.query(Check).count(), s.query(Blob).count()


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()["error"]
    assert body["code"] == code and body["message"]
    return body


# --------------------------------------------------------------------------------------------- basics
def test_healthz_needs_no_key(env):
    response = env[0].get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_openapi_lists_the_v1_api_with_tagged_operation_ids(env):
    client = env[0]
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    assert {"/v1/checks", "/v1/checks/{check_id}", "/v1/checks/{check_id}/report",
            "/v1/checks/{check_id}/documents/{n}/pages/{p}.png", "/v1/checks/{check_id}/decision"} <= set(spec["paths"])
    assert spec["paths"]["/v1/checks"]["post"]["operationId"] == "checks-create_check"
    assert not any(p.startswith("/queue") for p in spec["paths"])  # pages stay out of the API description


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer poe_not-a-real-key-at-all-000000"},
                                     {"Authorization": "Basic Zm9vOmJhcg=="}, {"Authorization": "Bearer"}])
@pytest.mark.parametrize("method,path", [("get", "/v1/checks"), ("get", "/v1/checks/abc"), ("post", "/v1/checks"),
                                         ("get", "/v1/checks/abc/report"),
                                         ("get", "/v1/checks/abc/documents/0/pages/1.png"),
                                         ("post", "/v1/checks/abc/decision")])
def test_missing_or_wrong_key_is_401_json(env, headers, method, path):
    response = getattr(env[0], method)(path, headers=headers)
    assert_error(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"


def test_unknown_route_is_json_404(env):
    assert_error(env[0].get("/v1/nothing", headers=auth(env[2]["reviewer"])), 404, "not_found")


# --------------------------------------------------------------------------------------------- create
def test_create_returns_201_with_the_contract_verdict(env, checks, verdict_validator):
    created = checks["invalid"]
    assert len(created["id"]) == 32 and created["status"] == "done"
    verdict = verdict_validator(created["verdict"])
    assert verdict["claim_id"] == "3079759" and verdict["verdict"] == "fail"
    assert {c["rule"] for c in verdict["checks"] if c["status"] == "fail"} >= {"customer_acknowledgement"}


def test_uploads_are_stored_content_addressed(env, checks):
    client, store, keys = env
    body = client.get(f"/v1/checks/{checks['invalid']['id']}", headers=auth(keys["partner"])).json()
    import hashlib
    for (name, data), stored in zip(package_files("seed_invalid"), body["files"], strict=True):
        assert stored["name"] == name and stored["sha256"] == hashlib.sha256(data).hexdigest()
        assert store.blob(stored["sha256"]) == data


def test_check_runs_in_the_worker_pool_not_on_the_event_loop(env, monkeypatch):
    client, _, keys = env
    threads = []
    real = runner_module.check_package

    def spy(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)
    monkeypatch.setattr(runner_module, "check_package", spy)
    assert upload(client, keys["partner"], "seed_valid").status_code == 201
    assert len(threads) == 1 and threads[0].startswith("poe-check")


def test_a_crashing_check_is_recorded_as_error_and_can_be_rerun(env, monkeypatch):
    client, _, keys = env

    def boom(*args, **kwargs):
        raise RuntimeError("rule engine exploded")
    monkeypatch.setattr(runner_module, "check_package", boom)
    response = upload(client, keys["partner"], "seed_valid")
    assert response.status_code == 201
    created = response.json()
    assert created["status"] == "error" and created["verdict"] is None and "exploded" in created["error"]
    stored = client.get(f"/v1/checks/{created['id']}", headers=auth(keys["partner"])).json()
    assert stored["status"] == "error" and [f["name"] for f in stored["files"]] == ["poe_template.pdf"]
    assert_error(client.get(f"/v1/checks/{created['id']}/report", headers=auth(keys["partner"])), 409, "not_checked")
    monkeypatch.undo()
    rerun = client.post(f"/v1/checks/{created['id']}/rerun", headers=auth(keys["partner"])).json()
    assert rerun["status"] == "done" and rerun["verdict"]["verdict"] == "pass"
    assert client.get(f"/v1/checks/{created['id']}", headers=auth(keys["partner"])).json()["runs"] == 2


def test_partner_fields_filled_from_the_key_and_foreign_partner_refused(env):
    client, store, keys = env
    raw = json.loads(package_claim("seed_valid"))
    del raw["partner"]["partner_id"]
    created = upload(client, keys["partner"], "seed_valid", claim=json.dumps(raw)).json()
    claim = client.get(f"/v1/checks/{created['id']}", headers=auth(keys["partner"])).json()["claim"]
    assert claim["partner"]["partner_id"] == "5272302"
    before = count_rows(store)
    body = assert_error(upload(client, keys["other"], "seed_valid"), 403, "wrong_partner")
    assert body["field"] == "claim.partner.partner_id" and count_rows(store) == before


# --------------------------------------------------------------------------------------------- bad input
def _gif() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, format="GIF")
    return out.getvalue()


@pytest.mark.parametrize("case,status,code,field", [
    ("missing_claim", 422, "missing_part", "claim"),
    ("claim_not_json", 422, "bad_claim", "claim"),
    ("claim_unknown_field", 422, "bad_claim", "claim.customer.domian"),
    ("claim_missing_field", 422, "bad_claim", "claim.claim_id"),
    ("no_files", 422, "missing_part", "files"),
    ("too_many_files", 413, "too_many_files", "files"),
    ("file_too_large", 413, "file_too_large", "files[1]"),
    ("package_too_large", 413, "package_too_large", "files"),
    ("unsupported_file", 415, "unsupported_file", "files[1]"),
])
def test_bad_uploads_get_4xx_json_and_store_nothing(env, case, status, code, field):
    client, store, keys = env
    claim = package_claim("seed_valid")
    pdf = package_files("seed_valid")
    raw = json.loads(claim)
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024)
    nearly = b"%PDF-1.4\n" + b"0" * (900 * 1024)
    data, files = {"claim": claim}, [("files", (n, d)) for n, d in pdf]
    if case == "missing_claim":
        data = {}
    elif case == "claim_not_json":
        data = {"claim": "{not json"}
    elif case == "claim_unknown_field":
        raw["customer"]["domian"] = raw["customer"].pop("domain")
        data = {"claim": json.dumps(raw)}
    elif case == "claim_missing_field":
        del raw["claim_id"]
        data = {"claim": json.dumps(raw)}
    elif case == "no_files":
        files = []
    elif case == "too_many_files":
        files = files * 5
    elif case == "file_too_large":
        files = files + [("files", ("huge.pdf", big))]
    elif case == "package_too_large":
        files = [("files", (f"part{i}.pdf", nearly)) for i in range(3)]
    elif case == "unsupported_file":
        files = files + [("files", ("logo.gif", _gif()))]
    before = count_rows(store)
    response = client.post("/v1/checks", headers=auth(keys["partner"]), data=data, files=files or None)
    body = assert_error(response, status, code)
    assert body["field"] == field
    assert count_rows(store) == before


def test_unknown_field_is_named(env):
    raw = json.loads(package_claim("seed_valid"))
    raw["customer"]["domian"] = "contoso.com"
    body = assert_error(upload(env[0], env[2]["partner"], "seed_valid", claim=json.dumps(raw)), 422, "bad_claim")
    assert "domian" in body["message"]


# --------------------------------------------------------------------------------------------- read
def test_partner_cannot_read_another_partners_check(env, checks):
    client, _, keys = env
    other_id = checks["other"]["id"]
    missing = "0" * 32
    for path in ("/v1/checks/{}", "/v1/checks/{}/report", "/v1/checks/{}/documents/0/pages/1.png"):
        theirs = client.get(path.format(other_id), headers=auth(keys["partner"]))
        nothing = client.get(path.format(missing), headers=auth(keys["partner"]))
        assert theirs.status_code == nothing.status_code == 404
        assert theirs.json()["error"]["code"] == nothing.json()["error"]["code"] == "not_found"
    assert client.get(f"/v1/checks/{other_id}", headers=auth(keys["other"])).status_code == 200
    assert client.get(f"/v1/checks/{other_id}", headers=auth(keys["reviewer"])).status_code == 200
    listed = client.get("/v1/checks", headers=auth(keys["partner"])).json()
    assert other_id not in {c["id"] for c in listed["data"]}
    assert client.get(f"/v1/checks?partner_id={OTHER_PARTNER}", headers=auth(keys["partner"])).json()["count"] == 0


def test_get_returns_the_stored_verdict(env, checks, verdict_validator):
    client, _, keys = env
    body = client.get(f"/v1/checks/{checks['invalid']['id']}", headers=auth(keys["reviewer"])).json()
    assert body["verdict"] == checks["invalid"]["verdict"]
    verdict_validator(body["verdict"])
    assert body["claim"]["claim_id"] == "3079759" and body["status"] == "done" and body["runs"] == 1


def test_list_filters_order_and_pagination(env, checks):
    client, _, keys = env
    r = auth(keys["reviewer"])
    everything = client.get("/v1/checks", headers=r).json()
    assert everything["count"] >= 3
    newest = [c["created_at"] for c in everything["data"]]
    assert newest == sorted(newest, reverse=True)
    risky = client.get("/v1/checks?order=risk", headers=r).json()["data"]
    rank = {"error": 0, "fail": 1, "review": 2, "pass": 3}
    keys_in_order = [(rank[c["verdict"] or c["status"]], c["score"] if c["score"] is not None else -1) for c in risky]
    assert keys_in_order == sorted(keys_in_order)
    fails = client.get("/v1/checks?verdict=fail", headers=r).json()
    assert fails["count"] >= 2 and all(c["verdict"] == "fail" for c in fails["data"])
    recency = client.get("/v1/checks?rule=recency", headers=r).json()["data"]
    assert recency and all("recency" in c["failed_rules"] for c in recency)
    assert checks["stale"]["id"] in {c["id"] for c in recency}
    assert {c["partner_id"] for c in client.get(f"/v1/checks?partner_id={OTHER_PARTNER}", headers=r).json()["data"]} \
        == {OTHER_PARTNER}
    by_claim = client.get("/v1/checks?claim_id=3079759", headers=r).json()["data"]
    assert [c["id"] for c in by_claim] == [checks["invalid"]["id"]]
    assert client.get("/v1/checks?q=northwind", headers=r).json()["data"][0]["id"] == checks["other"]["id"]
    today = dt.datetime.now(dt.UTC).date()
    assert client.get(f"/v1/checks?since={today}&until={today}", headers=r).json()["count"] == everything["count"]
    assert client.get(f"/v1/checks?until={today - dt.timedelta(days=1)}", headers=r).json()["count"] == 0
    page1 = client.get("/v1/checks?limit=2&offset=0", headers=r).json()
    page2 = client.get("/v1/checks?limit=2&offset=2", headers=r).json()
    assert len(page1["data"]) == 2 and page1["count"] == everything["count"]
    assert not {c["id"] for c in page1["data"]} & {c["id"] for c in page2["data"]}
    assert_error(client.get("/v1/checks?rule=nonsense", headers=r), 422, "bad_filter")
    assert_error(client.get("/v1/checks?limit=0", headers=r), 422, "invalid_request")
    assert_error(client.get("/v1/checks?since=yesterday", headers=r), 422, "invalid_request")


def test_report_is_partner_facing_html(env, checks):
    client, _, keys = env
    response = client.get(f"/v1/checks/{checks['invalid']['id']}/report", headers=auth(keys["partner"]))
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "What to do:" in response.text and "Customer acknowledgement" in response.text


# --------------------------------------------------------------------------------------------- page images
def _red_pixels(png: bytes) -> int:
    raw = Image.open(io.BytesIO(png)).convert("RGB").tobytes()
    return sum(1 for i in range(0, len(raw), 3) if raw[i] > 170 and raw[i + 1] < 80 and raw[i + 2] < 80)


def test_page_image_has_the_failed_rules_evidence_boxed(env, checks):
    client, _, keys = env
    verdict = checks["stale"]["verdict"]
    n = next(i for i, d in enumerate(verdict["documents"]) if d["name"] == "sow.pdf")
    ev = next(e for c in verdict["checks"] if c["rule"] == "recency" for e in c["evidence"])
    url = f"/v1/checks/{checks['stale']['id']}/documents/{n}/pages/{ev['page']}.png"
    response = client.get(url + "?scale=1", headers=auth(keys["partner"]))
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(response.content)).convert("RGB")
    assert image.size == (612, 792)
    x0, top, x1, _ = ev["bbox"]
    # the box outline sits just outside the evidence's box, in the failed colour
    assert image.getpixel((round((x0 + x1) / 2), round(top) - 2))[0] > 170
    assert image.getpixel((round((x0 + x1) / 2), round(top) - 2))[1] < 80
    only_pass = client.get(url + "?scale=1&rule=party_names", headers=auth(keys["partner"])).content
    assert _red_pixels(response.content) > _red_pixels(only_pass)


def test_page_image_errors(env, checks):
    client, _, keys = env
    cid = checks["invalid"]["id"]
    documents = checks["invalid"]["verdict"]["documents"]
    eml = next(i for i, d in enumerate(documents) if d["name"].endswith(".eml"))
    body = assert_error(client.get(f"/v1/checks/{cid}/documents/{eml}/pages/1.png", headers=auth(keys["partner"])),
                        404, "no_page_images")
    assert "not a PDF" in body["message"]
    assert_error(client.get(f"/v1/checks/{cid}/documents/99/pages/1.png", headers=auth(keys["partner"])),
                 404, "no_document")
    stale = checks["stale"]
    assert_error(client.get(f"/v1/checks/{stale['id']}/documents/0/pages/99.png", headers=auth(keys["partner"])),
                 404, "no_page")
    assert_error(client.get(f"/v1/checks/{stale['id']}/documents/0/pages/1.png?scale=9", headers=auth(keys["partner"])),
                 422, "invalid_request")


# --------------------------------------------------------------------------------------------- decisions
def test_decisions_reviewer_only_and_kept_as_an_audit_trail(env, checks):
    client, _, keys = env
    cid = checks["stale"]["id"]
    url = f"/v1/checks/{cid}/decision"
    assert_error(client.post(url, headers=auth(keys["partner"]), json={"decision": "approve", "comment": ""}),
                 403, "forbidden")
    assert_error(client.post(url, headers=auth(keys["other"]), json={"decision": "approve", "comment": ""}),
                 404, "not_found")
    assert_error(client.post(url, headers=auth(keys["reviewer"]), json={"decision": "maybe"}), 422, "invalid_request")
    assert_error(client.post(f"/v1/checks/{'f' * 32}/decision", headers=auth(keys["reviewer"]),
                             json={"decision": "approve"}), 404, "not_found")
    first = client.post(url, headers=auth(keys["reviewer"]), json={"decision": "request_info", "comment": "newer ack?"})
    assert first.status_code == 201
    assert first.json()["actor"] == "Rita Reviewer" and first.json()["decision"] == "request_info"
    second = client.post(url, headers=auth(keys["reviewer"]), json={"decision": "reject", "comment": "stale"})
    assert second.status_code == 201
    trail = client.get(f"/v1/checks/{cid}", headers=auth(keys["partner"])).json()["decisions"]
    assert [(d["decision"], d["comment"]) for d in trail] == [("request_info", "newer ack?"), ("reject", "stale")]
    listed = client.get(f"/v1/checks?claim_id={checks['stale']['verdict']['claim_id']}",
                        headers=auth(keys["reviewer"])).json()["data"]
    assert listed[0]["decision"]["decision"] == "reject"
