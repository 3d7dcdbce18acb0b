"""Store one fetched message exactly once, then classify it and hang it on its request."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from decisions import Policy
from intake.decide import decide_request
from intake.extract import authentication, extract, forwarded_sender
from intake.guards import AFTER_THREADING, BEFORE_THREADING, Verdict
from intake.parse import ParsedMessage, parse_message, quarantined
from intake.source import Fetched
from intake.thread import find_thread, reference_for
from refund_intake.config import IntakeSettings, MailboxConfig
from refund_intake.db import begin_write
from refund_intake.models import Attachment, Message, RawMessage, Request
from refund_intake.vault import Vault, seal

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Ingested:
    status: str  # stored | already_stored
    message_pk: int
    classification: str
    reference: str | None
    request_id: int | None = None
    decision_id: int | None = None  # the decision this message made, if any


def ingest(session: Session, settings: IntakeSettings, mailbox: MailboxConfig,
           fetched: Fetched, policy: Policy | None = None, vault: Vault | None = None) -> Ingested:
    """One message, one savepoint: a failing step quarantines the message instead of losing it.

    Database errors other than a duplicate are not caught: the caller's batch rolls back and the
    messages stay on the server for the next poll. With a vault, raw bytes and attachment
    contents are stored sealed (encryption at rest).
    """
    sha = hashlib.sha256(fetched.raw).hexdigest()
    existing = _already_stored(session, mailbox.name, sha, fetched)
    if existing is not None:
        return existing
    begin_write(session)  # the savepoint must sit inside the caller's batch transaction
    decision = None
    try:
        with session.begin_nested():
            message = _store(session, settings, mailbox, fetched, sha,
                             parse_message(fetched.raw, settings.max_parts), vault=vault)
            if policy is not None and _needs_decision(message):
                decision = decide_request(session, message.request, policy)
    except IntegrityError:
        found = _already_stored(session, mailbox.name, sha, fetched)
        if found is None:
            raise
        return found
    except SQLAlchemyError:
        raise
    except Exception as exc:  # a bug or a pathological message in one step: keep it, quarantined
        log.exception("intake of %s uid %s failed; quarantined", mailbox.name, fetched.uid)
        reason = f"intake failed: {type(exc).__name__}: {exc}"[:500]
        with session.begin_nested():
            message = _store(session, settings, mailbox, fetched, sha, quarantined(reason),
                             classify=False, vault=vault)
    reference = message.request.reference if message.request is not None else None
    return Ingested("stored", message.id, message.classification, reference, message.request_id,
                    decision.id if decision is not None else None)


def _needs_decision(message: Message) -> bool:
    """New requests are decided; a customer's reply re-decides (it may bring the missing facts)."""
    if message.request is None:
        return False
    if message.classification == "reply":
        return message.request.kind == "refund"
    return message.classification in ("new_request", "duplicate", "wrong_channel", "not_a_request")


def _already_stored(session: Session, mailbox: str, sha: str, fetched: Fetched) -> Ingested | None:
    message = session.scalar(select(Message).where(Message.mailbox == mailbox, Message.raw_sha256 == sha))
    if message is None:
        return None
    # A rescan after a UIDVALIDITY change finds the message at a new place: note it, store nothing.
    message.folder, message.uidvalidity, message.uid = fetched.folder, fetched.uidvalidity, fetched.uid
    if fetched.source_key:
        message.source_key = fetched.source_key
    reference = message.request.reference if message.request is not None else None
    return Ingested("already_stored", message.id, message.classification, reference)


def _store(session: Session, settings: IntakeSettings, mailbox: MailboxConfig, fetched: Fetched,
           sha: str, parsed: ParsedMessage, classify: bool = True,
           vault: Vault | None = None) -> Message:
    message = _message_row(mailbox, fetched, sha, parsed)
    message.raw = RawMessage(**_sealed(vault, fetched.raw))
    message.attachments = [
        Attachment(position=i, filename=a.filename, content_type=a.content_type[:255],
                   size=len(a.content), sha256=a.sha256, **_sealed(vault, a.content))
        for i, a in enumerate(parsed.attachments)
    ]
    session.add(message)
    if classify and parsed.usable:
        _classify(session, settings, mailbox, parsed, message)
    session.flush()
    return message


def _sealed(vault: Vault | None, data: bytes) -> dict[str, bytes | str | None]:
    content, key_id = seal(vault, data)
    return {"content": content, "key_id": key_id}


