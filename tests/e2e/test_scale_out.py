"""Several instances share the work on one PostgreSQL: three `refund-intake run` processes on one
mailbox of 500 messages store every message once and send every approved reply once."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from base.config import load_config
from base.db import make_engine, session_factory, upgrade
from base.models import Draft, Message
from replies.approval import approve
from staff.accounts import add_staff
from testing import MailUser, SmtpServer
from tests.intake.imap_setup import BASE_TIME, POLICY, request_mail

pytestmark = [pytest.mark.dovecot, pytest.mark.postgresql, pytest.mark.slow]
MESSAGES = 500
INSTANCES = 3


def config_for(tmp_path: Path, url: str, user: MailUser, smtp: SmtpServer) -> Path:
    (tmp_path / "imap.pw").write_text(user.password)
    path = tmp_path / "config.toml"
    path.write_text(f"""
[database]
url = "{url}"
[[mailbox]]
name = "accounts"
address = "accounts@kreatorz.co.za"
policy = "{POLICY}"
poll_interval = 10
[mailbox.imap]
host = "127.0.0.1"
port = {user.port}
security = "plain"
username = "{user.name}"
password_file = "imap.pw"
batch_size = 25
[smtp]
host = "127.0.0.1"
port = {smtp.port}
security = "plain"
[replies]
send_interval = 1
""")
    return path


def wait_until(condition, what: str, timeout: float = 240) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def test_three_instances_store_once_and_send_once(
    tmp_path: Path, postgres, mailbox_user: MailUser, smtp_server: SmtpServer  # type: ignore[no-untyped-def]
) -> None:
    url = postgres.new_database("scale_out")
    upgrade(url)
    config = config_for(tmp_path, url, mailbox_user, smtp_server)
    mailbox_user.server.append_many(mailbox_user.name, "INBOX", [
        (request_mail(i), BASE_TIME + timedelta(seconds=i)) for i in range(MESSAGES)])
    engine = make_engine(load_config(config).database_url)
    sessions = session_factory(engine)

    def count(query) -> int:  # type: ignore[no-untyped-def]
        with sessions() as session:
            return int(session.scalar(query) or 0)

    instances = [subprocess.Popen([sys.executable, "-m", "refund_intake.cli", "--config", str(config), "run"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(INSTANCES)]
    try:
        wait_until(lambda: count(select(func.count(Message.id))) >= MESSAGES, "all messages stored")
        # one reply waits per request (issue 14): the decision's, which also acknowledges
        wait_until(lambda: count(select(func.count(Draft.id)).where(Draft.state == "draft"))
                   >= MESSAGES, "every reply drafted")
        with sessions.begin() as session:
            staff = add_staff(session, "amira@kreatorz.co.za", "a long enough password", "approver")
            to_send = list(session.scalars(select(Draft.id).where(Draft.state == "draft")))
            for draft_id in to_send:
                approve(session, draft_id, staff)
        wait_until(lambda: count(select(func.count(Draft.id)).where(Draft.state == "sent")) >= len(to_send),
                   "every approved reply sent")
        time.sleep(3)  # any second send would land within a few send intervals
    finally:
        for process in instances:
            process.send_signal(signal.SIGTERM)
        outputs = [process.communicate(timeout=60) for process in instances]
    assert [p.returncode for p in instances] == [0] * INSTANCES, [err[-2000:] for _, err in outputs]

    assert count(select(func.count(Message.id))) == MESSAGES
    assert count(select(func.count(func.distinct(Message.raw_sha256)))) == MESSAGES
    message_ids = [m.parsed()["Message-ID"] for m in smtp_server.messages]
    assert len(message_ids) == len(to_send) == MESSAGES, "each approved reply reached the server once"
    assert len(set(message_ids)) == len(message_ids)
    busy = sum(err.count("another run is in progress") for _, err in outputs)
    engine.dispose()
    print(f"{INSTANCES} instances; polls that found the mailbox busy: {busy}")
