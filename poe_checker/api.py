"""The HTTP service: ``create_app(settings)`` builds the FastAPI application.

JSON API under ``/v1`` (OpenAPI at ``/docs``), server-rendered pages for partners and reviewers,
``/healthz``. Storage, keys, the check runner and page rendering live in ``poe_checker.service``.
"""

from __future__ import annotations

import datetime as dt
import json
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, FastAPI, File, Form, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import __version__
from .model import RULE_IDS
from .service import intake
from .service.db import Check, Decision
from .service.deps import ApiError, PrincipalDep, RunnerDep, SettingsDep, StoreDep
from .service.render import NoPage, evidence_boxes, render_page
from .service.runner import Runner
from .service.settings import ServiceSettings, load_settings
from .service.store import CheckFilter, Principal, Store

STATIC = Path(__file__).with_name("service") / "static"


# Response models: the contract's verdict stays a plain dict (its JSON Schema is the judge).
class DecisionPublic(BaseModel):
    decision: Literal["approve", "reject", "request_info"]
    comment: str
    actor: str
    created_at: dt.datetime


class DecisionIn(BaseModel):
    decision: Literal["approve", "reject", "request_info"]
    comment: str = Field("", max_length=10_000)


class FilePublic(BaseModel):
    name: str
    sha256: str
    size: int


class CheckSummary(BaseModel):
    id: str
    claim_id: str
    partner_id: str | None
    partner_name: str
    customer_name: str
    status: Literal["queued", "running", "done", "error"]
    error: str | None
    verdict: Literal["pass", "review", "fail"] | None
    score: int | None
    failed_rules: list[str]
    created_at: dt.datetime
    runs: int
    decision: DecisionPublic | None
    """The latest decision, if any."""


class ChecksPublic(BaseModel):
    data: list[CheckSummary]
    count: int
    """Matching checks in all pages."""


class CheckPublic(BaseModel):
    id: str
    status: Literal["queued", "running", "done", "error"]
    error: str | None
    created_at: dt.datetime
    runs: int
    claim: dict
    verdict: dict | None
    """The contract's verdict (``verdict.schema.json``); null until checked or when the check errored."""
    files: list[FilePublic]
    decisions: list[DecisionPublic]
    """Every decision, oldest first: the audit trail."""


class CheckCreated(BaseModel):
    id: str
    status: Literal["done", "error"]
    error: str | None
    verdict: dict | None


class Health(BaseModel):
    status: str
    version: str


def _decision(row: Decision) -> DecisionPublic:
    return DecisionPublic(decision=row.decision, comment=row.comment, actor=row.actor, created_at=row.created_at)


def _summary(row: Check, decisions: list[Decision]) -> CheckSummary:
    return CheckSummary(id=row.id, claim_id=row.claim_id, partner_id=row.partner_id, partner_name=row.partner_name,
                        customer_name=row.customer_name, status=row.status, error=row.error, verdict=row.verdict,
                        score=row.score, failed_rules=[r for r in row.failed_rules.split(",") if r],
                        created_at=row.created_at, runs=row.runs,
                        decision=_decision(decisions[-1]) if decisions else None)


def visible_check(store: Store, who: Principal, check_id: str) -> Check:
    row = store.get(who, check_id)
    if row is None:
        raise ApiError(404, "not_found", f"no check {check_id}")
    return row


def _unique_id(route: APIRoute) -> str:
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


router = APIRouter(prefix="/v1", tags=["checks"])


@router.post("/checks", status_code=201, response_model=CheckCreated,
             responses={401: {}, 403: {}, 413: {}, 415: {}, 422: {}})
async def create_check(store: StoreDep, runner: RunnerDep, settings: SettingsDep, who: PrincipalDep,
                       claim: Annotated[str | None, Form(description="the claim JSON (contract section 1)")] = None,
                       files: Annotated[list[UploadFile] | None, File(description="the POE documents")] = None,
                       ) -> CheckCreated:
    raw = intake.validate_claim(intake.parse_claim_text(claim), who)
    uploads = await intake.read_uploads(files, settings)
    check_id = await intake.submit(store, runner, who, raw, uploads)
    row = visible_check(store, who, check_id)
    return CheckCreated(id=row.id, status=row.status, error=row.error,
                        verdict=json.loads(row.verdict_json) if row.verdict_json else None)


@router.get("/checks", response_model=ChecksPublic)
def list_checks(store: StoreDep, who: PrincipalDep,
                verdict: Literal["pass", "review", "fail"] | None = None,
                rule: Annotated[str | None, Query(description="only checks where this rule failed")] = None,
                partner_id: str | None = None, claim_id: str | None = None,
                q: Annotated[str | None, Query(description="search claim id, customer or partner name",
                                               max_length=200)] = None,
                since: Annotated[dt.date | None, Query(description="created on or after (UTC date)")] = None,
                until: Annotated[dt.date | None, Query(description="created on or before (UTC date)")] = None,
                status: Literal["queued", "running", "done", "error"] | None = None,
                order: Literal["newest", "risk"] = "newest",
                limit: Annotated[int, Query(ge=1, le=200)] = 50,
                offset: Annotated[int, Query(ge=0)] = 0) -> ChecksPublic:
    if rule is not None and rule not in RULE_IDS:
        raise ApiError(422, "bad_filter", f"unknown rule {rule!r}; one of {', '.join(RULE_IDS)}", "rule")
    rows, total = store.search(who, CheckFilter(verdict=verdict, rule=rule, partner_id=partner_id, claim_id=claim_id,
                                                q=q or None, since=since, until=until, status=status, order=order),
                               limit=limit, offset=offset)
    decisions = store.decisions([r.id for r in rows])
    return ChecksPublic(data=[_summary(r, decisions[r.id]) for r in rows], count=total)


