"""The decide step: gather a request's facts and its candidate orders, ask the pure core, keep the result."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from sqlalchemy import false, or_, select
from sqlalchemy.orm import Session

from base.models import DecisionRecord, Request
from base.models import Order as OrderRow
from decisions import (
    UNCLEAR,
    Decision,
    Order,
    Policy,
    RequestFacts,
    decide,
    minor_digits,
    response_deadline,
)
from decisions.versions import PolicyVersions
from intake.understand import unclear_candidates

# Intake outcomes: the request is answered by its kind, not by the policy's rules.
INTAKE_OUTCOMES = {"duplicate": "duplicate", "wrong_channel": "wrong_channel", "privacy": "not_a_request"}


def request_facts(request: Request) -> RequestFacts:
    """What the whole thread says so far: later replies may add the order number, URL or evidence."""
    customer_messages = [m for m in request.messages if m.classification in ("new_request", "reply", "duplicate")]
    refs = tuple(dict.fromkeys(ref for m in customer_messages for ref in m.order_refs)) or tuple(request.order_refs)
    staff_order = (request.staff_facts or {}).get("order")
    if staff_order:  # staff picked the order (requests set --order): it outranks what was read
        refs = (staff_order,)
    urls = tuple(dict.fromkeys(url for m in customer_messages for url in m.urls))
    results = {m.authentication for m in customer_messages}
    return RequestFacts(
        received_at=request.received_at, sender=request.customer_email, reason=request.reason,
        language=request.language, order_refs=refs,
        attachment_count=sum(len(m.attachments) for m in customer_messages), urls=urls,
        authentication=_weakest(results),
        reason_candidates=unclear_candidates(request.understanding or {}) if request.reason == UNCLEAR else (),
    )


def _weakest(results: set[str]) -> str:
    """A thread is as authenticated as its least authenticated customer message."""
    if "fail" in results:
        return "fail"
    return "pass" if results == {"pass"} else "unknown"


class OrderBook:
    """The orders a batch's decisions may need: read for the whole batch at once, then kept.

    The candidates of a request are the orders it names plus the orders of its customer's address
    (stored lower-case at import), sorted by order id. A reference or address the batch did not
    preload is read when first asked for.
    """

    CHUNK = 500  # bound parameters per query

    def __init__(self, session: Session) -> None:
        self.session = session
        self._by_id: dict[str, Order] = {}
        self._by_email: dict[str, dict[str, Order]] = {}
        self._refs: set[str] = set()
        self._emails: set[str] = set()

    def preload(self, refs: Iterable[str], emails: Iterable[str]) -> None:
        self._load(set(refs) - self._refs, {e.lower() for e in emails} - self._emails)

    def candidates(self, facts: RequestFacts) -> list[Order]:
        email = facts.sender.lower()
        self._load(set(facts.order_refs) - self._refs, {email} - self._emails)
        found = {ref: self._by_id[ref] for ref in facts.order_refs if ref in self._by_id}
        found.update(self._by_email.get(email, {}))
        return [found[order_id] for order_id in sorted(found)]

    def _load(self, refs: set[str], emails: set[str]) -> None:
        ref_list, email_list = sorted(refs), sorted(emails)
        for start in range(0, max(len(ref_list), len(email_list)), self.CHUNK):
            some_refs, some_emails = ref_list[start:start + self.CHUNK], email_list[start:start + self.CHUNK]
            rows = self.session.scalars(select(OrderRow).where(or_(
                OrderRow.order_id.in_(some_refs) if some_refs else false(),
                OrderRow.customer_email.in_(some_emails) if some_emails else false())))
            for row in rows:
                order = to_order(row)
                self._by_id[order.order_id] = order
                self._by_email.setdefault(order.customer_email, {})[order.order_id] = order
        self._refs |= refs
        self._emails |= emails


def to_order(row: OrderRow) -> Order:
    amount = Decimal(row.amount).quantize(Decimal(1).scaleb(-minor_digits(row.currency)))
    return Order(order_id=row.order_id, customer_email=row.customer_email, amount=amount,
                 currency=row.currency, ordered_at=row.ordered_at, facts=dict(row.facts))


def in_force(policy: Policy | PolicyVersions, received_at: datetime) -> Policy:
    """The policy a request is decided under: the version in force at its server receipt time."""
    return policy.in_force(received_at) if isinstance(policy, PolicyVersions) else policy


def decide_request(session: Session, request: Request, policy: Policy | PolicyVersions,
                   orders: OrderBook | None = None) -> DecisionRecord:
    """Add a decision row (flushed with the batch); earlier ones stay as history.

    The request's own receipt time picks the version, so a reply that re-decides it after a
    new version took effect is still decided under the version its request was received in.
    """
    policy = in_force(policy, request.received_at)
    if request.kind in INTAKE_OUTCOMES:
        record = DecisionRecord(
            outcome=INTAKE_OUTCOMES[request.kind], policy_name=policy.name,
            policy_version=policy.version, missing=[], trace=[],
            response_deadline=response_deadline(request.received_at, policy),
        )
    else:
        facts = request_facts(request)
        record = to_record(decide(facts, (orders or OrderBook(session)).candidates(facts), policy))
    record.request = request
    session.add(record)
    return record


def to_record(decision: Decision) -> DecisionRecord:
    data = decision.to_dict()
    return DecisionRecord(
        outcome=decision.outcome, refund_amount=decision.refund_amount, fee=decision.fee,
        considered_amount=decision.considered_amount, currency=decision.currency,
        order_id=decision.order_id, policy_name=decision.policy_name,
        policy_version=decision.policy_version, response_deadline=decision.response_deadline,
        missing=list(decision.missing), trace=data["reasons"], note=decision.note,
    )
