"""Point the outbox at a test SMTP server (and a Dovecot user's Sent folder), with approved drafts."""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from base.config import Config
from base.db import session_scope
from base.models import Draft
from replies.approval import approve
from replies.draft import draft_replies
from testing import Dovecot, MailUser, SmtpServer
from testing.certificates import make_self_signed
from testing.smtp import local_delivery
from tests.replies.builders import (
    ACCOUNTS,
    RECEIVED,
    add_decision,
    add_person,
    add_request,
    write_config,
)


def delivering_server(dovecot: Dovecot, user: MailUser) -> SmtpServer:
    """An SMTP server that also delivers mail for the accounts address into `user`'s INBOX, as
    the MTA does: where the outbox's journal copies land. Start it (a context manager)."""
    return SmtpServer(deliver_to=local_delivery(
        {ACCOUNTS: lambda raw: dovecot.write_maildir_message(user, "INBOX", raw)}))


def inbox_ids(user: MailUser) -> list[str]:
    """The Message-IDs in the user's INBOX (the journal copies)."""
    return folder_ids(user, "INBOX")


def imap_table(tmp_path: Path, user: MailUser, port: int | None = None) -> str:
    (tmp_path / "imap.pw").write_text(user.password)
    return f"""[mailbox.imap]
host = "127.0.0.1"
port = {port or user.port}
security = "plain"
username = "{user.name}"
password_file = "imap.pw"
timeout = 5
sent_folder = "Sent"
"""


def smtp_table(server: SmtpServer, security: str = "plain", extra: str = "") -> str:
    return f"""[smtp]
host = "127.0.0.1"
port = {server.port}
security = "{security}"
timeout = 5
{extra}
"""


def outbox_config(tmp_path: Path, db_url: str, server: SmtpServer, user: MailUser | None = None,
                  *, security: str = "plain", smtp_extra: str = "", replies: str = "") -> Config:
    return write_config(tmp_path, db_url, mailbox=imap_table(tmp_path, user) if user else "",
                        smtp=smtp_table(server, security, smtp_extra),
                        replies=replies or "retry_base_seconds = 60\nmax_attempts = 3\n"
                                           "sending_timeout_seconds = 60")


def approved_drafts(sessions: sessionmaker[Session], config: Config, count: int = 1,
                    language: str = "en", customer: str | None = None) -> list[int]:
    """`count` requests, each with an acknowledgement and an approve reply, all approved."""
    ids = []
    with session_scope(sessions) as session:
        staff = add_person(session, f"approver{count}@kreatorz.co.za")
        for index in range(count):
            request = add_request(session, customer=customer or f"customer{index}@example.com",
                                  language=language, message_id=f"<req-{index}@example.com>")
            # The acknowledgement is approved before the decision is drafted: two replies, in turn.
            for decision in (None, add_decision(session, request)):
                for draft in draft_replies(session, config, request, decision, RECEIVED):
                    approve(session, draft.id, staff)
                    ids.append(draft.id)
    return ids


def drafts(sessions: sessionmaker[Session]) -> list[Draft]:
    with sessions() as session:
        return list(session.scalars(select(Draft).order_by(Draft.id)))


def draft(sessions: sessionmaker[Session], draft_id: int) -> Draft:
    with sessions() as session:
        found = session.get(Draft, draft_id)
        assert found is not None
        return found


def force(sessions: sessionmaker[Session], draft_id: int, **values: object) -> None:
    with session_scope(sessions) as session:
        row = session.get(Draft, draft_id)
        assert row is not None
        for key, value in values.items():
            setattr(row, key, value)


def tls_server_context(directory: Path) -> tuple[ssl.SSLContext, Path]:
    """A server-side TLS context with a fresh self-signed certificate, and that certificate."""
    directory.mkdir(parents=True, exist_ok=True)
    cert, key = make_self_signed(directory)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context, cert


def start_send(config: Config, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "refund_intake.cli", "--config", str(config.path),
                             "send", "--once", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy())


def sent_folder_ids(user: MailUser) -> list[str]:
    """The Message-IDs in the user's Sent folder, as the server has them."""
    return folder_ids(user, "Sent")


def folder_ids(user: MailUser, folder: str) -> list[str]:
    with user.client() as client:
        if not client.folder_exists(folder):
            return []
        client.select_folder(folder, readonly=True)
        fetched = client.fetch(client.search("ALL"), ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
    return [data[b"BODY[HEADER.FIELDS (MESSAGE-ID)]"].decode().split(":", 1)[1].strip()
            for data in fetched.values()]

