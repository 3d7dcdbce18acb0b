"""Rows and configs for the replies tests: requests as intake stores them, drafts, staff."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from base.config import Config, load_config
from base.models import DecisionRecord, Draft, Message, Request, StaffUser
from staff.accounts import add_staff

ACCOUNTS = "accounts@kreatorz.co.za"
POLICY = Path(__file__).resolve().parents[2] / "policies" / "kreatorz.toml"
RECEIVED = datetime(2026, 11, 2, 7, 30, tzinfo=UTC)  # a Monday, 09:30 in Johannesburg
PASSWORD = "correct horse battery"


def add_request(session: Session, *, customer: str = "sam@example.com", subject: str = "Refund for order KRZ-10042",
                text: str = "Hello,\nI changed my mind about order KRZ-10042. Please refund me.",
                language: str = "en", kind: str = "refund", reason: str = "change_of_mind",
                message_id: str | None = "<req-1@example.com>", references: tuple[str, ...] = (),
                received_at: datetime = RECEIVED, sender_name: str | None = "Sam Sample",
                duplicate_of: Request | None = None) -> Request:
    request = Request(mailbox="accounts", kind=kind, status="open", customer_email=customer,
                      subject=subject, language=language, reason=reason, order_refs=["KRZ-10042"],
                      received_at=received_at, duplicate_of=duplicate_of)
    session.add(request)
    session.flush()
    request.reference = f"R-{request.id:06d}"
    add_message(session, request, text=text, message_id=message_id, references=references,
                received_at=received_at, sender_name=sender_name, subject=subject)
    return request


def add_message(session: Session, request: Request, *, text: str, message_id: str | None,
                received_at: datetime, references: tuple[str, ...] = (), sender_name: str | None = None,
                subject: str = "") -> Message:
    raw = f"{message_id}{received_at}{text}".encode()
    message = Message(
        mailbox="accounts", folder="INBOX", raw_sha256=hashlib.sha256(raw).hexdigest(), size=len(raw),
        message_id=message_id, references=list(references), sender=request.customer_email,
        sender_name=sender_name, recipients=[ACCOUNTS], subject=subject or request.subject,
        received_at=received_at, text_body=text, classification="new_request", parse_status="ok",
        request=request,
    )
    session.add(message)
    session.flush()
    session.refresh(request)
    return message


def add_decision(session: Session, request: Request, outcome: str = "approve", *,
                 refund: Decimal | None = Decimal("3600.00"), fee: Decimal | None = Decimal(0),
                 considered: Decimal | None = Decimal("3600.00"), currency: str = "ZAR",
                 missing: tuple[str, ...] = (), deadline: date | None = date(2026, 11, 5),
                 trace: list[dict[str, Any]] | None = None) -> DecisionRecord:
    decision = DecisionRecord(
        request_id=request.id, outcome=outcome, refund_amount=refund, fee=fee,
        considered_amount=considered, currency=currency, order_id="KRZ-10042",
        policy_name="kreatorz", policy_version="2024-11-11", response_deadline=deadline,
        missing=list(missing), trace=trace if trace is not None else [
            {"rule": "cooling-off", "clause": "Refunds within 7 days of purchase.", "verdict": "hit",
             "code": "within_window", "facts": {}, "effect": outcome, "note": None}],
    )
    session.add(decision)
    session.flush()
    return decision


def add_draft(session: Session, request: Request, *, kind: str = "approve", state: str = "draft",
              text: str = "Hello,\n\nYour refund is approved.\n", language: str = "en",
              message_id: str | None = None) -> Draft:
    draft = Draft(
        request_id=request.id, kind=kind, language=language, from_address=ACCOUNTS,
        to_address=request.customer_email, subject=f"Re: {request.subject} [{request.reference}]",
        body_text=text, body_html=f"<p>{text}</p>", state=state,
        message_id=message_id or f"<draft-{request.id}-{kind}-{state}@kreatorz.co.za>",
        in_reply_to="<req-1@example.com>", references=["<req-1@example.com>"],
    )
    session.add(draft)
    session.flush()
    return draft


def add_person(session: Session, email: str, role: str = "approver") -> StaffUser:
    return add_staff(session, email, PASSWORD, role)


def write_config(tmp_path: Path, db_url: str, *, mailbox: str = "", smtp: str = "",
                 replies: str = "", language: str = "en") -> Config:
    """A config with one mailbox; `mailbox` is its [mailbox.imap] table, else a Maildir."""
    (tmp_path / "Maildir" / "cur").mkdir(parents=True, exist_ok=True)
    source = mailbox or '[mailbox.maildir]\npath = "Maildir"'
    text = f"""
[database]
url = "{db_url}"

[[mailbox]]
name = "accounts"
address = "{ACCOUNTS}"
policy = "{POLICY}"
language = "{language}"

{source}

{smtp}

[replies]
{replies}
"""
    path = tmp_path / "config.toml"
    path.write_text(text)
    return load_config(path)
