"""Point refund-intake at a test Dovecot user (or a Maildir): a config file, sample mail, and CLI runs."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

from sqlalchemy import func, select

from base.config import load_config
from base.db import make_engine, session_factory, upgrade
from base.models import Message
from testing import MailUser

ACCOUNTS = "accounts@kreatorz.co.za"
POLICY = Path(__file__).resolve().parents[2] / "policies" / "kreatorz.toml"
BASE_TIME = datetime(2026, 11, 2, 9, 0, tzinfo=timezone(timedelta(hours=2)))


def write_config(tmp_path: Path, user: MailUser, *, security: str = "plain", after: str = "leave",
                 batch_size: int = 100, password: str | None = None, port: int | None = None,
                 extra: str = "", name: str = "accounts",
                 database_url: str = "sqlite:///intake.db") -> Path:
    """A config for `user`'s mailbox, its database upgraded; the default is SQLite beside it."""
    (tmp_path / f"{name}.pw").write_text(password if password is not None else user.password)
    port = port or (user.tls_port if security == "tls" else user.port)
    text = f"""
[database]
url = "{database_url}"

[intake]
order_ref_patterns = ['\\bKRZ-\\d{{4,}}\\b']

[[mailbox]]
name = "{name}"
address = "{ACCOUNTS}"
policy = "{POLICY}"
after = "{after}"
trusted_relays = ["noreply@kreatorz.co.za"]
{'move_to = "Processed"' if after == "move" else ''}

[mailbox.imap]
host = "127.0.0.1"
port = {port}
security = "{security}"
username = "{user.name}"
password_file = "{name}.pw"
batch_size = {batch_size}
ca_file = "{user.cafile}"
timeout = 10
{extra}
"""
    path = tmp_path / "config.toml"
    path.write_text(text)
    upgrade(load_config(path).database_url)
    return path


def maildir_config_text(database_url: str, maildir: str, *, mailbox: str = "", extra: str = "") -> str:
    """The config of the same Kreatorz mailbox read from the Maildir `maildir` instead of IMAP;
    `mailbox` adds lines to its [[mailbox]] table and `extra` tables after it."""
    return f"""
[database]
url = "{database_url}"
[intake]
order_ref_patterns = ['\\bKRZ-\\d{{4,}}\\b']
[[mailbox]]
name = "accounts"
address = "{ACCOUNTS}"
policy = "{POLICY}"
{mailbox}
[mailbox.maildir]
path = "{maildir}"
{extra}"""


def request_mail(index: int, *, sender: str | None = None, subject: str | None = None,
                 body: str | None = None, date: datetime | None = None, headers: str = "") -> bytes:
    sender = sender or f"customer{index}@example.com"
    date = date or BASE_TIME
    text = (
        f"From: Customer {index} <{sender}>\r\nTo: {ACCOUNTS}\r\n"
        f"Subject: {subject or f'Refund for order KRZ-{10000 + index}'}\r\n"
        f"Date: {format_datetime(date)}\r\nMessage-ID: <req-{index}@example.com>\r\n{headers}"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{body or f'Hello, I changed my mind about order KRZ-{10000 + index}. Please refund me.'}\r\n"
    )
    return text.encode()


def fill(user: MailUser, count: int, start: int = 0) -> None:
    messages = [(request_mail(i), BASE_TIME + timedelta(minutes=i)) for i in range(start, start + count)]
    user.server.append_many(user.name, "INBOX", messages)


def run_cli(config: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "refund_intake.cli", "--config", str(config), *args],
                          capture_output=True, text=True, timeout=timeout, env=os.environ.copy())


def start_cli(config: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "refund_intake.cli", "--config", str(config), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def message_counts(config: Path) -> tuple[int, int]:
    """(stored messages, distinct raw messages) in the config's database."""
    engine = make_engine(load_config(config).database_url)
    with session_factory(engine)() as session:
        total = session.scalar(select(func.count(Message.id))) or 0
        distinct = session.scalar(select(func.count(func.distinct(Message.raw_sha256)))) or 0
    engine.dispose()
    return total, distinct
