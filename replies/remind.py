"""The staff reminder: one digest a day of drafts waiting and of answers due soon or overdue."""

from __future__ import annotations

import email.policy
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from base.config import Config
from base.models import AuditEvent, DecisionRecord, Draft, Request
from base.policies import local_dates
from mail.smtp import deliver
from replies.overdue import waiting_on_staff
from staff.audit import audit

DIGEST_ACTION = "reminder_digest"


@dataclass
class Digest:
    waiting: list[Draft] = field(default_factory=list)
    due_soon: list[tuple[Request, date]] = field(default_factory=list)
    overdue: list[tuple[Request, date]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.waiting or self.due_soon or self.overdue)


def unanswered(session: Session) -> list[tuple[Request, date]]:
    """Open requests waiting on staff (replies/overdue.py), with the answer-by date of their
    latest decision."""
    latest = (select(func.max(DecisionRecord.id)).where(DecisionRecord.request_id == Request.id)
              .correlate(Request).scalar_subquery())
    rows = session.execute(
        select(Request, DecisionRecord.response_deadline).join(DecisionRecord, DecisionRecord.id == latest)
        .where(waiting_on_staff(), DecisionRecord.response_deadline.is_not(None))
        .order_by(DecisionRecord.response_deadline, Request.id))
    # the query keeps only rows with a deadline (is_not(None) above)
    return [(request, deadline) for request, deadline in rows if deadline is not None]


def build_digest(session: Session, today: Mapping[str, date]) -> Digest:
    """`today` by mailbox: each answer-by date is judged on its own policy's calendar."""
    digest = Digest(waiting=list(session.scalars(
        select(Draft).where(Draft.state == "draft").order_by(Draft.created_at))))
    for request, deadline in unanswered(session):
        local = today[request.mailbox]
        if deadline < local:
            digest.overdue.append((request, deadline))
        elif deadline <= local + timedelta(days=1):
            digest.due_soon.append((request, deadline))
    return digest


def digest_text(digest: Digest, today: date) -> str:
    lines = [f"refund-intake reminder for {today.isoformat()}", ""]
    sections = (
        ("Past their answer-by date", [f"{r.reference}  due {d.isoformat()}  {r.customer_email}  {r.subject}"
                                        for r, d in digest.overdue]),
        ("Due today or tomorrow", [f"{r.reference}  due {d.isoformat()}  {r.customer_email}  {r.subject}"
                                    for r, d in digest.due_soon]),
        ("Drafts waiting for approval", [f"draft {d.id}  {d.request.reference}  {d.kind}  to {d.to_address}"
                                         for d in digest.waiting]),
    )
    for title, rows in sections:
        lines += [f"{title}: {len(rows)}", *(f"  {row}" for row in rows), ""]
    return "\n".join(lines).rstrip() + "\n"


def sent_today(session: Session, today: date) -> bool:
    events = session.scalars(select(AuditEvent.detail).where(AuditEvent.action == DIGEST_ACTION))
    return any(detail.get("date") == today.isoformat() for detail in events)


def remind(session: Session, config: Config, now: datetime, dry_run: bool = False) -> tuple[str, str]:
    """(what happened, the digest text). Sent at most once a day, only when there is something."""
    today = now.date()
    digest = build_digest(session, local_dates(config, now))
    text = digest_text(digest, today)
    if digest.empty:
        return "nothing to remind", text
    if sent_today(session, today):
        return "already sent today", text
    if dry_run or config.replies.staff_address is None or config.smtp is None:
        return "not sent (dry run, or no [replies] staff_address / [smtp])", text
    sender = config.mailboxes[0].address
    attempt = deliver(config.smtp, sender, config.replies.staff_address,
                      _message(sender, config.replies.staff_address, text, now))
    if attempt.outcome != "accepted":
        return f"not sent: {attempt.detail}", text
    audit(session, "system", DIGEST_ACTION, detail={"date": today.isoformat(), "overdue": len(digest.overdue),
                                                     "due_soon": len(digest.due_soon), "waiting": len(digest.waiting)})
    return f"sent to {config.replies.staff_address}", text


def _message(sender: str, recipient: str, text: str, now: datetime) -> bytes:
    message = EmailMessage(policy=email.policy.SMTP.clone(cte_type="7bit"))  # long lines: quoted-printable
    message["From"], message["To"] = sender, recipient
    message["Subject"] = f"refund-intake: answers due ({now.date().isoformat()})"
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    return message.as_bytes()
