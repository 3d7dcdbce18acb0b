"""Staff decide: correct a fact and decide again, or settle a request by grant, deny, ask or reply.

The machine's decision stays in the history; a staff decision is one more row, marked with who
made it and their note, whose trace opens with the staff step (the clause cited, the amount, what
was asked) followed by the machine's trace. Each settlement drafts the right reply in the
customer's language, which then waits for approval like any other (and replaces whatever reply
was waiting: replies/waiting.py). The web page and the CLI call these with their own session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from base.config import Config
from base.errors import ActionRefused
from base.models import DecisionRecord, Draft, Order, Request, StaffUser
from base.policies import current_policy
from base.records import money_text
from decisions import Policy, minor_digits
from decisions.rules import MISSING_ITEMS
from intake.decide import OrderBook, decide_request
from replies.draft import draft_replies, staff_draft
from replies.render import languages
from replies.waiting import replace_waiting
from staff.audit import audit, require_role

STAFF_RULE = "staff-decision"
CORRECTION_RULE = "staff-correction"
FACTS = ("reason", "order", "language")
REASONS = ("change_of_mind", "dissatisfied", "non_delivery", "not_as_described",
           "cancel_recurring", "dispute", "other")


@dataclass(frozen=True)
class Settlement:
    """What staff decided: `grant` (amount), `deny` (rule), `ask` (items) or `reply` (text)."""

    action: str
    note: str = ""
    amount: Decimal | None = None
    rule: str | None = None
    items: tuple[str, ...] = ()
    text: str | None = None


def machine_decision(request: Request) -> DecisionRecord | None:
    """The latest decision the rules made (staff decisions are set aside)."""
    found = [d for d in request.decisions if d.decided_by is None]
    return found[-1] if found else None


def correct_fact(session: Session, config: Config, request: Request, staff: StaffUser,
                 name: str, value: str, now: datetime) -> DecisionRecord:
    """Set one fact as staff read it, decide again under the request's policy, draft the reply."""
    require_role(session, staff, "approver", f"set:{name}", request.id)
    _expect_open(request)
    policy = current_policy(config.mailbox(request.mailbox).policy)
    before = _check_fact(session, request, name, value.strip())
    value = value.strip()
    request.staff_facts = {**(request.staff_facts or {}), name: value}
    if name in ("reason", "language"):
        setattr(request, name, value)
    record = decide_request(session, request, policy, OrderBook(session))
    step = {"rule": CORRECTION_RULE, "clause": "", "verdict": "hit", "code": f"staff_set_{name}",
            "facts": {name: value, "before": before or "unknown", "staff": staff.email},
            "effect": "none", "note": f"{staff.email} corrected the {name}"}
    record.trace = [step, *record.trace]
    record.decided_at = now
    session.flush()
    audit(session, staff.email, f"set:{name}", request.id,
          detail={"before": before, "after": value, "decision": record.id}).at = now
    for draft in draft_replies(session, config, request, record, now, first_message=False):
        replace_waiting(session, request, draft, "system", now)
    return record


def settle(session: Session, config: Config, request: Request, staff: StaffUser,
           settlement: Settlement, now: datetime) -> Draft:
    """Record the staff decision and draft its reply; returns the draft waiting for approval."""
    require_role(session, staff, "approver", f"resolve:{settlement.action}", request.id)
    _expect_open(request)
    if request.kind != "refund" and settlement.action != "reply":
        raise ActionRefused(f"request {request.reference} is a {request.kind.replace('_', ' ')} "
                            "request: only a written reply settles it")
    policy = current_policy(config.mailbox(request.mailbox).policy)
    machine = machine_decision(request)
    record = _staff_record(request, machine, staff, settlement, policy, now)
    session.add(record)
    session.flush()
    audit(session, staff.email, f"resolve:{settlement.action}", request.id,
          detail=_audit_detail(record, machine, settlement)).at = now
    draft = staff_draft(session, config, request, record, now, text=settlement.text)
    replace_waiting(session, request, draft, staff.email, now)
    return draft


def parse_amount(text: str, currency: str | None) -> Decimal:
    """An amount typed by staff, exact, in the currency's minor digits."""
    try:
        amount = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        raise ActionRefused(f"not an amount: {text!r}") from None
    if not amount.is_finite():
        raise ActionRefused(f"not an amount: {text!r}")
    digits = minor_digits(currency) if currency else 2
    if amount != amount.quantize(Decimal(1).scaleb(-digits)):
        raise ActionRefused(f"{text} has more decimals than {currency or 'the currency'} allows ({digits})")
    return amount.quantize(Decimal(1).scaleb(-digits))


