"""Amount checks: the kinds of rule that shape the refund: proration, shares, fees, base amount.

Each one, on a hit, contributes to the settlement (see money.settle): a fraction of the
considered amount that stays refundable, a percentage withheld as the fee, or the amount
to start from. A fact they need that is unknown leaves the amount unknown, never guessed.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar, Self

from decisions.case import Case
from decisions.checks import MOMENTS, Finding, shown, unknown, zone_unknown
from decisions.facts import Reading
from decisions.money import HUNDRED, fits_minor_unit
from decisions.spec import Spec
from decisions.windows import remaining_fraction

NUMBERS = ("decimal", "integer")


def _numbers(case: Case, *names: str) -> tuple[list[Reading], list[Decimal]] | Finding:
    readings = [case.read(name) for name in names]
    if not all(reading.known for reading in readings):
        return unknown(*readings)
    return readings, [_decimal(reading) for reading in readings]


def _decimal(reading: Reading) -> Decimal:
    value = reading.value
    assert isinstance(value, (Decimal, int)), "the policy declared this fact as a number"
    return Decimal(value)


def _invalid(readings: list[Reading], why: str) -> Finding:
    return Finding("unknown", "fact_invalid", shown(*readings) | {"problem": why})


@dataclass(frozen=True)
class Prorate:
    """Keep refundable the unused share: 1 - used / total (hours, deliverables, tasks)."""

    kind: ClassVar[str] = "prorate"
    affects_amount: ClassVar[bool] = True
    used: str
    total: str

    @classmethod
    def from_spec(cls, spec: Spec) -> "Prorate | None":
        used = spec.fact("used", NUMBERS)
        total = spec.fact("total", NUMBERS)
        return cls(used, total) if used and total else None

    def reads(self) -> tuple[str, ...]:
        return (self.used, self.total)

    def check(self, case: Case) -> Finding:
        numbers = _numbers(case, self.used, self.total)
        if isinstance(numbers, Finding):
            return numbers
        readings, (used, total) = numbers
        if total <= 0 or used < 0:
            return _invalid(readings, f"{self.used} must be >= 0 and {self.total} > 0")
        fraction = max(Decimal(0), 1 - used / total)
        facts = shown(*readings) | {"refundable_fraction": _fraction_text(fraction)}
        return Finding("hit", "prorated", facts, fraction=fraction)

    def params(self) -> dict[str, Any]:
        return {"used": self.used, "total": self.total}


@dataclass(frozen=True)
class ProrateTime:
    """Keep refundable the share of the period [start, end] still ahead at receipt."""

    kind: ClassVar[str] = "prorate_time"
    affects_amount: ClassVar[bool] = True
    start: str
    end: str

    @classmethod
    def from_spec(cls, spec: Spec) -> "ProrateTime | None":
        start = spec.fact("start", MOMENTS)
        end = spec.fact("end", MOMENTS)
        return cls(start, end) if start and end else None

    def reads(self) -> tuple[str, ...]:
        return (self.start, self.end)

    def check(self, case: Case) -> Finding:
        readings = [case.read(self.start), case.read(self.end)]
        if not all(reading.known for reading in readings):
            return unknown(*readings)
        if case.zone is None:
            return zone_unknown(case, *readings)
        start, end = (reading.value for reading in readings)
        assert isinstance(start, (datetime, date)) and isinstance(end, (datetime, date))
        try:
            fraction = remaining_fraction(start, end, case.request.received_at, case.zone)
        except ValueError as exc:
            return _invalid(readings, str(exc))
        facts = shown(*readings) | {
            "received_at": case.request.received_at.astimezone(case.zone).isoformat(),
            "refundable_fraction": _fraction_text(fraction),
        }
        return Finding("hit", "prorated", facts, fraction=fraction)

    def params(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end}


@dataclass(frozen=True)
class Share:
    """Keep refundable a percentage of the considered amount, fixed or from the order."""

    kind: ClassVar[str] = "share"
    affects_amount: ClassVar[bool] = True
    percent: Decimal | None = None
    percent_fact: str | None = None

    @classmethod
    def from_spec(cls, spec: Spec) -> "Share | None":
        percent = spec.percent("percent", required=False)
        percent_fact = spec.fact("percent_fact", NUMBERS, required=False)
        if (percent is None) == (percent_fact is None):
            spec.error("percent", "give exactly one of percent or percent_fact")
            return None
        return cls(percent, percent_fact)

    def reads(self) -> tuple[str, ...]:
        return (self.percent_fact,) if self.percent_fact else ()

    def check(self, case: Case) -> Finding:
        if self.percent is not None:
            facts = {"refundable_percent": str(self.percent)}
            return Finding("hit", "share", facts, fraction=self.percent / HUNDRED)
        numbers = _numbers(case, *self.reads())
        if isinstance(numbers, Finding):
            return numbers
        readings, (percent,) = numbers
        if not 0 <= percent <= HUNDRED:
            return _invalid(readings, f"{self.percent_fact} must be between 0 and 100")
        facts = shown(*readings) | {"refundable_percent": str(percent)}
        return Finding("hit", "share", facts, fraction=percent / HUNDRED)

    def params(self) -> dict[str, Any]:
        percent = str(self.percent) if self.percent is not None else None
        return {"percent": percent, "percent_fact": self.percent_fact}


@dataclass(frozen=True)
class _Percent:
    """A kind read from one `percent` key, shown with it and reading no fact."""

    percent: Decimal

    @classmethod
    def from_spec(cls, spec: Spec) -> Self | None:
        percent = spec.percent("percent")
        return cls(percent) if percent is not None else None

    def reads(self) -> tuple[str, ...]:
        return ()

    def params(self) -> dict[str, Any]:
        return {"percent": str(self.percent)}


@dataclass(frozen=True)
class Withhold(_Percent):
    """Withhold a percentage of the considered amount as a fee; the rest is refunded."""

    kind: ClassVar[str] = "withhold"
    affects_amount: ClassVar[bool] = True

    def check(self, case: Case) -> Finding:
        return Finding("hit", "withheld", self.params(), withhold_percent=self.percent)


@dataclass(frozen=True)
class RefundPercent(_Percent):
    """Refund a percentage of the considered amount; the fee is what remains.

    For clauses that define the refund, not the fee ("a refund will be issued for 50% of
    the unused portion"): the refund is rounded half-up, so the customer gets the half cent.
    """

    kind: ClassVar[str] = "refund_percent"
    affects_amount: ClassVar[bool] = True

    def check(self, case: Case) -> Finding:
        return Finding("hit", "refund_percent", self.params(), refund_percent=self.percent)


@dataclass(frozen=True)
class BaseAmount:
    """Start from an amount the order records (the last recurring payment), not the total."""

    kind: ClassVar[str] = "base_amount"
    affects_amount: ClassVar[bool] = True
    fact: str

    @classmethod
    def from_spec(cls, spec: Spec) -> "BaseAmount | None":
        fact = spec.fact("fact", ("decimal",))
        return cls(fact) if fact else None

    def reads(self) -> tuple[str, ...]:
        return (self.fact,)

    def check(self, case: Case) -> Finding:
        numbers = _numbers(case, self.fact)
        if isinstance(numbers, Finding):
            return numbers
        readings, (amount,) = numbers
        order = case.order
        if amount < 0 or not fits_minor_unit(amount, order.currency):
            return _invalid(readings, f"{self.fact} is not an amount in {order.currency}")
        if amount > order.amount:
            return _invalid(readings, f"{self.fact} is more than the order's {order.amount}")
        return Finding("hit", "base_amount", shown(*readings), base_amount=amount)

    def params(self) -> dict[str, Any]:
        return {"fact": self.fact}


def _fraction_text(fraction: Decimal) -> str:
    return str(round(fraction, 4))
