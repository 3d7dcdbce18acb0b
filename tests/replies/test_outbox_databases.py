"""Claims and recovery on both databases: SQLite, and PostgreSQL whose server clock is far from UTC."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from base.db import make_engine, session_factory
from replies.outbox import UNCERTAIN, _claim, send_due
from testing import SmtpServer
from tests.replies.outbox_setup import (
    approved_drafts,
    draft,
    drafts,
    force,
    outbox_config,
    start_send,
)


@pytest.fixture
def any_sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    yield session_factory(engine)
    engine.dispose()


def test_two_senders_at_once_send_each_reply_once(
        tmp_path: Path, database_url: str, any_sessions: sessionmaker[Session],
        smtp_server: SmtpServer) -> None:
    config = outbox_config(tmp_path, database_url, smtp_server)
    ids = approved_drafts(any_sessions, config, count=10)
    senders = [start_send(config), start_send(config)]
    outputs = [sender.communicate(timeout=120) for sender in senders]
    assert [s.returncode for s in senders] == [0, 0], outputs
    sent_ids = [m.parsed()["Message-ID"] for m in smtp_server.messages]
    assert len(sent_ids) == len(ids) == len(set(sent_ids)) == 20
    assert all((d.state, d.attempts) == ("sent", 1) for d in drafts(any_sessions))
    assert all("outbox:" in out for out, _ in outputs)


def test_of_many_simultaneous_claims_on_a_draft_one_wins(
        tmp_path: Path, database_url: str, any_sessions: sessionmaker[Session],
        smtp_server: SmtpServer) -> None:
    config = outbox_config(tmp_path, database_url, smtp_server)
    draft_id = approved_drafts(any_sessions, config)[0]
    start = threading.Barrier(6)
    wins: list[bool] = []

    def claim() -> None:
        engine = make_engine(database_url)  # each racer with its own connection, as separate senders
        try:
            start.wait(timeout=30)
            wins.append(_claim(session_factory(engine), draft_id, datetime.now(UTC)))
        finally:
            engine.dispose()

    racers = [threading.Thread(target=claim) for _ in range(6)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(timeout=60)
    assert sorted(wins) == [False] * 5 + [True]
    assert (draft(any_sessions, draft_id).state, draft(any_sessions, draft_id).attempts) == ("sending", 1)


def test_a_stalled_send_without_a_sent_folder_waits_for_a_person(
        tmp_path: Path, database_url: str, any_sessions: sessionmaker[Session],
        smtp_server: SmtpServer) -> None:
    config = outbox_config(tmp_path, database_url, smtp_server)  # a Maildir mailbox: no Sent folder
    now = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    first, second = approved_drafts(any_sessions, config)
    force(any_sessions, first, state="sending", sending_since=now - timedelta(seconds=61), attempts=1)
    force(any_sessions, second, state="sending", sending_since=now - timedelta(seconds=59), attempts=1)
    report = send_due(any_sessions, config, now)
    assert (report.uncertain, report.sent) == ([first], [])
    assert draft(any_sessions, first).last_error == f"{UNCERTAIN} (mailbox accounts has no IMAP Sent folder)"
    assert draft(any_sessions, second).state == "sending" and smtp_server.messages == []
