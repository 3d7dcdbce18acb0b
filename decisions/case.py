"""Case: what a rule sees of one request: the request, its order, and facts typed for reading."""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

import holidays

from decisions.facts import BUILT_IN_FACTS, TIMEZONE_FACT, Reading, read_raw, shown
from decisions.orders import Order, zone_named
from decisions.request import RequestFacts


@dataclass(frozen=True)
class Case:
    """One request matched to one order, read through a policy's fact declarations.

    `zone` is the order's own `timezone` fact when it has one, else the policy's zone;
    it is None when the order names a zone that does not exist, and then every reading
    that needs a zone is unknown rather than guessed. `derived` holds values set by
    earlier rules (a category table's policy letter). `business_calendar` is the policy's
    holidays when it extends day windows that end on a weekend or holiday.
    """

    request: RequestFacts
    order: Order
    fact_types: Mapping[str, str]
    zone: ZoneInfo | None
    zone_problem: str | None = None
    derived: Mapping[str, str] = field(default_factory=dict)
    business_calendar: holidays.HolidayBase | None = None  # set: day windows end on a business day

    @classmethod
    def for_order(
        cls,
        request: RequestFacts,
        order: Order,
        fact_types: Mapping[str, str],
        policy_zone: str,
        business_calendar: holidays.HolidayBase | None = None,
    ) -> "Case":
        own_zone = order.facts.get(TIMEZONE_FACT, "").strip()
        try:
            zone = zone_named(own_zone or policy_zone)
        except ValueError as exc:
            problem = f"invalid: {TIMEZONE_FACT}: {exc}"
            return cls(request, order, fact_types, None, problem, {}, business_calendar)
        return cls(request, order, fact_types, zone, None, {}, business_calendar)

    def with_derived(self, name: str, value: str) -> "Case":
        return replace(self, derived={**self.derived, name: value})

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
