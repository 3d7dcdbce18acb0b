"""Rows for the web page tests, written straight into a real database made by `db.upgrade`."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import count

from sqlalchemy.orm import Session

from base.models import Attachment, DecisionRecord, Draft, Message, Request
from decisions.decision import RuleResult

NOW = datetime(2025, 3, 10, 9, 30, tzinfo=UTC)
TODAY = NOW.date()
PASSWORD = "correct horse battery staple"
STAFF = {"viewer": "vera@kreatorz.co.za", "approver": "amir@kreatorz.co.za",
         "admin": "ada@kreatorz.co.za"}
ACCOUNTS = "accounts@kreatorz.co.za"
XSS_TEXT = (
    "Hello,\n\nPlease refund order KRZ-2044.\n"
    "<script>alert(1)</script>\n"
    "<img src=x onerror=alert(1)>\n"
    "Total: {{ 7*7 }}\n"
    "<a href=\"javascript:alert(1)\">click</a>\n\nThanks"
)
_serial = count(1)


@dataclass
class Mail:
    """One customer message of a seeded request."""

    text: str
    received_at: datetime
    sender_name: str | None = None
    subject: str | None = None
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)  # name, type, content


@dataclass
class Case:
    """A seeded request: its thread, its latest decision and the replies drafted for it."""

    reference: str
    customer: str
    subject: str
    mails: list[Mail]
    mailbox: str = "accounts"
    outcome: str | None = None
    amount: Decimal | None = None
    currency: str = "ZAR"
    deadline: date | None = None
    drafts: list[tuple[str, str]] = field(default_factory=list)  # kind, state
    missing: list[str] = field(default_factory=list)
    language: str = "en"
    reason: str = "change_of_mind"
    order: str | None = None


def trace(order: str | None) -> list[dict[str, object]]:
    """A decision trace shaped exactly as decisions.decide writes it."""
    results = [
        RuleResult("identity", "Refunds are made to the account holder who paid.", "hit",
                   "applies", {"sender": "matches the order's customer"}),
        RuleResult("cooling_off", "You may cancel within 14 days of purchase for a full refund.",
                   "hit", "inside_window", {"received_at": "2025-03-07", "last_day": "2025-03-12"},
                   effect="approve"),
        RuleResult("digital_content", "Downloaded content is refunded only if it is faulty.",
                   "miss", "not_in_table", {"order": order or "unknown"}),
        RuleResult("admin_fee", "A 5% administration fee is withheld on approved refunds.", "hit",
                   "withheld", {"percent": "5"}),
    ]
    return [result.to_dict() for result in results]


def add_case(db: Session, case: Case) -> Request:
    first = case.mails[0]
    request = Request(reference=case.reference, mailbox=case.mailbox, kind="refund", status="open",
                      customer_email=case.customer, subject=case.subject, language=case.language,
                      reason=case.reason, order_refs=[case.order] if case.order else [],
                      received_at=first.received_at)
    db.add(request)
    db.flush()
    for mail in case.mails:
        _add_message(db, request, case, mail)
    decision = None
    if case.outcome is not None:
        fee = (case.amount * Decimal("0.05")).quantize(Decimal("0.01")) if case.amount else None
        decision = DecisionRecord(
            request_id=request.id, outcome=case.outcome, refund_amount=case.amount, fee=fee,
            considered_amount=(case.amount + fee) if case.amount and fee else None,
            currency=case.currency, order_id=case.order, policy_name="Kreatorz refunds",
            policy_version="2024-11", response_deadline=case.deadline, missing=case.missing,
            trace=trace(case.order), decided_at=first.received_at + timedelta(minutes=1))
        db.add(decision)
        db.flush()
    for kind, state in case.drafts:
        add_draft(db, request, decision, kind, state)
    return request


def add_draft(db: Session, request: Request, decision: DecisionRecord | None, kind: str,
              state: str = "draft") -> Draft:
    serial = next(_serial)
    text = (f"Dear customer,\n\nThank you for your message about {request.reference}.\n"
            f"This is the {kind.replace('_', ' ')} reply.\n\nKind regards,\nKreatorz accounts")
    draft = Draft(
        request_id=request.id, decision_id=decision.id if decision else None, kind=kind,
        language=request.language, from_address=ACCOUNTS, to_address=request.customer_email,
        subject=f"Re: {request.subject} [{request.reference}]", body_text=text,
        body_html=f"<p>{text}</p>", message_id=f"<draft-{serial}@kreatorz.co.za>",
        in_reply_to=f"<customer-{request.id}@mail.example>", state=state,
        created_at=request.received_at + timedelta(minutes=2))
    db.add(draft)
    db.flush()
    return draft


def _add_message(db: Session, request: Request, case: Case, mail: Mail) -> Message:
    raw = f"{case.reference}\n{mail.text}".encode()
    message = Message(
        mailbox=case.mailbox, folder="INBOX", uidvalidity=1, uid=next(_serial),
        raw_sha256=hashlib.sha256(raw).hexdigest(), size=len(raw),
        message_id=f"<customer-{request.id}-{mail.received_at.timestamp():.0f}@mail.example>",
        sender=case.customer, sender_name=mail.sender_name, recipients=[ACCOUNTS],
        subject=mail.subject or case.subject, received_at=mail.received_at, text_body=mail.text,
        language=case.language, reason=case.reason, order_refs=request.order_refs,
        authentication="pass", classification="new_request", parse_status="ok",
        request_id=request.id)
    db.add(message)
    db.flush()
    for position, (name, content_type, content) in enumerate(mail.attachments):
        db.add(Attachment(message_pk=message.id, position=position, filename=name,
                          content_type=content_type, size=len(content),
                          sha256=hashlib.sha256(content).hexdigest(), content=content))
    return message


def standard_cases() -> list[Case]:
    """A small morning's queue: one approve, one overdue deny, the hostile email, a KRW review."""
    return [
        Case("R-000101", "jane.doe@example.com", "Refund for order KRZ-1001",
             [Mail("Hi,\n\nI bought the course last Friday but no longer need it.\n"
                   "Could you refund order KRZ-1001 please?\n\nJane",
                   NOW - timedelta(days=3), "Jane Doe",
                   attachments=[("receipt KRZ-1001.pdf", "application/pdf", b"%PDF-1.4 receipt")])],
             outcome="approve", amount=Decimal("569.05"), deadline=TODAY + timedelta(days=4),
             drafts=[("acknowledgement", "sent"), ("approve", "draft")], order="KRZ-1001"),
        Case("R-000102", "marc.petit@example.fr", "Remboursement abonnement",
             [Mail("Bonjour,\n\nJe souhaite le remboursement de mon abonnement annuel.\n\nMarc",
                   NOW - timedelta(days=12), "Marc Petit")],
             mailbox="billing", outcome="deny", currency="EUR", deadline=TODAY - timedelta(days=2),
             drafts=[("deny", "draft")], language="fr", reason="cancel_recurring"),
        Case("R-000103", "mallory@example.net", "Refund <script>alert(1)</script>",
             [Mail(XSS_TEXT, NOW - timedelta(hours=5), "<img src=x onerror=alert(1)>",
                   attachments=[("../../evil<script>.html", "text/html",
                                 b"<script>alert(1)</script>")])],
             outcome="needs_info", deadline=TODAY + timedelta(days=6), missing=["order_reference"],
             drafts=[("needs_info", "draft")], order="KRZ-2044"),
        Case("R-000104", "min-jun@example.kr", "Partial refund for a damaged print",
             [Mail("The print arrived torn at the corner. Photos attached.",
                   NOW - timedelta(days=1), "Kim Min-jun")],
             outcome="review", amount=Decimal(12000), currency="KRW",
             deadline=TODAY + timedelta(days=5), reason="not_as_described", order="KRZ-1188"),
    ]
