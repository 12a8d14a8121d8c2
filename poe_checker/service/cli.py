"""``serve``, ``demo`` and ``keys create``: the service's commands.

``add_commands(subparsers)`` adds them to the main parser and returns ``dispatch(args)``, which
runs one of them and returns its exit status, or ``None`` when the command is not one of ours.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

FIXTURE_PACKAGES = next((p for p in (Path(__file__).resolve().parents[2] / "fixtures" / "packages",
                                      Path.cwd() / "fixtures" / "packages") if p.is_dir()),
                        Path("fixtures") / "packages")  # a checkout (editable install), else the working folder
DEMO_PARTNER_ID = "5272302"  # Fabrikam, the partner of the guide's examples and of most fixture packages


def add_commands(sub: argparse._SubParsersAction) -> Callable[[argparse.Namespace], int | None]:
    serve = sub.add_parser("serve", help="run the HTTP service (API, partner pre-check, reviewer queue)")
    _host_port(serve)
    serve.add_argument("--demo", action="store_true", help="same as the demo command")
    demo = sub.add_parser("demo", help="run the service on a fresh SQLite data directory with the fixture "
                                       "packages loaded and one key per role printed")
    _host_port(demo)
    demo.add_argument("--packages", type=Path, default=FIXTURE_PACKAGES,
                      help="folders of claim.json + documents to load (default: fixtures/packages)")
    keys = sub.add_parser("keys", help="manage API keys")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    create = keys_sub.add_parser("create", help="create a key; the key alone is printed once on standard output")
    create.add_argument("--role", choices=("partner", "reviewer"), required=True)
    create.add_argument("--partner-id", help="the partner id a partner key may see (required for partners)")
    create.add_argument("--label", default="", help="who holds the key, shown in the audit trail")

    def dispatch(args: argparse.Namespace) -> int | None:
        if args.command == "serve":
            return _demo(args.host, args.port, FIXTURE_PACKAGES) if args.demo else _serve(args.host, args.port)
        if args.command == "demo":
            return _demo(args.host, args.port, args.packages)
        if args.command == "keys":
            return _keys_create(args)
        return None
    return dispatch


def _host_port(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")


def _serve(host: str, port: int, settings=None, store=None) -> int:
    import uvicorn

    from ..api import create_app
    from .settings import load_settings
    settings = settings or load_settings()
    where = settings.database_url and "PostgreSQL/" + settings.database_url.rsplit("@", 1)[-1] or settings.data_dir
    print(f"poe-checker: serving on http://{host}:{port}/ (data: {where}; API docs at /docs)", file=sys.stderr)
    uvicorn.run(create_app(settings, store=store), host=host, port=port, log_level="info")
    return 0


def _keys_create(args: argparse.Namespace) -> int:
    from .settings import load_settings
    from .store import Store
    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(settings.sqlalchemy_url)
    try:
        key = store.create_key(args.role, args.partner_id, args.label)
    except ValueError as exc:
        print(f"poe-checker: {exc}", file=sys.stderr)
        return 2
    finally:
        store.dispose()
    print(key)
    return 0


def queue_packages(store, folder: Path) -> list[str]:
    """Store every ``folder/*/claim.json`` package as a check waiting to run; returns the check ids."""
    from .intake import validate_claim
    from .store import Principal, Upload
    loader = Principal(0, "reviewer", None, "demo loader")
    ids = []
    for case in sorted(p.parent for p in folder.glob("*/claim.json")):
        raw = validate_claim(json.loads((case / "claim.json").read_text(encoding="utf-8")), loader)
        files = [Upload(p.name, p.read_bytes()) for p in sorted(case.iterdir())
                 if p.is_file() and p.name not in ("claim.json", "expected.json") and not p.name.startswith(".")]
        ids.append(store.create_check(None, raw, files))
    return ids


def load_packages(store, runner, folder: Path) -> list[str]:
    """Store and check every package of ``folder``, waiting for the checks."""
    ids = queue_packages(store, folder)
    list(runner.map(ids))
    return ids


def _demo(host: str, port: int, packages: Path) -> int:
    from .runner import Runner
    from .settings import load_settings
    from .store import Store
    if not packages.is_dir():
        print(f"poe-checker: {packages} is not a folder of packages", file=sys.stderr)
        return 2
    data_dir = Path(tempfile.mkdtemp(prefix="poe-checker-demo-"))
    settings = load_settings(data_dir=data_dir, database_url=None)
    store = Store(settings.sqlalchemy_url)
    reviewer = store.create_key("reviewer", label="demo reviewer")
    partner = store.create_key("partner", DEMO_PARTNER_ID, label="demo partner (Fabrikam)")
    ids = queue_packages(store, packages)
    runner = Runner(store, settings)

    def check_all() -> None:  # the queue fills while the server is already up
        try:
            list(runner.map(ids))
        finally:
            runner.close()
    threading.Thread(target=check_all, name="poe-demo-loader", daemon=True).start()
    print(f"""
poe-checker demo: {len(ids)} packages from {packages} stored in {data_dir}; their checks finish in a few seconds

  Open http://{host}:{port}/ and paste a key:
    reviewer key (sees the queue):          {reviewer}
    partner key (Fabrikam, {DEMO_PARTNER_ID}):     {partner}

  API: curl -H "Authorization: Bearer {reviewer}" http://{host}:{port}/v1/checks?order=risk
""", flush=True)
    return _serve(host, port, settings, store)


def main(argv: list[str] | None = None) -> int:
    """Run these commands without the main CLI (``python -m poe_checker.service.cli``)."""
    parser = argparse.ArgumentParser(prog="poe-checker")
    sub = parser.add_subparsers(dest="command", required=True)
    dispatch = add_commands(sub)
    result = dispatch(parser.parse_args(argv))
    return 0 if result is None else result


if __name__ == "__main__":
    sys.exit(main())
