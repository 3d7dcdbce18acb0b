"""Calendar-day windows and business days: boundaries, DST, month ends, leap days."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from decisions.windows import (
    add_business_days,
    holiday_calendar,
    is_business_day,
    last_day,
    local_date,
    remaining_fraction,
    within_days,
)

PARIS = ZoneInfo("Europe/Paris")
JOBURG = ZoneInfo("Africa/Johannesburg")
NEW_YORK = ZoneInfo("America/New_York")
ZONES = [PARIS, JOBURG, NEW_YORK, ZoneInfo("Asia/Seoul"), ZoneInfo("Australia/Lord_Howe")]


def local(zone: ZoneInfo, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=zone)


@pytest.mark.parametrize(
    "zone, anchor, received, inside",
    [
        # The anchor's own date is day 0; day 7 ends at 23:59:59 local time.
        (JOBURG, local(JOBURG, 2024, 11, 4, 10), local(JOBURG, 2024, 11, 11, 23, 59, 59), True),
        (JOBURG, local(JOBURG, 2024, 11, 4, 10), local(JOBURG, 2024, 11, 12, 0, 0), False),
        # The hour of the anchor does not matter: a start at 23:59 still gives 7 full days.
        (JOBURG, local(JOBURG, 2024, 11, 4, 23, 59), local(JOBURG, 2024, 11, 11, 0, 1), True),
        # Across the spring DST change in Paris (31 March 2024).
        (PARIS, local(PARIS, 2024, 3, 25, 12), local(PARIS, 2024, 4, 1, 23, 59), True),
        (PARIS, local(PARIS, 2024, 3, 25, 12), local(PARIS, 2024, 4, 2, 0, 0), False),
        # The same two moments written in UTC: the local date decides, not the UTC one.
        (PARIS, local(PARIS, 2024, 3, 25, 12), datetime(2024, 4, 1, 21, 59, tzinfo=UTC), True),
        (PARIS, local(PARIS, 2024, 3, 25, 12), datetime(2024, 4, 1, 22, 0, tzinfo=UTC), False),
        # Across the autumn change (27 October 2024): midnight is 23:00 UTC again.
        (PARIS, local(PARIS, 2024, 10, 21, 9), local(PARIS, 2024, 10, 28, 23, 59), True),
        (PARIS, local(PARIS, 2024, 10, 21, 9), datetime(2024, 10, 28, 23, 0, tzinfo=UTC), False),
        # A plain date anchor, over a leap day.
        (PARIS, date(2024, 2, 25), local(PARIS, 2024, 3, 3, 23, 59), True),
        (PARIS, date(2024, 2, 25), local(PARIS, 2024, 3, 4, 0, 0), False),
        # Received before the anchor is inside the window.
        (PARIS, local(PARIS, 2024, 5, 10), local(PARIS, 2024, 5, 1), True),
    ],
)
def test_seven_day_window_boundaries(zone, anchor, received, inside):
    assert within_days(anchor, received, 7, zone) is inside


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        local_date(datetime(2024, 1, 1), PARIS)


moments = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2040, 12, 31),
    timezones=st.sampled_from(ZONES),
)


@given(anchor=moments, days=st.integers(0, 400), zone=st.sampled_from(ZONES))
def test_last_local_moment_of_the_last_day_is_inside_and_next_midnight_is_not(anchor, days, zone):
    end = last_day(anchor, days, zone)
    assert (end - local_date(anchor, zone)).days == days
    last_second = datetime(end.year, end.month, end.day, 23, 59, 59, tzinfo=zone)
    next_midnight = datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    assert within_days(anchor, last_second, days, zone)
    assert not within_days(anchor, next_midnight, days, zone)


@given(anchor=moments, received=moments, days=st.integers(0, 60), zone=st.sampled_from(ZONES))
def test_window_depends_only_on_local_dates(anchor, received, days, zone):
    expected = (local_date(received, zone) - local_date(anchor, zone)).days <= days
    assert within_days(anchor, received, days, zone) is expected
    # Writing the same moments in another zone changes nothing.
    assert (
        within_days(anchor.astimezone(UTC), received.astimezone(NEW_YORK), days, zone) is expected
    )


@given(
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)), days=st.integers(0, 40)
)
def test_month_ends_and_leap_days(day, days):
    assert last_day(day, days, PARIS) == day + timedelta(days=days)


@given(
    start=moments,
    hours=st.integers(1, 24 * 90),
    elapsed=st.integers(-24 * 10, 24 * 100),
)
def test_remaining_fraction_is_real_time_share(start, hours, elapsed):
    # Aware arithmetic on one tzinfo is wall-clock arithmetic, so add real hours in UTC.
    end = start.astimezone(UTC) + timedelta(hours=hours)
    at = start.astimezone(UTC) + timedelta(hours=elapsed)
    fraction = remaining_fraction(start, end, at, PARIS)
    assert Decimal(0) <= fraction <= Decimal(1)
    expected = min(max(Decimal(hours - elapsed) / Decimal(hours), Decimal(0)), Decimal(1))
    assert fraction == expected


def test_remaining_fraction_counts_the_dst_hour():
    # 30 March 00:00 to 1 April 00:00 in Paris is 47 real hours, not 48.
    start, end = local(PARIS, 2024, 3, 30), local(PARIS, 2024, 4, 1)
    at = local(PARIS, 2024, 3, 31, 12)  # 35 hours after start (02:00-03:00 does not exist)
    assert remaining_fraction(start, end, at, PARIS) == Decimal(12) / Decimal(47)


def test_remaining_fraction_refuses_an_empty_period():
    with pytest.raises(ValueError):
        remaining_fraction(date(2024, 1, 2), date(2024, 1, 1), local(PARIS, 2024, 1, 1), PARIS)


@pytest.mark.parametrize(
    "country, start, count, deadline",
    [
        ("ZA", date(2024, 11, 15), 3, date(2024, 11, 20)),  # Friday -> Wednesday
        ("ZA", date(2024, 12, 13), 1, date(2024, 12, 17)),  # Monday 16th: Day of Reconciliation
        ("KR", date(2024, 9, 13), 5, date(2024, 9, 25)),  # Chuseok 16-18 September
        ("FR", date(2024, 4, 30), 2, date(2024, 5, 3)),  # 1 May
        ("FR", date(2024, 5, 4), 0, date(2024, 5, 4)),  # zero days: the receipt date itself
    ],
)
def test_business_days_skip_weekends_and_holidays(country, start, count, deadline):
    assert add_business_days(start, count, holiday_calendar(country)) == deadline


# The first lookup of a year builds its holiday table; that is not what is timed here.
@settings(deadline=None)
@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
    count=st.integers(1, 30),
)
def test_business_day_deadline_is_a_business_day(start, count):
    calendar = holiday_calendar("FR")
    deadline = add_business_days(start, count, calendar)
    assert is_business_day(deadline, calendar)
    between = [start + timedelta(days=n) for n in range(1, (deadline - start).days + 1)]
    assert sum(is_business_day(day, calendar) for day in between) == count


def test_unknown_holiday_country_is_a_value_error():
    with pytest.raises(ValueError):
        holiday_calendar("XX")
