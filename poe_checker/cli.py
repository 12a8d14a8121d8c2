"""Command line, exactly as the contract's section 5 fixes it.

``check`` exits 0 for pass, 1 for review or fail, 2 when the claim itself is unusable.
``batch`` (see ``batch.py``) writes one JSON line per claim folder in sorted folder order and exits
0 once every folder is accounted for (an unusable folder is a line with its error), 2 if INPUT_DIR
is unusable.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import __version__, batch
from .claims import parse_claim
from .errors import ClaimError
from .isolation import IsolatedReader
from .pipeline import check_paths
from .report import to_html, to_text

EXIT_PASS, EXIT_NOT_PASS, EXIT_UNUSABLE = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    parser, dispatch = _parser()
    args = parser.parse_args(argv)
    if args.command == "check":
        return _check(args)
    if args.command == "batch":
        return batch.run(args)
    return dispatch(args) or 0


def _parser() -> tuple[argparse.ArgumentParser, object]:
    parser = argparse.ArgumentParser(prog="poe-checker", description="Check a Proof of Execution package.")
    parser.add_argument("--version", action="version", version=f"poe-checker {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="check one claim's documents")
    check.add_argument("--claim", required=True, type=Path, help="the claim JSON file")
    check.add_argument("files", nargs="*", type=Path, help="the POE documents")
    check.add_argument("--format", choices=("json", "text", "html"), default=None,
                       help="json (default when not on a terminal), text (default on a terminal) or html")
    check.add_argument("--output", type=Path, help="write the verdict here instead of standard output")
    batch_parser = sub.add_parser("batch", help="check every INPUT_DIR/*/claim.json with the files beside it")
    batch_parser.add_argument("input_dir", type=Path)
    batch.add_arguments(batch_parser)
    return parser, _service_commands(sub)


def _service_commands(sub) -> object:
    """serve, demo and keys live with the service; imported here so `check` does not pay for them."""
    from .service.cli import add_commands

    return add_commands(sub)


def _fail_usage(message: str) -> int:
    print(f"poe-checker: {message}", file=sys.stderr)
    return EXIT_UNUSABLE


def _check(args: argparse.Namespace) -> int:
    try:
        claim_text = args.claim.read_bytes()
    except OSError as exc:
        return _fail_usage(f"cannot read the claim file {args.claim}: {exc.strerror or exc}")
    try:
        claim = parse_claim(claim_text)
    except ClaimError as exc:
        return _fail_usage(str(exc))
    if not args.files:
        return _fail_usage("no documents given: name the POE files after the claim")
    with IsolatedReader() as reader:
        verdict = check_paths(claim, args.files, reader=reader.read)
    fmt = args.format or ("text" if args.output is None and sys.stdout.isatty() else "json")
    rendered = {"json": lambda: json.dumps(verdict.to_dict(), indent=2, ensure_ascii=False) + "\n",
                "text": lambda: to_text(verdict), "html": lambda: to_html(verdict)}[fmt]()
    if args.output:
        args.output.write_text(rendered, encoding="utf-8")
    else:
        sys.stdout.write(rendered)
    return EXIT_PASS if verdict.verdict == "pass" else EXIT_NOT_PASS


if __name__ == "__main__":
    sys.exit(main())
