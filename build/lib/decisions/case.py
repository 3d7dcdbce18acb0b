"""Case: what a rule sees of one request: the request, its order, and facts typed for reading."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from decisions.facts import BUILT_IN_FACTS, TIMEZONE_FACT, Reading, read_raw, shown
from decisions.orders import Order, zone_named
from decisions.request import RequestFacts


@dataclass(frozen=True)
class Case:
    """One request matched to one order, read through a policy's fact declarations.

    `zone` is the order's own `timezone` fact when it has one, else the policy's zone;
    it is None when the order names a zone that does not exist, and then every reading
    that needs a zone is unknown rather than guessed. `derived` holds values set by
    earlier rules (a category table's policy letter).
    """

    request: RequestFacts
    order: Order
    fact_types: Mapping[str, str]
    zone: ZoneInfo | None
    zone_problem: str | None = None
    derived: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def for_order(
        cls, request: RequestFacts, order: Order, fact_types: Mapping[str, str], policy_zone: str
    ) -> "Case":
        own_zone = order.facts.get(TIMEZONE_FACT, "").strip()
        try:
            zone = zone_named(own_zone or policy_zone)
        except ValueError as exc:
            return cls(request, order, fact_types, None, f"invalid: {TIMEZONE_FACT}: {exc}")
        return cls(request, order, fact_types, zone)

    def with_derived(self, name: str, value: str) -> "Case":
        derived = {**self.derived, name: value}
        return Case(
            self.request, self.order, self.fact_types, self.zone, self.zone_problem, derived
        )

    def read(self, name: str) -> Reading:
        if name in self.derived:
            return Reading(name, self.derived[name], self.derived[name])
        if name in BUILT_IN_FACTS:
            value = getattr(self.order, name)
            return Reading(name, value, shown(value))
        fact_type = self.fact_types.get(name)
        if fact_type is None:  # a derived fact whose rule found nothing
            return Reading(name, None, "unknown", "unknown")
        if fact_type == "datetime" and self.zone is None:
            return Reading(name, None, self.order.facts.get(name, "unknown"), self.zone_problem)
        return read_raw(name, self.order.facts.get(name), fact_type, self.zone)
