"""A flood from one address drafts at most `[replies] max_drafts_per_sender_per_day` replies a
day: the rest is stored, listed and decided, drafts nothing, and says why. Real intake: a
Maildir polled in one batch and then another, deciding and drafting on."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from base.config import load_config
from base.db import make_engine, session_factory
from base.models import AuditEvent, Draft, Message
from base.policies import policies_by_mailbox
from pipeline.poll import PollContext, poll_all
from tests.intake.imap_setup import ACCOUNTS, maildir_config_text, run_cli

FLOOD = "flood@example.com"
START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def request(sender: str, index: int) -> bytes:
    return (f"From: {sender}\r\nTo: {ACCOUNTS}\r\nSubject: Refund KRZ-6{index:04d}\r\n"
            f"Message-ID: <flood-{sender}-{index}@example.com>\r\n"
            "Date: Mon, 2 Nov 2026 10:00:00 +0200\r\n\r\n"
            f"I changed my mind about KRZ-6{index:04d}, refund please.\r\n").encode()


def test_drafts_per_sender_per_day_are_capped_and_staff_see_why(tmp_path: Path, database_url: str) -> None:
    for sub in ("cur", "new", "tmp"):
        (tmp_path / "md" / sub).mkdir(parents=True)
    (tmp_path / "config.toml").write_text(maildir_config_text(
        database_url, "md", extra="[replies]\nmax_drafts_per_sender_per_day = 3\n"))
    config = load_config(tmp_path / "config.toml")
    engine = make_engine(database_url)
    sessions = session_factory(engine)
    mails = [request(FLOOD, i) for i in range(6)] + [request("calm@example.com", 99)]
    for index, raw in enumerate(mails):
        at = int((START + timedelta(minutes=index)).timestamp())
        (tmp_path / "md" / "new" / f"{at}.M{index:03d}P1.test").write_bytes(raw)
        if index in (2, 6):  # two polls: the limit holds across batches, from the database
            [report] = poll_all(PollContext(engine, sessions, config, policies=policies_by_mailbox(config)))
            assert report.ok, report.error
    with sessions() as session:
        drafted = session.scalar(select(func.count(Draft.id)).where(Draft.to_address == FLOOD))
        calm = session.scalar(select(func.count(Draft.id)).where(Draft.to_address == "calm@example.com"))
        flood = list(session.scalars(select(Message).where(Message.sender == FLOOD).order_by(Message.id)))
        skipped = session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "skip:flood"))
    engine.dispose()
    assert drafted == 3 and calm == 1  # the one reply waiting for the calm sender: its decision
    assert [m.classification for m in flood] == ["new_request"] * 6  # all stored and decided
    held = [m for m in flood if any("reached the limit of 3 drafts a day" in n for n in m.trust_notes)]
    assert len(held) == skipped == 3  # one reply each for the first three requests
    listed = run_cli(tmp_path / "config.toml", "messages", "list", "--json")
    rows = [r for r in json.loads(listed.stdout) if r["sender"] == FLOOD]
    assert len(rows) == 6 and sum(1 for r in rows if r["trust_notes"]) == 3
