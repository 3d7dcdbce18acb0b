"""Run quarantined messages through intake again, e.g. after an upgrade taught the parser more."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from base.config import Config
from base.errors import NotFound
from base.models import Message
from base.vault import Vault, unseal
from intake.ingest import ingest
from mail.source import Fetched


def retry_quarantined(session: Session, config: Config, message_pk: int | None,
                      vault: Vault | None = None) -> list[tuple[int, str]]:
    query = select(Message).where(Message.parse_status == "quarantined").order_by(Message.id)
    if message_pk is not None:
        query = query.where(Message.id == message_pk)
    messages = list(session.scalars(query))
    if message_pk is not None and not messages:
        raise NotFound(f"message {message_pk} is not in quarantine")
    results = []
    for message in messages:
        if message.raw is None or message.raw.content is None:
            results.append((message.id, "raw bytes purged; cannot retry"))
            continue
        raw = unseal(vault, message.raw.content, message.raw.key_id) or b""
        fetched = Fetched(message.folder, message.uidvalidity, message.uid, message.source_key,
                          raw, message.received_at)
        mailbox = config.mailbox(message.mailbox)
        old_id = message.id
        session.delete(message)  # the same bytes go in again as a fresh row
        session.flush()
        result = ingest(session, config.intake, mailbox, fetched, vault=vault)
        results.append((old_id, f"now message {result.message_pk}: {result.classification}"))
    return results
