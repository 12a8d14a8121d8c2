"""Reading documents in a child process, under a time limit and a memory cap.

Parsers have bugs that loop or allocate without bound on hostile files; a limit inside the
process cannot pre-empt them. Here one long-lived child reads files one at a time (so the
import cost is paid once), and a file that exceeds either bound becomes a plain
``documents[].error`` while the child is replaced. The parent never parses anything itself.
"""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import resource
from dataclasses import dataclass
from multiprocessing.connection import Connection

from .limits import DEFAULT_LIMITS, Limits
from .model import Document


@dataclass(frozen=True)
class Bounds:
    seconds: float = 30.0
    memory_bytes: int = 1 << 30
    """Address-space cap of the child (RLIMIT_AS); 0 leaves memory unbounded."""


def _child(conn: Connection, memory_bytes: int, limits: Limits) -> None:
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    from .pipeline import read_file  # imported after the cap so imports count against it too

    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        name, data = job
        try:
            conn.send(("ok", read_file(name, data, limits)))
        except MemoryError:
            conn.send(("memory", None))
        except Exception as exc:  # read_file reports bad input itself; this is our own bug
            conn.send(("bug", f"{type(exc).__name__}: {exc}"[:300]))


class IsolatedReader:
    """``read(name, data)`` like ``pipeline.read_file``, but bounded in time and memory."""

    def __init__(self, bounds: Bounds = Bounds(), limits: Limits = DEFAULT_LIMITS):
        self.bounds = bounds
        self.limits = limits
        self._ctx = mp.get_context("fork")
        self._proc: mp.process.BaseProcess | None = None
        self._conn: Connection | None = None
        self.restarts = 0

    def _start(self) -> None:
        parent, child = self._ctx.Pipe()
        self._proc = self._ctx.Process(target=_child, args=(child, self.bounds.memory_bytes, self.limits),
                                       daemon=True)
        self._proc.start()
        child.close()
        self._conn = parent

    def _stop(self, kill: bool) -> None:
        if self._proc is None:
            return
        if kill:
            self._proc.kill()
        else:
            try:
                self._conn.send(None)  # type: ignore[union-attr]
            except OSError:
                pass
        self._proc.join(timeout=5)
        if self._proc.is_alive():
            self._proc.kill()
            self._proc.join()
        self._conn.close()  # type: ignore[union-attr]
        self._proc = self._conn = None

    def read(self, name: str, data: bytes) -> list[Document]:
        if self._proc is None or not self._proc.is_alive():
            self._start()
        conn = self._conn
        assert conn is not None
        try:
            conn.send((name, data))
            if conn.poll(self.bounds.seconds):
                status, payload = conn.recv()
                if status == "ok":
                    return payload
                if status == "bug":
                    return [_refused(name, data, f"poe-checker hit an internal error ({payload})")]
                problem = f"it exceeded the {self._memory_words()} memory cap"
            else:
                problem = f"it exceeded {self.bounds.seconds:g} s"
        except (EOFError, OSError, BrokenPipeError):
            problem = f"the reader stopped while reading it (over the {self._memory_words()} memory cap, or a crash)"
        self._stop(kill=True)
        self.restarts += 1
        return [_refused(name, data, problem)]

    @property
    def child_pid(self) -> int | None:
        """The current reading child, for measuring its memory (None before the first read)."""
        return self._proc.pid if self._proc is not None else None

    def _memory_words(self) -> str:
        return f"{self.bounds.memory_bytes / 2**30:g} GiB" if self.bounds.memory_bytes else "the machine's memory"

    def close(self) -> None:
        self._stop(kill=False)

    def __enter__(self) -> IsolatedReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _refused(name: str, data: bytes, problem: str) -> Document:
    return Document(name=name, sha256=hashlib.sha256(data).hexdigest(), media_type="application/octet-stream",
                    error=f"extraction stopped: {problem}; the file may be damaged or built to exhaust readers — "
                          "save or print it to PDF again and re-upload")
