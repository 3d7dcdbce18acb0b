"""What erasing personal data means, row by row; and making SQLite forget the old bytes.

Anonymising keeps what the shop's accounting needs (outcome, amounts, currency, order id, dates,
policy name and version, sha256 and size of what was received) and replaces everything that
names or describes a person: addresses, names, subjects, message and draft text, attachment file
names, URLs, staff notes and the before/after texts in the audit trail.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from base.db import SQLITE_BUSY_TIMEOUT_MS
from base.models import AuditEvent, Draft, Message, Order, Request

REMOVED = "(anonymised)"
COMPACT_BUSY_TIMEOUT_MS = 60_000
PENDING_DRAFTS = ("draft", "approved", "failed")
# Audit detail keys whose values are not personal; every other string in a detail is replaced.
AUDIT_KEYS_KEPT = frozenset({
    "kind", "role", "needed", "active", "attempts", "message_id", "outcome", "subject_sha256",
    "requests", "erased", "kept", "counts", "until", "via", "what",
})


def purge_content(message: Message) -> tuple[int, int]:
    """Remove the raw bytes and attachment contents; their sha256 and size stay as evidence."""
    raw = 0
    if message.raw is not None and message.raw.content is not None:
        message.raw.content, message.raw.key_id, raw = None, None, 1
    attachments = 0
    for attachment in message.attachments:
        if attachment.content is not None:
            attachment.content, attachment.key_id = None, None
            attachments += 1
    return raw, attachments


def anonymise_message(message: Message, now: datetime) -> None:
    purge_content(message)
    message.sender = REMOVED if message.sender is not None else None
    message.sender_name = message.reply_to = message.date_header = None
    message.message_id = message.in_reply_to = None  # a late reply then starts afresh
    message.recipients, message.references, message.urls = [], [], []
    message.subject, message.text_body = REMOVED, REMOVED
    message.classification_detail = category(message.classification_detail)
    message.parse_problems = [category(p) or "" for p in message.parse_problems]
    for attachment in message.attachments:
        attachment.filename = REMOVED
    message.understanding = scrub_understanding(message.understanding)
    message.anonymised_at = now


def anonymise_request(session: Session, request: Request, now: datetime, actor: str) -> None:
    """The request, its decisions' traces, its drafts and its audit trail; not its messages."""
    request.customer_email, request.subject = REMOVED, REMOVED
    request.understanding = scrub_understanding(request.understanding)
    if request.fraud_reason is not None:
        request.fraud_reason = REMOVED
    if request.closed_at is None:
        request.status, request.closed_at = "closed", now
    request.anonymised_at = now
    for decision in request.decisions:
        decision.trace = [_scrub_trace_entry(entry) for entry in decision.trace]
    for draft in session.scalars(select(Draft).where(Draft.request_id == request.id)):
        _anonymise_draft(draft, now, actor)
    for event in session.scalars(select(AuditEvent).where(AuditEvent.request_id == request.id)):
        event.detail = scrub_detail(event.detail)


def scrub_understanding(understanding: dict[str, Any] | None) -> dict[str, Any] | None:
    """What intake read keeps its values and confidences; the customer's words quoted as
    evidence (phrases, references as written, look-alike numbers) go."""
    if not understanding:
        return understanding
    kept: dict[str, Any] = {}
    for name, fact in understanding.items():
        if isinstance(fact, dict):
            kept[name] = {k: v for k, v in fact.items() if k not in ("evidence", "lookalikes")}
    return kept


def scrub_orders(session: Session, emails: set[str], keep: set[str]) -> int:
    """Orders lose the customer's address and free facts; order id, amount, currency, date stay."""
    count = 0
    for order in session.scalars(select(Order).where(Order.customer_email.in_(emails))):
        if order.order_id in keep:
            continue
        order.customer_email, order.facts = REMOVED, {}
        count += 1
    return count


def _anonymise_draft(draft: Draft, now: datetime, actor: str) -> None:
    if draft.state in PENDING_DRAFTS:  # nothing is ever sent to an erased address
        draft.state, draft.decided_by, draft.decided_at = "rejected", actor, now
    draft.to_address, draft.subject = REMOVED, REMOVED
    draft.body_text, draft.body_html = REMOVED, REMOVED
    draft.in_reply_to, draft.references = None, []
    draft.note = REMOVED if draft.note else None
    draft.last_error = category(draft.last_error)


def _scrub_trace_entry(entry: dict[str, Any]) -> dict[str, Any]:
    facts = {name: REMOVED if name == "urls" or _personal(str(value)) else value
             for name, value in dict(entry.get("facts") or {}).items()}
    return {**entry, "facts": facts}


def scrub_detail(detail: dict[str, Any]) -> dict[str, Any]:
    return {key: value if key in AUDIT_KEYS_KEPT else _scrub_value(value)
            for key, value in dict(detail or {}).items()}


def _scrub_value(value: Any) -> Any:
    if isinstance(value, str):
        return REMOVED
    if isinstance(value, list):
        return [_scrub_value(item) for item in value]
    if isinstance(value, dict):
        return scrub_detail(value)
    return value


def _personal(text: str) -> bool:
    return "@" in text or "://" in text


def category(detail: str | None) -> str | None:
    """The kind of a system note without its particulars: "other_address (sent to x@y)" ->
    "other_address"; the particulars quote the sender's headers."""
    if detail is None:
        return None
    return detail.split(" (", 1)[0].split(": ", 1)[0].strip()[:200]


def forget_freed_pages(engine: Engine) -> str:
    """After deleting personal data: make sure the old bytes are gone from the files.

    SQLite (secure_delete is on) zeroes freed cells, but earlier page images stay in the WAL
    until a checkpoint, and the file keeps its free pages: checkpoint, VACUUM (rewrites every
    page), then checkpoint with TRUNCATE so the WAL is emptied. PostgreSQL keeps old row versions
    as dead tuples until VACUUM reuses their space; see the README.
    """
    if engine.dialect.name != "sqlite":
        return (f"{engine.dialect.name}: old row versions stay on disk until VACUUM reuses the "
                "space; run VACUUM FULL on requests, messages, raw_messages, attachments, drafts, "
                "audit_events and orders to rewrite the tables (see README, Privacy)")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # A poll's batch holds the write lock for seconds: wait for it rather than give up.
        connection.exec_driver_sql(f"PRAGMA busy_timeout={COMPACT_BUSY_TIMEOUT_MS}")
        try:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.exec_driver_sql("VACUUM")
            busy, _log, _done = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
        finally:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    if busy:
        return ("sqlite: vacuumed; the write-ahead log could not be emptied while another "
                "connection was reading (the next purge empties it)")
    return "sqlite: vacuumed, write-ahead log emptied"

