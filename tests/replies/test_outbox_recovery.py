"""A sender that dies mid-send: the mailbox decides; a reply goes out exactly once.

With the journal copy (the default, IMAP mailboxes) a stalled draft found in the mailbox (INBOX
or Sent) was accepted and is marked sent; one not found was never accepted and is sent again.
Without it, one not found is "delivery uncertain" and waits for a person.
"""

from __future__ import annotations

import asyncio
import os
import signal
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from base.models import AuditEvent, Draft
from mail.mime import build_message, message_bytes
from replies import outbox
from replies.outbox import UNCERTAIN, send_due
from testing import Dovecot, MailUser, SmtpServer
from testing.ports import free_port
from testing.smtp import _RecordingHandler
from tests.replies.builders import ACCOUNTS
from tests.replies.outbox_setup import (
    approved_drafts,
    delivering_server,
    draft,
    drafts,
    force,
    inbox_ids,
    outbox_config,
    sent_folder_ids,
    start_send,
)

pytestmark = pytest.mark.dovecot
T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
STALLED = T0 - timedelta(minutes=5)  # older than sending_timeout_seconds = 60


def stall(sessions: sessionmaker[Session], draft_id: int, since: datetime = STALLED) -> None:
    """Leave the draft as a sender that died after its claim leaves it."""
    force(sessions, draft_id, state="sending", sending_since=since, attempts=1)


def test_a_stalled_reply_found_in_sent_is_marked_sent_and_not_resent(
        tmp_path: Path, db_url: str, sessions: sessionmaker[Session], smtp_server: SmtpServer,
        dovecot: Dovecot, mailbox_user: MailUser) -> None:
    config = outbox_config(tmp_path, db_url, smtp_server, mailbox_user)
    ack_id, reply_id = approved_drafts(sessions, config)
    stall(sessions, reply_id)
    with sessions() as session:
        row = session.get(Draft, reply_id)
        assert row is not None
        raw = message_bytes(build_message(row, STALLED), smtputf8=False)
    dovecot.create_folder(mailbox_user, "Sent")
    mailbox_user.append(raw, STALLED.replace(microsecond=0), folder="Sent")
    report = send_due(sessions, config, T0)
    assert (report.recovered, report.sent) == ([reply_id], [ack_id])
    assert draft(sessions, reply_id).state == "sent"
    assert [m.parsed()["Message-ID"] for m in smtp_server.messages] == [draft(sessions, ack_id).message_id]


def stalled_raw(sessions: sessionmaker[Session], draft_id: int) -> bytes:
    with sessions() as session:
        row = session.get(Draft, draft_id)
        assert row is not None
        return message_bytes(build_message(row, STALLED), smtputf8=False)


def test_a_stalled_reply_whose_journal_copy_is_in_the_inbox_is_marked_sent(
        tmp_path: Path, db_url: str, sessions: sessionmaker[Session], smtp_server: SmtpServer,
        dovecot: Dovecot, mailbox_user: MailUser) -> None:
    config = outbox_config(tmp_path, db_url, smtp_server, mailbox_user)
    ack_id, reply_id = approved_drafts(sessions, config)
    stall(sessions, reply_id)
    dovecot.write_maildir_message(mailbox_user, "INBOX", stalled_raw(sessions, reply_id))
    report = send_due(sessions, config, T0)
    assert (report.recovered, report.requeued, report.sent) == ([reply_id], [], [ack_id])
    assert draft(sessions, reply_id).state == "sent"
    assert [m.parsed()["Message-ID"] for m in smtp_server.messages] == [draft(sessions, ack_id).message_id]


