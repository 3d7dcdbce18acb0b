"""Polling a real Dovecot: receipt times, exactly-once storage under kills, overlaps and renumbering."""

from __future__ import annotations

import signal
import time
from datetime import timedelta
from pathlib import Path

import pytest
from imapclient import IMAPClient
from sqlalchemy import select

from base.config import load_config
from base.db import make_engine, session_factory
from base.locks import mailbox_lock
from base.models import Message
from pipeline.poll import PollContext, poll_all
from testing import MailUser
from tests.intake.imap_setup import (
    BASE_TIME,
    POLICY,
    fill,
    message_counts,
    request_mail,
    run_cli,
    start_cli,
    write_config,
)

pytestmark = pytest.mark.dovecot


def poll_once(config_path: Path) -> list:
    config = load_config(config_path)
    engine = make_engine(config.database_url)
    try:
        return poll_all(PollContext(engine, session_factory(engine), config))
    finally:
        engine.dispose()


def stored(config_path: Path) -> list[Message]:
    engine = make_engine(load_config(config_path).database_url)
    with session_factory(engine)() as session:
        rows = list(session.scalars(select(Message).order_by(Message.uid)))
    engine.dispose()
    return rows


def test_receipt_time_is_internaldate_not_the_date_header(
    tmp_path: Path, mailbox_user: MailUser, database_url: str
) -> None:
    forged = BASE_TIME - timedelta(days=30)  # the sender claims it was sent a month earlier
    received = BASE_TIME + timedelta(days=1, hours=3)
    mailbox_user.append(request_mail(1, date=forged), received)
    config = write_config(tmp_path, mailbox_user, database_url=database_url)
    [report] = poll_once(config)
    assert report.ok and report.stored == 1
    [message] = stored(config)
    assert message.received_at == received
    assert message.sent_at == forged
    assert message.uid is not None and message.uidvalidity is not None


