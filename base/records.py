"""Rows for tables and --json output: the same fields in both, plus the stable identifiers."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from base.models import DecisionRecord, Message, Request
from decisions import minor_digits

REQUEST_COLUMNS = ("reference", "classification", "sender", "received_at", "subject", "order_refs",
                   "language", "reason", "outcome", "refund_amount", "currency")
MESSAGE_COLUMNS = ("id", "received_at", "sender", "subject", "classification", "reference",
                   "language", "reason", "order_refs")
QUARANTINE_COLUMNS = ("id", "received_at", "mailbox", "uid", "size", "reason")


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def request_row(request: Request) -> dict[str, Any]:
    first = request.messages[0] if request.messages else None
    row: dict[str, Any] = {
        "reference": request.reference,
        "status": request.status,
        "classification": first.classification if first else request.kind,
        "kind": request.kind,
        "sender": request.customer_email,
        "received_at": iso(request.received_at),
        "subject": request.subject,
        "order_refs": list(request.order_refs),
        "language": request.language,
        "reason": request.reason,
        "message_id": first.message_id if first else None,
        "mailbox": request.mailbox,
        "duplicate_of": request.duplicate_of.reference if request.duplicate_of else None,
    }
    latest = request.decisions[-1] if request.decisions else None
    row.update(decision_fields(latest))
    return row


def decision_fields(decision: DecisionRecord | None) -> dict[str, Any]:
    if decision is None:
        return {"outcome": None, "refund_amount": None, "currency": None, "fee": None}
    return {
        "outcome": decision.outcome,
        "refund_amount": money_text(decision.refund_amount, decision.currency),
        "currency": decision.currency,
        "fee": money_text(decision.fee, decision.currency),
    }


def money_text(value: Decimal | None, currency: str | None) -> str | None:
    """An amount as a plain decimal string with the currency's minor digits (KRW: none)."""
    if value is None:
        return None
    digits = minor_digits(currency) if currency else 2
    return str(Decimal(value).quantize(Decimal(1).scaleb(-digits)))


def message_row(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "message_id": message.message_id,
        "received_at": iso(message.received_at),
        "sender": message.sender,
        "subject": message.subject,
        "classification": message.classification,
        "detail": message.classification_detail,
        "reference": message.request.reference if message.request else None,
        "claims": message.claimed_request.reference if message.claimed_request else None,
        "trust_notes": list(message.trust_notes or ()),
        "language": message.language,
        "reason": message.reason,
        "order_refs": list(message.order_refs),
        "parse_status": message.parse_status,
        "problems": list(message.parse_problems),
        "mailbox": message.mailbox,
        "folder": message.folder,
        "uidvalidity": message.uidvalidity,
        "uid": message.uid,
        "raw_sha256": message.raw_sha256,
    }


def claim_row(message: Message) -> dict[str, Any]:
    """A message that names a request it did not join: a stranger's mail, a bounce of our reply."""
    return {"id": message.id, "received_at": iso(message.received_at), "sender": message.sender,
            "sender_name": message.sender_name, "subject": message.subject,
            "classification": message.classification, "detail": message.classification_detail,
            "trust_notes": list(message.trust_notes or ())}


def quarantine_row(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "message_id": message.message_id,
        "received_at": iso(message.received_at),
        "mailbox": message.mailbox,
        "uid": message.uid,
        "size": message.size,
        "reason": message.classification_detail,
        "problems": list(message.parse_problems),
        "raw_sha256": message.raw_sha256,
    }


def message_detail(message: Message) -> dict[str, Any]:
    row = message_row(message)
    row.update({
        "sender_name": message.sender_name,
        "reply_to": message.reply_to,
        "recipients": list(message.recipients),
        "date_header": message.date_header,
        "in_reply_to": message.in_reply_to,
        "references": list(message.references),
        "urls": list(message.urls),
        "understanding": message.understanding,
        "authentication": message.authentication,
        "text": message.text_body,
        "attachments": [
            {"filename": a.filename, "content_type": a.content_type, "size": a.size, "sha256": a.sha256}
            for a in message.attachments
        ],
    })
    return row


def understanding_lines(details: dict[str, Any] | None) -> list[str]:
    """What intake read from the email, each fact with its confidence and evidence, for people."""
    if not details:
        return []
    lines = ["Read from the email:"]
    reason = details.get("reason") or {}
    if reason:
        candidates = ", ".join(f"{code} {p:.2f}" for code, p in reason.get("candidates", [])[:2])
        value = (f"unclear (likeliest: {candidates})" if reason.get("value") == "unclear"
                 else f"{reason.get('value')} (confidence {reason.get('confidence', 0):.2f})")
        lines.append(f"- reason: {value}" + _evidence(reason.get("evidence")))
    language = details.get("language") or {}
    if language:
        lines.append(f"- language: {language.get('value')} (confidence {language.get('confidence', 0):.2f})"
                     + _evidence(language.get("evidence")))
    refs = details.get("order_refs") or {}
    if refs:
        found = ", ".join(refs.get("value", [])) or "none found"
        lines.append(f"- order references: {found}" + _evidence(refs.get("evidence")))
        if refs.get("lookalikes"):
            lines.append(f"  not order references: {'; '.join(refs['lookalikes'])}")
    own = details.get("own_text") or {}
    if own.get("removed"):
        lines.append(f"- own text: {own.get('chars')} characters; set apart: {', '.join(own['removed'])}")
    return lines


def _evidence(evidence: list[str] | None) -> str:
    return f"; evidence: {'; '.join(evidence)}" if evidence else ""
