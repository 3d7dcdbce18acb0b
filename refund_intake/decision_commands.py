"""CLI commands around the decision core: orders import, decide, explain, policy simulate (and the
other policy commands, from policy_commands.py)."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from base import db
from base.config import Config
from base.errors import ConfigError, NotFound
from base.models import DecisionRecord, Request
from base.models import Order as OrderRow
from base.policies import read_policy, read_versions
from base.records import money_text, understanding_lines
from decisions import Decision, Order, RequestFacts, decide, explain, parse_orders_csv
from intake.decide import OrderBook, request_facts
from intake.extract import authentication
from intake.parse import parse_message
from intake.thread import typed_reference
from intake.understand import Hints, unclear_candidates, understand
from privacy.anonymise import REMOVED
from refund_intake import policy_commands
from refund_intake.output import emit, open_database
from refund_intake.table import render


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    orders = sub.add_parser("orders", help="the shop's order records").add_subparsers(dest="action", required=True)
    importer = orders.add_parser("import", help="upsert orders from CSV (bad rows reported and skipped)")
    importer.add_argument("file", type=Path)
    importer.set_defaults(handler=orders_import)

    one = sub.add_parser("decide", help="decide one email without a database (for policy authors)")
    one.add_argument("--policy", type=Path, required=True)
    one.add_argument("--eml", type=Path, required=True)
    one.add_argument("--orders", type=Path, required=True, help="orders CSV")
    one.add_argument("--received-at", help="server receipt time, ISO 8601 with offset (default: the Date header)")
    one.add_argument("--authserv-id", help="our receiving server's Authentication-Results id "
                     "(as a mailbox's authserv_id); without it the sender's authentication is unknown")
    one.add_argument("--json", action="store_true")
    one.set_defaults(handler=decide_one, needs_config=False)

    why = sub.add_parser("explain", help="the latest decision on a request, in plain words")
    why.add_argument("ref", metavar="REF")
    why.add_argument("--json", action="store_true")
    why.set_defaults(handler=explain_request)

    policy = sub.add_parser("policy", help="policy files").add_subparsers(dest="action", required=True)
    policy_commands.register(policy)
    simulate = policy.add_parser("simulate", help="decide every stored request under a candidate policy and list what would change")
    simulate.add_argument("file", type=Path)
    simulate.add_argument("--mailbox", help="only requests of this mailbox")
    simulate.add_argument("--json", action="store_true")
    simulate.set_defaults(handler=policy_simulate)


def orders_import(config: Config, args: argparse.Namespace) -> int:
    try:
        text = args.file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"{args.file}: cannot read: {exc.strerror}") from exc
    orders, errors = parse_orders_csv(text)
    _, sessions = open_database(config)
    with db.session_scope(sessions) as session:
        outcomes = Counter(_upsert(session, order) for order in orders)
    for error in errors:
        print(f"{args.file}: {error} (row skipped)")
    erased = (f", {outcomes['erased']} kept without the address (the customer was erased)"
              if outcomes["erased"] else "")
    print(f"{args.file}: {outcomes['added']} order(s) added, {outcomes['updated']} updated{erased}, "
          f"{len(errors)} row(s) skipped")
    return 1 if errors else 0


def _upsert(session: Session, order: Order) -> str:
    """added | updated | erased. An order whose customer was erased keeps no address or facts
    when the shop's export brings them again: an erasure is not undone by the next import."""
    row = session.scalar(select(OrderRow).where(OrderRow.order_id == order.order_id))
    outcome = "added" if row is None else "erased" if row.customer_email == REMOVED else "updated"
    row = row or OrderRow(order_id=order.order_id)
    row.amount, row.currency, row.ordered_at = order.amount, order.currency, order.ordered_at
    if outcome != "erased":
        row.customer_email, row.facts = order.customer_email.lower(), dict(order.facts)
    session.add(row)
    return outcome


AUTHENTICATION_WORDS = {
    "pass": "pass (our receiving server: DMARC pass for the sender's domain)",
    "fail": "fail (our receiving server: DMARC or SPF failed, or passed for another domain)",
    "unknown": "unknown (no DMARC/SPF result from our receiving server)",
    "none": "unknown (no DMARC/SPF result from our receiving server)",
}


def decide_one(config: Config | None, args: argparse.Namespace) -> int:
    versions = read_versions(args.policy)  # a file, or a directory of versions
    orders, errors = parse_orders_csv(args.orders.read_text(encoding="utf-8-sig"))
    try:
        raw = args.eml.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{args.eml}: cannot read: {exc.strerror}") from exc
    parsed = parse_message(raw)
    if not parsed.usable:
        raise ConfigError(f"{args.eml}: {parsed.quarantine_reason}")
    received = _received_at(args.received_at, parsed.sent_at, args.eml)
    policy = versions.in_force(received)
    facts = understand(parsed.subject, parsed.text, Hints(policy.language))
    whole = f"{parsed.subject}\n{parsed.text}"
    refs = tuple(dict.fromkeys((*facts.order_refs, *(o.order_id for o in orders if o.order_id in whole))))
    request = RequestFacts(
        received_at=received, sender=parsed.sender or "",
        reason=facts.reason, language=facts.language, order_refs=refs,
        attachment_count=len(parsed.attachments), urls=facts.urls,
        authentication=authentication(parsed.headers.get("authentication-results"),
                                      args.authserv_id, parsed.sender),
        reason_candidates=unclear_candidates(facts.details),
    )
    decision = decide(request, orders, policy)
    data = decision.to_dict() | {"order_errors": errors, "authentication": request.authentication,
                                 "understanding": facts.details}
    words = AUTHENTICATION_WORDS.get(request.authentication, request.authentication)
    text = (f"Sender authentication: {words}\n\n{explain(decision)}\n"
            + "\n".join(understanding_lines(facts.details)) + "\n")
    print(json.dumps(data, indent=2, ensure_ascii=False) if args.json else text)
    return 0


