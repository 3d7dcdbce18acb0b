"""A request closes when the customer has the answer (so retention can start), and opens again
when the customer writes back."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from base.config import load_config
from base.db import make_engine, session_factory
from base.models import Draft, Request, StaffUser
from intake.ingest import ingest
from mail.source import Fetched
from replies.approval import approve
from replies.outbox import send_due
from testing import SmtpServer
from tests.replies.demo import STAFF
from tests.replies.test_remind import demo_with_smtp


def test_answer_sent_closes_and_a_reply_reopens(tmp_path: Path, smtp_server: SmtpServer) -> None:
    config_path = demo_with_smtp(tmp_path, smtp_server, None)
    config = load_config(config_path)
    engine = make_engine(config.database_url)
    sessions = session_factory(engine)
    with sessions.begin() as session:
        staff = session.scalar(select(StaffUser).where(StaffUser.email == STAFF["approver"]))  # demo's
        request = session.scalar(select(Request).where(Request.reference == "R-000007"))
        drafts = {d.kind: d.id for d in session.scalars(select(Draft).where(Draft.request_id == request.id))}
        assert set(drafts) == {"deny"}  # one reply per request: the deny says what an ack would
    with sessions() as session:
        assert session.scalar(select(Request.status).where(Request.reference == "R-000007")) == "open"
    with sessions.begin() as session:
        approve(session, drafts["deny"], staff)
    report = send_due(sessions, config)
    assert report.ok
    with sessions() as session:
        request = session.scalar(select(Request).where(Request.reference == "R-000007"))
        assert (request.status, request.closed_at is not None) == ("closed", True)
        customer = request.customer_email

    reply = (f"From: {customer}\r\nTo: accounts@kreatorz.co.za\r\nSubject: Re: [R-000007] but why?\r\n"
             "Message-ID: <why@example.org>\r\n\r\nI do not agree.\r\n").encode()
    with sessions.begin() as session:
        ingest(session, config.intake, config.mailboxes[0],
               Fetched("INBOX", None, None, "reply-key", reply, datetime.now(UTC)))
    with sessions() as session:
        request = session.scalar(select(Request).where(Request.reference == "R-000007"))
        assert (request.status, request.closed_at) == ("open", None)
    engine.dispose()
