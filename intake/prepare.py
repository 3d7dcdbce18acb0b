"""Prepare fetched mail for storing: hash, parse and understand, the work that needs no database.

This is most of a poll's CPU time (mail-parser and the stdlib email package), so a poll with
more than one batch of new mail prepares in worker processes (`[intake] parse_workers`, the
CPU cores by default) while the poller fetches the next batch and stores the last one. A poll
with one batch or less prepares in its own process: starting workers would cost more than it
saves. The workers are started fresh (spawned, never forked from the poller with its threads
and database connections), and on Linux they die with the poller, even when it is killed.
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from itertools import chain
from typing import Self

from base.config import IntakeSettings
from intake.parse import ParsedMessage, parse_message, quarantined
from intake.understand import Hints, Understanding, understand, warm_up
from mail.source import Fetched

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class Prepared:
    """A fetched message with what can be read from it without the database."""

    fetched: Fetched
    sha: str
    parsed: ParsedMessage
    facts: Understanding | None  # None when the message is not usable
    failure: str | None = None  # preparing it raised: it is stored quarantined with this reason


Read = tuple[str, ParsedMessage, Understanding | None, str | None]  # Prepared without the Fetched


def read(raw: bytes, settings: IntakeSettings, hints: Hints) -> Read:
    """Never raises: a bug or a pathological message comes back as a failure to quarantine."""
    sha = hashlib.sha256(raw).hexdigest()
    try:
        parsed = parse_message(raw, settings.max_parts)
        facts = understand(parsed.subject, parsed.text, hints, settings.order_ref_patterns,
                           settings.reason_keywords) if parsed.usable else None
    except Exception as exc:  # noqa: BLE001 - quarantined with this reason, never lost
        reason = f"intake failed: {type(exc).__name__}: {exc}"[:500]
        return sha, quarantined(reason), None, reason
    return sha, parsed, facts, None


def prepare(fetched: Fetched, settings: IntakeSettings, hints: Hints) -> Prepared:
    return Prepared(fetched, *read(fetched.raw, settings, hints))


def _read_many(raws: list[bytes], settings: IntakeSettings, hints: Hints) -> list[Read]:
    return [read(raw, settings, hints) for raw in raws]


def _die_with(parent: int) -> None:
    """In a worker: be killed when the poller dies (a poller killed with -9 leaves no workers).
    Ctrl-C reaches the whole process group: the poller handles it, the workers ignore it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:  # the poller died before the line above took effect
        os._exit(1)


class Preparer:
    """Prepares batches in worker processes, or in this process when it has none.

    `submit` hands a batch over and returns a function that gives its result, in order: the
    caller fetches and stores meanwhile. Use as a context manager; leaving it stops the workers.
    """

    def __init__(self, settings: IntakeSettings, hints: Hints, workers: int) -> None:
        self.settings, self.hints, self.workers = settings, hints, workers
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Self:
        if self.workers > 0:
            self._pool = ProcessPoolExecutor(self.workers, multiprocessing.get_context("spawn"),
                                             initializer=_die_with, initargs=(os.getpid(),))
            for _ in range(self.workers):  # start them now: loading the models overlaps the first fetch
                self._pool.submit(warm_up)
            log.debug("parsing in %d worker processes", self.workers)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def submit(self, items: Sequence[Fetched]) -> Callable[[], list[Prepared]]:
        items = list(items)
        if self._pool is None or not items:
            return lambda: self._here(items)
        size = -(-len(items) // self.workers)  # one share of the batch per worker
        try:
            futures: list[Future[list[Read]]] = [
                self._pool.submit(_read_many, [item.raw for item in items[start:start + size]],
                                  self.settings, self.hints)
                for start in range(0, len(items), size)]
        except BrokenProcessPool:
            return lambda: self._here(items)

        def result() -> list[Prepared]:
            try:
                found = list(chain.from_iterable(f.result() for f in futures))
            except BrokenProcessPool:  # a worker died (killed, out of memory): go on without them
                return self._here(items)
            return [Prepared(item, *read_) for item, read_ in zip(items, found, strict=True)]
        return result

    def _here(self, items: list[Fetched]) -> list[Prepared]:
        if self._pool is not None and getattr(self._pool, "_broken", False):
            log.warning("parse workers stopped unexpectedly; parsing in the polling process")
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        return [prepare(item, self.settings, self.hints) for item in items]
