"""The rights of the person whose mail is stored: a copy of everything kept about them (export)
and erasure of what no retention rule keeps (README, "Privacy"). Like retention.py,
every function takes the caller's session and the time `now`; none reads the clock."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from base.config import PrivacySettings
from base.models import AuditEvent, Draft, Message, Order, Request
from base.records import iso, message_detail, money_text, request_row
from base.vault import Vault, unseal
from privacy.anonymise import anonymise_message, anonymise_request, scrub_orders
from privacy.retention import FRAUD_WHY, held_until
from staff.accounts import normalise_email
from staff.audit import audit


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
