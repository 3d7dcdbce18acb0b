"""The database records: messages kept as evidence, requests, orders and decisions."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

MONEY = Numeric(18, 4, asdecimal=True)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and gives them back aware (SQLite would drop the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a timezone-aware column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class NulFree(TypeDecorator[str]):
    """Text that never carries NUL characters, on any database.

    PostgreSQL refuses NUL in text, and one refused row fails its whole batch, which the next poll
    retries and fails again: a mailbox stuck for good (SQLite would store it). The parser already
    removes NUL from what it reads; this catches the rest, such as a MIME type or an exception's
    message quoting the mail. The raw bytes, stored as binary, keep every NUL as received.
    """

    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return value.replace("\x00", "") if value and "\x00" in value else value


class NulFreeText(NulFree):
    impl = Text
    cache_ok = True


class NulFreeString(NulFree):
    """With a length limit: PostgreSQL enforces it and SQLite does not, so clip before storing."""

    impl = String
    cache_ok = True


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> datetime:
    return datetime.now(UTC)


class FolderState(Base):
    """Where polling of one folder of one mailbox has got to, and how the last poll went."""

    __tablename__ = "folder_states"
    __table_args__ = (UniqueConstraint("mailbox", "folder"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mailbox: Mapped[str] = mapped_column(NulFreeString(100))
    folder: Mapped[str] = mapped_column(NulFreeString(255))
    uidvalidity: Mapped[int | None] = mapped_column(BigInteger)
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    last_poll_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(NulFreeText)


class Request(Base):
    """A customer's request: the thread that messages, decisions and replies hang on."""

    __tablename__ = "requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str | None] = mapped_column(NulFreeString(20), unique=True)
    mailbox: Mapped[str] = mapped_column(NulFreeString(100), index=True)
    kind: Mapped[str] = mapped_column(NulFreeString(30))  # refund|duplicate|wrong_channel|privacy
    status: Mapped[str] = mapped_column(NulFreeString(20), default="open")
    customer_email: Mapped[str] = mapped_column(NulFreeString(320), index=True)
    subject: Mapped[str] = mapped_column(NulFreeText, default="")
    language: Mapped[str] = mapped_column(NulFreeString(10), default="en")
    reason: Mapped[str] = mapped_column(NulFreeString(30), default="other")
    order_refs: Mapped[list[str]] = mapped_column(JSON, default=list)
    # What intake read from the first message, each fact with confidence and evidence (intake/understand.py).
    understanding: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Retention (privacy/retention.py): the clocks start at closing, or at the fraud marking.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fraud_marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fraud_reason: Mapped[str | None] = mapped_column(NulFreeText)
    fraud_marked_by: Mapped[str | None] = mapped_column(NulFreeString(320))
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Facts staff corrected (`reason`, `order`, `language`): deciding again reads these first.
    staff_facts: Mapped[dict[str, str] | None] = mapped_column(JSON)

    messages: Mapped[list[Message]] = relationship(
        back_populates="request", order_by="Message.received_at", foreign_keys="Message.request_id"
    )
    decisions: Mapped[list[DecisionRecord]] = relationship(
        back_populates="request", order_by="DecisionRecord.id"
    )
    duplicate_of: Mapped[Request | None] = relationship(remote_side=[id])


