"""CLI commands where staff decide: `requests set` (correct a fact) and `requests resolve`.

Both act as the staff member named by --as or $REFUND_INTAKE_STAFF, need the approver role,
and print what was decided and which draft now waits for approval (`queue approve ID`).
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from base.config import Config
from base.db import session_scope
from base.errors import ActionRefused
from base.models import DecisionRecord, Draft
from base.records import iso, money_text
from pipeline.settle import Settlement, correct_fact, machine_decision, parse_amount, settle
from refund_intake.decision_commands import _request
from refund_intake.output import STAFF_ENV, acting_staff, open_database

MAX_REPLY_FILE = 200_000  # characters: a reply, not a mailbox


def register(requests: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    setter = requests.add_parser("set", help="correct what was read from the email (reason, "
                                 "order, language) and decide again under the request's policy")
    setter.add_argument("ref", metavar="REF")
    fact = setter.add_mutually_exclusive_group(required=True)
    fact.add_argument("--reason", help="change_of_mind, dissatisfied, non_delivery, ...")
    fact.add_argument("--order", metavar="ID", help="one of the customer's orders")
    fact.add_argument("--language", metavar="L", help="the customer's language (en, fr)")
    _common(setter).set_defaults(handler=requests_set)

    resolve = requests.add_parser("resolve", help="settle a request yourself: grant, deny, ask or "
                                  "write the reply; drafts it for approval")
    resolve.add_argument("ref", metavar="REF")
    how = resolve.add_mutually_exclusive_group(required=True)
    how.add_argument("--approve", metavar="AMOUNT", help="grant this amount (a different amount "
                     "than the rules propose needs --note)")
    how.add_argument("--deny", metavar="RULE_ID", help="deny, citing this rule's clause")
    how.add_argument("--ask", metavar="ITEM", nargs="+", help="ask for: order_reference, url, "
                     "evidence, identity, or free text")
    how.add_argument("--reply-file", type=Path, metavar="FILE", help="send this text as the reply")
    resolve.add_argument("--note", default="", help="why (kept in the history and the audit trail)")
    _common(resolve).set_defaults(handler=requests_resolve)


def _common(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--as", dest="as_email", metavar="EMAIL",
                        help=f"the staff member acting (default ${STAFF_ENV})")
    parser.add_argument("--json", action="store_true", help="JSON for scripts (fields in README)")
    return parser


def requests_set(config: Config, args: argparse.Namespace) -> int:
    name = "reason" if args.reason else "order" if args.order else "language"
    value = args.reason or args.order or args.language
    _, sessions = open_database(config)
    with session_scope(sessions) as session:
        staff = acting_staff(session, args)
        request = _request(session, args.ref)
        record = correct_fact(session, config, request, staff, name, value, datetime.now(UTC))
        waiting = _waiting(request.id, session)
        data = {"reference": request.reference, "fact": name, "value": value,
                **_decision(record), "draft_id": waiting.id if waiting else None}
    _print(args, data, f"{data['reference']}: {name} set to {value}; decided again: "
                       f"{data['outcome']} {data['refund_amount'] or ''}".rstrip()
           + (f"; draft {data['draft_id']} waits for approval" if data["draft_id"] else ""))
    return 0


def requests_resolve(config: Config, args: argparse.Namespace) -> int:
    _, sessions = open_database(config)
    with session_scope(sessions) as session:
        staff = acting_staff(session, args)
        request = _request(session, args.ref)
        settlement = _settlement(args, machine_decision(request))
        draft = settle(session, config, request, staff, settlement, datetime.now(UTC))
        data = {"reference": request.reference, **_decision(request.decisions[-1]),
                "draft_id": draft.id, "draft_kind": draft.kind}
    _print(args, data, f"{data['reference']}: {data['outcome']} by {data['decided_by']}"
                       f"{' ' + data['refund_amount'] + ' ' + data['currency'] if data['refund_amount'] else ''}"
                       f"; draft {data['draft_id']} ({data['draft_kind']}) waits for approval")
    return 0


def _settlement(args: argparse.Namespace, machine: DecisionRecord | None) -> Settlement:
    if args.approve is not None:
        currency = machine.currency if machine is not None else None
        return Settlement("grant", args.note, amount=parse_amount(args.approve, currency))
    if args.deny is not None:
        return Settlement("deny", args.note, rule=args.deny)
    if args.ask:
        return Settlement("ask", args.note, items=tuple(args.ask))
    try:
        text = args.reply_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ActionRefused(f"{args.reply_file}: cannot read the reply: {exc}") from exc
    if len(text) > MAX_REPLY_FILE:
        raise ActionRefused(f"{args.reply_file}: longer than {MAX_REPLY_FILE} characters")
    return Settlement("reply", args.note, text=text)


def _decision(record: DecisionRecord) -> dict[str, Any]:
    return {"outcome": record.outcome,
            "refund_amount": money_text(record.refund_amount, record.currency),
            "currency": record.currency, "decided_by": record.decided_by,
            "note": record.staff_note, "decided_at": iso(record.decided_at),
            "missing": list(record.missing)}


def _waiting(request_id: int, session: Session) -> Draft | None:
    return session.scalar(select(Draft).where(Draft.request_id == request_id,
                                              Draft.state == "draft").order_by(Draft.id.desc()))


def _print(args: argparse.Namespace, data: dict[str, Any], line: str) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False) if args.json else line)
