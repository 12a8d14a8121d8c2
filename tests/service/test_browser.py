"""The pages in a real browser: Debian's Chromium, headless, driven by Playwright against uvicorn.

A partner logs in with a key, fills the pre-check form for the guide's Invalid POE
(fixtures/packages/seed_invalid) and sees what to fix; a reviewer finds it in the queue, opens it,
records a decision, and sees evidence boxed on a page image of a PDF package. Screenshots of every
page go to test-artifacts/service/.
"""

from __future__ import annotations

import io
import json
import os
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

from poe_checker.api import create_app
from poe_checker.service.cli import load_packages
from poe_checker.service.runner import Runner
from poe_checker.service.settings import load_settings
from poe_checker.service.store import Store

from .conftest import PACKAGES, ROOT, _free_port

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = ROOT / "test-artifacts" / "service"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("/usr/bin/chromium missing: apt-get install chromium")
        pytest.skip("/usr/bin/chromium missing")
    import uvicorn
    settings = load_settings(data_dir=tmp_path_factory.mktemp("browser"), database_url=None)
    store = Store(settings.sqlalchemy_url)
    keys = {"partner": store.create_key("partner", "5272302", "Fabrikam"),
            "reviewer": store.create_key("reviewer", label="Rita Reviewer")}
    demo = tmp_path_factory.mktemp("demo")
    for case in ("recency_stale", "seed_valid"):  # other submissions in the queue; recency_stale has a PDF
        (demo / case).symlink_to(PACKAGES / case)
    runner = Runner(store, settings)
    load_packages(store, runner, demo)
    runner.close()
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings, store=store), host="127.0.0.1", port=port,
                                           log_level="warning", timeout_graceful_shutdown=5))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", keys
    server.should_exit = True
    thread.join(timeout=10)
    store.dispose()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def login(page, base: str, key: str) -> None:
    page.goto(base + "/")
    page.fill("#key", key)
    page.click("button:has-text('Log in')")


def red_pixels(png: bytes) -> int:
    raw = Image.open(io.BytesIO(png)).convert("RGB").tobytes()
    return sum(1 for i in range(0, len(raw), 3) if raw[i] > 170 and raw[i + 1] < 80 and raw[i + 2] < 80)


def test_partner_prechecks_and_reviewer_decides(browser, server):
    # ``browser`` first, so it closes last: the server's reader processes, forked while Playwright
    # runs, hold its driver pipe open until the server has stopped them.
    base, keys = server
    claim = json.loads((PACKAGES / "seed_invalid" / "claim.json").read_text())
    files = [str(p) for p in sorted((PACKAGES / "seed_invalid").iterdir())
             if p.name not in ("claim.json", "expected.json")]

    partner = browser.new_context(viewport={"width": 1280, "height": 900})
    reviewer = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        check_url = partner_prechecks(partner.new_page(), base, keys["partner"], claim, files)
        reviewer_decides(reviewer.new_page(), base, keys["reviewer"], check_url)
    finally:
        partner.close()
        reviewer.close()


def partner_prechecks(page, base: str, key: str, claim: dict, files: list[str]) -> str:
    page.goto(base + "/")
    assert page.url.endswith("/login")
    page.fill("#key", "poe_wrong-key-0000000000000000")
    page.click("button:has-text('Log in')")
    assert "not valid" in page.inner_text("[role=alert]")
    shot(page, "01-login-refused")
    page.fill("#key", key)
    page.click("button:has-text('Log in')")
    page.wait_for_url("**/precheck")
    cookie = next(c for c in page.context.cookies() if c["name"] == "poe_key")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    page.fill("input[name=claim_id]", claim["claim_id"])
    page.select_option("select[name=claim_kind]", claim["claim_kind"])
    page.select_option("select[name=solution_area]", claim["solution_area"])
    page.fill("input[name=engagement]", claim["engagement"])
    page.fill("input[name=partner_name]", claim["partner"]["name"])
    page.fill("input[name=partner_country]", claim["partner"]["country"])
    page.fill("input[name=customer_name]", claim["customer"]["name"])
    page.fill("input[name=customer_domain]", claim["customer"]["domain"])
    page.fill("input[name=customer_country]", claim["customer"]["country"])
    page.fill("textarea[name=workloads]", "\n".join(claim["workloads"]))
    page.fill("input[name=submitted_on]", claim["submitted_on"])
    page.set_input_files("input[name=files]", files)
    shot(page, "02-partner-precheck-form")
    page.click("button:has-text('Check my POE')")
    page.wait_for_url("**/checks/*")
    check_url = page.url
    assert "Not ready" in page.inner_text(".verdict")
    ack = page.locator("#rule-customer_acknowledgement")
    assert "fix this" in ack.inner_text().lower() and "What to do:" in ack.inner_text()
    assert page.locator(".rule.fail").count() >= 1
    assert "No page images" in page.inner_text("#pages ~ .document")  # DOCX and email: said so, not hidden
    assert page.locator(".decide").count() == 0  # partners do not decide
    shot(page, "03-partner-result")
    page.goto(base + "/queue")  # the queue is for reviewers: a partner lands on their own checks
    assert page.url.endswith("/checks") and "3079759" in page.inner_text("table")
    return check_url


def reviewer_decides(page, base: str, key: str, check_url: str) -> None:
    login(page, base, key)
    page.wait_for_url("**/queue")
    rows = page.locator("table.queue tbody tr")
    assert rows.count() == 3
    assert rows.nth(rows.count() - 1).locator(".badge").inner_text() == "PASS"  # riskiest first
    shot(page, "04-reviewer-queue")
    page.fill("input[name=q]", "3079759")
    page.click("button:has-text('Filter')")
    assert page.locator("table.queue tbody tr").count() == 1
    shot(page, "05-reviewer-queue-search")
    page.click("a:has-text('3079759')")
    assert page.url == check_url
    comment = page.input_value("#comment")
    assert "cannot be approved yet" in comment and "Customer acknowledgement" in comment
    shot(page, "06-reviewer-detail")
    page.click("button.info")
    page.wait_for_url("**#decisions")
    assert "More information requested by Rita Reviewer" in page.inner_text(".history")
    shot(page, "07-reviewer-decision-recorded")

    # evidence boxed on a page image: the stale SOW's signature date
    stale = json.loads((PACKAGES / "recency_stale" / "claim.json").read_text())["claim_id"]
    page.goto(base + "/queue?rule=recency&q=" + stale)
    page.click(f"a:has-text('{stale}')")
    page.locator("#rule-recency a:has-text('see it on the page')").first.click()
    target = page.evaluate("location.hash")
    img = page.locator(f"{target} img")
    img.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle())
    png = page.request.get(base + img.get_attribute("src")).body()
    assert red_pixels(png) > 200
    unboxed = page.request.get(base + img.get_attribute("src") + "?rule=party_names").body()
    assert red_pixels(png) > red_pixels(unboxed)
    page.locator("#pages").scroll_into_view_if_needed()
    shot(page, "08-reviewer-evidence-on-page")
