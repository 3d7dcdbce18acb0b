"""Store fetched messages exactly once, classify them and hang each on its request, a batch at a time.

A batch is first *prepared* (intake/prepare.py: hash, parse, extract, no database). It is stored in
the caller's transaction: the lookups its messages need are read once for the whole batch
(intake/lookups.py), rows are added without flushing, and one flush writes them all. Request
references (R-000123) follow from the ids that flush gives.

A step that fails on one message (a bug, or a pathological message) aborts the fast way with
`NeedsCare`: the caller rolls the batch back and stores it again with `careful=True`, where each
message has its own savepoint, so the failing message is kept, quarantined with the reason, and
the others are stored as usual. Database errors other than a duplicate are not caught: the
caller's batch rolls back and the messages stay on the server for the next poll.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from base.config import IntakeSettings, MailboxConfig
from base.db import begin_write, number_new_rows
from base.models import Attachment, DecisionRecord, Message, RawMessage
from base.vault import Vault, seal
from decisions import Policy
from decisions.versions import PolicyVersions
from intake.classify import classify
from intake.decide import decide_request
from intake.extract import authentication
from intake.lookups import BatchLookups
from intake.parse import ParsedMessage, quarantined
from intake.prepare import Prepared, prepare
from intake.thread import reference_for
from intake.understand import Hints
from mail.source import Fetched

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Ingested:
    status: str  # stored | already_stored
    message_pk: int
    classification: str
    reference: str | None
    request_id: int | None = None
    decision_id: int | None = None  # the decision this message made, if any


class NeedsCare(Exception):
    """One message of a fast batch failed a step: store the batch again with `careful=True`."""


@dataclass
class _Outcome:
    status: str
    message: Message
    decision: DecisionRecord | None = None

    def result(self) -> Ingested:
        request = self.message.request
        return Ingested(self.status, self.message.id, self.message.classification,
                        request.reference if request is not None else None,
                        request.id if request is not None and self.status == "stored" else None,
                        self.decision.id if self.decision is not None else None)


def ingest(session: Session, settings: IntakeSettings, mailbox: MailboxConfig,
           fetched: Fetched, policy: Policy | PolicyVersions | None = None, vault: Vault | None = None) -> Ingested:
    """One message, in its own savepoint (quarantine retry and tests)."""
    [result] = ingest_batch(session, mailbox, [prepare(fetched, settings, Hints.of(mailbox))],
                            policy, vault, careful=True)
    return result


def ingest_batch(session: Session, mailbox: MailboxConfig, batch: Sequence[Prepared],
                 policy: Policy | PolicyVersions | None = None, vault: Vault | None = None,
                 careful: bool = False) -> list[Ingested]:
    """Store the batch in the caller's transaction; the fast way raises NeedsCare (see above).

    With a vault, raw bytes and attachment contents are stored sealed (encryption at rest).
    """
    begin_write(session)  # savepoints must sit inside the caller's batch transaction
    with session.no_autoflush:
        lookups = BatchLookups.load(session, mailbox.name, batch)
        step = _careful if careful else _fast
        outcomes = [step(session, lookups, mailbox, item, policy, vault) for item in batch]
        if not careful:
            number_new_rows(session)
            try:
                session.flush()
            except IntegrityError as exc:  # another writer stored one of these meanwhile
                raise NeedsCare(f"duplicate while storing the batch: {exc.orig}") from exc
            _name([o.message for o in outcomes if o.status == "stored"])
    return [o.result() for o in outcomes]


def _fast(session: Session, lookups: BatchLookups, mailbox: MailboxConfig, item: Prepared,
          policy: Policy | PolicyVersions | None, vault: Vault | None) -> _Outcome:
    existing = lookups.already_stored(item.sha)
    if existing is not None:
        return _noted(existing, item.fetched)
    try:
        outcome = _store_and_decide(session, lookups, mailbox, item, policy, vault)
    except SQLAlchemyError:
        raise
    except Exception as exc:
        raise NeedsCare(f"{_where(item.fetched)}: {type(exc).__name__}: {exc}") from exc
    lookups.remember(outcome.message)
    return outcome


def _careful(session: Session, lookups: BatchLookups, mailbox: MailboxConfig, item: Prepared,
             policy: Policy | PolicyVersions | None, vault: Vault | None) -> _Outcome:
    existing = lookups.already_stored(item.sha)
    if existing is not None:
        return _noted(existing, item.fetched)
    try:
        with session.begin_nested():
            outcome = _store_and_decide(session, lookups, mailbox, item, policy, vault)
            session.flush()
            _name([outcome.message])
    except IntegrityError:
        found = session.scalar(select(Message).where(Message.mailbox == mailbox.name,
                                                     Message.raw_sha256 == item.sha))
        if found is None:
            raise
        return _noted(found, item.fetched)
    except SQLAlchemyError:
        raise
    except Exception as exc:  # a bug or a pathological message in one step: keep it, quarantined
        log.exception("intake of %s %s failed; quarantined", mailbox.name, _where(item.fetched))
        reason = f"intake failed: {type(exc).__name__}: {exc}"[:500]
        with session.begin_nested():
            message = _store(session, lookups, mailbox, item, quarantined(reason), vault, classifying=False)
        outcome = _Outcome("stored", message)
    lookups.remember(outcome.message)
    return outcome


def _name(messages: Sequence[Message]) -> None:
    """Once flushed, new requests have ids: give them their references, and name the open
    request each duplicate repeats (it may be one this batch created)."""
    for message in messages:
        if message.request is not None and message.request.reference is None:
            message.request.reference = reference_for(message.request.id)
    for message in messages:
        original = message.request.duplicate_of if message.request is not None else None
        if message.classification == "duplicate" and original is not None:
            message.classification_detail = f"same customer, open request {original.reference}"


def _where(fetched: Fetched) -> str:
    """The message's place for a log line: its IMAP UID, or its Maildir key."""
    return f"uid {fetched.uid}" if fetched.uid is not None else f"key {fetched.source_key}"


