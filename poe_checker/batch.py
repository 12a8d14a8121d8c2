"""``poe-checker batch``: re-validate many claims at once, in a process pool or on a Dask cluster.

One JSON line per claim folder, in sorted folder order whatever order the workers finish in
(contract, section 5). Each worker keeps one ``IsolatedReader`` for its lifetime, so a hostile
document costs at most the time limit and the memory cap, and only its own ``documents[].error``.

Resuming: beside ``--output`` a sidecar ``<output>.state.jsonl`` records, per claim folder, the
hash of its inputs (claim.json, every document, the checker's own code and knowledge, the bounds)
and the hash of the line written for it. A re-run reuses a line when both still match, so an
interrupted batch picks up where it stopped and an unchanged claim is never checked twice. The
verdict lines themselves stay exactly the contract's.
"""

from __future__ import annotations

import argparse
import csv
import functools
import hashlib
import json
import multiprocessing as mp
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .claims import parse_claim
from .errors import ClaimError
from .isolation import Bounds, IsolatedReader
from .limits import DEFAULT_LIMITS, Limits
from .model import RULE_IDS, Document, Package

EXIT_OK, EXIT_UNUSABLE = 0, 2


# --- command line --------------------------------------------------------------------------

def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The batch options (INPUT_DIR is added by the caller)."""
    parser.add_argument("--output", type=Path, help="JSON Lines output (default: standard output); "
                        "re-running with the same output resumes, skipping unchanged claims")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="worker processes (default: the number of cores)")
    parser.add_argument("--csv", type=Path, metavar="PATH",
                        help="also write one row per claim: claim id, partner, customer, verdict, score, each rule")
    parser.add_argument("--previous", type=Path, metavar="OLD.jsonl",
                        help="compare with an earlier batch output: which rules changed status, per claim")
    parser.add_argument("--diff", type=Path, metavar="PATH",
                        help="with --previous: write the per-claim changes here as JSON Lines "
                             "(default: listed on standard error)")
    parser.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                        help="run on this Dask distributed scheduler instead of local processes "
                             "(documents are sent to the workers as bytes)")
    parser.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                        help="time limit for reading one document (default 30)")
    parser.add_argument("--memory", type=int, default=1024, metavar="MB",
                        help="memory cap of the process reading documents, in MB; 0 for none (default 1024)")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help="progress bar on standard error (default: on when it is a terminal)")


def run(args: argparse.Namespace) -> int:
    input_dir: Path = args.input_dir
    if not input_dir.is_dir():
        return _usage(f"{input_dir} is not a folder")
    if args.workers < 1:
        return _usage("--workers must be at least 1")
    if args.timeout <= 0:
        return _usage("--timeout must be more than 0 seconds")
    if args.memory < 0:
        return _usage("--memory must be 0 (no cap) or a number of MB")
    previous = None
    if getattr(args, "previous", None) is not None:
        try:
            previous = read_lines(args.previous)
        except OSError as exc:
            return _usage(f"cannot read --previous {args.previous}: {exc.strerror or exc}")
    progress = args.progress if args.progress is not None else sys.stderr.isatty()
    options = Options(bounds=Bounds(seconds=args.timeout, memory_bytes=args.memory * 2**20),
                      workers=args.workers, scheduler=args.scheduler, progress=progress)
    try:
        stats = execute(input_dir, args.output, options)
    except SchedulerError as exc:
        return _usage(str(exc))
    if args.csv:
        write_csv(args.csv, stats.rows)
    print(summary_table(stats), file=sys.stderr)
    if previous is not None:
        lines = [row.line for row in stats.rows]
        changes = diff_runs(previous, lines)
        if args.diff:
            with args.diff.open("w", encoding="utf-8") as fh:
                for change in changes:
                    fh.write(json.dumps(change, ensure_ascii=False) + "\n")
        else:
            for change in changes:
                print(describe_change(change), file=sys.stderr)
        print(flip_summary(changes), file=sys.stderr)
    return EXIT_OK


def _usage(message: str) -> int:
    print(f"poe-checker: {message}", file=sys.stderr)
    return EXIT_UNUSABLE


class SchedulerError(Exception):
    """The Dask scheduler cannot be used (not installed, unreachable)."""


# --- one claim folder ------------------------------------------------------------------------

@dataclass(frozen=True)
class Job:
    """A claim folder as bytes: what a worker needs, whether it reads the disk itself or not."""

    name: str
    claim: bytes | None
    problem: str | None = None
    """Why the folder is unusable (claim.json unreadable, no documents); None when it is usable."""
    files: tuple[tuple[str, bytes | None, str | None], ...] = ()
    """(file name, bytes, or None and why the file could not be opened)."""


def claim_dirs(input_dir: Path) -> list[Path]:
    return sorted((p.parent for p in input_dir.glob("*/claim.json")), key=lambda p: p.name)


def document_paths(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name != "claim.json"
                  and not p.name.startswith("."))


def load_job(folder: Path) -> Job:
    try:
        claim = (folder / "claim.json").read_bytes()
    except OSError as exc:
        return Job(folder.name, None, f"cannot read claim.json: {exc.strerror or exc}")
    try:
        paths = document_paths(folder)
    except OSError as exc:
        return Job(folder.name, claim, f"cannot list the folder: {exc.strerror or exc}")
    files = []
    for path in paths:
        try:
            files.append((path.name, path.read_bytes(), None))
        except OSError as exc:
            files.append((path.name, None, f"file could not be opened: {exc.strerror or exc}"))
    return Job(folder.name, claim, None, tuple(files))


def check_job(job: Job, read: Callable[[str, bytes], list[Document]]) -> dict:
    """One batch line for one claim folder; never raises for bad input."""
    from .pipeline import check_package, unopened

    if job.claim is None:
        return {"claim_dir": job.name, "error": job.problem}
    try:
        claim = parse_claim(job.claim)
    except ClaimError as exc:
        return {"claim_dir": job.name, "error": str(exc)}
    if job.problem:
        return {"claim_dir": job.name, "error": job.problem}
    if not job.files:
        return {"claim_dir": job.name, "error": "no documents beside claim.json"}
    try:
        documents: list[Document] = []
        for name, data, unreadable in job.files:
            if data is None:
                documents.append(unopened(name, unreadable))
            else:
                documents.extend(read(name, data))
        return check_package(claim, Package(tuple(documents))).to_dict()
    except Exception as exc:  # a bug of ours in the rules: this claim gets a line, the batch goes on
        return {"claim_dir": job.name, "error": f"poe-checker hit an internal error checking this claim "
                                                f"({type(exc).__name__}: {exc})"[:400]}


def check_claim_dir(folder: Path) -> dict:
    """One batch line for one claim folder, read with this process's isolated reader."""
    return check_job(load_job(folder), _reader().read)


