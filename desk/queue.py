"""What the queue page lists: one row per request, the replies waiting first, 50 to a page.

Staff search by reference, customer, order, subject and the text of the mail, and filter by
outcome, reason, mailbox, overdue and "waiting for me" (replies this staff member may approve
now: not those they gave the first of two approvals). Every list pages; counts come from the
database, so a page costs the same with 50 requests or 50,000.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import TypeVarTuple
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, Select, String, and_, cast, false, func, or_, select
from sqlalchemy.orm import Session, defer

from base.models import DecisionRecord, Draft, Message, Request
from decisions.decision import OUTCOMES
from pipeline.settle import REASONS
from replies.overdue import waiting_on_staff

PAGE_SIZE = 50
MAX_SEARCH = 200
MAX_FOUND = 10_000  # requests a search can list (paged); more asks for a narrower search
REFERENCE = re.compile(r"[Rr]-\d{6,}")
Row = TypeVarTuple("Row")
WAITING_STATES = ("draft",)
FILTER_KEYS = ("q", "outcome", "reason", "mailbox", "overdue", "mine")
# A queue row shows none of these: leave the long text and the traces in the database.
LIGHT_DECISION = (defer(DecisionRecord.trace), defer(DecisionRecord.missing))
LIGHT_DRAFT = (defer(Draft.body_text), defer(Draft.body_html), defer(Draft.references))
Today = Mapping[str, date]  # today's date on each mailbox's policy calendar (policies.local_dates)


@dataclass(frozen=True)
class QueueFilter:
    """The filters of the queue page, read from its query string; unknown values are ignored."""

    mailbox: str | None = None
    outcome: str | None = None
    reason: str | None = None
    overdue: bool = False
    mine: bool = False
    q: str = ""
    page: int = 1
    rpage: int = 1
    found: tuple[int, ...] | None = None  # the requests the search matched, read once a page

    @classmethod
    def from_args(cls, args: Mapping[str, str], mailboxes: tuple[str, ...]) -> QueueFilter:
        mailbox, outcome, reason = (args.get(k) or None for k in ("mailbox", "outcome", "reason"))
        return cls(
            mailbox=mailbox if mailbox in mailboxes else None,
            outcome=outcome if outcome in OUTCOMES else None,
            reason=reason if reason in REASONS else None,
            overdue=args.get("overdue") == "1", mine=args.get("mine") == "1",
            q=" ".join((args.get("q") or "").split())[:MAX_SEARCH],
            page=_page(args.get("page")), rpage=_page(args.get("rpage")),
        )

    @property
    def active(self) -> bool:
        return bool(self.mailbox or self.outcome or self.reason or self.overdue or self.mine or self.q)

    def query(self, **changes: object) -> str:
        """This view's query string, with some values changed (paging links, "next")."""
        values = replace(self, **changes)  # type: ignore[arg-type]
        pairs = {"q": values.q, "outcome": values.outcome, "reason": values.reason,
                 "mailbox": values.mailbox, "overdue": "1" if values.overdue else None,
                 "mine": "1" if values.mine else None,
                 "page": values.page if values.page > 1 else None,
                 "rpage": values.rpage if values.rpage > 1 else None}
        return urlencode({k: v for k, v in pairs.items() if v})


@dataclass(frozen=True)
class Page:
    number: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    @property
    def offset(self) -> int:
        return (self.number - 1) * PAGE_SIZE


@dataclass(frozen=True)
class RequestRow:
    request: Request
    decision: DecisionRecord | None
    draft: Draft | None   # the reply waiting for approval, if any (at most one)
    overdue: bool


def is_overdue(request: Request, decision: DecisionRecord | None, today: Today,
               answered: bool = False) -> bool:
    """An open request waiting on staff whose answer-by date has passed on its shop's calendar."""
    deadline = decision.response_deadline if decision is not None else None
    day = today.get(request.mailbox)
    return (request.status == "open" and not answered and deadline is not None
            and day is not None and deadline < day)


def waiting_rows(db: Session, filters: QueueFilter, today: Today, staff_email: str,
                 ) -> tuple[list[RequestRow], Page]:
    """Requests with a reply waiting for approval, oldest reply first: the work of the morning."""
    statement = _filtered(select(Draft, Request).join(Request, Draft.request_id == Request.id),
                          filters, today).where(Draft.state.in_(WAITING_STATES))
    if filters.mine:
        statement = statement.where(or_(Draft.first_approved_by.is_(None),
                                        func.lower(Draft.first_approved_by) != staff_email.lower()))
    page = _page_of(db, statement, filters.page)
    rows = db.execute(statement.order_by(Draft.created_at, Draft.id).options(*LIGHT_DRAFT)
                      .offset(page.offset).limit(PAGE_SIZE)).all()
    decisions = latest_decisions(db, [request.id for _, request in rows])
    return [RequestRow(request, decisions.get(request.id), draft,
                       is_overdue(request, decisions.get(request.id), today))
            for draft, request in rows], page


def request_rows(db: Session, filters: QueueFilter, today: Today) -> tuple[list[RequestRow], Page]:
    """Every request under the filters, newest first, with its latest decision and waiting reply."""
    statement = _filtered(select(Request), filters, today)
    page = _page_of(db, statement, filters.rpage)
    requests = list(db.scalars(statement.order_by(Request.received_at.desc(), Request.id.desc())
                               .offset(page.offset).limit(PAGE_SIZE)))
    ids = [request.id for request in requests]
    decisions = latest_decisions(db, ids)
    drafts = {d.request_id: d for d in db.scalars(select(Draft).options(*LIGHT_DRAFT).where(
        Draft.request_id.in_(ids), Draft.state.in_(WAITING_STATES)))} if ids else {}
    waiting = set(db.scalars(select(Request.id).where(Request.id.in_(ids), waiting_on_staff()))) \
        if ids else set()
    return [RequestRow(request, decisions.get(request.id), drafts.get(request.id),
                       is_overdue(request, decisions.get(request.id), today,
                                  answered=request.id not in waiting))
            for request in requests], page


