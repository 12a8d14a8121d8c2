"""Server-rendered pages: login, the partner's pre-check form and result, the reviewer's queue.

Pages authenticate with the key kept in an HttpOnly, SameSite=Strict cookie (Strict also keeps
other sites from posting forms with it). They use the same store, runner and intake as the API.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from ..rules import document_type
from ..model import RULE_IDS
from ..report import HEADLINES, MARKS, TITLES, WORDS
from . import intake
from .comments import draft_comment
from .deps import COOKIE, ApiError, MaybePrincipalDep, RunnerDep, SettingsDep, StoreDep
from .store import DECISIONS, CheckFilter, Principal

TEMPLATES = Jinja2Templates(directory=Path(__file__).with_name("templates"))
TEMPLATES.env.globals.update(TITLES=TITLES, MARKS=MARKS, WORDS=WORDS, HEADLINES=HEADLINES, RULE_IDS=RULE_IDS)
DOC_TYPES = document_type.LABELS
DECISION_WORDS = {"approve": "Approved", "reject": "Rejected", "request_info": "More information requested"}
TEMPLATES.env.globals.update(DOC_TYPES=DOC_TYPES, DECISION_WORDS=DECISION_WORDS)
MAX_IMAGES_PER_DOC = 8
ORDER = ("fail", "warn", "pass", "not_applicable")

router = APIRouter(include_in_schema=False)


def page_error(request: Request, exc: ApiError) -> Response | None:
    """HTML for people on the pages; ``None`` lets the API answer in JSON."""
    path = request.url.path
    if path.startswith(("/v1/", "/healthz", "/static/", "/docs", "/openapi")):
        return None
    if exc.status == 401:
        return RedirectResponse("/login?" + urlencode({"next": path}), status_code=303)
    return _render(request, "error.html", None, {"error": exc}, status=exc.status)


def _render(request: Request, name: str, who: Principal | None, context: dict, status: int = 200) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, name, {"who": who, **context}, status_code=status)


def _need(who: Principal | None) -> Principal:
    if who is None:
        raise ApiError(401, "unauthorized", "log in with your key")
    return who


@router.get("/")
def home(who: MaybePrincipalDep) -> RedirectResponse:
    if who is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse("/queue" if who.is_reviewer else "/precheck", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, who: MaybePrincipalDep, next: str = "/") -> HTMLResponse:
    return _render(request, "login.html", who, {"next": _safe_next(next), "problem": None})


@router.post("/login")
def login(request: Request, store: StoreDep, settings: SettingsDep,
          key: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/") -> Response:
    who = store.authenticate(key.strip())
    if who is None:
        return _render(request, "login.html", None, {"next": _safe_next(next),
                                                     "problem": "That key is not valid. Paste the whole key you were "
                                                                "given (it starts with poe_)."}, status=401)
    target = _safe_next(next)
    response = RedirectResponse(target if target != "/" else ("/queue" if who.is_reviewer else "/precheck"),
                                status_code=303)
    response.set_cookie(COOKIE, key.strip(), httponly=True, samesite="strict", max_age=12 * 3600,
                        secure=settings.cookie_secure or request.url.scheme == "https")
    return response


@router.post("/logout")
def logout() -> RedirectResponse:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, httponly=True, samesite="strict")
    return response


def _safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


# partner pre-check --------------------------------------------------------------------------------
@router.get("/precheck", response_class=HTMLResponse)
def precheck_form(request: Request, who: MaybePrincipalDep) -> HTMLResponse:
    who = _need(who)
    return _render(request, "precheck.html", who, {"form": {"submitted_on": dt.date.today().isoformat(),
                                                            "partner_id": who.partner_id or ""},
                                                   "problem": None})


@router.post("/precheck", response_class=HTMLResponse)
async def precheck(request: Request, store: StoreDep, runner: RunnerDep, settings: SettingsDep,
                   who: MaybePrincipalDep) -> Response:
    who = _need(who)
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    files = [f for f in form.getlist("files") if not isinstance(f, str)]
    try:
        raw = intake.validate_claim(claim_from_form(fields, who), who)
        uploads = await intake.read_uploads(files, settings)  # type: ignore[arg-type]
    except ApiError as exc:
        return _render(request, "precheck.html", who, {"form": fields, "problem": exc}, status=exc.status)
    check_id = await intake.submit(store, runner, who, raw, uploads)
    return RedirectResponse(f"/checks/{check_id}", status_code=303)


def claim_from_form(f: dict[str, str], who: Principal) -> dict:
    """The contract's claim from the form's plain fields; the schema then judges it like any claim."""
    def text(name: str) -> str | None:
        value = (f.get(name) or "").strip()
        return value or None

    workloads = [w.strip() for line in (f.get("workloads") or "").splitlines() for w in line.split(";") if w.strip()]
    claim: dict = {
        "claim_id": text("claim_id") or "",
        "claim_kind": text("claim_kind") or "",
        "solution_area": text("solution_area") or "",
        "partner": {"name": text("partner_name") or "",
                    "partner_id": who.partner_id if who.role == "partner" else text("partner_id")},
        "customer": {"name": text("customer_name") or "", "public_sector": f.get("public_sector") == "on"},
        "workloads": workloads,
    }
    for key in ("motion", "engagement", "submitted_on", "transaction_date"):
        if text(key):
            claim[key] = text(key)
    for key, field in (("domain", "customer_domain"), ("country", "customer_country")):
        if text(field):
            claim["customer"][key] = text(field).lower() if key == "domain" else text(field).upper()
    if text("partner_country"):
        claim["partner"]["country"] = text("partner_country").upper()
    if text("invoice_amount_usd"):
        amount = text("invoice_amount_usd").replace(",", "").replace("$", "")
        try:
            claim["invoice_amount_usd"] = float(amount)
        except ValueError:
            raise ApiError(422, "bad_claim", f"invoice amount {amount!r} is not a number (e.g. 12500.00)",
                           "claim.invoice_amount_usd") from None
    return claim


# one check -------------------------------------------------------------------------------------
@router.get("/checks/{check_id}", response_class=HTMLResponse)
def check_page(request: Request, check_id: str, store: StoreDep, who: MaybePrincipalDep) -> HTMLResponse:
    who = _need(who)
    row = store.get(who, check_id)
    if row is None:
        raise ApiError(404, "not_found", "There is no such check, or it belongs to another partner.")
    verdict = json.loads(row.verdict_json) if row.verdict_json else None
    context = {"row": row, "verdict": verdict, "claim": json.loads(row.claim_json), "files": store.file_rows(row.id),
               "decisions": store.decisions([row.id])[row.id], "DECISIONS": DECISIONS}
    if verdict:
        checks = sorted(verdict["checks"], key=lambda c: ORDER.index(c["status"]))
        context.update(checks=checks, documents=_documents(verdict, {f.sha256 for f in context["files"]}),
                       comment=draft_comment(verdict))
    return _render(request, "check.html", who, context)


def _documents(verdict: dict, uploaded: set[str]) -> list[dict]:
    """Each document with the pages to show (those holding evidence) or why it has no page images."""
    out = []
    for n, doc in enumerate(verdict["documents"]):
        pages: dict[int, set[str]] = {}
        for check in verdict["checks"]:
            for ev in check["evidence"]:
                if ev["document"] == doc["name"] and ev["page"] and ev.get("bbox"):
                    pages.setdefault(ev["page"], set()).add(check["status"])
        shown = doc["media_type"] == "application/pdf" and not doc["error"] and doc["sha256"] in uploaded
        if shown and not pages and doc["pages"]:
            pages = {1: set()}
        ordered = sorted(pages, key=lambda p: (min(ORDER.index(s) for s in pages[p]) if pages[p] else 9, p))
        out.append({"n": n, **doc, "images": sorted(ordered[:MAX_IMAGES_PER_DOC]) if shown else [],
                    "statuses": pages, "no_images": None if shown else _why_no_images(doc, uploaded)})
    return out


def _why_no_images(doc: dict, uploaded: set[str]) -> str:
    if doc["error"]:
        return "could not be read, so there is nothing to show"
    if doc["media_type"] == "message/rfc822" or doc["doc_type"] == "email" or "outlook" in doc["media_type"]:
        return "an email has no pages to show: its evidence is quoted with each rule"
    if doc["media_type"] != "application/pdf":
        return "page images are shown for PDFs only: this file's evidence is quoted with each rule"
    return "an attachment inside another file: its evidence is quoted with each rule"


@router.post("/checks/{check_id}/decision")
def decide(check_id: str, store: StoreDep, who: MaybePrincipalDep,
           decision: Annotated[str, Form()], comment: Annotated[str, Form()] = "") -> RedirectResponse:
    who = _need(who)
    row = store.get(who, check_id)
    if row is None:
        raise ApiError(404, "not_found", "There is no such check, or it belongs to another partner.")
    if not who.is_reviewer:
        raise ApiError(403, "forbidden", "Only reviewers record decisions.")
    if decision not in DECISIONS:
        raise ApiError(422, "bad_decision", f"decision must be one of {', '.join(DECISIONS)}")
    store.add_decision(who, row.id, decision, comment[:10_000])
    return RedirectResponse(f"/checks/{row.id}#decisions", status_code=303)


@router.post("/checks/{check_id}/rerun")
async def rerun(check_id: str, store: StoreDep, runner: RunnerDep, who: MaybePrincipalDep) -> RedirectResponse:
    who = _need(who)
    if store.get(who, check_id) is None:
        raise ApiError(404, "not_found", "There is no such check, or it belongs to another partner.")
    await runner.run_async(check_id)
    return RedirectResponse(f"/checks/{check_id}", status_code=303)


# reviewer queue -------------------------------------------------------------------------------
@router.get("/queue", response_class=HTMLResponse)
def queue(request: Request, store: StoreDep, who: MaybePrincipalDep, rule: str = "", partner_id: str = "",
          q: str = "", since: str = "", until: str = "", verdict: str = "", page: int = 1) -> HTMLResponse:
    who = _need(who)
    if not who.is_reviewer:
        return RedirectResponse("/checks", status_code=303)  # type: ignore[return-value]
    page = max(page, 1)
    filters = {"rule": rule, "partner_id": partner_id, "q": q, "since": since, "until": until, "verdict": verdict}
    flt = CheckFilter(rule=rule if rule in RULE_IDS else None, partner_id=partner_id.strip() or None,
                      q=q.strip()[:200] or None, since=_date(since), until=_date(until),
                      verdict=verdict if verdict in ("pass", "review", "fail") else None, order="risk")
    per_page = 50
    rows, total = store.search(who, flt, limit=per_page, offset=(page - 1) * per_page)
    decisions = store.decisions([r.id for r in rows])
    more = {k: v for k, v in filters.items() if v}
    return _render(request, "queue.html", who, {
        "rows": rows, "total": total, "decisions": decisions, "filters": filters, "page": page,
        "prev": f"/queue?{urlencode({**more, 'page': page - 1})}" if page > 1 else None,
        "next": f"/queue?{urlencode({**more, 'page': page + 1})}" if page * per_page < total else None})


@router.get("/checks", response_class=HTMLResponse)
def my_checks(request: Request, store: StoreDep, who: MaybePrincipalDep) -> HTMLResponse:
    """A partner's own pre-checks, newest first."""
    who = _need(who)
    rows, total = store.search(who, CheckFilter(order="newest"), limit=100)
    return _render(request, "checks.html", who, {"rows": rows, "total": total})


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None
