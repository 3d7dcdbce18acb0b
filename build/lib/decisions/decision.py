"""Decision: the outcome of one request, with the trace of every rule and its clause."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

OUTCOMES = ("approve", "deny", "review", "needs_info")


@dataclass(frozen=True)
class RuleResult:
    """One rule as it was evaluated: hit, miss, unknown or skipped, and the facts it read."""

    rule: str
    clause: str
    verdict: str  # hit | miss | unknown | skipped
    code: str
    facts: Mapping[str, str] = field(default_factory=dict)
    effect: str = "none"  # what this result did to the outcome
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "clause": self.clause,
            "verdict": self.verdict,
            "code": self.code,
            "facts": dict(self.facts),
            "effect": self.effect,
            "note": self.note,
        }


@dataclass(frozen=True)
class Decision:
    """What the policy says about one request, and why, for staff to trust at a glance.

    Amounts are set for `approve` and `review` (the amount proposed if staff approve)
    when every amount rule could read its facts; otherwise they are None. `note` is the
    engine's own remark when no single rule explains the outcome (no order found, no
    clause grants a refund).
    """

    outcome: str
    refund_amount: Decimal | None
    fee: Decimal | None
    considered_amount: Decimal | None
    currency: str | None
    order_id: str | None
    trace: tuple[RuleResult, ...]
    missing: tuple[str, ...]
    policy_name: str
    policy_version: str
    response_deadline: date
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "refund_amount": _text(self.refund_amount),
            "fee": _text(self.fee),
            "considered_amount": _text(self.considered_amount),
            "currency": self.currency,
            "order_id": self.order_id,
            "reasons": [result.to_dict() for result in self.trace],
            "missing": list(self.missing),
            "policy": self.policy_name,
            "version": self.policy_version,
            "response_deadline": self.response_deadline.isoformat(),
            "note": self.note,
        }


def _text(amount: Decimal | None) -> str | None:
    return None if amount is None else str(amount)
