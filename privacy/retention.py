"""Retention: close, mark as fraud, purge (export and erasure, the person's own rights, are in
subject_rights.py). Every function takes the caller's session and the time `now`; none reads the
clock, so tests and `purge --as-of` run the very same rules.

The rules (config `[privacy]`):
- raw bytes and attachment contents go `raw_retention_days` after the request is closed (and
  never sooner after the message arrived); mail with no request (auto-replies, bounces,
  quarantined mail) `raw_retention_days` after it arrived;
- a closed request is anonymised `personal_data_retention_days` after closing, and mail with
  no request as long after it arrived;
- a request marked as fraud or misuse is kept whole for `fraud_retention_days` from the marking,
  whatever the other two say; afterwards the rules above apply (usually at once).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from base.config import PrivacySettings
from base.errors import ActionRefused
from base.models import Attachment, Message, RawMessage, Request
from privacy.anonymise import anonymise_message, anonymise_request, purge_content, scrub_orders
from staff.accounts import normalise_email
from staff.audit import audit

FRAUD_WHY = ("marked as fraud/misuse: the privacy policy keeps records of fraud and misuse, "
             "including the personal data of the person, for {days} days from the marking")


@dataclass
class PurgeReport:
    dry_run: bool
    raw_purged: int = 0
    attachments_purged: int = 0
    requests_anonymised: list[str] = field(default_factory=list)
    messages_anonymised: int = 0
    orders_scrubbed: int = 0
    held_for_fraud: list[str] = field(default_factory=list)
    storage: str | None = None  # what was done so the freed bytes are gone from the files

    @property
    def changed(self) -> bool:
        return bool(self.raw_purged or self.attachments_purged or self.requests_anonymised
                    or self.messages_anonymised or self.orders_scrubbed)


def held_until(request: Request, settings: PrivacySettings) -> datetime | None:
    if request.fraud_marked_at is None:
        return None
    return request.fraud_marked_at + timedelta(days=settings.fraud_retention_days)


def close_request(session: Session, request: Request, actor: str, now: datetime) -> list[str]:
    """Closed: the retention clocks start. Its duplicates close with it; returns what closed."""
    closed = []
    for item in [request, *session.scalars(select(Request).where(Request.duplicate_of_id == request.id))]:
        if item.closed_at is None:
            item.status, item.closed_at = "closed", now
            closed.append(item.reference or str(item.id))
            audit(session, actor, "close", item.id).at = now
    if not closed:
        raise ActionRefused(f"request {request.reference} is already closed")
    return closed


def mark_fraud(session: Session, request: Request, actor: str, reason: str, now: datetime) -> None:
    """Kept whole for the fraud retention period from now; marking also closes the request."""
    if not reason.strip():
        raise ActionRefused("marking a request as fraud or misuse needs a reason")
    if request.anonymised_at is not None:
        raise ActionRefused(f"request {request.reference} was anonymised on "
                            f"{request.anonymised_at.date()}; there is nothing left to keep")
    request.fraud_marked_at, request.fraud_marked_by = now, actor
    request.fraud_reason = reason.strip()
    if request.closed_at is None:
        request.status, request.closed_at = "closed", now
    audit(session, actor, "mark-fraud", request.id, detail={"reason": request.fraud_reason}).at = now


def purge(session: Session, settings: PrivacySettings, now: datetime, dry_run: bool = False,
          actor: str = "purge") -> PurgeReport:
    """Apply the retention rules as of `now`; with dry_run, only report what would go."""
    raw_cut = now - timedelta(days=settings.raw_retention_days)
    personal_cut = now - timedelta(days=settings.personal_data_retention_days)
    fraud_cut = now - timedelta(days=settings.fraud_retention_days)
    report = PurgeReport(dry_run)
    report.held_for_fraud = list(session.scalars(
        select(Request.reference).where(Request.fraud_marked_at > fraud_cut).order_by(Request.id)))
    requests = list(session.scalars(select(Request).where(
        Request.anonymised_at.is_(None), Request.closed_at <= personal_cut, _not_held(fraud_cut))
        .order_by(Request.id)))
    anonymise = list(session.scalars(select(Message).where(
        Message.anonymised_at.is_(None), _due(personal_cut, fraud_cut)).order_by(Message.id)))
    contents = list(session.scalars(select(Message).where(
        _due(raw_cut, fraud_cut), _has_content()).order_by(Message.id)))
    report.requests_anonymised = [r.reference or str(r.id) for r in requests]
    report.messages_anonymised = len(anonymise)
    for message in {m.id: m for m in anonymise + contents}.values():
        report.raw_purged += int(message.raw is not None and message.raw.content is not None)
        report.attachments_purged += sum(a.content is not None for a in message.attachments)
    if dry_run:
        return report
    emails = {normalise_email(r.customer_email) for r in requests}
    for request in requests:
        anonymise_request(session, request, now, actor)
    for message in anonymise:
        anonymise_message(message, now)
    for message in contents:
        purge_content(message)
    session.flush()
    report.orders_scrubbed = scrub_orders(session, _without_live_requests(session, emails), set())
    counts = {"raw": report.raw_purged, "attachments": report.attachments_purged,
              "messages_anonymised": report.messages_anonymised, "orders": report.orders_scrubbed}
    if report.changed:
        audit(session, actor, "privacy:purge",
              detail={"requests": report.requests_anonymised, "counts": counts}).at = now
    return report


def _not_held(fraud_cut: datetime) -> ColumnElement[bool]:
    return or_(Request.fraud_marked_at.is_(None), Request.fraud_marked_at <= fraud_cut)


def _due(cut: datetime, fraud_cut: datetime) -> ColumnElement[bool]:
    """A message whose retention has run out: old enough, and its request (if any) closed long
    enough ago and not held for fraud."""
    closed_request = select(Request.id).where(
        Request.id == Message.request_id, Request.closed_at <= cut, _not_held(fraud_cut))
    return and_(Message.received_at <= cut,
                or_(Message.request_id.is_(None), exists(closed_request)))


def _has_content() -> ColumnElement[bool]:
    return or_(
        exists(select(RawMessage.message_pk).where(RawMessage.message_pk == Message.id,
                                                   RawMessage.content.is_not(None))),
        exists(select(Attachment.id).where(Attachment.message_pk == Message.id,
                                           Attachment.content.is_not(None))))


def _without_live_requests(session: Session, emails: set[str]) -> set[str]:
    """The addresses with no request left that still needs their orders (open, closed or held)."""
    live = set(session.scalars(select(func.lower(Request.customer_email)).where(
        func.lower(Request.customer_email).in_(emails), Request.anonymised_at.is_(None))))
    return emails - live


def record_view(session: Session, actor: str, request_id: int | None, now: datetime,
                what: str) -> None:
    """A look at a person's data from the CLI lands in the audit trail like one from the web."""
    audit(session, actor, "view", request_id, detail={"via": "cli", "what": what}).at = now

