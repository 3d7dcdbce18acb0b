"""Window options: hours before an event (elapsed time across DST), the next business day, and
windows measured to a fact of the order instead of the email's receipt time."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from decisions import decide, load_policy
from decisions.windows import holiday_calendar, hours_before, is_business_day, next_business_day
from tests.decisions.decision_builders import order, request
from tests.decisions.small_policy import FOURTEEN_DAYS, small_policy

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")  # a 30-minute DST shift
FRANCE = holiday_calendar("FR")


def local(zone: ZoneInfo, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=zone)


@pytest.mark.parametrize(("event", "hours", "deadline"), [
    # 48 hours before Monday 1 April 2024 10:00 in Paris is Saturday 30 March 09:00, not 10:00:
    # the clocks went forward on the night of 31 March, so 48 elapsed hours span one hour more
    # of wall clock.
    (local(PARIS, 2024, 4, 1, 10), 48, local(PARIS, 2024, 3, 30, 9)),
    # In autumn (27 October 2024) the clocks go back: 11:00 on the Friday, not 10:00.
    (local(PARIS, 2024, 10, 28, 10), 72, local(PARIS, 2024, 10, 25, 11)),
    # 24 hours before 02:30 on the day after the spring change in New York.
    (local(NEW_YORK, 2024, 3, 11, 2, 30), 24, local(NEW_YORK, 2024, 3, 10, 1, 30)),
    # Half-hour DST on Lord Howe Island (7 April 2024, 02:00 -> 01:30).
    (local(LORD_HOWE, 2024, 4, 8, 12), 48, local(LORD_HOWE, 2024, 4, 6, 12, 30)),
    # No change in between: the same wall-clock hour.
    (local(PARIS, 2024, 6, 10, 18), 24, local(PARIS, 2024, 6, 9, 18)),
    # A plain date starts at local midnight (+02:00 on 1 April): 24 hours before is 23:00 (+01:00).
    (date(2024, 4, 1), 24, local(PARIS, 2024, 3, 30, 23)),
])
def test_hours_before_an_event_are_elapsed_hours(event, hours, deadline):
    assert hours_before(event, hours, PARIS) == deadline.astimezone(UTC)


@given(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1),
                 timezones=st.sampled_from([PARIS, NEW_YORK, LORD_HOWE])),
    st.integers(0, 24 * 60),
)
def test_hours_before_is_exactly_that_much_elapsed_time(event, hours):
    deadline = hours_before(event, hours, PARIS)
    assert event.astimezone(UTC) - deadline == timedelta(hours=hours)


@pytest.mark.parametrize(("day", "expected"), [
    (date(2024, 3, 15), date(2024, 3, 15)),  # a Friday is a business day
    (date(2024, 3, 16), date(2024, 3, 18)),  # Saturday -> Monday
    (date(2024, 3, 17), date(2024, 3, 18)),  # Sunday -> Monday
    (date(2024, 3, 30), date(2024, 4, 2)),   # Saturday before Easter Monday -> Tuesday
    (date(2024, 4, 1), date(2024, 4, 2)),    # Easter Monday -> Tuesday
    (date(2024, 5, 8), date(2024, 5, 10)),   # 8 May (Victoire 1945), 9 May Ascension -> Friday 10
    (date(2024, 12, 25), date(2024, 12, 26)),
])
def test_next_business_day_skips_weekends_and_french_holidays(day, expected):
    assert next_business_day(day, FRANCE) == expected


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1)))
def test_next_business_day_is_the_first_business_day_on_or_after(day):
    found = next_business_day(day, FRANCE)
    assert is_business_day(found, FRANCE) and found >= day
    assert all(not is_business_day(day + timedelta(days=n), FRANCE) for n in range((found - day).days))
    assert (found - day).days <= 4  # no French run of non-business days is longer


FACTS = """
delivered_at = "datetime"
cancelled_at = "datetime"
booked_for = "datetime"
"""

CANCEL_BEFORE_BOOKING = """
[[rules]]
id = "cancel-before-booking"
kind = "window"
when = { reason = ["cancel_recurring"] }
anchor = "booked_for"
hours_before = 48
until = "cancelled_at"
effect = "approve"
otherwise = "deny"
clause = "Cancel up to 48 hours before your booking."
"""


def shop(extend: bool):
    text = small_policy(FACTS, FOURTEEN_DAYS + CANCEL_BEFORE_BOOKING,
                        settings="extend_windows_to_business_day = true" if extend else "")
    return load_policy(text, "shop.toml")


# Delivered Saturday 16 March 2024: day 14 is Saturday 30 March; Sunday 31 is Easter and
# Monday 1 April Easter Monday, so the window extended to a business day ends Tuesday 2 April.
@pytest.mark.parametrize(("extend", "received", "outcome"), [
    (False, "2024-03-30T23:59:59+01:00", "approve"),
    (False, "2024-03-31T00:00:00+01:00", "deny"),
    (True, "2024-04-01T18:00:00+02:00", "approve"),
    (True, "2024-04-02T23:59:59+02:00", "approve"),
    (True, "2024-04-03T00:00:00+02:00", "deny"),
])
def test_a_window_ending_on_a_weekend_or_holiday_extends_to_the_next_business_day(extend, received, outcome):
    the_order = order(ordered_at="2024-03-10T10:00:00+01:00", currency="EUR",
                      delivered_at="2024-03-16T11:00:00+01:00")
    decision = decide(request(received, "change_of_mind"), [the_order], shop(extend))
    assert decision.outcome == outcome
    [window] = [r for r in decision.trace if r.rule == "fourteen-days"]
    assert window.facts["last_day"] == ("2024-04-02" if extend else "2024-03-30")
    assert ("window_ends_on" in window.facts) is extend


# Booked for Monday 1 April 2024 at 10:00 in Paris; the clocks went forward on 31 March, so 48
# hours before is Saturday 30 March at 09:00 (08:00 UTC). The email comes a week later: only the
# moment of cancelling, recorded on the order, counts.
@pytest.mark.parametrize(("cancelled", "outcome"), [
    ("2024-03-30T09:00:00+01:00", "approve"),
    ("2024-03-30T08:00:00Z", "approve"),
    ("2024-03-30T09:00:01+01:00", "deny"),
    ("2024-03-30T10:00:00+01:00", "deny"),  # the wall-clock "48 hours" would let this pass
])
def test_hours_before_a_booking_measured_to_the_moment_of_cancelling(cancelled, outcome):
    the_order = order(ordered_at="2024-03-01T10:00:00+01:00", currency="EUR",
                      booked_for="2024-04-01T10:00:00+02:00", cancelled_at=cancelled)
    decision = decide(request("2024-04-08T12:00:00+02:00", "cancel_recurring"), [the_order], shop(False))
    assert decision.outcome == outcome
    [rule] = [r for r in decision.trace if r.rule == "cancel-before-booking"]
    assert rule.facts["deadline"] == "2024-03-30T09:00:00+01:00"
    assert "received_at" not in rule.facts  # the email's time is not what was measured


def test_a_window_to_a_fact_that_is_not_recorded_is_unknown_and_goes_to_staff():
    the_order = order(ordered_at="2024-03-01T10:00:00+01:00", currency="EUR",
                      booked_for="2024-04-01T10:00:00+02:00")
    decision = decide(request("2024-03-02T12:00:00+01:00", "cancel_recurring"), [the_order], shop(False))
    assert decision.outcome == "review"
    [rule] = [r for r in decision.trace if r.rule == "cancel-before-booking"]
    assert (rule.verdict, rule.code) == ("unknown", "fact_unknown")