def latest_decisions(db: Session, request_ids: list[int]) -> dict[int, DecisionRecord]:
    """The newest decision of each of a page's requests, in one query."""
    if not request_ids:
        return {}
    newest = (select(func.max(DecisionRecord.id)).where(DecisionRecord.request_id.in_(request_ids))
              .group_by(DecisionRecord.request_id))
    return {d.request_id: d for d in db.scalars(
        select(DecisionRecord).options(*LIGHT_DECISION).where(DecisionRecord.id.in_(newest)))}


def failed_drafts(db: Session) -> list[Draft]:
    """Approved replies the outbox gave up on, with the server's answer, for staff to act on."""
    return list(db.scalars(select(Draft).where(Draft.state == "failed").order_by(Draft.id)))


def counts(db: Session, today: Today) -> dict[str, int]:
    """What waits, for the top of the page: replies to approve, and overdue requests."""
    waiting = db.scalar(select(func.count(Draft.id)).where(Draft.state.in_(WAITING_STATES))) or 0
    late = _with_latest_decision(select(func.count(Request.id)))
    late = _overdue(late, today)
    return {"waiting": int(waiting), "overdue": int(db.scalar(late) or 0)}


def next_waiting(db: Session, after: Draft) -> Draft | None:
    """The reply that waits next after this one, in queue order: "approve and next"."""
    return db.scalar(select(Draft).where(
        Draft.state.in_(WAITING_STATES), Draft.id != after.id,
        or_(Draft.created_at > after.created_at,
            and_(Draft.created_at == after.created_at, Draft.id > after.id)))
        .order_by(Draft.created_at, Draft.id).limit(1)) or db.scalar(
        select(Draft).where(Draft.state.in_(WAITING_STATES), Draft.id != after.id)
        .order_by(Draft.created_at, Draft.id).limit(1))


def _page(value: str | None) -> int:
    return int(value) if value and value.isdigit() and 0 < int(value) < 1_000_000 else 1


def _page_of(db: Session, statement: Select[*Row], number: int) -> Page:
    total = int(db.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0)
    page = Page(number, total)
    return page if number <= page.pages else Page(page.pages, total)


def _with_latest_decision(statement: Select[*Row]) -> Select[*Row]:
    """Join each request to its newest decision only (re-deciding adds rows, never edits)."""
    latest = (select(DecisionRecord.request_id, func.max(DecisionRecord.id).label("decision_id"))
              .group_by(DecisionRecord.request_id).subquery())
    return (statement.outerjoin(latest, latest.c.request_id == Request.id)
            .outerjoin(DecisionRecord, DecisionRecord.id == latest.c.decision_id))


def _filtered(statement: Select[*Row], filters: QueueFilter, today: Today) -> Select[*Row]:
    """The filters on requests; the outcome and overdue filters read the latest decision."""
    if filters.outcome or filters.overdue:
        statement = _with_latest_decision(statement)
    if filters.mailbox:
        statement = statement.where(Request.mailbox == filters.mailbox)
    if filters.outcome:
        statement = statement.where(DecisionRecord.outcome == filters.outcome)
    if filters.reason:
        statement = statement.where(Request.reason == filters.reason)
    if filters.overdue:
        statement = _overdue(statement, today)
    if filters.found is not None:
        statement = statement.where(Request.id.in_(filters.found))
    elif filters.q:
        statement = statement.where(_matches(filters.q))
    return statement


def with_search(db: Session, filters: QueueFilter) -> QueueFilter:
    """Run the search once for the page's lists and counts: one scan of the mail text."""
    if not filters.q:
        return filters
    if REFERENCE.fullmatch(filters.q):
        found = db.scalars(select(Request.id).where(Request.reference == filters.q.upper()))
    else:
        found = db.scalars(select(Request.id).where(_matches(filters.q)).limit(MAX_FOUND))
    return replace(filters, found=tuple(found))


def _overdue(statement: Select[*Row], today: Today) -> Select[*Row]:
    late = [and_(Request.mailbox == name, DecisionRecord.response_deadline < day)
            for name, day in today.items()]
    return statement.where(Request.status == "open", or_(false(), *late), waiting_on_staff())


def _matches(text: str) -> ColumnElement[bool]:
    """Reference, customer, order, subject, or the words of any message of the request."""
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    like = {"escape": "\\"}
    in_text = Request.id.in_(select(Message.request_id).where(
        or_(Message.text_body.ilike(pattern, **like), Message.sender_name.ilike(pattern, **like))))
    return or_(Request.reference.ilike(pattern, **like),
               Request.customer_email.ilike(pattern, **like),
               Request.subject.ilike(pattern, **like),
               cast(Request.order_refs, String).ilike(pattern, **like), in_text)


__all__ = [
    "FILTER_KEYS",
    "PAGE_SIZE",
    "Page",
    "QueueFilter",
    "RequestRow",
    "counts",
    "failed_drafts",
    "is_overdue",
    "next_waiting",
    "request_rows",
    "waiting_rows",
    "with_search",
]