class Message(Base):
    """One email exactly as received, with what could be read from it."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("mailbox", "raw_sha256"),
        Index("ix_messages_location", "mailbox", "folder", "uidvalidity", "uid"),
        Index("ix_messages_source_key", "mailbox", "source_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mailbox: Mapped[str] = mapped_column(NulFreeString(100))
    folder: Mapped[str] = mapped_column(NulFreeString(255))
    uidvalidity: Mapped[int | None] = mapped_column(BigInteger)
    uid: Mapped[int | None] = mapped_column(BigInteger)
    source_key: Mapped[str | None] = mapped_column(NulFreeString(255))  # Maildir file key
    raw_sha256: Mapped[str] = mapped_column(NulFreeString(64))
    size: Mapped[int] = mapped_column(Integer)
    message_id: Mapped[str | None] = mapped_column(NulFreeString(998), index=True)
    in_reply_to: Mapped[str | None] = mapped_column(NulFreeText)
    references: Mapped[list[str]] = mapped_column(JSON, default=list)
    sender: Mapped[str | None] = mapped_column(NulFreeString(320))
    sender_name: Mapped[str | None] = mapped_column(NulFreeText)
    reply_to: Mapped[str | None] = mapped_column(NulFreeString(320))
    recipients: Mapped[list[str]] = mapped_column(JSON, default=list)
    subject: Mapped[str] = mapped_column(NulFreeText, default="")
    date_header: Mapped[str | None] = mapped_column(NulFreeText)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    text_body: Mapped[str] = mapped_column(NulFreeText, default="")
    language: Mapped[str | None] = mapped_column(NulFreeString(10))
    reason: Mapped[str | None] = mapped_column(NulFreeString(30))
    order_refs: Mapped[list[str]] = mapped_column(JSON, default=list)
    urls: Mapped[list[str]] = mapped_column(JSON, default=list)
    understanding: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # facts with confidence, evidence
    authentication: Mapped[str] = mapped_column(NulFreeString(10), default="unknown")
    classification: Mapped[str] = mapped_column(NulFreeString(30))
    classification_detail: Mapped[str | None] = mapped_column(NulFreeText)
    parse_status: Mapped[str] = mapped_column(NulFreeString(20))  # ok | partial | quarantined
    parse_problems: Mapped[list[str]] = mapped_column(JSON, default=list)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id"), index=True)
    # A message that names a request (its token, In-Reply-To or References) but may not join
    # it: a stranger's mail, or a bounce of our reply. Linked for staff; it changes nothing.
    claimed_request_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id"), index=True)
    # What staff should know about who sent it: a display name showing another address, a
    # thread it claims but may not join, drafts held back by the flood limit.
    trust_notes: Mapped[list[str]] = mapped_column(JSON, default=list)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    request: Mapped[Request | None] = relationship(back_populates="messages", foreign_keys=[request_id])
    claimed_request: Mapped[Request | None] = relationship(foreign_keys=[claimed_request_id])
    raw: Mapped[RawMessage] = relationship(back_populates="message", cascade="all, delete-orphan")
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="message", order_by="Attachment.position", cascade="all, delete-orphan"
    )


class RawMessage(Base):
    """The bytes the customer sent: evidence, kept apart so lists stay light and purge is simple."""

    __tablename__ = "raw_messages"

    message_pk: Mapped[int] = mapped_column(ForeignKey("messages.id"), primary_key=True)
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Set when `content` is sealed (base/vault.py): the id of the key that opens it.
    key_id: Mapped[str | None] = mapped_column(NulFreeString(16), index=True)
    message: Mapped[Message] = relationship(back_populates="raw")


class Attachment(Base):
    __tablename__ = "attachments"
    __table_args__ = (UniqueConstraint("message_pk", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_pk: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(NulFreeString(255))
    content_type: Mapped[str] = mapped_column(NulFreeString(255))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(NulFreeString(64))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    key_id: Mapped[str | None] = mapped_column(NulFreeString(16), index=True)  # as RawMessage.key_id
    message: Mapped[Message] = relationship(back_populates="attachments")


class Order(Base):
    """A shop's order record, imported from CSV; facts stay raw text until a policy types them."""

    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[str] = mapped_column(NulFreeString(100), unique=True)
    customer_email: Mapped[str] = mapped_column(NulFreeString(320), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(NulFreeString(3))
    ordered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    facts: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DecisionRecord(Base):
    """One decision on a request; re-deciding adds a row, history is never rewritten."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    outcome: Mapped[str] = mapped_column(NulFreeString(20))
    refund_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    fee: Mapped[Decimal | None] = mapped_column(MONEY)
    considered_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    currency: Mapped[str | None] = mapped_column(NulFreeString(3))
    order_id: Mapped[str | None] = mapped_column(NulFreeString(100))
    policy_name: Mapped[str] = mapped_column(NulFreeString(200))
    policy_version: Mapped[str] = mapped_column(NulFreeString(50))
    response_deadline: Mapped[date | None] = mapped_column(Date)
    missing: Mapped[list[str]] = mapped_column(JSON, default=list)
    trace: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(NulFreeText)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A staff decision (`requests resolve`, the desk's Grant/Deny/Ask/Write): who, and their note.
    decided_by: Mapped[str | None] = mapped_column(NulFreeString(320))
    staff_note: Mapped[str | None] = mapped_column(NulFreeText)
    request: Mapped[Request] = relationship(back_populates="decisions")


class Draft(Base):
    """A reply waiting for, or past, staff approval. States: draft -> approved -> sending -> sent | failed;
    or draft -> rejected. Approval only changes state; the outbox sends."""

    __tablename__ = "drafts"
    # The once-a-day acknowledgement guard looks drafts up by recipient and day, per message.
    __table_args__ = (Index("ix_drafts_recipient_day", "to_address", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))
    kind: Mapped[str] = mapped_column(NulFreeString(30))
    language: Mapped[str] = mapped_column(NulFreeString(10))
    from_address: Mapped[str] = mapped_column(NulFreeString(320))
    to_address: Mapped[str] = mapped_column(NulFreeString(320))
    subject: Mapped[str] = mapped_column(NulFreeText)
    body_text: Mapped[str] = mapped_column(NulFreeText)
    body_html: Mapped[str] = mapped_column(NulFreeText)
    message_id: Mapped[str] = mapped_column(NulFreeString(255), unique=True)
    in_reply_to: Mapped[str | None] = mapped_column(NulFreeString(998))
    references: Mapped[list[str]] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(NulFreeString(20), default="draft", index=True)
    auto_send: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(NulFreeString(320))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(NulFreeText)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sending_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(NulFreeText)
    # Approval tiers: a grant above the limit is approved twice; the first approval is kept here.
    first_approved_by: Mapped[str | None] = mapped_column(NulFreeString(320))
    first_approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    request: Mapped[Request] = relationship()


class StaffUser(Base):
    """A person who may use the web page; roles: viewer, approver, admin."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(NulFreeString(320), unique=True)
    password_hash: Mapped[str] = mapped_column(NulFreeString(255))
    role: Mapped[str] = mapped_column(NulFreeString(20), default="approver")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StaffSession(Base):
    """One sign-in on the web page. The browser's cookie carries a random token; only its sha256
    is kept, so a copy of the database opens no session. Signing out, disabling the account,
    changing its role or its password ends the session: a replayed cookie is refused."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(NulFreeString(64), unique=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_why: Mapped[str | None] = mapped_column(NulFreeString(30))  # sign_out, disabled, role, password


class AuditEvent(Base):
    """Who did what and when; edits keep the text before and after. Append-only."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(NulFreeString(320))
    action: Mapped[str] = mapped_column(NulFreeString(50))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id"), index=True)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id"))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    draft: Mapped[Draft | None] = relationship()
