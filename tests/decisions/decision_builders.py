"""Builders shared by the decision tests: the shipped policies, orders and requests."""

from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from decisions import Decision, Order, Policy, RequestFacts, load_policy

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO.parent / "shared" / "seeds"
CUSTOMER = "ann@example.com"

# A Kreatorz graphic design service started on Monday 4 November 2024, 10:00 in
# Johannesburg, with nothing yet done that the policy counts against a refund.
KREATORZ_FACTS = {
    "service_type": "graphic_design",
    "service_started_at": "2024-11-04T10:00",
    "is_package": "false",
    "web_based": "false",
    "delivery_status": "not_started",
    "hours_worked": "0",
    "hours_included": "10",
    "ip_created": "false",
    "p2p_distributed": "false",
    "chargeback_failed": "false",
    "printing_started": "false",
    "final_approval_given": "false",
    "work_commenced": "false",
    "services_rendered": "false",
}


@lru_cache
def shipped(name: str) -> Policy:
    path = REPO / "policies" / f"{name}.toml"
    return load_policy(path.read_text(encoding="utf-8"), f"policies/{name}.toml")


def at(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    assert moment.tzinfo is not None, "test times carry their offset"
    return moment


def order(
    order_id: str = "A-1",
    amount: str = "1000.00",
    currency: str = "ZAR",
    ordered_at: str = "2024-11-04T10:00:00+02:00",
    email: str = CUSTOMER,
    **facts: str,
) -> Order:
    return Order(order_id, email, Decimal(amount), currency, at(ordered_at), facts)


def request(
    received_at: str, reason: str, refs: tuple[str, ...] = ("A-1",), **extra
) -> RequestFacts:
    extra.setdefault("sender", CUSTOMER)
    return RequestFacts(received_at=at(received_at), reason=reason, order_refs=refs, **extra)


def effects(decision: Decision) -> dict[str, str]:
    """Rule id -> effect, for the rules that changed the outcome."""
    return {r.rule: r.effect for r in decision.trace if r.effect != "none"}


def money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