def _message_row(mailbox: MailboxConfig, fetched: Fetched, sha: str, parsed: ParsedMessage) -> Message:
    status = "quarantined" if not parsed.usable else ("partial" if parsed.problems else "ok")
    return Message(
        mailbox=mailbox.name, folder=fetched.folder, uidvalidity=fetched.uidvalidity, uid=fetched.uid,
        source_key=fetched.source_key, raw_sha256=sha, size=len(fetched.raw),
        message_id=_clip(parsed.message_id, 998), in_reply_to=_clip(parsed.in_reply_to, 998),
        references=list(parsed.references[-50:]), sender=_clip(parsed.sender, 320),
        sender_name=_clip(parsed.sender_name, 500), reply_to=_clip(parsed.reply_to, 320),
        recipients=list(parsed.recipients[:100]), subject=parsed.subject[:2000],
        date_header=_clip(parsed.date_header, 500), sent_at=parsed.sent_at,
        received_at=fetched.received_at, text_body=parsed.text,
        authentication=authentication(parsed.headers.get("authentication-results")),
        classification="quarantined" if not parsed.usable else "unclassified",
        classification_detail=parsed.quarantine_reason, parse_status=status,
        parse_problems=list(dict.fromkeys(parsed.problems))[:50],
    )


def _clip(value: str | None, length: int) -> str | None:
    return value[:length] if value is not None else None


def _classify(session: Session, settings: IntakeSettings, mailbox: MailboxConfig,
              parsed: ParsedMessage, message: Message) -> None:
    facts = extract(parsed.subject, parsed.text, settings.order_ref_patterns,
                    settings.reason_keywords, mailbox.language)
    message.language, message.reason = facts.language, facts.reason
    message.order_refs, message.urls = list(facts.order_refs), list(facts.urls)
    verdict = _first(BEFORE_THREADING, parsed, mailbox)
    if verdict is not None:
        message.classification, message.classification_detail = verdict.classification, verdict.detail
        return
    thread, how = find_thread(session, mailbox.name, parsed)
    if thread is not None:
        message.classification, message.classification_detail = "reply", f"threaded by {how}"
        message.request = thread
        if thread.closed_at is not None and thread.anonymised_at is None and thread.fraud_marked_at is None:
            thread.status, thread.closed_at = "open", None  # the customer wrote again
        return
    verdict = _first(AFTER_THREADING, parsed, mailbox)
    customer = _customer(parsed, mailbox, verdict)
    if verdict is not None:
        kind = "privacy" if verdict.detail.startswith("privacy") else verdict.classification
        message.classification, message.classification_detail = verdict.classification, verdict.detail
        message.request = _new_request(session, mailbox, message, customer, kind)
        return
    original = _open_request_of(session, mailbox, customer, message.order_refs)
    if original is not None:
        message.classification = "duplicate"
        message.classification_detail = f"same customer, open request {original.reference}"
        message.request = _new_request(session, mailbox, message, customer, "duplicate")
        message.request.duplicate_of = original
        return
    message.classification, message.classification_detail = "new_request", how
    message.request = _new_request(session, mailbox, message, customer, "refund")


def _first(guards: tuple, parsed: ParsedMessage, mailbox: MailboxConfig) -> Verdict | None:
    for guard in guards:
        verdict = guard(parsed, mailbox)
        if verdict is not None:
            return verdict
    return None


def _customer(parsed: ParsedMessage, mailbox: MailboxConfig, verdict: Verdict | None = None) -> str:
    """The customer: the sender; Reply-To when a trusted relay (the shop's form) sent it; the
    original sender when a staff member forwarded the customer's mail."""
    if parsed.sender in mailbox.trusted_relays and parsed.reply_to:
        return parsed.reply_to
    if verdict is not None and verdict.detail.startswith("staff_forward"):
        original = forwarded_sender(parsed.text, mailbox.address.rsplit("@", 1)[-1])
        if original:
            return original
    return parsed.sender or parsed.reply_to or ""


def _open_request_of(session: Session, mailbox: MailboxConfig, customer: str,
                     refs: list[str]) -> Request | None:
    candidates = session.scalars(
        select(Request).where(Request.mailbox == mailbox.name, Request.customer_email == customer,
                              Request.kind == "refund", Request.status == "open")
        .order_by(Request.id)
    ).all()
    for request in candidates:
        if not refs or not request.order_refs or set(refs) & set(request.order_refs):
            return request
    return None


def _new_request(session: Session, mailbox: MailboxConfig, message: Message, customer: str,
                 kind: str) -> Request:
    request = Request(
        mailbox=mailbox.name, kind=kind, status="open", customer_email=customer[:320],
        subject=message.subject, language=message.language or mailbox.language,
        reason=message.reason or "other", order_refs=list(message.order_refs),
        received_at=message.received_at,
    )
    session.add(request)
    session.flush()
    request.reference = reference_for(request.id)
    return request