def test_a_stalled_reply_without_a_journal_copy_was_never_accepted_and_is_sent_again(
        tmp_path: Path, db_url: str, sessions: sessionmaker[Session], smtp_server: SmtpServer,
        mailbox_user: MailUser) -> None:
    config = outbox_config(tmp_path, db_url, smtp_server, mailbox_user)
    ack_id, reply_id = approved_drafts(sessions, config)
    stall(sessions, reply_id)
    report = send_due(sessions, config, T0)
    assert (report.requeued, report.uncertain, report.sent) == ([reply_id], [], [ack_id, reply_id])
    resent = draft(sessions, reply_id)
    assert (resent.state, resent.attempts, resent.last_error) == ("sent", 2, None)
    assert sorted(m.parsed()["Message-ID"] for m in smtp_server.messages) == sorted(
        d.message_id for d in drafts(sessions))
    with sessions() as session:
        actions = list(session.scalars(select(AuditEvent.action).where(AuditEvent.draft_id == reply_id)
                                       .order_by(AuditEvent.id)))
    assert actions[-2:] == ["recovered:resend", "sent"]
    assert send_due(sessions, config, T0 + timedelta(days=1)).sent == [] and len(smtp_server.messages) == 2


def test_without_the_journal_copy_a_stalled_reply_missing_from_sent_fails_as_uncertain(
        tmp_path: Path, db_url: str, sessions: sessionmaker[Session], smtp_server: SmtpServer,
        mailbox_user: MailUser) -> None:
    config = outbox_config(tmp_path, db_url, smtp_server, mailbox_user,
                           replies="sending_timeout_seconds = 60\njournal_copy = false")
    ack_id, reply_id = approved_drafts(sessions, config)
    stall(sessions, reply_id)
    report = send_due(sessions, config, T0)
    assert (report.uncertain, report.sent) == ([reply_id], [ack_id])
    failed = draft(sessions, reply_id)
    assert failed.state == "failed" and failed.last_error == UNCERTAIN
    assert send_due(sessions, config, T0 + timedelta(days=1)).sent == []
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0].rcpt_tos == ("customer0@example.com",)  # no journal recipient


def test_a_sender_that_keeps_dying_before_acceptance_gives_up_after_max_attempts(
        tmp_path: Path, db_url: str, sessions: sessionmaker[Session], smtp_server: SmtpServer,
        mailbox_user: MailUser) -> None:
    config = outbox_config(tmp_path, db_url, smtp_server, mailbox_user)  # max_attempts = 3
    _, reply_id = approved_drafts(sessions, config)
    force(sessions, reply_id, state="sending", sending_since=STALLED, attempts=3)
    report = send_due(sessions, config, T0)
    assert report.failed == [reply_id] and report.requeued == []
    failed = draft(sessions, reply_id)
    assert failed.state == "failed" and (failed.last_error or "").startswith("gave up after 3 attempts")


def test_a_young_send_is_left_to_its_sender(
        tmp_path: Path, db_url: str, sessions: sessionmaker[Session], smtp_server: SmtpServer,
        mailbox_user: MailUser) -> None:
    config = outbox_config(tmp_path, db_url, smtp_server, mailbox_user)
    _, reply_id = approved_drafts(sessions, config)
    stall(sessions, reply_id, since=T0 - timedelta(seconds=30))
    report = send_due(sessions, config, T0)
    assert report.recovered == report.uncertain == [] and draft(sessions, reply_id).state == "sending"


def test_when_the_sent_folder_cannot_be_checked_the_draft_waits(
        tmp_path: Path, db_url: str, sessions: sessionmaker[Session], smtp_server: SmtpServer,
        mailbox_user: MailUser) -> None:
    config = outbox_config(tmp_path, db_url, smtp_server, mailbox_user)
    ids = approved_drafts(sessions, config)
    stall(sessions, ids[1])
    [mailbox] = config.mailboxes
    assert mailbox.imap is not None
    unreachable = replace(config, mailboxes=(replace(mailbox, imap=replace(mailbox.imap, port=free_port())),))
    report = send_due(sessions, unreachable, T0)
    assert report.error is not None and "cannot check the Sent folder" in report.error
    assert draft(sessions, ids[1]).state == "sending"
    later = send_due(sessions, config, T0 + timedelta(minutes=5))
    assert (later.requeued, later.sent) == ([ids[1]], [ids[1]])
    assert draft(sessions, ids[1]).last_error is None and len(smtp_server.messages) == 2


