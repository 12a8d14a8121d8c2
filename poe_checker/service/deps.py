"""Dependencies shared by the API and the pages: the store, the runner, who is asking, JSON errors."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from .runner import Runner
from .settings import ServiceSettings
from .store import Principal, Store

COOKIE = "poe_key"


class ApiError(Exception):
    """Becomes ``{"error": {"code", "message", "field"}}`` with ``status``."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.field, self.headers = status, code, message, field, headers

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "field": self.field}}


def get_store(request: Request) -> Store:
    return request.app.state.store


def get_runner(request: Request) -> Runner:
    return request.app.state.runner


def get_settings(request: Request) -> ServiceSettings:
    return request.app.state.settings


def presented_key(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        return value.strip() if scheme.lower() == "bearer" and value.strip() else ""
    return request.cookies.get(COOKIE)


def optional_principal(request: Request, store: Annotated[Store, Depends(get_store)]) -> Principal | None:
    return store.authenticate(presented_key(request))


def principal(who: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
    if who is None:
        raise ApiError(401, "unauthorized", "missing or unknown key: send 'Authorization: Bearer <key>'",
                       headers={"WWW-Authenticate": "Bearer"})
    return who


StoreDep = Annotated[Store, Depends(get_store)]
RunnerDep = Annotated[Runner, Depends(get_runner)]
SettingsDep = Annotated[ServiceSettings, Depends(get_settings)]
PrincipalDep = Annotated[Principal, Depends(principal)]
MaybePrincipalDep = Annotated[Principal | None, Depends(optional_principal)]
