"""Retention and the rights of the people whose mail is stored: close, mark as fraud, purge,
export and erase. Every function takes the caller's session and the time `now`; none reads the
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

import base64
import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from base.config import PrivacySettings
from base.errors import ActionRefused
from base.models import Attachment, AuditEvent, Draft, Message, Order, RawMessage, Request
from base.records import iso, message_detail, money_text, request_row
from base.vault import Vault, unseal
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


@dataclass
class Erasure:
    subject_sha256: str
    erased: list[str] = field(default_factory=list)
    kept: list[dict[str, str]] = field(default_factory=list)
    messages_erased: int = 0
    orders_scrubbed: int = 0
    storage: str | None = None


def subject_hash(email: str) -> str:
    """How the audit trail names a person without keeping their address."""
    return hashlib.sha256(normalise_email(email).encode("utf-8")).hexdigest()


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


def requests_of(session: Session, email: str) -> list[Request]:
    return list(session.scalars(select(Request).where(
        func.lower(Request.customer_email) == normalise_email(email)).order_by(Request.id)))


def messages_of(session: Session, email: str, request_ids: list[int]) -> list[Message]:
    """Mail from this person (sender or Reply-To) and every message of their requests."""
    address = normalise_email(email)
    return list(session.scalars(select(Message).where(or_(
        func.lower(Message.sender) == address, func.lower(Message.reply_to) == address,
        Message.request_id.in_(request_ids))).order_by(Message.id)))


def export_person(session: Session, email: str, now: datetime, vault: Vault | None = None,
                  include_content: bool = False) -> dict[str, Any]:
    """Every stored row about one person, as plain JSON data (the right to view)."""
    address = normalise_email(email)
    requests = requests_of(session, address)
    ids = [r.id for r in requests]
    return {
        "person": address,
        "exported_at": iso(now),
        "requests": [_request_export(session, r) for r in requests],
        "messages": [_message_export(m, vault, include_content) for m in messages_of(session, address, ids)],
        "orders": [{"order_id": o.order_id, "customer_email": o.customer_email,
                    "amount": money_text(o.amount, o.currency), "currency": o.currency,
                    "ordered_at": iso(o.ordered_at), "facts": dict(o.facts),
                    "imported_at": iso(o.imported_at)}
                   for o in session.scalars(select(Order).where(
                       func.lower(Order.customer_email) == address).order_by(Order.order_id))],
        "audit_events": [_event(e) for e in session.scalars(select(AuditEvent).where(or_(
            AuditEvent.request_id.in_(ids),
            AuditEvent.detail["subject_sha256"].as_string() == subject_hash(address)))
            .order_by(AuditEvent.id))],
    }


def _request_export(session: Session, request: Request) -> dict[str, Any]:
    row = request_row(request)
    row.update({
        "closed_at": iso(request.closed_at), "fraud_marked_at": iso(request.fraud_marked_at),
        "fraud_reason": request.fraud_reason, "fraud_marked_by": request.fraud_marked_by,
        "anonymised_at": iso(request.anonymised_at),
        "decisions": [{
            "outcome": d.outcome, "refund_amount": money_text(d.refund_amount, d.currency),
            "fee": money_text(d.fee, d.currency),
            "considered_amount": money_text(d.considered_amount, d.currency),
            "currency": d.currency, "order_id": d.order_id, "policy": d.policy_name,
            "version": d.policy_version, "response_deadline": d.response_deadline.isoformat()
            if d.response_deadline else None, "missing": list(d.missing), "reasons": list(d.trace),
            "note": d.note, "decided_at": iso(d.decided_at)} for d in request.decisions],
        "drafts": [{
            "id": d.id, "kind": d.kind, "state": d.state, "from": d.from_address,
            "to": d.to_address, "subject": d.subject, "text": d.body_text,
            "created_at": iso(d.created_at), "decided_by": d.decided_by,
            "decided_at": iso(d.decided_at), "note": d.note, "sent_at": iso(d.sent_at)}
            for d in session.scalars(select(Draft).where(Draft.request_id == request.id)
                                     .order_by(Draft.id))],
    })
    return row


def _message_export(message: Message, vault: Vault | None, include_content: bool) -> dict[str, Any]:
    row = message_detail(message) | {"stored_at": iso(message.stored_at),
                                     "anonymised_at": iso(message.anonymised_at)}
    if include_content:
        raw = unseal(vault, message.raw.content, message.raw.key_id) if message.raw else None
        row["raw_base64"] = _b64(raw)
        for shown, attachment in zip(row["attachments"], message.attachments, strict=True):
            shown["content_base64"] = _b64(unseal(vault, attachment.content, attachment.key_id))
    return row


def _b64(data: bytes | None) -> str | None:
    return base64.b64encode(data).decode("ascii") if data is not None else None


def _event(event: AuditEvent) -> dict[str, Any]:
    return {"at": iso(event.at), "actor": event.actor, "action": event.action,
            "request_id": event.request_id, "draft_id": event.draft_id, "detail": event.detail}


def erase_person(session: Session, email: str, settings: PrivacySettings, now: datetime,
                 actor: str) -> Erasure:
    """Erase what no retention rule keeps; say what was kept and why (the right to erasure)."""
    address = normalise_email(email)
    result = Erasure(subject_hash(address))
    requests = requests_of(session, address)
    held = [r for r in requests if (until := held_until(r, settings)) is not None and until > now]
    for request in held:
        result.kept.append({"reference": request.reference or str(request.id),
                            "until": iso(held_until(request, settings)) or "",
                            "why": FRAUD_WHY.format(days=settings.fraud_retention_days)})
    held_ids = {r.id for r in held}
    for request in requests:
        if request.id not in held_ids:
            anonymise_request(session, request, now, actor)
            result.erased.append(request.reference or str(request.id))
    for message in messages_of(session, address, [r.id for r in requests]):
        if message.request_id not in held_ids:
            anonymise_message(message, now)
            result.messages_erased += 1
    keep_orders = {ref for r in held for ref in [*r.order_refs, *(d.order_id for d in r.decisions)] if ref}
    result.orders_scrubbed = scrub_orders(session, {address}, keep_orders)
    audit(session, actor, "privacy:erase", detail={
        "subject_sha256": result.subject_sha256, "erased": result.erased,
        "kept": [k["reference"] for k in result.kept],
        "counts": {"messages": result.messages_erased, "orders": result.orders_scrubbed}}).at = now
    return result


def record_view(session: Session, actor: str, request_id: int | None, now: datetime,
                what: str) -> None:
    """A look at a person's data from the CLI lands in the audit trail like one from the web."""
    audit(session, actor, "view", request_id, detail={"via": "cli", "what": what}).at = now

