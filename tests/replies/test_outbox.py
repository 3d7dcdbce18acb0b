"""The outbox against a real SMTP server: sent once, retried on 4xx or down, failed on 5xx, visible."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from base.db import session_scope
from base.models import AuditEvent
from replies.outbox import send_due
from testing import MailUser, SmtpServer
from tests.replies.builders import ACCOUNTS, add_person
from tests.replies.outbox_setup import (
    approved_drafts,
    draft,
    drafts,
    outbox_config,
    sent_folder_ids,
)

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def body(message: EmailMessage, subtype: str) -> str:
    part = message.get_body((subtype,))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")  # type: ignore[attr-defined]


@pytest.mark.dovecot
def test_an_approved_reply_goes_out_once_threaded_and_is_kept_in_sent(
        tmp_path: Path, db_url: str, sessions: sessionmaker[Session], smtp_server: SmtpServer,
        mailbox_user: MailUser) -> None:
    config = outbox_config(tmp_path, db_url, smtp_server, mailbox_user)
    ack_id, reply_id = approved_drafts(sessions, config, language="fr")
    report = send_due(sessions, config, T0)
    assert (report.sent, report.failed, report.error) == ([ack_id, reply_id], [], None)
    ack, reply = (m.parsed() for m in smtp_server.messages)
    stored = draft(sessions, reply_id)
    assert reply["Message-ID"] == stored.message_id and reply["From"] == ACCOUNTS
    assert reply["To"] == "customer0@example.com" and reply["Cc"] is None and reply["Bcc"] is None
    # The journal copy: our own address in the envelope only, in the same transaction.
    assert smtp_server.messages[1].rcpt_tos == ("customer0@example.com", ACCOUNTS)
    assert reply["Subject"] == "Re: Refund for order KRZ-10042 [R-000001]"
    assert reply["In-Reply-To"] == "<req-0@example.com>" and reply["References"] == "<req-0@example.com>"
    assert reply["Auto-Submitted"] == "auto-replied" and reply["Date"] is not None
    assert reply.get_content_type() == "multipart/alternative"
    assert body(reply, "plain") == stored.body_text
    assert "Nous vous rembourserons 3\u202f600,00\xa0ZAR." in body(reply, "plain")
    assert "Nous vous rembourserons 3\u202f600,00\xa0ZAR." in body(reply, "html")
    assert ack["Message-ID"] != reply["Message-ID"]
    assert (stored.state, stored.attempts, stored.last_error) == ("sent", 1, None)
    assert stored.sent_at == T0
    assert sorted(sent_folder_ids(mailbox_user)) == sorted([ack["Message-ID"], reply["Message-ID"]])
    assert send_due(sessions, config, T0 + timedelta(hours=1)).sent == []
    assert len(smtp_server.messages) == 2


def test_server_down_then_up_is_sent_once(tmp_path: Path, db_url: str, sessions: sessionmaker[Session],
                                          smtp_server: SmtpServer) -> None:
    config = outbox_config(tmp_path, db_url, smtp_server)
    ids = approved_drafts(sessions, config)
    smtp_server.stop()
    assert send_due(sessions, config, T0).retrying == ids
    first = draft(sessions, ids[0])
    assert (first.state, first.attempts, first.next_attempt_at) == ("approved", 1, T0 + timedelta(seconds=60))
    assert first.last_error is not None and "Connection refused" in first.last_error
    smtp_server.start()
    assert send_due(sessions, config, T0 + timedelta(seconds=30)).sent == []  # not due yet
    report = send_due(sessions, config, T0 + timedelta(seconds=60))
    assert report.sent == ids
    assert len(smtp_server.messages) == 2
    assert [(d.state, d.attempts, d.last_error) for d in drafts(sessions)] == [("sent", 2, None)] * 2


@pytest.mark.parametrize("stage", ["MAIL", "RCPT", "DATA"])
def test_a_4xx_reply_is_retried_and_then_sent_once(
        tmp_path: Path, db_url: str, sessions: sessionmaker[Session], smtp_server: SmtpServer,
        stage: str) -> None:
    config = outbox_config(tmp_path, db_url, smtp_server)
    [ack_id, reply_id] = approved_drafts(sessions, config)
    smtp_server.fail_temporarily(times=1, reply="451 4.3.0 Mailbox busy, try later", at=stage)  # type: ignore[arg-type]
    report = send_due(sessions, config, T0)
    assert (report.retrying, report.sent) == ([ack_id], [reply_id])
    waiting = draft(sessions, ack_id)
    assert waiting.state == "approved" and "451 4.3.0 Mailbox busy" in (waiting.last_error or "")
    assert send_due(sessions, config, T0 + timedelta(minutes=1)).sent == [ack_id]
    assert [m.parsed()["Message-ID"] for m in smtp_server.messages] == [
        draft(sessions, reply_id).message_id, draft(sessions, ack_id).message_id]


@pytest.mark.parametrize(("stage", "reply"), [
    ("DATA", "554 5.7.1 Message rejected as spam"),
    ("RCPT", "550 5.1.1 No such user here"),
])
def test_a_5xx_reply_fails_the_draft_with_the_server_words(
        tmp_path: Path, db_url: str, sessions: sessionmaker[Session], smtp_server: SmtpServer,
        stage: str, reply: str) -> None:
    config = outbox_config(tmp_path, db_url, smtp_server)
    ids = approved_drafts(sessions, config)
    smtp_server.fail_permanently(reply, at=stage)  # type: ignore[arg-type]
    assert send_due(sessions, config, T0).failed == ids
    for failed in drafts(sessions):
        assert failed.state == "failed" and reply in (failed.last_error or "")
    with sessions() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "failed")).all()
        assert [(e.actor, e.draft_id) for e in events] == [("outbox", i) for i in ids]
    smtp_server.accept()
    assert send_due(sessions, config, T0 + timedelta(days=1)).sent == []  # never retried by itself
    assert smtp_server.messages == []


def test_temporary_failures_back_off_then_give_up(
        tmp_path: Path, db_url: str, sessions: sessionmaker[Session], smtp_server: SmtpServer) -> None:
    config = outbox_config(tmp_path, db_url, smtp_server)
    [ack_id, _] = approved_drafts(sessions, config)
    smtp_server.stop()
    when = T0
    for attempt, wait in ((1, 60), (2, 120)):
        assert ack_id in send_due(sessions, config, when).retrying
        assert draft(sessions, ack_id).next_attempt_at == when + timedelta(seconds=wait)
        assert draft(sessions, ack_id).attempts == attempt
        when += timedelta(seconds=wait)
    assert ack_id in send_due(sessions, config, when).failed
    gave_up = draft(sessions, ack_id)
    assert gave_up.state == "failed" and (gave_up.last_error or "").startswith("gave up after 3 attempts")


def test_resend_after_a_failure_sends_it(tmp_path: Path, db_url: str, sessions: sessionmaker[Session],
                                         smtp_server: SmtpServer) -> None:
    from replies.approval import resend

    config = outbox_config(tmp_path, db_url, smtp_server)
    [ack_id, reply_id] = approved_drafts(sessions, config)
    smtp_server.fail_permanently("554 5.7.1 Rejected")
    send_due(sessions, config, T0)
    smtp_server.accept()
    with session_scope(sessions) as session:
        resend(session, reply_id, add_person(session, "nadia@kreatorz.co.za"))
    assert send_due(sessions, config, T0 + timedelta(minutes=5)).sent == [reply_id]
    assert draft(sessions, ack_id).state == "failed" and len(smtp_server.messages) == 1


def test_an_international_address_travels_with_smtputf8(
        tmp_path: Path, db_url: str, sessions: sessionmaker[Session], smtp_server: SmtpServer) -> None:
    config = outbox_config(tmp_path, db_url, smtp_server)
    ids = approved_drafts(sessions, config, customer="josé@exemple.fr")
    assert send_due(sessions, config, T0).sent == ids
    assert smtp_server.messages[0].rcpt_tos == ("josé@exemple.fr",)
    assert smtp_server.messages[0].parsed()["To"] == "josé@exemple.fr"