def test_a_sender_killed_after_the_server_accepted_never_sends_twice(
        tmp_path: Path, db_url: str, sessions: sessionmaker[Session], dovecot: Dovecot,
        mailbox_user: MailUser, monkeypatch: pytest.MonkeyPatch) -> None:
    # The server keeps the first message (the customer's copy and, delivered locally, the journal
    # copy in our INBOX), then takes its time to say 250: the sender is killed in exactly the
    # window where the message is delivered and the database does not know.
    pauses = [5.0]
    accept = _RecordingHandler.handle_DATA

    async def slow_to_answer(self: _RecordingHandler, *args: Any) -> str:
        reply = await accept(self, *args)
        if pauses:
            await asyncio.sleep(pauses.pop())
        return reply

    monkeypatch.setattr(_RecordingHandler, "handle_DATA", slow_to_answer)
    with delivering_server(dovecot, mailbox_user) as smtp_server:
        config = outbox_config(tmp_path, db_url, smtp_server, mailbox_user)
        ids = approved_drafts(sessions, config, count=2)
        sender = start_send(config)
        try:
            [delivered] = smtp_server.wait_for_messages(1, timeout=30)
            os.kill(sender.pid, signal.SIGKILL)
        finally:
            sender.wait(timeout=30)
        assert sender.returncode == -signal.SIGKILL
        first = delivered.parsed()["Message-ID"]
        assert [d.state for d in drafts(sessions)] == ["sending", "approved", "approved", "approved"]
        for minutes in (5, 10):  # the next runs, past the sending timeout
            send_due(sessions, config, datetime.now(UTC) + timedelta(minutes=minutes))
        sent_ids = [m.parsed()["Message-ID"] for m in smtp_server.messages]
        assert all(m.rcpt_tos[1:] == (ACCOUNTS,) for m in smtp_server.messages)
    assert sorted(sent_ids) == sorted(d.message_id for d in drafts(sessions))  # each arrived once
    killed, *others = drafts(sessions)
    assert killed.message_id == first and (killed.state, killed.last_error) == ("sent", None)
    assert [d.state for d in others] == ["sent"] * 3 and len(ids) == 4
    assert first not in sent_folder_ids(mailbox_user)  # the sender died before its APPEND...
    assert sorted(inbox_ids(mailbox_user)) == sorted(sent_ids)  # ...but the journal copy is there


def test_a_slow_sender_whose_reply_recovery_took_over_sends_nothing(
        tmp_path: Path, db_url: str, sessions: sessionmaker[Session], smtp_server: SmtpServer,
        dovecot: Dovecot, mailbox_user: MailUser) -> None:
    """A sender still alive after sending_timeout_seconds races the recovery that took its draft
    over; it asks just before DATA whether its claim still stands, and sends nothing."""
    config = outbox_config(tmp_path, db_url, smtp_server, mailbox_user)
    ack_id, _ = approved_drafts(sessions, config)
    assert outbox._claim(sessions, ack_id, T0)
    taken_over = T0 + timedelta(minutes=2)  # recovery restamped the claim meanwhile
    force(sessions, ack_id, sending_since=taken_over)
    report = outbox.SendReport()
    attempt = outbox._send(sessions, config, ack_id, T0, lambda: T0, report)
    assert attempt.outcome == "withdrawn"
    assert smtp_server.messages == []
    assert (draft(sessions, ack_id).state, draft(sessions, ack_id).sending_since) == ("sending", taken_over)
    assert (report.sent, report.failed, report.retrying) == ([], [], [])
    assert outbox._claim(sessions, ack_id, T0) is False  # and nobody else sends it meanwhile
