"""What a reply template may use: one flat set of values, already formatted for the language."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from base.models import DecisionRecord, Message, Request
from decisions import Policy, response_deadline
from decisions.decision import REDIRECTS
from replies.render import QUOTE_PREFIX, long_date, moment, money

MAX_QUOTED_LINES = 60
MAX_QUOTED_CHARS = 4000


@dataclass(frozen=True)
class ReplyContext:
    """Every variable of every template; a template using anything else fails check-config.

    Text values are "" and lists are empty when they do not apply, so templates test them
    with `{% if amount %}` rather than meeting an undefined variable at send time.
    """

    reference: str
    customer_name: str
    subject: str
    received: str          # the server's receipt time of the request, on the shop's clock
    answer_by: str         # the response deadline, a long date
    business_days: int
    accounts_address: str
    order_id: str = ""
    amount: str = ""       # the refund, formatted with its currency
    fee: str = ""
    considered: str = ""   # the amount the refund was computed from
    missing: tuple[str, ...] = ()   # item codes: order_reference, url, evidence, identity
    clauses: tuple[str, ...] = ()   # the policy clauses behind the outcome, quoted
    original_reference: str = ""
    original_received: str = ""
    quoted_when: str = ""
    quoted: tuple[str, ...] = ()    # the customer's last message, as "> " lines
    registered: bool = False        # no acknowledgement went out: this reply says what it would have

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def build_context(request: Request, decision: DecisionRecord | None, policy: Policy,
                  accounts_address: str, language: str, last: Message | None) -> ReplyContext:
    zone = ZoneInfo(policy.timezone)
    original = request.duplicate_of
    # A duplicate is answered on the original's clock: the promise made then still stands.
    anchor = original if original is not None and request.kind == "duplicate" else request
    deadline = (decision.response_deadline if decision is not None and decision.response_deadline
                else response_deadline(anchor.received_at, policy))
    currency = decision.currency if decision is not None else None
    return ReplyContext(
        reference=request.reference or "",
        customer_name=_customer_name(request, last),
        subject=_one_line(request.subject),
        received=moment(request.received_at, zone, language),
        answer_by=long_date(deadline, language),
        business_days=policy.response_business_days,
        accounts_address=accounts_address,
        order_id=(decision.order_id if decision is not None else None)
        or (request.order_refs[0] if request.order_refs else ""),
        amount=money(decision.refund_amount if decision else None, currency, language),
        fee=money(decision.fee if decision else None, currency, language)
        if decision is not None and decision.fee else "",
        considered=money(decision.considered_amount if decision else None, currency, language),
        missing=tuple(decision.missing) if decision is not None else (),
        clauses=_clauses(decision),
        original_reference=(original.reference or "") if original is not None else "",
        original_received=moment(original.received_at, zone, language) if original else "",
        quoted_when=moment(last.received_at, zone, language) if last is not None else "",
        quoted=quote(last.text_body) if last is not None else (),
    )


def quote(text: str) -> tuple[str, ...]:
    """The customer's text as `> ` lines, cut to a readable length."""
    lines = text.replace("\r\n", "\n").strip().split("\n") if text.strip() else []
    cut = len(lines) > MAX_QUOTED_LINES or len(text) > MAX_QUOTED_CHARS
    kept, size = [], 0
    for line in lines[:MAX_QUOTED_LINES]:
        size += len(line) + 1
        if size > MAX_QUOTED_CHARS:
            break
        kept.append(f"{QUOTE_PREFIX} {line}".rstrip())
    if cut:
        kept.append(f"{QUOTE_PREFIX} [...]")
    return tuple(kept)


def _clauses(decision: DecisionRecord | None) -> tuple[str, ...]:
    if decision is None:
        return ()
    effect = "redirect" if decision.outcome in REDIRECTS else decision.outcome
    found = [str(entry.get("clause", "")).strip() for entry in decision.trace
             if entry.get("effect") == effect]
    return tuple(dict.fromkeys(c for c in found if c))


def _customer_name(request: Request, last: Message | None) -> str:
    """The name the customer gave, unless a relay (the shop's form) sent the message."""
    if last is None or not last.sender_name or (last.sender or "").lower() != request.customer_email.lower():
        return ""
    return _one_line(last.sender_name)[:100]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def sample_context(language: str, full: bool = True) -> dict[str, Any]:
    """Values of the right shape for check-config: every field set, or every optional one empty."""
    zone = ZoneInfo("Africa/Johannesburg")
    received = datetime(2026, 11, 2, 7, 30, tzinfo=UTC)
    if not full:
        return ReplyContext("R-000001", "", "", moment(received, zone, language),
                            long_date(date(2026, 11, 5), language), 3, "accounts@example.com").as_dict()
    return ReplyContext(
        reference="R-000123", customer_name="Sam Sample", subject="Refund for order KRZ-10042",
        received=moment(received, zone, language), answer_by=long_date(date(2026, 11, 5), language),
        business_days=3, accounts_address="accounts@example.com", order_id="KRZ-10042",
        amount=money(Decimal("3600.00"), "ZAR", language), fee=money(Decimal(900), "ZAR", language),
        considered=money(Decimal(4500), "ZAR", language),
        missing=("order_reference", "url", "evidence", "identity", "something_new"),
        clauses=("Refunds are available within 7 days.",), original_reference="R-000120",
        original_received=moment(received, zone, language), quoted_when=moment(received, zone, language),
        quoted=quote("Hello,\nplease refund {{ 7*7 }}."), registered=True,
    ).as_dict()