def input_sha256(job: Job, fingerprint: str) -> str:
    """What a verdict depends on: the checker, the claim, each document's name and content."""
    h = hashlib.sha256()
    for part in (fingerprint, job.name, job.problem or ""):
        h.update(part.encode() + b"\0")
    h.update(hashlib.sha256(job.claim).digest() if job.claim is not None else b"-")
    for name, data, unreadable in job.files:
        h.update(name.encode() + b"\0")
        h.update(hashlib.sha256(data).digest() if data is not None else (unreadable or "").encode())
    return h.hexdigest()


@functools.cache
def _code_fingerprint() -> str:
    """The checker's own code and knowledge: a changed rule or cue invalidates stored verdicts."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256(__version__.encode())
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".toml", ".json") and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def fingerprint(bounds: Bounds, limits: Limits = DEFAULT_LIMITS) -> str:
    return f"{_code_fingerprint()}|{bounds.seconds:g}|{bounds.memory_bytes}|{limits!r}"


# --- the workers -------------------------------------------------------------------------------

_LOCAL = threading.local()


def _reader(bounds: Bounds = Bounds(), limits: Limits = DEFAULT_LIMITS) -> IsolatedReader:
    """This worker's isolated reader, kept for its lifetime (one per thread, for Dask's threads)."""
    reader = getattr(_LOCAL, "reader", None)
    if reader is None or reader.bounds != bounds or reader.limits != limits:
        if reader is not None:
            reader.close()
        reader = _LOCAL.reader = IsolatedReader(bounds, limits)
    return reader


_WARM_CLAIM = json.dumps({
    "claim_id": "1", "claim_kind": "cpor", "solution_area": "security", "workloads": ["Microsoft Intune"],
    "partner": {"name": "Fabrikam"}, "customer": {"name": "Contoso", "domain": "contoso.com"},
    "submitted_on": "2025-09-15"}).encode()
_WARM_EMAIL = (b"From: Sam <sam@contoso.com>\r\nTo: ops@fabrikam.com\r\nSubject: Intune rollout\r\n"
               b"Date: Mon, 1 Sep 2025 10:00:00 +0000\r\n\r\nWe approve the statement of work for the Intune "
               b"deployment to 500 devices.\r\n")


def warm_up() -> None:
    """Import every reader and build the rules' matchers once, before worker processes are forked.

    Forked workers and their reading children then share these pages instead of each paying the
    imports and the spaCy set-up (about a second per process). The input is a built-in email, so
    reading it here, outside the isolated child, is safe.
    """
    from .extractors import EXTRACTORS, extractor_for
    from .pipeline import check_package, read_file

    for kind in EXTRACTORS:
        try:
            extractor_for(kind)
        except Exception:  # an optional reader that cannot load is reported when a file needs it
            pass
    check_package(parse_claim(_WARM_CLAIM), Package(tuple(read_file("warm.eml", _WARM_EMAIL))))


def _init_worker(bounds: Bounds, limits: Limits) -> None:
    # A forked worker inherits its parent's reader object, whose child it cannot manage: start afresh.
    _LOCAL.reader = None
    _reader(bounds, limits)


def _vm_hwm_kb(pid: int | None) -> int:
    """Peak resident set (VmHWM) of a live process in kB; 0 when unknown."""
    if pid is None:
        return 0
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


@dataclass(frozen=True)
class Done:
    index: int
    line: dict
    input_sha256: str


@dataclass(frozen=True)
class WorkerReport:
    results: tuple[Done, ...]
    pid: int
    worker_kb: int
    reader_kb: int
    restarts: int


def _check_local_chunk(items: list[tuple[int, str]], bounds: Bounds, limits: Limits, fp: str) -> WorkerReport:
    reader = _reader(bounds, limits)
    results = []
    for index, folder in items:
        job = load_job(Path(folder))
        results.append(Done(index, check_job(job, reader.read), input_sha256(job, fp)))
    return WorkerReport(tuple(results), os.getpid(), _vm_hwm_kb(os.getpid()), _vm_hwm_kb(reader.child_pid),
                        reader.restarts)


def _check_remote(index: int, job: Job, bounds: Bounds, limits: Limits, fp: str) -> WorkerReport:
    """Runs on a Dask worker: the documents came over the network as bytes in ``job``."""
    # Dask starts its worker processes as daemons, and multiprocessing refuses to let a daemon start
    # a child. The reading child is a daemon itself and ends when its pipe closes (EOF), so it cannot
    # outlive the worker; lifting the guard for this process is safe.
    mp.current_process()._config["daemon"] = False  # type: ignore[attr-defined]
    reader = _reader(bounds, limits)
    done = Done(index, check_job(job, reader.read), input_sha256(job, fp))
    return WorkerReport((done,), os.getpid(), _vm_hwm_kb(os.getpid()), _vm_hwm_kb(reader.child_pid),
                        reader.restarts)


# --- running a batch ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Options:
    bounds: Bounds = Bounds()
    limits: Limits = DEFAULT_LIMITS
    workers: int = os.cpu_count() or 1
    scheduler: str | None = None
    progress: bool = False
    chunk: int | None = None
    """Claims per task sent to a local worker (default: sized from the batch)."""


@dataclass(frozen=True)
class Row:
    claim_dir: str
    line: dict
    partner: str | None
    customer: str | None
    reused: bool


@dataclass
class Stats:
    rows: list[Row] = field(default_factory=list)
    checked: int = 0
    reused: int = 0
    seconds: float = 0.0
    workers: int = 1
    peak_kb: dict[int, tuple[int, int]] = field(default_factory=dict)
    """Worker pid → (peak RSS of the worker, peak RSS of its reading child), in kB."""
    restarts: dict[int, int] = field(default_factory=dict)
    completion_order: list[int] = field(default_factory=list)
    """Folder indexes in the order their results arrived (not the order they are written)."""

    def note(self, report: WorkerReport) -> None:
        if not report.pid:
            return
        old = self.peak_kb.get(report.pid, (0, 0))
        self.peak_kb[report.pid] = (max(old[0], report.worker_kb), max(old[1], report.reader_kb))
        self.restarts[report.pid] = report.restarts


def state_path(output: Path) -> Path:
    return output.with_name(output.name + ".state.jsonl")


def _line_text(line: dict) -> str:
    return json.dumps(line, ensure_ascii=False)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _reusable(output: Path | None) -> dict[str, tuple[str, str]]:
    """claim_dir → (input hash, line text) for every line of a previous run still in the output."""
    if output is None or not output.is_file() or not state_path(output).is_file():
        return {}
    lines = {}
    for text in output.read_text(encoding="utf-8").splitlines():
        lines[_sha(text)] = text
    found = {}
    for text in state_path(output).read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(text)
            line = lines.get(entry["line_sha256"])
            if line is not None:
                found[entry["claim_dir"]] = (entry["input_sha256"], line)
        except (ValueError, KeyError, TypeError):
            continue  # a line cut by an interruption: that claim is simply checked again
    return found


def _parties(claim_bytes: bytes | None) -> tuple[str | None, str | None]:
    if claim_bytes is None:
        return None, None
    try:
        claim = parse_claim(claim_bytes)
    except ClaimError:
        return None, None
    return claim.partner.name, claim.customer.name


def execute(input_dir: Path, output: Path | None, options: Options = Options(),
            out_stream=None) -> Stats:
    """Check every claim folder of ``input_dir``; write lines (and the resume sidecar) as they are due."""
    start = time.perf_counter()
    folders = claim_dirs(input_dir)
    fp = fingerprint(options.bounds, options.limits)
    reusable = _reusable(output)
    stats = Stats(workers=options.workers)
    ready: dict[int, tuple[dict, str, bool]] = {}
    todo: list[int] = []
    jobs: dict[int, Job] = {}
    for index, folder in enumerate(folders):
        previous = reusable.get(folder.name)
        if previous is not None:
            job = load_job(folder)
            if input_sha256(job, fp) == previous[0]:
                ready[index] = (json.loads(previous[1]), previous[0], True)
                continue
            if options.scheduler:
                jobs[index] = job
        todo.append(index)

    client = _dask_client(options.scheduler) if options.scheduler and todo else None  # before truncating output
    out = output.open("w", encoding="utf-8") if output else (out_stream or sys.stdout)
    state = state_path(output).open("w", encoding="utf-8") if output else None
    bar = _progress_bar(len(folders), options.progress)
    bar.update(len(ready))
    written = 0

    def flush() -> None:
        nonlocal written
        while written in ready:
            line, in_sha, reused = ready.pop(written)
            text = _line_text(line)
            out.write(text + "\n")
            out.flush()
            if state is not None:
                state.write(json.dumps({"claim_dir": folders[written].name, "input_sha256": in_sha,
                                        "line_sha256": _sha(text)}) + "\n")
                state.flush()
            claim_bytes = _claim_bytes(folders[written])
            partner, customer = _parties(claim_bytes)
            stats.rows.append(Row(folders[written].name, line, partner, customer, reused))
            stats.reused += reused
            written += 1

    try:
        flush()
        if todo and not options.scheduler:
            warm_up()
        if options.scheduler:
            results = _run_dask(client, options, folders, todo, jobs, fp)
        else:
            results = _run_local(options, folders, todo, fp)
        for report in results:
            stats.note(report)
            for done in report.results:
                stats.completion_order.append(done.index)
                ready[done.index] = (done.line, done.input_sha256, False)
                stats.checked += 1
            bar.update(len(report.results))
            flush()
    finally:
        if client is not None:
            client.close()
        bar.close()
        if output:
            out.close()
        if state is not None:
            state.close()
    stats.seconds = time.perf_counter() - start
    return stats


def _claim_bytes(folder: Path) -> bytes | None:
    try:
        return (folder / "claim.json").read_bytes()
    except OSError:
        return None


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress_bar(total: int, enabled: bool):
    if not enabled:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit="claim", file=sys.stderr, dynamic_ncols=True, smoothing=0.1)


def _chunks(indexes: list[int], size: int) -> list[list[int]]:
    return [indexes[i:i + size] for i in range(0, len(indexes), size)]


def _run_local(options: Options, folders: list[Path], todo: list[int], fp: str) -> Iterator[WorkerReport]:
    if not todo:
        return
    if options.workers <= 1 or len(todo) == 1:
        # One worker: this process is the worker (its reader still reads in a bounded child).
        for index in todo:
            yield _check_local_chunk([(index, str(folders[index]))], options.bounds, options.limits, fp)
        return
    size = options.chunk or max(1, min(16, len(todo) // (options.workers * 4)))
    pending = _chunks(todo, size)
    retried: set[int] = set()
    while pending:
        with ProcessPoolExecutor(max_workers=options.workers, mp_context=mp.get_context("fork"),
                                 initializer=_init_worker, initargs=(options.bounds, options.limits)) as pool:
            futures: dict[Future, list[int]] = {
                pool.submit(_check_local_chunk, [(i, str(folders[i])) for i in chunk], options.bounds,
                            options.limits, fp): chunk
                for chunk in pending}
            pending = []
            waiting = set(futures)
            while waiting:
                finished, waiting = wait(waiting, return_when=FIRST_COMPLETED)
                for future in finished:
                    chunk = futures[future]
                    try:
                        yield future.result()
                    except BrokenProcessPool:
                        # A worker died outside the reading child (which has its own bounds). Retry
                        # its claims one by one in a fresh pool; a claim that kills one twice is reported.
                        for index in chunk:
                            if index in retried:
                                yield _crashed(index, folders, fp)
                            else:
                                retried.add(index)
                                pending.append([index])


def _crashed(index: int, folders: list[Path], fp: str) -> WorkerReport:
    job = load_job(folders[index])
    line = {"claim_dir": folders[index].name,
            "error": "checking this claim stopped its worker process twice; the claim was not checked"}
    return WorkerReport((Done(index, line, input_sha256(job, fp) + "-crashed"),), 0, 0, 0, 0)


def _dask_client(address: str):
    try:
        from distributed import Client
    except ImportError as exc:
        raise SchedulerError('--scheduler needs dask.distributed: pip install "dask[distributed]"') from exc
    try:
        return Client(address, timeout="20s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise SchedulerError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc


def _run_dask(client, options: Options, folders: list[Path], todo: list[int], jobs: dict[int, Job],
              fp: str) -> Iterator[WorkerReport]:
    from distributed import as_completed

    if todo:
        threads = max(1, sum(client.nthreads().values()))
        in_flight = threads * 4  # bounded: the client holds only these packages' bytes at once
        queue = iter(todo)

        index_of = {}

        def submit(index: int):
            job = jobs.pop(index, None) or load_job(folders[index])
            future = client.submit(_check_remote, index, job, options.bounds, options.limits, fp,
                                   pure=False, key=f"poe-check-{index}-{os.getpid()}-{time.time_ns()}")
            index_of[future.key] = index
            return future

        first = [submit(i) for _, i in zip(range(in_flight), queue)]
        running = as_completed(first, loop=client.loop)
        for future in running:
            index = index_of.pop(future.key)
            try:
                report = future.result()
            except Exception as exc:  # e.g. the worker died twice on it (KilledWorker): report, go on
                line = {"claim_dir": folders[index].name,
                        "error": f"the cluster could not check this claim ({type(exc).__name__}: {exc})"[:400]}
                report = WorkerReport((Done(index, line, "not-checked"),), 0, 0, 0, 0)
            future.release()
            yield report
            following = next(queue, None)
            if following is not None:
                running.add(submit(following))


# --- reports -------------------------------------------------------------------------------------

def read_lines(path: Path) -> list[dict]:
    out = []
    for text in path.read_text(encoding="utf-8").splitlines():
        if text.strip():
            try:
                out.append(json.loads(text))
            except ValueError:
                continue
    return out


def _statuses(line: dict) -> dict[str, str]:
    return {c["rule"]: c["status"] for c in line.get("checks", ())}


def write_csv(path: Path, rows: Iterable[Row]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["claim_dir", "claim_id", "partner", "customer", "verdict", "score", *RULE_IDS, "error"])
        for row in rows:
            line = row.line
            statuses = _statuses(line)
            errors = [f"{d['name']}: {d['error']}" for d in line.get("documents", ()) if d.get("error")]
            writer.writerow([row.claim_dir, line.get("claim_id", ""), row.partner or "", row.customer or "",
                             line.get("verdict", "error"), line.get("score", ""),
                             *(statuses.get(rule, "") for rule in RULE_IDS),
                             line.get("error") or "; ".join(errors)])


def summary_table(stats: Stats, top: int = 5) -> str:
    rows = stats.rows
    verdicts = Counter(r.line.get("verdict", "error") for r in rows)
    failing = Counter(rule for r in rows for rule, status in _statuses(r.line).items() if status == "fail")
    doc_errors = sum(1 for r in rows for d in r.line.get("documents", ()) if d.get("error"))
    stopped = sum(1 for r in rows for d in r.line.get("documents", ())
                  if (d.get("error") or "").startswith("extraction stopped"))
    rate = stats.checked / stats.seconds if stats.seconds else 0.0
    out = [(f"{len(rows)} claims in {stats.seconds:.1f} s: {stats.checked} checked ({rate:.1f}/s), "
            f"{stats.reused} unchanged and kept from the previous run"),
           "", f"{'verdict':<28}{'claims':>8}"]
    for name in ("pass", "review", "fail", "error"):
        out.append(f"  {name:<26}{verdicts.get(name, 0):>8}")
    out += ["", f"{'most frequent failing rules':<28}{'claims':>8}"]
    out += [f"  {rule:<26}{count:>8}" for rule, count in failing.most_common(top)] or ["  (none)"]
    out += ["", f"{'errors':<28}{'count':>8}",
            f"  {'unusable claim folders':<26}{verdicts.get('error', 0):>8}",
            f"  {'unreadable documents':<26}{doc_errors:>8}",
            f"  {'  of which over the bounds':<26}{stopped:>8}"]
    return "\n".join(out)


def _key(line: dict, seen: Counter) -> str:
    base = f"claim {line['claim_id']}" if "claim_id" in line else f"folder {line.get('claim_dir')}"
    seen[base] += 1
    return base if seen[base] == 1 else f"{base} #{seen[base]}"


def diff_runs(old: list[dict], new: list[dict]) -> list[dict]:
    """Per claim (by claim id, else folder), the verdict and every rule whose status changed."""
    old_by, new_by = {}, {}
    seen_old: Counter = Counter()
    seen_new: Counter = Counter()
    for line in old:
        old_by[_key(line, seen_old)] = line
    for line in new:
        new_by[_key(line, seen_new)] = line
    changes = []
    for key, line in new_by.items():
        before = old_by.get(key)
        if before is None:
            changes.append({"claim": key, "change": "new", "verdict": [None, line.get("verdict", "error")]})
            continue
        a, b = _statuses(before), _statuses(line)
        rules = {rule: [a.get(rule), b.get(rule)] for rule in RULE_IDS if a.get(rule) != b.get(rule)}
        verdicts = [before.get("verdict", "error"), line.get("verdict", "error")]
        if rules or verdicts[0] != verdicts[1]:
            changes.append({"claim": key, "change": "changed", "verdict": verdicts, "rules": rules})
    for key, line in old_by.items():
        if key not in new_by:
            changes.append({"claim": key, "change": "gone", "verdict": [line.get("verdict", "error"), None]})
    return changes


def describe_change(change: dict) -> str:
    before, after = change["verdict"]
    if change["change"] == "new":
        return f"{change['claim']}: new, {after}"
    if change["change"] == "gone":
        return f"{change['claim']}: not in this run (was {before})"
    parts = [f"{rule} {a} → {b}" for rule, (a, b) in change["rules"].items()]
    head = f"{before} → {after}" if before != after else f"still {after}"
    return f"{change['claim']}: {head}" + (f"; {', '.join(parts)}" if parts else "")


def flip_summary(changes: list[dict]) -> str:
    flips: Counter = Counter()
    verdicts: Counter = Counter()
    for change in changes:
        if change["change"] != "changed":
            continue
        for rule, (_, after) in change["rules"].items():
            flips[(after, rule)] += 1
        if change["verdict"][0] != change["verdict"][1]:
            verdicts[tuple(change["verdict"])] += 1
    counts = Counter(c["change"] for c in changes)
    lines = [(f"compared with the previous run: {counts['changed']} claims changed, {counts['new']} new, "
              f"{counts['gone']} no longer present")]
    for (a, b), n in verdicts.most_common():
        lines.append(f"  {n} {'claim' if n == 1 else 'claims'} went from {a} to {b}")
    for (after, rule), n in sorted(flips.items(), key=lambda kv: (-kv[1], kv[0])):
        verb = {"pass": "now pass", "fail": "now fail", "warn": "now need review on",
                "not_applicable": "are now exempt from"}.get(after or "", "no longer report")
        lines.append(f"  {n} {'claim' if n == 1 else 'claims'} {verb} {rule}")
    return "\n".join(lines)
