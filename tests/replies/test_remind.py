"""The staff reminder digest: what is overdue or due soon, mailed once a day over real SMTP."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from base.config import load_config
from base.db import make_engine, session_factory, upgrade
from base.policies import policies_by_mailbox
from decisions import parse_orders_csv
from pipeline.poll import PollContext, poll_all
from refund_intake.decision_commands import _upsert
from replies.remind import remind
from testing import SmtpServer

ROOT = Path(__file__).resolve().parents[2]


def demo_with_smtp(tmp_path: Path, smtp: SmtpServer, staff_address: str | None) -> Path:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    shutil.copytree(ROOT / "policies", tmp_path / "policies")
    config = tmp_path / "examples" / "demo.toml"
    extra = f'\n[smtp]\nhost = "127.0.0.1"\nport = {smtp.port}\nsecurity = "plain"\n'
    if staff_address:
        extra += f'\n[replies]\nstaff_address = "{staff_address}"\n'
    config.write_text(config.read_text() + extra)
    loaded = load_config(config)
    upgrade(loaded.database_url)
    engine = make_engine(loaded.database_url)
    sessions = session_factory(engine)
    orders, _ = parse_orders_csv((tmp_path / "examples" / "orders.csv").read_text())
    with sessions.begin() as session:
        for order in orders:
            _upsert(session, order)
    poll_all(PollContext(engine, sessions, loaded, policies=policies_by_mailbox(loaded)))
    engine.dispose()
    return config


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