def test_second_poll_stores_nothing_and_fetches_no_bodies(
    tmp_path: Path, mailbox_user: MailUser, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    fill(mailbox_user, 5)
    config = write_config(tmp_path, mailbox_user, database_url=database_url)
    assert poll_once(config)[0].stored == 5
    calls: list[str] = []
    real_fetch, real_search = IMAPClient.fetch, IMAPClient.search
    monkeypatch.setattr(IMAPClient, "fetch", lambda self, *a, **k: calls.append("fetch") or real_fetch(self, *a, **k))
    monkeypatch.setattr(IMAPClient, "search", lambda self, *a, **k: calls.append("search") or real_search(self, *a, **k))
    [report] = poll_once(config)
    assert (report.stored, report.fetched, report.bodies_fetched) == (0, 0, 0)
    assert calls == []  # UIDNEXT told us nothing is new: no SEARCH, no FETCH
    fill(mailbox_user, 2, start=5)
    [report] = poll_once(config)
    assert report.stored == 2 and report.bodies_fetched == 2
    assert message_counts(config) == (7, 7)


def test_poll_never_sets_seen_by_default(tmp_path: Path, mailbox_user: MailUser) -> None:
    fill(mailbox_user, 3)
    poll_once(write_config(tmp_path, mailbox_user))
    with mailbox_user.client() as client:
        client.select_folder("INBOX", readonly=True)
        assert client.search(["SEEN"]) == []


def test_after_flag_and_after_move(
    tmp_path: Path, mailbox_user: MailUser, dovecot, database_url: str
) -> None:
    fill(mailbox_user, 3)
    poll_once(write_config(tmp_path, mailbox_user, after="flag", database_url=database_url))
    with mailbox_user.client() as client:
        client.select_folder("INBOX", readonly=True)
        assert len(client.search(["KEYWORD", "$RefundIntake"])) == 3

    mover = dovecot.new_user("mover")
    fill(mover, 4)
    move_dir = tmp_path / "move"
    move_dir.mkdir()
    # the same database, so another mailbox name: the same mail in one mailbox is stored once
    config = write_config(move_dir, mover, after="move", name="mover", database_url=database_url)
    assert poll_once(config)[0].stored == 4
    assert mover.server.folder_status(mover.name, "INBOX")["MESSAGES"] == 0
    assert mover.server.folder_status(mover.name, "Processed")["MESSAGES"] == 4
    assert poll_once(config)[0].stored == 0


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_tls_modes_verify_the_certificate(tmp_path: Path, mailbox_user: MailUser, security: str) -> None:
    fill(mailbox_user, 2)
    [report] = poll_once(write_config(tmp_path, mailbox_user, security=security))
    assert report.ok, report.error
    assert report.stored == 2


def test_uidvalidity_change_rescans_and_duplicates_nothing(
    tmp_path: Path, mailbox_user: MailUser, database_url: str
) -> None:
    fill(mailbox_user, 6)
    config = write_config(tmp_path, mailbox_user, database_url=database_url)
    assert poll_once(config)[0].stored == 6
    old, new = mailbox_user.server.reset_uidvalidity(mailbox_user.name)
    [report] = poll_once(config)
    assert report.ok and report.stored == 0 and report.already_stored == 6
    assert message_counts(config) == (6, 6)
    assert {m.uidvalidity for m in stored(config)} == {new} != {old}
    fill(mailbox_user, 1, start=6)
    assert poll_once(config)[0].stored == 1


def test_poll_killed_mid_run_then_rerun_stores_each_message_once(
    tmp_path: Path, mailbox_user: MailUser, database_url: str
) -> None:
    fill(mailbox_user, 300)
    config = write_config(tmp_path, mailbox_user, batch_size=10, database_url=database_url)
    process = start_cli(config, "poll", "--once")
    deadline = time.monotonic() + 60
    while message_counts(config)[0] < 20 and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    killed_at = message_counts(config)[0]
    assert 20 <= killed_at < 300, "the kill must land while the poll is still draining"
    result = run_cli(config, "poll", "--once")
    assert result.returncode == 0, result.stderr
    assert message_counts(config) == (300, 300)
    assert sorted(m.uid for m in stored(config)) == list(range(1, 301))


def test_overlapping_polls_store_each_message_once(
    tmp_path: Path, mailbox_user: MailUser, database_url: str
) -> None:
    fill(mailbox_user, 200)
    config = write_config(tmp_path, mailbox_user, batch_size=20, database_url=database_url)
    first, second = start_cli(config, "poll", "--once"), start_cli(config, "poll", "--once")
    outputs = [p.communicate(timeout=120) for p in (first, second)]
    assert first.returncode == 0 and second.returncode == 0, outputs
    assert message_counts(config) == (200, 200)
    assert any("another run is in progress" in out for out, _ in outputs), outputs


def test_a_run_finding_the_mailbox_locked_says_so_and_stores_nothing(
    tmp_path: Path, mailbox_user: MailUser, database_url: str
) -> None:
    """SQLite's flock and PostgreSQL's advisory lock alike: held by another instance, the run
    exits 0 with one line; the next run, once the lock is free, takes everything."""
    fill(mailbox_user, 5)
    config = write_config(tmp_path, mailbox_user, database_url=database_url)
    engine = make_engine(database_url)
    try:
        with mailbox_lock(engine, "accounts"):  # another instance is polling this mailbox
            busy = run_cli(config, "poll", "--once")
    finally:
        engine.dispose()
    assert busy.returncode == 0, busy.stderr
    assert "accounts: another run is in progress; skipped" in busy.stdout.splitlines(), busy.stdout
    assert message_counts(config) == (0, 0)
    assert run_cli(config, "poll", "--once").returncode == 0
    assert message_counts(config) == (5, 5)


def test_wrong_password_and_unreachable_server_fail_in_one_line_others_go_on(
    tmp_path: Path, mailbox_user: MailUser, dovecot, database_url: str
) -> None:
    fill(mailbox_user, 2)
    config = write_config(tmp_path, mailbox_user, password="wrong", name="bad",
                          database_url=database_url)
    good = dovecot.new_user("good")
    fill(good, 3)
    (tmp_path / "good.pw").write_text(good.password)
    (tmp_path / "down.pw").write_text("x")
    closed_port = _closed_port()
    config.write_text(config.read_text() + f"""
[[mailbox]]
name = "down"
address = "accounts@kreatorz.co.za"
policy = "{POLICY}"
[mailbox.imap]
host = "127.0.0.1"
port = {closed_port}
security = "plain"
username = "nobody"
password_file = "down.pw"
timeout = 5

[[mailbox]]
name = "good"
address = "accounts@kreatorz.co.za"
policy = "{POLICY}"
[mailbox.imap]
host = "127.0.0.1"
port = {good.port}
security = "plain"
username = "{good.name}"
password_file = "good.pw"
""")
    result = run_cli(config, "poll", "--once")
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("refund-intake: error:")]
    assert len(errors) == 2 and "Traceback" not in result.stderr, result.stderr
    assert "mailbox bad:" in errors[0] and "login refused" in errors[0]
    assert "mailbox down:" in errors[1] and "cannot connect" in errors[1] and "refused" in errors[1].lower()
    assert "good: 3 new message(s) stored" in result.stdout
    assert message_counts(config) == (3, 3)


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
