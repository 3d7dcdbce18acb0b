"""The long-running service: APScheduler runs the same jobs the CLI runs once."""

from __future__ import annotations

import logging
import signal
from collections.abc import Sequence
from datetime import datetime, timezone
from types import FrameType

from apscheduler.schedulers.blocking import BlockingScheduler

from intake.poll import PollContext, poll_mailbox

log = logging.getLogger(__name__)


def run_polling(context: PollContext, names: Sequence[str] = ()) -> int:
    """Poll each mailbox on its own interval until SIGTERM or SIGINT; the batch in flight finishes."""
    mailboxes = [context.config.mailbox(n) for n in names] if names else context.config.mailboxes
    scheduler = BlockingScheduler(timezone=timezone.utc)
    for mailbox in mailboxes:
        scheduler.add_job(poll_mailbox, "interval", args=(context, mailbox), id=f"poll:{mailbox.name}",
                          seconds=mailbox.poll_interval, next_run_time=datetime.now(timezone.utc),
                          max_instances=1, coalesce=True)

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.warning("signal %s: finishing the work in flight, then stopping", signum)
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    scheduler.start()
    return 0
