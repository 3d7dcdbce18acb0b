"""Policy diff: what changes when the same requests are decided under two policies.

Counts the requests per (outcome before, outcome after), and the money moved per currency:
the refunds approved under each policy and the difference, and apart from them the refunds
proposed to staff by `review` decisions (not granted yet, so not counted as moved).
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from decisions.decision import Decision


@dataclass(frozen=True)
class Money:
    """Sums in one currency: refunds approved, and refunds proposed for staff review."""

    currency: str
    refund_before: Decimal
    refund_after: Decimal
    proposed_before: Decimal
    proposed_after: Decimal

    @property
    def moved(self) -> Decimal:
        return self.refund_after - self.refund_before

    def to_dict(self) -> dict[str, str]:
        return {
            "currency": self.currency,
            "refund_before": str(self.refund_before),
            "refund_after": str(self.refund_after),
            "moved": str(self.moved),
            "proposed_before": str(self.proposed_before),
            "proposed_after": str(self.proposed_after),
        }


@dataclass(frozen=True)
class PolicyDiff:
    requests: int
    outcomes: tuple[tuple[str, str, int], ...]  # (before, after, requests), most first
    money: tuple[Money, ...]

    @property
    def changed(self) -> int:
        return sum(count for before, after, count in self.outcomes if before != after)

    def to_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "changed": self.changed,
            "outcomes": [
                {"before": before, "after": after, "requests": count, "changed": before != after}
                for before, after, count in self.outcomes
            ],
            "money": [money.to_dict() for money in self.money],
        }


def diff(pairs: Iterable[tuple[Decision, Decision]]) -> PolicyDiff:
    """Summarise (decision under the old policy, decision under the new) for each request."""
    outcomes: Counter[tuple[str, str]] = Counter()
    sums: dict[tuple[str, str, str], Decimal] = {}  # (currency, outcome, before|after) -> total
    currencies: set[str] = set()
    total = 0
    for old, new in pairs:
        total += 1
        outcomes[(old.outcome, new.outcome)] += 1
        for decision, side in ((old, "before"), (new, "after")):
            if decision.currency is None:
                continue
            currencies.add(decision.currency)
            if decision.refund_amount is not None:
                key = (decision.currency, decision.outcome, side)
                sums[key] = sums.get(key, Decimal(0)) + decision.refund_amount
    ordered = sorted(outcomes.items(), key=lambda item: (item[0][0] == item[0][1], -item[1], item[0]))

    def summed(currency: str, outcome: str, side: str) -> Decimal:
        return sums.get((currency, outcome, side), Decimal(0))

    money = tuple(
        Money(
            currency,
            summed(currency, "approve", "before"),
            summed(currency, "approve", "after"),
            summed(currency, "review", "before"),
            summed(currency, "review", "after"),
        )
        for currency in sorted(currencies)
    )
    return PolicyDiff(total, tuple((b, a, n) for (b, a), n in ordered), money)
