"""Policy diff: what changes when the same requests are decided under two policies.

Counts the requests per (outcome before, outcome after), and the money moved per currency:
the refunds approved under each policy and the difference. Proposed amounts of `review`
decisions are not money moved: staff have not granted them.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from decisions.decision import Decision


@dataclass(frozen=True)
class Money:
    currency: str
    refund_before: Decimal
    refund_after: Decimal

    @property
    def moved(self) -> Decimal:
        return self.refund_after - self.refund_before

    def to_dict(self) -> dict[str, str]:
        return {
            "currency": self.currency,
            "refund_before": str(self.refund_before),
            "refund_after": str(self.refund_after),
            "moved": str(self.moved),
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
    before: dict[str, Decimal] = {}
    after: dict[str, Decimal] = {}
    total = 0
    for old, new in pairs:
        total += 1
        outcomes[(old.outcome, new.outcome)] += 1
        for decision, sums in ((old, before), (new, after)):
            if decision.currency is None:
                continue
            sums.setdefault(decision.currency, Decimal(0))
            if decision.outcome == "approve" and decision.refund_amount is not None:
                sums[decision.currency] += decision.refund_amount
    ordered = sorted(outcomes.items(), key=lambda item: (item[0][0] == item[0][1], -item[1], item[0]))
    money = tuple(
        Money(currency, before.get(currency, Decimal(0)), after.get(currency, Decimal(0)))
        for currency in sorted(set(before) | set(after))
    )
    return PolicyDiff(total, tuple((b, a, n) for (b, a), n in ordered), money)
