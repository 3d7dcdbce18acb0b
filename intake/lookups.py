"""What one batch of messages needs from the database, read up front in a few queries.

Intake used to ask the database several questions per message (is it stored already, which
request does it answer, has the customer an open request, which orders match); a batch now asks
each question once for all its messages, and what the batch itself stores is remembered as it
goes. A question the batch did not foresee (a customer named only in a forwarded mail, say) is
asked when it comes up.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from base.models import Attachment, Message, Request
from intake.decide import OrderBook
from intake.thread import subject_token, thread_ids

if TYPE_CHECKING:
    from intake.prepare import Prepared

CHUNK = 500  # bound parameters per IN (...)


def chunks(values: Iterable[str]) -> Iterable[list[str]]:
    ordered = sorted(set(values))
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start:start + CHUNK]


class BatchLookups:
    def __init__(self, session: Session, mailbox: str) -> None:
        self.session, self.mailbox = session, mailbox
        self.stored: dict[str, Message] = {}  # by raw_sha256
        self._asked_shas: set[str] = set()
        self.orders = OrderBook(session)
        self._threads: dict[str, int | Request] = {}  # Message-ID -> its request (id, or object)
        self._asked_ids: set[str] = set()
        self._requests: dict[int, Request] = {}  # by id, the requests those Message-IDs belong to
        self._references: dict[str, Request | None] = {}
        self._open: dict[str, list[Request]] = {}  # customer -> open refund requests, oldest first

    @classmethod
    def load(cls, session: Session, mailbox: str, batch: Sequence[Prepared]) -> BatchLookups:
        lookups = cls(session, mailbox)
        parsed = [p.parsed for p in batch if p.parsed is not None and p.parsed.usable]
        lookups._load_stored(p.sha for p in batch)
        lookups._load_threads(i for message in parsed for i in thread_ids(message))
        lookups._load_references(t for message in parsed if (t := subject_token(message)))
        customers = {a for message in parsed for a in (message.sender, message.reply_to) if a}
        lookups._load_open(customers)
        lookups.orders.preload((r for p in batch if p.facts for r in p.facts.order_refs), customers)
        return lookups

    def already_stored(self, sha: str) -> Message | None:
        self._load_stored([sha])  # asks only if the batch's first read did not
        return self.stored.get(sha)

    def by_message_id(self, message_id: str) -> Request | None:
        if message_id not in self._asked_ids:
            self._load_threads([message_id])
        found = self._threads.get(message_id)
        if isinstance(found, int):
            self._load_requests({found})
            return self._requests.get(found)
        return found

    def by_reference(self, reference: str) -> Request | None:
        self._load_references([reference])
        return self._references[reference]

    def open_request_of(self, customer: str, refs: Sequence[str]) -> Request | None:
        """The customer's oldest open refund request about the same order (or any, if either names none)."""
        for request in self._open_of(customer):
            if not refs or not request.order_refs or set(refs) & set(request.order_refs):
                return request
        return None

    def remember(self, message: Message) -> None:
        """A message this batch stored: later messages of the batch may answer it or repeat it."""
        self.stored[message.raw_sha256] = message
        request = message.request
        if request is None:
            return
        if message.message_id:
            self._threads.setdefault(message.message_id, request)
            self._asked_ids.add(message.message_id)
        if request.kind == "refund" and request.status == "open":
            known = self._open_of(request.customer_email)
            if not any(r is request for r in known):
                known.append(request)
                known.sort(key=lambda r: (r.id is None, r.id or 0))  # new ones have no id yet

    def _open_of(self, customer: str) -> list[Request]:
        if customer not in self._open:
            self._load_open([customer])
        return self._open[customer]

    def _load_stored(self, shas: Iterable[str]) -> None:
        for some in chunks(set(shas) - self._asked_shas):
            self._asked_shas.update(some)
            for message in self.session.scalars(select(Message).where(
                    Message.mailbox == self.mailbox, Message.raw_sha256.in_(some))):
                self.stored.setdefault(message.raw_sha256, message)

    def _load_threads(self, message_ids: Iterable[str]) -> None:
        found: set[int] = set()
        for some in chunks(set(message_ids) - self._asked_ids):
            rows = self.session.execute(select(Message.message_id, Message.request_id).where(
                Message.mailbox == self.mailbox, Message.message_id.in_(some),
                Message.request_id.is_not(None)).order_by(Message.id))
            for message_id, request_id in rows:
                if message_id is None or request_id is None:
                    continue  # excluded by the query; for the type checker
                self._threads.setdefault(message_id, request_id)
                found.add(request_id)
            self._asked_ids.update(some)
        self._load_requests(found)

    def _load_requests(self, request_ids: set[int]) -> None:
        """The requests a batch's replies answer, with what deciding them again reads: their
        messages and those messages' attachments (without the bytes), in three queries."""
        ids = sorted(request_ids - set(self._requests))
        for start in range(0, len(ids), CHUNK):
            for request in self.session.scalars(
                    select(Request).where(Request.id.in_(ids[start:start + CHUNK]))
                    .options(selectinload(Request.messages).selectinload(Message.attachments)
                             .defer(Attachment.content))):
                self._requests[request.id] = request  # held: the session only keeps weak references

    def _load_references(self, references: Iterable[str]) -> None:
        for some in chunks(set(references) - set(self._references)):
            self._references.update(dict.fromkeys(some))
            for request in self.session.scalars(select(Request).where(
                    Request.mailbox == self.mailbox, Request.reference.in_(some))):
                self._references[request.reference] = request  # type: ignore[index]

    def _load_open(self, customers: Iterable[str]) -> None:
        for some in chunks(set(customers) - set(self._open)):
            for customer in some:
                self._open[customer] = []
            for request in self.session.scalars(select(Request).where(
                    Request.mailbox == self.mailbox, Request.customer_email.in_(some),
                    Request.kind == "refund", Request.status == "open").order_by(Request.id)):
                self._open[request.customer_email].append(request)