def _staff_record(request: Request, machine: DecisionRecord | None, staff: StaffUser,
                  settlement: Settlement, policy: Policy, now: datetime) -> DecisionRecord:
    outcome, facts, clause = _outcome_of(settlement, machine, policy)
    note = settlement.note.strip()
    step = {"rule": STAFF_RULE, "clause": clause, "verdict": "hit",
            "code": f"staff_{settlement.action}", "facts": {"staff": staff.email, **facts},
            "effect": outcome, "note": note or None}
    amount = settlement.amount if settlement.action == "grant" else None
    considered = machine.considered_amount if machine is not None else None
    return DecisionRecord(
        request=request, outcome=outcome, refund_amount=amount,
        fee=(considered - amount) if amount is not None and considered is not None else None,
        considered_amount=considered if amount is not None else None,
        currency=machine.currency if machine is not None else None,
        order_id=machine.order_id if machine is not None else None,
        policy_name=machine.policy_name if machine is not None else policy.name,
        policy_version=machine.policy_version if machine is not None else policy.version,
        response_deadline=machine.response_deadline if machine is not None else None,
        missing=list(settlement.items) if settlement.action == "ask" else [],
        trace=[step, *(machine.trace if machine is not None else [])],
        note=None, decided_at=now, decided_by=staff.email, staff_note=note or None)


def _outcome_of(settlement: Settlement, machine: DecisionRecord | None,
                policy: Policy) -> tuple[str, dict[str, str], str]:
    """(outcome, facts for the trace, clause cited), after checking what staff gave."""
    if settlement.action == "grant":
        return "approve", _check_grant(settlement, machine), ""
    if settlement.action == "deny":
        rules = {rule.id: rule for rule in policy.rules}
        if settlement.rule not in rules:
            raise ActionRefused(f"no rule {settlement.rule!r} in {policy.name}; "
                                f"cite one of: {', '.join(rules)}")
        return "deny", {"rule": settlement.rule}, rules[settlement.rule].clause
    if settlement.action == "ask":
        items = tuple(item.strip() for item in settlement.items if item.strip())
        if not items:
            raise ActionRefused(f"say what to ask for: one of {', '.join(MISSING_ITEMS)}, or free text")
        return "needs_info", {"items": ", ".join(items)}, ""
    if settlement.action == "reply":
        if not (settlement.text or "").strip():
            raise ActionRefused("the reply is empty")
        return "reply", {}, ""
    raise ActionRefused(f"unknown action {settlement.action!r}")


def _check_grant(settlement: Settlement, machine: DecisionRecord | None) -> dict[str, str]:
    amount = settlement.amount
    if amount is None or amount <= 0:
        raise ActionRefused("a grant needs an amount above zero")
    if machine is None or machine.currency is None:
        raise ActionRefused("no order was matched, so there is no amount to grant: "
                            "correct the order first (requests set REF --order ID)")
    paid = machine.considered_amount
    if paid is not None and amount > paid:
        raise ActionRefused(f"{amount} {machine.currency} is more than the {paid:.{minor_digits(machine.currency)}f} "
                            "considered: a refund is never more than was paid")
    proposed = machine.refund_amount
    if (proposed is None or amount != proposed) and not settlement.note.strip():
        raise ActionRefused(f"{amount} {machine.currency} is not the amount the rules propose "
                            f"({money_text(proposed, machine.currency) or 'none'}): add a note saying why")
    return {"amount": f"{amount} {machine.currency}",
            "proposed": f"{money_text(proposed, machine.currency)} {machine.currency}" if proposed is not None else "none"}


def _check_fact(session: Session, request: Request, name: str, value: str) -> str | None:
    """The value before; refuses an unknown fact, reason, language or someone else's order."""
    if name == "reason":
        if value not in REASONS:
            raise ActionRefused(f"unknown reason {value!r}: one of {', '.join(REASONS)}")
        return request.reason
    if name == "language":
        if value not in languages():
            raise ActionRefused(f"no reply templates in {value!r}: one of {', '.join(languages())}")
        return request.language
    if name == "order":
        order = session.scalar(select(Order).where(Order.order_id == value))
        if order is None:
            raise ActionRefused(f"no order {value!r} (import it with `orders import`)")
        if order.customer_email.lower() != request.customer_email.lower():
            raise ActionRefused(f"order {value} belongs to another customer")
        return ", ".join(request.order_refs) or None
    raise ActionRefused(f"unknown fact {name!r}: one of {', '.join(FACTS)}")


def _audit_detail(record: DecisionRecord, machine: DecisionRecord | None,
                  settlement: Settlement) -> dict[str, object]:
    return {"decision": record.id, "outcome": record.outcome, "note": settlement.note.strip() or None,
            "clause": record.trace[0]["clause"] or None, "rule": settlement.rule,
            "amount": str(settlement.amount) if settlement.amount is not None else None,
            "items": list(settlement.items),
            "machine_outcome": machine.outcome if machine is not None else None}


def _expect_open(request: Request) -> None:
    if request.status != "open":
        raise ActionRefused(f"request {request.reference} is {request.status}: only an open request "
                            "can be decided again")
    if request.anonymised_at is not None:
        raise ActionRefused(f"request {request.reference} was anonymised")

