"""All database access. Routes and the runner go through ``Store``; no SQL anywhere else.

Who may see what is decided here too (``visible``), so no query can forget it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from .db import ApiKey, Blob, Check, CheckFile, Decision, make_engine, migrate, utcnow

ROLES = ("partner", "reviewer")
DECISIONS = ("approve", "reject", "request_info")
RISK = {"fail": 1, "review": 2, "pass": 3}
KEY_PREFIX_LEN = 12


@dataclass(frozen=True)
class Principal:
    key_id: int
    role: str
    partner_id: str | None
    label: str

    @property
    def is_reviewer(self) -> bool:
        return self.role == "reviewer"

    @property
    def name(self) -> str:
        return self.label or (f"partner {self.partner_id}" if self.partner_id else f"reviewer key {self.key_id}")


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class CheckFilter:
    verdict: str | None = None
    rule: str | None = None
    """Only checks where this rule failed."""
    partner_id: str | None = None
    claim_id: str | None = None
    q: str | None = None
    """Search: claim id, customer or partner name (substring, any case)."""
    since: dt.date | None = None
    until: dt.date | None = None
    status: str | None = None
    order: str = "newest"
    """``newest`` or ``risk`` (errors first, then fails, reviews, passes; lowest score first)."""


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class Store:
    def __init__(self, url: str, *, engine: Engine | None = None):
        self.engine = engine or make_engine(url)
        migrate(self.engine)
        self._session = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        return self._session()

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")

    def dispose(self) -> None:
        self.engine.dispose()

    # keys ---------------------------------------------------------------------------------
    def create_key(self, role: str, partner_id: str | None = None, label: str = "") -> str:
        """A new key, returned once; only its SHA-256 is kept (keys are random, so no slow hash is needed)."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}")
        if role == "partner" and not partner_id:
            raise ValueError("a partner key needs --partner-id")
        if role == "reviewer" and partner_id:
            raise ValueError("a reviewer key sees every partner: do not give --partner-id")
        key = "poe_" + secrets.token_urlsafe(32)
        with self.session() as s, s.begin():
            s.add(ApiKey(prefix=key[:KEY_PREFIX_LEN], key_hash=_hash(key), role=role, partner_id=partner_id,
                         label=label))
        return key

    def authenticate(self, key: str | None) -> Principal | None:
        if not key or len(key) < KEY_PREFIX_LEN + 8 or len(key) > 200:
            return None
        with self.session() as s:
            row = s.scalar(select(ApiKey).where(ApiKey.prefix == key[:KEY_PREFIX_LEN]))
        if row is None or not hmac.compare_digest(row.key_hash, _hash(key)):
            return None
        return Principal(row.id, row.role, row.partner_id, row.label)

    # checks -------------------------------------------------------------------------------
    def create_check(self, who: Principal | None, claim_raw: dict, uploads: Sequence[Upload]) -> str:
        """Store the claim and every file in one transaction, before anything reads them."""
        check_id = uuid.uuid4().hex
        with self.session() as s, s.begin():
            s.add(Check(id=check_id, created_by=who.key_id if who else None,
                        claim_json=json.dumps(claim_raw, ensure_ascii=False), claim_id=str(claim_raw["claim_id"]),
                        partner_id=(claim_raw.get("partner") or {}).get("partner_id"),
                        partner_name=claim_raw["partner"]["name"], customer_name=claim_raw["customer"]["name"],
                        status="queued", runs=0, risk=0, failed_rules=""))
            s.flush()
            for position, upload in enumerate(uploads):
                sha = upload.sha256
                if s.get(Blob, sha) is None:
                    s.add(Blob(sha256=sha, size=len(upload.data), data=upload.data))
                    s.flush()
                s.add(CheckFile(check_id=check_id, position=position, name=upload.name, sha256=sha,
                                size=len(upload.data)))
        return check_id

    def mark_running(self, check_id: str) -> None:
        with self.session() as s, s.begin():
            row = s.get(Check, check_id)
            row.status, row.runs, row.updated_at = "running", row.runs + 1, utcnow()

    def save_result(self, check_id: str, verdict: dict, report_html: str) -> None:
        failed = [c["rule"] for c in verdict["checks"] if c["status"] == "fail"]
        with self.session() as s, s.begin():
            row = s.get(Check, check_id)
            row.status, row.error, row.updated_at = "done", None, utcnow()
            row.verdict, row.score = verdict["verdict"], verdict["score"]
            row.risk = RISK[verdict["verdict"]]
            row.failed_rules = "," + ",".join(failed) + "," if failed else ""
            row.verdict_json = json.dumps(verdict, ensure_ascii=False)
            row.report_html = report_html

    def save_error(self, check_id: str, message: str) -> None:
        with self.session() as s, s.begin():
            row = s.get(Check, check_id)
            row.status, row.error, row.updated_at, row.risk = "error", message, utcnow(), 0

    def files(self, check_id: str) -> list[Upload]:
        with self.session() as s:
            rows = s.execute(select(CheckFile.name, Blob.data).join(Blob, Blob.sha256 == CheckFile.sha256)
                             .where(CheckFile.check_id == check_id).order_by(CheckFile.position)).all()
        return [Upload(name, data) for name, data in rows]

    def blob(self, sha256: str) -> bytes | None:
        with self.session() as s:
            row = s.get(Blob, sha256)
            return row.data if row else None

    def get(self, who: Principal, check_id: str) -> Check | None:
        """The check if ``who`` may see it; ``None`` alike for missing and someone else's."""
        with self.session() as s:
            row = s.get(Check, check_id) if len(check_id) <= 32 else None
        return row if row is not None and self.visible(who, row) else None

    @staticmethod
    def visible(who: Principal, row: Check) -> bool:
        return who.is_reviewer or (who.partner_id is not None and row.partner_id == who.partner_id)

    def file_rows(self, check_id: str) -> list[CheckFile]:
        with self.session() as s:
            return list(s.scalars(select(CheckFile).where(CheckFile.check_id == check_id)
                                  .order_by(CheckFile.position)))

    def search(self, who: Principal, flt: CheckFilter, *, limit: int = 50, offset: int = 0) -> tuple[list[Check], int]:
        query = select(Check)
        if not who.is_reviewer:
            query = query.where(Check.partner_id == who.partner_id)
        if flt.verdict:
            query = query.where(Check.verdict == flt.verdict)
        if flt.status:
            query = query.where(Check.status == flt.status)
        if flt.rule:
            query = query.where(Check.failed_rules.like(f"%,{flt.rule},%"))
        if flt.partner_id:
            query = query.where(Check.partner_id == flt.partner_id)
        if flt.claim_id:
            query = query.where(Check.claim_id == flt.claim_id)
        if flt.q:
            needle = flt.q.lower()
            query = query.where(or_(*(func.lower(column).contains(needle, autoescape=True)
                                      for column in (Check.claim_id, Check.customer_name, Check.partner_name))))
        if flt.since:
            query = query.where(Check.created_at >= _day_start(flt.since))
        if flt.until:
            query = query.where(Check.created_at < _day_start(flt.until + dt.timedelta(days=1)))
        with self.session() as s:
            total = s.scalar(select(func.count()).select_from(query.subquery())) or 0
            if flt.order == "risk":
                query = query.order_by(Check.risk, Check.score.is_(None).desc(), Check.score,
                                       Check.created_at.desc(), Check.id)
            else:
                query = query.order_by(Check.created_at.desc(), Check.id)
            rows = list(s.scalars(query.limit(limit).offset(offset)))
        return rows, total

    # decisions ----------------------------------------------------------------------------
    def add_decision(self, who: Principal, check_id: str, decision: str, comment: str) -> Decision:
        if decision not in DECISIONS:
            raise ValueError(f"decision must be one of {DECISIONS}")
        with self.session() as s, s.begin():
            row = Decision(check_id=check_id, decision=decision, comment=comment, key_id=who.key_id,
                           actor=who.name, created_at=utcnow())
            s.add(row)
        return row

    def decisions(self, check_ids: Sequence[str]) -> dict[str, list[Decision]]:
        out: dict[str, list[Decision]] = {i: [] for i in check_ids}
        if not check_ids:
            return out
        with self.session() as s:
            for row in s.scalars(select(Decision).where(Decision.check_id.in_(list(check_ids)))
                                 .order_by(Decision.created_at, Decision.id)):
                out[row.check_id].append(row)
        return out


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), dt.UTC)
