"""Checks run here, in a pool of worker threads, never on the event loop.

Each worker thread borrows one ``IsolatedReader`` (a child process that does the parsing under a time
and memory bound), so a hostile file can stall or kill only that child. Whatever goes wrong, the
check ends ``done`` or ``error``; the stored files stay, so an errored check can be re-run.
"""

from __future__ import annotations

import asyncio
import json
import logging
import queue
from concurrent.futures import ThreadPoolExecutor

from ..claims import claim_from_dict
from ..isolation import Bounds, IsolatedReader
from ..limits import Limits
from ..pipeline import check_package, read_package
from ..report import to_html
from .settings import ServiceSettings
from .store import Store

log = logging.getLogger(__name__)


class Runner:
    def __init__(self, store: Store, settings: ServiceSettings):
        self.store = store
        self.limits = Limits(max_file_bytes=settings.max_file_bytes)
        self._pool = ThreadPoolExecutor(max_workers=settings.workers, thread_name_prefix="poe-check")
        # The reader processes are forked here, in the thread that builds the runner, before the
        # workers run: a fork from a worker while another thread holds an import or logging lock
        # can leave the child stuck on that lock.
        self._readers: queue.SimpleQueue[IsolatedReader] = queue.SimpleQueue()
        self._all: list[IsolatedReader] = []
        for _ in range(settings.workers):
            reader = IsolatedReader(Bounds(seconds=settings.check_seconds), self.limits)
            reader.read("warm-up", b"")  # starts the child now
            self._readers.put(reader)
            self._all.append(reader)

    def run(self, check_id: str) -> str:
        """Check one stored check; returns its final status. Never raises."""
        try:
            self.store.mark_running(check_id)
            with self.store.session() as s:
                from .db import Check
                claim_raw = json.loads(s.get(Check, check_id).claim_json)
            claim = claim_from_dict(claim_raw)
            files = [(u.name, u.data) for u in self.store.files(check_id)]
            reader = self._readers.get()
            try:
                package = read_package(files, self.limits, reader=reader.read)
            finally:
                self._readers.put(reader)
            verdict = check_package(claim, package)
            self.store.save_result(check_id, verdict.to_dict(), to_html(verdict))
            return "done"
        except Exception as exc:  # the stored upload survives; the check can be re-run
            log.exception("check %s crashed", check_id)
            try:
                self.store.save_error(check_id, f"the check stopped with an internal error "
                                                f"({type(exc).__name__}: {str(exc)[:200]}); it can be re-run")
            except Exception:
                log.exception("could not record the error of check %s", check_id)
            return "error"

    def map(self, check_ids: list[str]):
        """Run several checks on the pool (the demo loader); yields final statuses in order."""
        return self._pool.map(self.run, check_ids)

    async def run_async(self, check_id: str) -> str:
        return await asyncio.get_running_loop().run_in_executor(self._pool, self.run, check_id)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        for reader in self._all:
            reader.close()
