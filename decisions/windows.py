"""Time: calendar-day windows and business days, counted on local dates in a time zone.

The boundary rule: "within N calendar days" of an anchor means the receipt's local date
is at most the anchor's local date + N. The anchor's own date is day 0, so a service
started on 1 March may be cancelled until 8 March 23:59:59 local time, whatever the hour
it started and whatever DST change happens in between.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays


def local_date(moment: datetime | date, zone: ZoneInfo) -> date:
    """The calendar date of a moment as seen in the zone; a plain date is its own date."""
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            raise ValueError(f"naive datetime has no zone: {moment.isoformat()}")
        return moment.astimezone(zone).date()
    return moment


def last_day(anchor: datetime | date, days: int, zone: ZoneInfo) -> date:
    """The last local date still inside a window of `days` calendar days from the anchor."""
    return local_date(anchor, zone) + timedelta(days=days)


def next_business_day(day: date, calendar: holidays.HolidayBase) -> date:
    """The day itself when it is a business day, else the first business day after it."""
    while not is_business_day(day, calendar):
        day += timedelta(days=1)
    return day


def hours_before(event: datetime | date, hours: int, zone: ZoneInfo) -> datetime:
    """The last moment of a window that closes `hours` before an event, in elapsed time.

    Elapsed, not wall-clock: 48 hours before 10:00 on the Monday after a DST change is
    09:00 or 11:00 on the Saturday, whatever the clocks did. A plain date starts at local
    midnight. The result is in UTC.
    """
    start = event if isinstance(event, datetime) else start_of_day(event, zone)
    return _in_utc(start) - timedelta(hours=hours)


def within_days(anchor: datetime | date, received: datetime, days: int, zone: ZoneInfo) -> bool:
    """True when `received` falls on or before the window's last local date."""
    return local_date(received, zone) <= last_day(anchor, days, zone)


def start_of_day(day: date, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone)


def remaining_fraction(
    start: datetime | date, end: datetime | date, at: datetime, zone: ZoneInfo
) -> Decimal:
    """The share of the period [start, end] still ahead at `at`, between 0 and 1.

    Plain dates count from local midnight. Elapsed time is real time: Python subtracts
    datetimes sharing one tzinfo by wall clock, so everything is taken to UTC first.
    """
    begin = _in_utc(start if isinstance(start, datetime) else start_of_day(start, zone))
    finish = _in_utc(end if isinstance(end, datetime) else start_of_day(end, zone))
    total = _microseconds(finish - begin)
    if total <= 0:
        raise ValueError("the period ends before it starts")
    fraction = Decimal(_microseconds(finish - _in_utc(at))) / Decimal(total)
    return min(max(fraction, Decimal(0)), Decimal(1))


def _in_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime has no zone: {moment.isoformat()}")
    return moment.astimezone(UTC)


def _microseconds(delta: timedelta) -> int:
    return delta // timedelta(microseconds=1)


@lru_cache(maxsize=32)
def holiday_calendar(country: str, subdivision: str | None = None) -> holidays.HolidayBase:
    """The public holidays of a country (and subdivision); raises ValueError if unknown."""
    try:
        return holidays.country_holidays(country, subdiv=subdivision)
    except NotImplementedError as exc:
        raise ValueError(str(exc)) from exc


def is_business_day(day: date, calendar: holidays.HolidayBase) -> bool:
    return day.weekday() < 5 and day not in calendar


def add_business_days(start: date, count: int, calendar: holidays.HolidayBase) -> date:
    """The `count`-th business day after `start` (the start day itself is not counted)."""
    day = start
    while count > 0:
        day += timedelta(days=1)
        if is_business_day(day, calendar):
            count -= 1
    return day
