"""The database refuses writes mid-poll (another writer holds SQLite's lock past the busy timeout):
the poll fails in one line, loses nothing, stores nothing by halves, and the next poll catches up."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from intake.ingest import ingest
from intake.source import Fetched
from refund_intake.db import SQLITE_BUSY_TIMEOUT_MS, make_engine, session_factory
from refund_intake.models import Message
from tests.faults.fault_setup import (
    FIRST_RECEIPT,
    DatabaseWatch,
    deliver,
    folder_view,
    offline_config,
    one_line_error,
)
from tests.intake.imap_setup import request_mail, run_cli, start_cli, write_config
from tests.servers import MailUser

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
    poller = start_cli(config, "poll", "--once")
    try:
        watch.mid_drain(poller, 3 * BATCH, TOTAL, "the lock must come while the poll is draining")
        writer = sqlite3.connect(watch.path, timeout=0, isolation_level=None)
        try:
            _take_exclusive(writer, still_running=lambda: poller.poll() is None)
            locked_at, committed_under_lock = time.monotonic(), watch.committed()
            # Held until the poll gives up, however slow the machine: it must not wait forever.
            stdout, stderr = poller.communicate(timeout=60)
            held = time.monotonic() - locked_at
            writer.execute("ROLLBACK")
        finally:
            writer.close()
    finally:
        if poller.poll() is None:
            poller.kill()
            poller.communicate()

    assert poller.returncode == 1, (stdout, stderr)
    assert held >= SQLITE_BUSY_TIMEOUT_MS / 1000, f"gave up after {held:.1f} s, before the busy timeout"
    line = one_line_error(stderr)
    assert line.startswith("refund-intake: error: mailbox accounts: database refused the batch "
                           "(database is locked); nothing was lost"), line
    # Nothing of the refused batch: only whole batches, each with its UID mark and its flags.
    stored = watch.committed()
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


def _take_exclusive(writer: sqlite3.Connection, still_running) -> None:  # type: ignore[no-untyped-def]
    """Take the write lock between two of the poll's batches (while it fetches the next one).

    SQLite's own busy handler backs off in steps of up to 100 ms, while the poll takes the lock
    again within milliseconds, so waiting that way can starve until the poll is done. Trying every
    millisecond catches the gap.
    """
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            writer.execute("BEGIN EXCLUSIVE")
            return
        except sqlite3.OperationalError:
            assert still_running(), "the poll finished before the lock could be taken"
            time.sleep(0.001)
    raise AssertionError("could not take the write lock between batches within 60 s")
