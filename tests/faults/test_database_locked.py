"""The database refuses writes mid-poll (another writer holds SQLite's lock past the busy timeout):
the poll fails in one line, loses nothing, stores nothing by halves, and the next poll catches up."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from base.db import SQLITE_BUSY_TIMEOUT_MS, make_engine, session_factory
from base.models import Message
from intake.ingest import ingest
from mail.source import Fetched
from testing import MailUser
from tests.faults.fault_setup import (
    FIRST_RECEIPT,
    DatabaseWatch,
    deliver,
    folder_view,
    offline_config,
    one_line_error,
)
from tests.faults.held_output import HeldAtProgress
from tests.intake.imap_setup import request_mail, run_cli, write_config

TOTAL = 200
BATCH = 10


def test_a_refused_batch_leaves_nothing_of_itself(tmp_path: Path) -> None:
    """Each message's savepoint sits inside the batch transaction: rolling the batch back (what the
    poll does when the database refuses it) removes every message of it, so the next poll finds
    nothing stored without its UID mark and its flag."""
    config = offline_config(tmp_path)
    engine = make_engine(config.database_url)
    with session_factory(engine)() as session:
        for index in range(3):
            fetched = Fetched("INBOX", 1, index + 1, None, request_mail(index), FIRST_RECEIPT)
            assert ingest(session, config.intake, config.mailboxes[0], fetched).status == "stored"
        session.rollback()
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count(Message.id))) == 0
    engine.dispose()


@pytest.mark.dovecot
@pytest.mark.slow
def test_database_locked_past_busy_timeout_poll_fails_then_catches_up(
    tmp_path: Path, mailbox_user: MailUser
) -> None:
    delivered = deliver(mailbox_user, TOTAL)
    config = write_config(tmp_path, mailbox_user, batch_size=BATCH, after="flag")
    watch = DatabaseWatch(config)
    with HeldAtProgress(config, "poll", "--once") as poller:
        # Its first progress line comes right after the first batch's commit and holds it there,
        # with no write lock of its own: the lock is taken mid-drain whatever the machine's load.
        watch.wait_for(BATCH, timeout=120, still_running=lambda: poller.process.poll() is None)
        assert poller.process.poll() is None, "the poll must be held at its first progress line"
        writer = sqlite3.connect(watch.path, timeout=60, isolation_level=None)
        try:
            writer.execute("BEGIN EXCLUSIVE")
            locked_at, committed_under_lock = time.monotonic(), watch.committed()
            poller.release()
            # Held until the poll gives up, however slow the machine: it must not wait forever.
            stdout, stderr = poller.finish(timeout=60)
            held = time.monotonic() - locked_at
            writer.execute("ROLLBACK")
        finally:
            writer.close()

    assert poller.process.returncode == 1, (stdout, stderr)
    assert held >= SQLITE_BUSY_TIMEOUT_MS / 1000, f"gave up after {held:.1f} s, before the busy timeout"
    line = one_line_error(stderr)
    assert line.startswith("refund-intake: error: mailbox accounts: database refused the batch "
                           "(database is locked); nothing was lost"), line
    # Nothing of the refused batch: only whole batches, each with its UID mark and its flags.
    stored = watch.committed()
    assert committed_under_lock == BATCH, "the lock came exactly after the first batch"
    assert stored == committed_under_lock and stored % BATCH == 0 and stored == watch.last_uid()
    assert sorted(uid for *_, uid in watch.rows()) == list(range(1, stored + 1))
    server = folder_view(mailbox_user)
    assert len(server.received) == TOTAL, "the server lost mail"
    assert server.flagged == set(range(1, stored + 1)), "flagged what was not stored, or the reverse"

    again = run_cli(config, "poll", "--once")
    assert again.returncode == 0, again.stderr
    assert f"accounts: {TOTAL - stored} new message(s) stored" in again.stdout, again.stdout
    rows = watch.rows()
    assert len(rows) == TOTAL and len({sha for _, sha, *_ in rows}) == TOTAL
    assert {received for received, *_ in rows} == set(delivered.names)
    server = folder_view(mailbox_user)
    assert server.flagged == set(server.received) and len(server.received) == TOTAL

