"""The staff reminder digest: what is overdue or due soon, mailed once a day over real SMTP."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from base.config import load_config
from base.db import make_engine, session_factory
from replies.remind import remind
from testing import SmtpServer
from tests.replies.demo import demo


def demo_with_smtp(tmp_path: Path, smtp: SmtpServer, staff_address: str | None) -> Path:
    return demo(tmp_path, f'staff_address = "{staff_address}"' if staff_address else "",
                tables=f'[smtp]\nhost = "127.0.0.1"\nport = {smtp.port}\nsecurity = "plain"\n')


def run_remind(config_path: Path, now: datetime, dry_run: bool = False) -> tuple[str, str]:
    config = load_config(config_path)
    engine = make_engine(config.database_url)
    try:
        with session_factory(engine).begin() as session:
            return remind(session, config, now, dry_run=dry_run)
    finally:
        engine.dispose()


def test_digest_is_sent_once_a_day(tmp_path: Path, smtp_server: SmtpServer) -> None:
    config = demo_with_smtp(tmp_path, smtp_server, "refunds-team@kreatorz.co.za")
    now = datetime(2026, 11, 17, 7, 0, tzinfo=UTC)
    outcome, text = run_remind(config, now, dry_run=True)
    assert outcome.startswith("not sent") and smtp_server.messages == []
    # R-000002 (received 5 Nov) had to be answered by 10 Nov: overdue on the 17th
    assert "Past their answer-by date" in text and "R-000002  due 2026-11-10" in text
    assert "Drafts waiting for approval: " in text

    outcome, _ = run_remind(config, now)
    assert outcome == "sent to refunds-team@kreatorz.co.za"
    [mail] = smtp_server.wait_for_messages(1, timeout=10)
    assert list(mail.rcpt_tos) == ["refunds-team@kreatorz.co.za"]
    assert b"R-000002" in mail.raw and b"Auto-Submitted: auto-generated" in mail.raw

    assert run_remind(config, now.replace(hour=15))[0] == "already sent today"
    assert run_remind(config, now.replace(day=18))[0].startswith("sent")
    assert len(smtp_server.messages) == 2


def test_nothing_to_remind_sends_nothing(tmp_path: Path, smtp_server: SmtpServer) -> None:
    config_path = demo_with_smtp(tmp_path, smtp_server, "refunds-team@kreatorz.co.za")
    config = load_config(config_path)
    engine = make_engine(config.database_url)
    with session_factory(engine).begin() as session:
        from base.models import Draft, Request

        for request in session.query(Request):
            request.status = "closed"
        for draft in session.query(Draft):
            draft.state = "rejected"
    engine.dispose()
    outcome, _ = run_remind(config_path, datetime(2026, 11, 17, 7, 0, tzinfo=UTC))
    assert outcome == "nothing to remind" and smtp_server.messages == []


def test_overdue_is_judged_on_the_policys_calendar(tmp_path: Path, smtp_server: SmtpServer) -> None:
    """23:30 UTC on 10 November is already 11 November in Johannesburg (the Kreatorz policy's
    zone): R-000002, due on the 10th, is overdue there, though the UTC date is still the 10th."""
    config = demo_with_smtp(tmp_path, smtp_server, None)
    _, text = run_remind(config, datetime(2026, 11, 10, 23, 30, tzinfo=UTC), dry_run=True)
    overdue = text.split("Due today or tomorrow")[0]
    assert "R-000002  due 2026-11-10" in overdue
    _, text = run_remind(config, datetime(2026, 11, 10, 21, 30, tzinfo=UTC), dry_run=True)
    assert "R-000002  due 2026-11-10" in text.split("Due today or tomorrow")[1]
