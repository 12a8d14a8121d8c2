"""Service fixtures: a throwaway PostgreSQL cluster, stores on SQLite and PostgreSQL, API clients."""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from poe_checker.service.store import Store

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ROOT / "fixtures" / "packages"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A PostgreSQL cluster of its own on a free localhost port; yields a server URL without database.

    Missing binaries fail the run under CI (``CI=true``: the storage tests must run there) and
    skip on a developer machine without PostgreSQL.
    """
    bindir = _pg_bin()
    if bindir is None:
        message = "PostgreSQL binaries not found (/usr/lib/postgresql/*/bin/initdb): apt-get install postgresql"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    base = Path(tempfile.mkdtemp(prefix="poe-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: run the cluster as the postgres user Debian creates
        user = pwd.getpwnam("postgres")
        os.chown(base, user.pw_uid, user.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    data, port = base / "data", _free_port()
    run = lambda *cmd: subprocess.run([*prefix, *map(str, cmd)], check=True, capture_output=True, text=True)
    run(bindir / "initdb", "-D", data, "-U", "poe", "--auth=trust", "-E", "UTF8", "--no-sync")
    run(bindir / "pg_ctl", "-D", data, "-l", base / "log", "-w", "-t", "30", "start", "-o",
        f"-h 127.0.0.1 -p {port} -k {base} -c fsync=off -c full_page_writes=off")
    try:
        yield f"postgresql+psycopg://poe@127.0.0.1:{port}"
    finally:
        run(bindir / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(base, ignore_errors=True)


_db_names = itertools.count()


@pytest.fixture
def pg_url(pg_server: str) -> str:
    """A fresh, empty database on the throwaway cluster."""
    import psycopg
    name = f"poe_{os.getpid()}_{next(_db_names)}"
    with psycopg.connect(f"postgresql://poe@{pg_server.split('@', 1)[1]}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{pg_server}/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path) -> Iterator[Store]:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    s = Store(url)
    yield s
    s.dispose()


def package_files(case: str) -> list[tuple[str, bytes]]:
    folder = PACKAGES / case
    return [(p.name, p.read_bytes()) for p in sorted(folder.iterdir())
            if p.is_file() and p.name not in ("claim.json", "expected.json")]


def package_claim(case: str) -> str:
    return (PACKAGES / case / "claim.json").read_text(encoding="utf-8")