def _noted(message: Message, fetched: Fetched) -> _Outcome:
    """A rescan after a UIDVALIDITY change finds a message at a new place: note it, store nothing."""
    message.folder, message.uidvalidity, message.uid = fetched.folder, fetched.uidvalidity, fetched.uid
    if fetched.source_key:
        message.source_key = fetched.source_key
    return _Outcome("already_stored", message)


def _store_and_decide(session: Session, lookups: BatchLookups, mailbox: MailboxConfig,
                      item: Prepared, policy: Policy | PolicyVersions | None, vault: Vault | None) -> _Outcome:
    if item.failure is not None:
        log.error("intake of %s %s failed; quarantined: %s", mailbox.name,
                  _where(item.fetched), item.failure)
    message = _store(session, lookups, mailbox, item, item.parsed, vault, classifying=item.failure is None)
    decision = None
    if policy is not None and message.request is not None and _needs_decision(message):
        decision = decide_request(session, message.request, policy, lookups.orders)
    return _Outcome("stored", message, decision)


def _needs_decision(message: Message) -> bool:
    """New requests are decided; a customer's reply re-decides (it may bring the missing facts)."""
    if message.request is None:
        return False
    if message.classification == "reply":
        return message.request.kind == "refund"
    return message.classification in ("new_request", "duplicate", "wrong_channel", "not_a_request")


def _store(session: Session, lookups: BatchLookups, mailbox: MailboxConfig, item: Prepared,
           parsed: ParsedMessage, vault: Vault | None, classifying: bool) -> Message:
    message = _message_row(mailbox, item.fetched, item.sha, parsed)
    message.raw = RawMessage(**_sealed(vault, item.fetched.raw))
    message.attachments = [
        Attachment(position=i, filename=a.filename, content_type=a.content_type[:255],
                   size=len(a.content), sha256=a.sha256, **_sealed(vault, a.content))
        for i, a in enumerate(parsed.attachments)
    ]
    session.add(message)
    if classifying and parsed.usable and item.facts is not None:
        classify(session, lookups, mailbox, parsed, item.facts, message)
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
        authentication=authentication(parsed.headers.get("authentication-results"),
                                      mailbox.authserv_id, parsed.sender),
        trust_notes=list(parsed.trust_notes),
        classification="quarantined" if not parsed.usable else "unclassified",
        classification_detail=parsed.quarantine_reason, parse_status=status,
        parse_problems=list(dict.fromkeys(parsed.problems))[:50],
    )


def _clip(value: str | None, length: int) -> str | None:
    return value[:length] if value is not None else None
