"""The long-running service: APScheduler runs the same jobs the CLI runs once."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import FrameType
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler

from base.config import MailboxConfig
from pipeline.poll import PollContext, poll_mailbox

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """A job the service runs now and then every `seconds`: the same function its CLI runs once."""

    id: str
    function: Callable[..., object]
    seconds: int
    args: tuple[Any, ...] = ()


def run_polling(context: PollContext, names: Sequence[str] = ()) -> int:
    """Poll each mailbox on its own interval until SIGTERM or SIGINT; the batch in flight finishes."""
    mailboxes = [context.config.mailbox(n) for n in names] if names else context.config.mailboxes
    jobs = [Job(f"poll:{m.name}", poll_job, m.poll_interval, (context, m)) for m in mailboxes]
    return run_jobs(jobs, context.stop)


def poll_job(context: PollContext, mailbox: MailboxConfig) -> None:
    """One scheduled poll; the service logs what the one-shot CLI prints."""
    report = poll_mailbox(context, mailbox)
    if report.error:
        log.error("mailbox %s: %s", mailbox.name, report.error)
    elif report.stored:
        log.info("mailbox %s: %d new message(s) stored, %d draft(s) made", mailbox.name,
                 report.stored, report.drafted)


def run_jobs(jobs: Sequence[Job], stop: threading.Event | None = None) -> int:
    """Run every job at once and then on its interval until SIGTERM or SIGINT.

    On a signal, `stop` is set (long jobs check it between batches), no new job starts, and the
    jobs in flight finish their current batch before the process exits 0.
    """
    stop = stop or threading.Event()
    scheduler = BackgroundScheduler(timezone=UTC)
    for job in jobs:
        scheduler.add_job(job.function, "interval", args=job.args, id=job.id, seconds=job.seconds,
                          next_run_time=datetime.now(UTC), max_instances=1, coalesce=True)

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.warning("signal %s: finishing the batch in flight, then stopping", signum)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    scheduler.start()
    log.info("service started: %s", ", ".join(job.id for job in jobs))
    while not stop.wait(timeout=1):
        pass
    scheduler.shutdown(wait=True)
    log.info("service stopped cleanly")
    return 0
