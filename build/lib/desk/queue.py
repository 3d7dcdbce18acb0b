"""What the queue page lists: drafts waiting for approval and requests, under the staff's filters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TypeVarTuple

from sqlalchemy import Select, and_, false, func, or_, select
from sqlalchemy.orm import Session

from decisions.decision import OUTCOMES
from refund_intake.models import DecisionRecord, Draft, Request

REQUEST_LIMIT = 200
Row = TypeVarTuple("Row")
WAITING_STATES = ("draft",)


@dataclass(frozen=True)
class QueueFilter:
    """The filters of the queue page, read from its query string; unknown values are ignored."""

    mailbox: str | None = None
    outcome: str | None = None
    overdue: bool = False

    @classmethod
    def from_args(cls, args: Mapping[str, str], mailboxes: tuple[str, ...]) -> QueueFilter:
        mailbox = args.get("mailbox") or None
        outcome = args.get("outcome") or None
        return cls(
            mailbox=mailbox if mailbox in mailboxes else None,
            outcome=outcome if outcome in OUTCOMES else None,
            overdue=args.get("overdue") == "1",
        )

    @property
    def active(self) -> bool:
        return bool(self.mailbox or self.outcome or self.overdue)


@dataclass(frozen=True)
class RequestRow:
    request: Request
    decision: DecisionRecord | None
    waiting_drafts: int
    overdue: bool


@dataclass(frozen=True)
class DraftRow:
    draft: Draft
    request: Request
    decision: DecisionRecord | None
    overdue: bool


Today = Mapping[str, date]  # today's date on each mailbox's policy calendar (policies.local_dates)


def is_overdue(request: Request, decision: DecisionRecord | None, today: Today) -> bool:
    """An open request whose latest decision's answer-by date has passed on its shop's calendar."""
    deadline = decision.response_deadline if decision is not None else None
    day = today.get(request.mailbox)
    return request.status == "open" and deadline is not None and day is not None and deadline < day


def waiting_drafts(db: Session, filters: QueueFilter, today: Today) -> list[DraftRow]:
    """Drafts that wait for a person, oldest first: the work of the morning."""
    statement = _with_latest_decision(select(Draft, Request, DecisionRecord)
                                      .join(Request, Draft.request_id == Request.id))
    statement = _filtered(statement, filters, today).where(Draft.state.in_(WAITING_STATES))
    rows = db.execute(statement.order_by(Draft.created_at, Draft.id)).all()
    return [DraftRow(draft, request, decision, is_overdue(request, decision, today))
            for draft, request, decision in rows]


def failed_drafts(db: Session) -> list[Draft]:
    """Approved replies the outbox gave up on, with the server's answer, for staff to act on."""
    return list(db.scalars(select(Draft).where(Draft.state == "failed").order_by(Draft.id)))


def request_rows(db: Session, filters: QueueFilter, today: Today) -> list[RequestRow]:
    """Requests, newest first, each with its latest decision and how many drafts wait."""
    statement = _filtered(_with_latest_decision(select(Request, DecisionRecord)), filters, today)
    rows = db.execute(statement.order_by(Request.received_at.desc(), Request.id.desc())
                      .limit(REQUEST_LIMIT)).all()
    ids = [request.id for request, _ in rows]
    waiting = (select(Draft.request_id, func.count()).group_by(Draft.request_id)
               .where(Draft.request_id.in_(ids), Draft.state.in_(WAITING_STATES)))
    counts: dict[int, int] = dict(db.execute(waiting).all()) if ids else {}
    return [RequestRow(request, decision, counts.get(request.id, 0),
                       is_overdue(request, decision, today)) for request, decision in rows]


def _with_latest_decision(statement: Select[*Row]) -> Select[*Row]:
    """Join each request to its newest decision only (re-deciding adds rows, never edits)."""
    latest = (select(DecisionRecord.request_id, func.max(DecisionRecord.id).label("decision_id"))
              .group_by(DecisionRecord.request_id).subquery())
    return (statement.outerjoin(latest, latest.c.request_id == Request.id)
            .outerjoin(DecisionRecord, DecisionRecord.id == latest.c.decision_id))


def _filtered(statement: Select[*Row], filters: QueueFilter,
              today: Today) -> Select[*Row]:
    if filters.mailbox:
        statement = statement.where(Request.mailbox == filters.mailbox)
    if filters.outcome:
        statement = statement.where(DecisionRecord.outcome == filters.outcome)
    if filters.overdue:
        late = [and_(Request.mailbox == name, DecisionRecord.response_deadline < day)
                for name, day in today.items()]
        statement = statement.where(Request.status == "open", or_(false(), *late))
    return statement