@router.get("/checks/{check_id}", response_model=CheckPublic, responses={401: {}, 404: {}})
def get_check(check_id: str, store: StoreDep, who: PrincipalDep) -> CheckPublic:
    row = visible_check(store, who, check_id)
    files = [FilePublic(name=f.name, sha256=f.sha256, size=f.size) for f in store.file_rows(row.id)]
    return CheckPublic(id=row.id, status=row.status, error=row.error, created_at=row.created_at, runs=row.runs,
                       claim=json.loads(row.claim_json),
                       verdict=json.loads(row.verdict_json) if row.verdict_json else None, files=files,
                       decisions=[_decision(d) for d in store.decisions([row.id])[row.id]])


@router.post("/checks/{check_id}/rerun", response_model=CheckCreated, responses={401: {}, 404: {}})
async def rerun_check(check_id: str, store: StoreDep, runner: RunnerDep, who: PrincipalDep) -> CheckCreated:
    """Check the stored files again (after an error, or after the checker was updated)."""
    visible_check(store, who, check_id)
    await runner.run_async(check_id)
    row = visible_check(store, who, check_id)
    return CheckCreated(id=row.id, status=row.status, error=row.error,
                        verdict=json.loads(row.verdict_json) if row.verdict_json else None)


@router.get("/checks/{check_id}/report", response_class=HTMLResponse, responses={401: {}, 404: {}, 409: {}})
def get_report(check_id: str, store: StoreDep, who: PrincipalDep) -> HTMLResponse:
    row = visible_check(store, who, check_id)
    if row.report_html is None:
        raise ApiError(409, "not_checked", f"check {check_id} has no result ({row.status}): re-run it")
    return HTMLResponse(row.report_html)


@router.get("/checks/{check_id}/documents/{n}/pages/{p}.png", response_class=Response,
            responses={200: {"content": {"image/png": {}}}, 401: {}, 404: {}})
def get_page_image(check_id: str, n: int, p: int, store: StoreDep, who: PrincipalDep,
                   rule: Annotated[str | None, Query(description="draw only this rule's evidence")] = None,
                   scale: Annotated[float, Query(ge=0.5, le=3.0)] = 1.5) -> Response:
    """Page ``p`` (1-based) of document ``n`` (0-based index into the verdict's ``documents``)."""
    row = visible_check(store, who, check_id)
    verdict = json.loads(row.verdict_json) if row.verdict_json else None
    if verdict is None:
        raise ApiError(404, "not_checked", f"check {check_id} has no result yet")
    if not 0 <= n < len(verdict["documents"]):
        raise ApiError(404, "no_document", f"the check has {len(verdict['documents'])} document(s); no index {n}")
    doc = verdict["documents"][n]
    data = store.blob(doc["sha256"]) if doc["media_type"] == "application/pdf" and not doc["error"] else None
    if data is None:
        raise ApiError(404, "no_page_images", page_images_absent_reason(doc))
    try:
        png = render_page(data, p, evidence_boxes(verdict, doc["name"], p, rule), scale)
    except NoPage as exc:
        raise ApiError(404, "no_page", str(exc)) from exc
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=300"})


def page_images_absent_reason(doc: dict) -> str:
    if doc["error"]:
        return f"{doc['name']} could not be read, so it has no page images"
    if doc["media_type"] != "application/pdf":
        return f"{doc['name']} is not a PDF ({doc['media_type']}): only PDF pages are shown as images"
    return f"{doc['name']} is an attachment inside another file; only uploaded PDFs are shown as images"


@router.post("/checks/{check_id}/decision", status_code=201, response_model=DecisionPublic,
             responses={401: {}, 403: {}, 404: {}})
def record_decision(check_id: str, body: DecisionIn, store: StoreDep, who: PrincipalDep) -> DecisionPublic:
    row = visible_check(store, who, check_id)
    if not who.is_reviewer:
        raise ApiError(403, "forbidden", "only a reviewer key can record decisions")
    return _decision(store.add_decision(who, row.id, body.decision, body.comment))


def _json_error(exc: ApiError) -> JSONResponse:
    return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)


def create_app(settings: ServiceSettings | None = None, *, store: Store | None = None) -> FastAPI:
    """The service. ``store`` may be passed in (tests share one); otherwise it comes from ``settings``."""
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if app.state.store is None:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            app.state.store = Store(settings.sqlalchemy_url)
        app.state.runner = Runner(app.state.store, settings)
        try:
            yield
        finally:
            app.state.runner.close()
            if store is None:
                app.state.store.dispose()

    app = FastAPI(title="poe-checker", version=__version__, lifespan=lifespan, generate_unique_id_function=_unique_id,
                  description="Checks Partner Center Proof of Execution packages. Authenticate with "
                              "`Authorization: Bearer <key>` (keys: `poe-checker keys create`).")
    app.state.settings, app.state.store = settings, store

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> Response:
        from .service.pages import (
            page_error,  # pages answer people with HTML, the API with JSON
        )
        return page_error(request, exc) or _json_error(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        field = ".".join(str(p) for p in first.get("loc", ())[1:]) or None
        message = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'request'}: {e.get('msg')}"
                            for e in exc.errors()[:5])
        return _json_error(ApiError(422, "invalid_request", message, field))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return _json_error(ApiError(exc.status_code, code, str(exc.detail), headers=getattr(exc, "headers", None)))

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        return _json_error(ApiError(500, "internal_error", "internal error; the request was not completed"))

    @app.get("/healthz", response_model=Health, tags=["health"])
    def healthz(store: StoreDep) -> Health:
        store.ping()
        return Health(status="ok", version=__version__)

    app.include_router(router)
    from .service.pages import router as pages
    app.include_router(pages)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


__all__ = ["create_app"]
