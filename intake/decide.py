"""The decide step: gather a request's facts and its candidate orders, ask the pure core, keep the result."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from decisions import Decision, Order, Policy, RequestFacts, decide, minor_digits, response_deadline
from refund_intake.models import DecisionRecord, Order as OrderRow, Request

# Intake outcomes: the request is answered by its kind, not by the policy's rules.
INTAKE_OUTCOMES = {"duplicate": "duplicate", "wrong_channel": "wrong_channel", "privacy": "not_a_request"}


def request_facts(request: Request) -> RequestFacts:
    """What the whole thread says so far: later replies may add the order number, URL or evidence."""
    customer_messages = [m for m in request.messages if m.classification in ("new_request", "reply", "duplicate")]
    refs = tuple(dict.fromkeys(ref for m in customer_messages for ref in m.order_refs)) or tuple(request.order_refs)
    urls = tuple(dict.fromkeys(url for m in customer_messages for url in m.urls))
    results = {m.authentication for m in customer_messages}
    return RequestFacts(
        received_at=request.received_at, sender=request.customer_email, reason=request.reason,
        language=request.language, order_refs=refs,
        attachment_count=sum(len(m.attachments) for m in customer_messages), urls=urls,
        authentication="fail" if "fail" in results else ("pass" if "pass" in results else "none"),
    )


def candidate_orders(session: Session, facts: RequestFacts) -> list[Order]:
    rows = session.scalars(select(OrderRow).where(or_(
        OrderRow.order_id.in_(facts.order_refs) if facts.order_refs else False,
        OrderRow.customer_email == facts.sender.lower(),  # stored lower-case at import: indexed
    )).order_by(OrderRow.order_id))
    return [to_order(row) for row in rows]


def to_order(row: OrderRow) -> Order:
    amount = Decimal(row.amount).quantize(Decimal(1).scaleb(-minor_digits(row.currency)))
    return Order(order_id=row.order_id, customer_email=row.customer_email, amount=amount,
                 currency=row.currency, ordered_at=row.ordered_at, facts=dict(row.facts))


def decide_request(session: Session, request: Request, policy: Policy) -> DecisionRecord:
    """Add a decision row; earlier ones stay as history."""
    if request.kind in INTAKE_OUTCOMES:
        record = DecisionRecord(
            outcome=INTAKE_OUTCOMES[request.kind], policy_name=policy.name,
            policy_version=policy.version, missing=[], trace=[],
            response_deadline=response_deadline(request.received_at, policy),
        )
    else:
        facts = request_facts(request)
        record = to_record(decide(facts, candidate_orders(session, facts), policy))
    record.request = request
    session.add(record)
    session.flush()
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
