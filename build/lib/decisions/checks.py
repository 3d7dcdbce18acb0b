"""Checks: the kinds of rule that decide eligibility, each reading named facts for a finding.

A check answers one question about a case: `hit` (the rule's effect applies), `miss`
(its `otherwise` applies) or `unknown` (a fact it needs is missing or unreadable). Which
outcome follows is the policy's business, written in the rule, not here. The kinds that
shape the amount live in `amounts.py`.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar, Protocol

from decisions.case import Case
from decisions.facts import Reading, text_key
from decisions.spec import Spec
from decisions.windows import last_day, local_date

MOMENTS = ("datetime", "date")


@dataclass(frozen=True)
class Finding:
    """What a check found, with the facts it read shown as text."""

    verdict: str  # hit | miss | unknown
    code: str
    facts: Mapping[str, str] = field(default_factory=dict)
    fraction: Decimal | None = None  # share of the considered amount that stays refundable
    withhold_percent: Decimal | None = None
    base_amount: Decimal | None = None
    sets: tuple[str, str] | None = None  # (derived fact, value) for later rules


def zone_unknown(case: Case, *readings: Reading) -> Finding:
    """The finding when the order names a time zone that does not exist."""
    return Finding(
        "unknown", "fact_invalid", shown(*readings) | {"problem": str(case.zone_problem)}
    )


def shown(*readings: Reading) -> dict[str, str]:
    return {reading.name: reading.shown for reading in readings}


def unknown(*readings: Reading) -> Finding:
    """The finding when a needed fact is absent or unreadable; the code says which."""
    bad = next(reading for reading in readings if not reading.known)
    code = "fact_unknown" if bad.problem == "unknown" else "fact_invalid"
    facts = shown(*readings)
    if bad.problem != "unknown":
        facts["problem"] = f"{bad.name}: {bad.problem}"
    return Finding("unknown", code, facts)


class Check(Protocol):
    kind: ClassVar[str]
    affects_amount: ClassVar[bool]

    def reads(self) -> tuple[str, ...]: ...
    def check(self, case: Case) -> Finding: ...
    def params(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Window:
    """Hit when the request was received within `days` calendar days of the anchor fact."""

    kind: ClassVar[str] = "window"
    affects_amount: ClassVar[bool] = False
    anchor: str
    days: int | None = None
    days_fact: str | None = None

    @classmethod
    def from_spec(cls, spec: Spec) -> "Window | None":
        anchor = spec.fact("anchor", MOMENTS)
        days = spec.integer("days", required=False)
        days_fact = spec.fact("days_fact", ("integer",), required=False)
        if (days is None) == (days_fact is None):
            spec.error("days", "give exactly one of days or days_fact")
            return None
        return cls(anchor, days, days_fact) if anchor else None

    def reads(self) -> tuple[str, ...]:
        return (self.anchor,) + ((self.days_fact,) if self.days_fact else ())

    def check(self, case: Case) -> Finding:
        readings = [case.read(name) for name in self.reads()]
        if not all(reading.known for reading in readings):
            return unknown(*readings)
        days = self.days if self.days is not None else readings[1].value
        if not isinstance(days, int) or days < 0:
            return unknown(readings[0], _invalid(readings[1], "not a number of days"))
        zone = case.zone
        if zone is None:
            return zone_unknown(case, *readings)
        anchor = readings[0].value
        assert isinstance(anchor, (datetime, date))
        received = case.request.received_at
        last = last_day(anchor, days, zone)
        facts = shown(*readings) | {
            "received_at": received.astimezone(zone).isoformat(),
            "last_day": last.isoformat(),
        }
        if local_date(received, zone) <= last:
            return Finding("hit", "inside_window", facts)
        return Finding("miss", "outside_window", facts)

    def params(self) -> dict[str, Any]:
        return {"anchor": self.anchor, "days": self.days, "days_fact": self.days_fact}


def _invalid(reading: Reading, why: str) -> Reading:
    return Reading(reading.name, None, reading.shown, f"invalid: {why}")


@dataclass(frozen=True)
class FactIs:
    """Hit when a yes/no or text fact has one of the listed values (default: true)."""

    kind: ClassVar[str] = "fact"
    affects_amount: ClassVar[bool] = False
    fact: str
    equals: tuple[str, ...] = ("true",)

    @classmethod
    def from_spec(cls, spec: Spec) -> "FactIs | None":
        fact = spec.fact("fact", ("bool", "text"))
        equals = spec.texts("equals") if spec.has("equals") else ("true",)
        if fact is None or equals is None:
            return None
        if spec.facts[fact] == "bool" and not set(equals) <= {"true", "false"}:
            spec.error("equals", "a yes/no fact can only equal true or false")
            return None
        return cls(fact, tuple(text_key(value) for value in equals))

    def reads(self) -> tuple[str, ...]:
        return (self.fact,)

    def check(self, case: Case) -> Finding:
        reading = case.read(self.fact)
        if not reading.known:
            return unknown(reading)
        value = reading.value
        text = ("true" if value else "false") if isinstance(value, bool) else reading.shown
        if text_key(text) in self.equals:
            return Finding("hit", "fact_matches", shown(reading))
        return Finding("miss", "fact_differs", shown(reading))

    def params(self) -> dict[str, Any]:
        return {"fact": self.fact, "equals": list(self.equals)}


@dataclass(frozen=True)
class Evidence:
    """Hit when the email itself carries what the policy requires: a URL, or an attachment."""

    kind: ClassVar[str] = "evidence"
    affects_amount: ClassVar[bool] = False
    requires: str

    @classmethod
    def from_spec(cls, spec: Spec) -> "Evidence | None":
        requires = spec.choice("requires", ("url", "evidence"))
        return cls(requires) if requires else None

    def reads(self) -> tuple[str, ...]:
        return ()

    def check(self, case: Case) -> Finding:
        request = case.request
        if self.requires == "url":
            present = bool(request.urls)
            facts = {"urls": " ".join(request.urls) or "none"}
        else:
            present = request.attachment_count > 0
            facts = {"attachment_count": str(request.attachment_count)}
        code = f"{self.requires}_{'present' if present else 'missing'}"
        return Finding("hit" if present else "miss", code, facts)

    def params(self) -> dict[str, Any]:
        return {"requires": self.requires}


@dataclass(frozen=True)
class Always:
    """Hit whenever the rule applies: for clauses that leave the decision to a person."""

    kind: ClassVar[str] = "always"
    affects_amount: ClassVar[bool] = False

    @classmethod
    def from_spec(cls, spec: Spec) -> "Always":
        return cls()

    def reads(self) -> tuple[str, ...]:
        return ()

    def check(self, case: Case) -> Finding:
        return Finding("hit", "applies")

    def params(self) -> dict[str, Any]:
        return {}


@dataclass(frozen=True)
class Lookup:
    """Hit when a text fact is a key of the table; sets a derived fact for later rules."""

    kind: ClassVar[str] = "lookup"
    affects_amount: ClassVar[bool] = False
    fact: str
    sets: str
    table: Mapping[str, str]

    @classmethod
    def from_spec(cls, spec: Spec) -> "Lookup | None":
        fact = spec.fact("fact", ("text",))
        sets = spec.text("sets")
        table = spec.raw("table")
        if not isinstance(table, dict) or not table:
            spec.error("table", 'expected a table of key = "value" rows')
            return None
        if not all(isinstance(value, str) and value.strip() for value in table.values()):
            spec.error("table", "every row's value must be non-empty text")
            return None
        if fact is None or sets is None:
            return None
        return cls(fact, sets, {_key(key): value.strip() for key, value in table.items()})

    def reads(self) -> tuple[str, ...]:
        return (self.fact,)

    def check(self, case: Case) -> Finding:
        reading = case.read(self.fact)
        if not reading.known:
            return unknown(reading)
        value = self.table.get(_key(reading.shown))
        if value is None:
            return Finding("miss", "not_in_table", shown(reading))
        facts = shown(reading) | {self.sets: value}
        return Finding("hit", "found_in_table", facts, sets=(self.sets, value))

    def params(self) -> dict[str, Any]:
        return {"fact": self.fact, "sets": self.sets, "table": dict(self.table)}


def _key(text: str) -> str:
    """Table keys match as text facts do (see text_key)."""
    return text_key(text)
