"""Sent replies whose copy to the IMAP Sent folder failed: each outbox run tries the copy again.

The reply itself went out (the SMTP server took it), so a failed copy is never a reason to send
again; it is noted on the draft, `status` counts it, and the copy is rebuilt from the draft, with
its Message-ID and the time it was sent, until the Sent folder takes it."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, sessionmaker

from base.config import Config, ImapSettings
from base.db import session_scope
from base.errors import SecretError, SourceError
from base.models import Draft
from mail.mime import build_message, message_bytes, needs_smtputf8
from mail.sent_folder import SentFolder

log = logging.getLogger(__name__)
NO_COPY = "sent; no copy in the Sent folder"
PER_RUN = 20  # a Sent folder that refuses everything costs at most this many tries a run


def save_copy(imap: ImapSettings | None, data: bytes, when: datetime) -> str | None:
    """Append to the Sent folder; None, or the note to keep on the draft."""
    if imap is None:
        return None
    try:
        with SentFolder(imap) as folder:
            folder.append(data, when)
        return None
    except (SourceError, SecretError) as exc:
        log.warning("sent, but the copy to the Sent folder failed: %s", exc)
        return f"{NO_COPY}: {exc}"


def copy_again(sessions: sessionmaker[Session], config: Config) -> int:
    """Try the missing Sent copies again; returns how many are still missing after this run."""
    with sessions() as session:
        drafts = list(session.scalars(_missing().order_by(Draft.id).limit(PER_RUN)))
        pending = [(d.id, d.request.mailbox, d.sent_at or datetime.now(UTC),
                    message_bytes(build_message(d, d.sent_at or datetime.now(UTC)), needs_smtputf8(d)))
                   for d in drafts]
    for draft_id, mailbox, sent_at, data in pending:
        imap = next((m.imap for m in config.mailboxes if m.name == mailbox), None)
        note = save_copy(imap, data, sent_at)
        with session_scope(sessions) as session:
            draft = session.get(Draft, draft_id)
            if draft is not None:
                draft.last_error = note
        if note is not None:
            break  # the folder still refuses: the next run tries again
    return missing_count(sessions)


def missing_count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return len(list(session.scalars(_missing().with_only_columns(Draft.id))))


def _missing() -> Select[Draft]:
    return select(Draft).where(Draft.state == "sent", Draft.last_error.startswith(NO_COPY))