def _received_at(value: str | None, sent_at: datetime | None, eml: Path) -> datetime:
    if value:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError as exc:
            raise ConfigError(f"--received-at: not an ISO 8601 time: {value!r}") from exc
        if parsed.tzinfo is None:
            raise ConfigError(f"--received-at: needs a UTC offset, e.g. {value}+02:00")
        return parsed
    if sent_at is None:
        raise ConfigError(f"{eml}: no readable Date header; give --received-at")
    return sent_at


def explain_request(config: Config, args: argparse.Namespace) -> int:
    _, sessions = open_database(config)
    with db.session_scope(sessions) as session:
        request = _request(session, args.ref)
        if not request.decisions:
            raise NotFound(f"request {request.reference} has no decision yet")
        record = request.decisions[-1]
        decision = _from_record(record)
        checked = request_facts(request).authentication
        data = {"reference": request.reference, **decision.to_dict(),
                "decided_at": record.decided_at.isoformat(), "decided_by": record.decided_by,
                "staff_note": record.staff_note, "machine": None, "authentication": checked,
                "understanding": request.understanding}
        text = (f"{request.reference} ({request.customer_email}, {request.subject})\n"
                f"Sender authentication: {AUTHENTICATION_WORDS.get(checked, checked)}\n\n")
        if record.decided_by is None:
            text += explain(decision)
        else:  # a staff decision: shown beside the one the rules made
            machine = next((d for d in reversed(request.decisions) if d.decided_by is None), None)
            text += staff_summary(record)
            if machine is not None:
                data["machine"] = {**_from_record(machine).to_dict(),
                                   "decided_at": machine.decided_at.isoformat()}
                text += "\nThe rules had decided:\n" + explain(_from_record(machine))
        reading = "\n".join(understanding_lines(request.understanding))
        text += f"\n{reading}\n" if reading else ""
    emit(args, data, text)
    return 0


def staff_summary(record: DecisionRecord) -> str:
    """A staff decision in a few lines: who, when, what, the clause cited and the note."""
    step = record.trace[0] if record.trace else {}
    amount = money_text(record.refund_amount, record.currency)
    lines = [f"Staff decision: {record.outcome.replace('_', ' ')}"
             + (f", {amount} {record.currency}" if amount else "")
             + f", by {record.decided_by} on {record.decided_at:%Y-%m-%d %H:%M} UTC."]
    if record.missing:
        lines.append(f"Asked for: {', '.join(record.missing)}.")
    if step.get("clause"):
        lines.append(f'Cites {step.get("facts", {}).get("rule", "the policy")}: "{step["clause"]}"')
    if record.staff_note:
        lines.append(f"Note: {record.staff_note}")
    return "\n".join(lines) + "\n"


def _request(session: Session, ref: str) -> Request:
    request = session.scalar(select(Request).where(Request.reference == typed_reference(ref)))
    if request is None:
        raise NotFound(f"no request with reference {ref}")
    return request


def _from_record(record: DecisionRecord) -> Decision:
    """Rebuild the core's value from its stored row, so `explain` reads exactly what was kept."""
    from decisions import RuleResult

    trace = tuple(RuleResult(rule=r["rule"], clause=r["clause"], verdict=r["verdict"], code=r["code"],
                             facts=r.get("facts", {}), effect=r.get("effect", "none"), note=r.get("note"))
                  for r in record.trace)
    if record.response_deadline is None:  # every decision is stored with its deadline
        raise NotFound(f"decision {record.id} was stored without its answer-by date")

    def money(value: Decimal | None) -> Decimal | None:
        return None if value is None else Decimal(money_text(value, record.currency) or "0")

    return Decision(outcome=record.outcome, refund_amount=money(record.refund_amount), fee=money(record.fee),
                    considered_amount=money(record.considered_amount), currency=record.currency,
                    order_id=record.order_id, trace=trace, missing=tuple(record.missing),
                    policy_name=record.policy_name, policy_version=record.policy_version,
                    response_deadline=record.response_deadline, note=record.note)


def policy_simulate(config: Config, args: argparse.Namespace) -> int:
    candidate = read_policy(args.file)
    _, sessions = open_database(config)
    changes: list[dict[str, Any]] = []
    with db.session_scope(sessions) as session:
        query = select(Request).where(Request.kind == "refund").order_by(Request.id)
        if args.mailbox:
            query = query.where(Request.mailbox == args.mailbox)
        # An anonymised request has lost the facts it was decided on: it cannot be decided again.
        anonymised = session.scalar(select(func.count()).select_from(
            query.where(Request.anonymised_at.is_not(None)).subquery())) or 0
        orders = OrderBook(session)
        for request in session.scalars(query.where(Request.anonymised_at.is_(None))):
            current = request.decisions[-1] if request.decisions else None
            facts = request_facts(request)
            new = decide(facts, orders.candidates(facts), candidate)
            before = (current.outcome, money_text(current.refund_amount, current.currency)) if current else (None, None)
            after = (new.outcome, money_text(new.refund_amount, new.currency))
            if before != after:
                changes.append({"reference": request.reference, "outcome_before": before[0],
                                "amount_before": before[1], "outcome_after": after[0],
                                "amount_after": after[1], "currency": new.currency})
    table = render(changes, ("reference", "outcome_before", "amount_before", "outcome_after",
                             "amount_after", "currency"))
    left_out = f" ({anonymised} anonymised request(s) left out)" if anonymised else ""
    emit(args, changes, f"{table}\n{len(changes)} decision(s) would change under "
                        f"{candidate.name} {candidate.version}{left_out}")
    return 0


