"""Window: the rule kind that checks a moment against a window, in days or hours.

Three measures, all on the anchor fact (`anchor`):
- `days` / `days_fact`: calendar days in the zone, the anchor's date being day 0; the last
  day moves to the next business day when the policy says `extend_windows_to_business_day`;
- `hours_before` / `hours_before_fact`: the window closes that many hours of elapsed time
  before the anchor (a reservation), whatever daylight-saving does in between;
- `until`: the moment measured is a fact of the order (when the buyer cancelled in the app)
  instead of the email's server receipt time.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from decisions.case import Case
from decisions.checks import MOMENTS, Finding, shown, unknown, zone_unknown
from decisions.facts import Reading
from decisions.spec import Spec
from decisions.windows import hours_before, last_day, local_date, next_business_day


@dataclass(frozen=True)
class Window:
    """Hit when the moment measured falls inside the window, miss when it falls after."""

    kind: ClassVar[str] = "window"
    affects_amount: ClassVar[bool] = False
    anchor: str
    days: int | None = None
    days_fact: str | None = None
    until: str | None = None
    hours_before: int | None = None
    hours_before_fact: str | None = None

    @classmethod
    def from_spec(cls, spec: Spec) -> "Window | None":
        anchor = spec.fact("anchor", MOMENTS)
        days = spec.integer("days", required=False)
        days_fact = spec.fact("days_fact", ("integer",), required=False)
        hours = spec.integer("hours_before", required=False)
        hours_fact = spec.fact("hours_before_fact", ("integer",), required=False)
        until = spec.fact("until", MOMENTS, required=False)
        given = [value for value in (days, days_fact, hours, hours_fact) if value is not None]
        if len(given) != 1:
            spec.error("days", "give exactly one of days, days_fact, hours_before or hours_before_fact")
            return None
        return cls(anchor, days, days_fact, until, hours, hours_fact) if anchor else None

    def reads(self) -> tuple[str, ...]:
        extra = (self.days_fact, self.hours_before_fact, self.until)
        return (self.anchor, *tuple(name for name in extra if name))

    @property
    def in_hours(self) -> bool:
        return self.hours_before is not None or self.hours_before_fact is not None

    def check(self, case: Case) -> Finding:
        readings = {name: case.read(name) for name in self.reads()}
        if not all(reading.known for reading in readings.values()):
            return unknown(*readings.values())
        length = self._length(readings)
        if isinstance(length, Reading):
            return unknown(*(r if r.name != length.name else length for r in readings.values()))
        if case.zone is None:
            return zone_unknown(case, *readings.values())
        anchor = readings[self.anchor].value
        measured = readings[self.until].value if self.until else case.request.received_at
        assert isinstance(anchor, (datetime, date)) and isinstance(measured, (datetime, date))
        facts = shown(*readings.values())
        if self.until:
            facts["measured_to"] = self.until
        else:
            facts["received_at"] = case.request.received_at.astimezone(case.zone).isoformat()
        if self.in_hours:
            return _by_deadline(anchor, measured, length, case, facts)
        return _by_last_day(anchor, measured, length, case, facts)

    def _length(self, readings: dict[str, Reading]) -> int | Reading:
        """The window's length, or the reading that cannot give one."""
        fixed = self.days if self.days is not None else self.hours_before
        if fixed is not None:
            return fixed
        name = self.days_fact or self.hours_before_fact
        assert name is not None
        value = readings[name].value
        if isinstance(value, int) and value >= 0:
            return value
        reading = readings[name]
        return Reading(name, None, reading.shown, "invalid: not a number of days or hours")

    def params(self) -> dict[str, Any]:
        return {
            "anchor": self.anchor,
            "days": self.days,
            "days_fact": self.days_fact,
            "hours_before": self.hours_before,
            "hours_before_fact": self.hours_before_fact,
            "until": self.until,
        }


def _by_last_day(
    anchor: datetime | date, measured: datetime | date, days: int, case: Case, facts: dict[str, str]
) -> Finding:
    assert case.zone is not None
    last = last_day(anchor, days, case.zone)
    if case.business_calendar is not None:
        extended = next_business_day(last, case.business_calendar)
        if extended != last:
            facts["window_ends_on"] = last.isoformat()
            last = extended
    facts["last_day"] = last.isoformat()
    if local_date(measured, case.zone) <= last:
        return Finding("hit", "inside_window", facts)
    return Finding("miss", "outside_window", facts)


def _by_deadline(
    event: datetime | date, measured: datetime | date, hours: int, case: Case, facts: dict[str, str]
) -> Finding:
    assert case.zone is not None
    deadline = hours_before(event, hours, case.zone)
    moment = measured if isinstance(measured, datetime) else hours_before(measured, 0, case.zone)
    facts["deadline"] = deadline.astimezone(case.zone).isoformat()
    if moment.astimezone(UTC) <= deadline:
        return Finding("hit", "inside_window", facts)
    return Finding("miss", "outside_window", facts)
