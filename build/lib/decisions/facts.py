"""Facts: typing an order's raw strings by the policy's declarations, unknown when empty."""

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

FACT_TYPES = ("datetime", "date", "bool", "decimal", "integer", "text")
# Order fields every policy may read without declaring them.
BUILT_IN_FACTS = {"ordered_at": "datetime", "amount": "decimal"}
# Read by the engine itself: an IANA zone overriding the policy's for one order.
TIMEZONE_FACT = "timezone"

_TRUE = ("true", "yes", "1")
_FALSE = ("false", "no", "0")

FactValue = datetime | date | bool | Decimal | int | str


class FactError(ValueError):
    """A raw fact string that does not read as its declared type."""


def parse_datetime(raw: str, zone: ZoneInfo | None) -> datetime:
    """An ISO 8601 date-time; one without an offset is local time in `zone`."""
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise FactError(f"not a date-time: {raw!r}") from None
    if moment.tzinfo is not None:
        return moment
    if zone is None:
        raise FactError(f"date-time without a zone: {raw!r}")
    return moment.replace(tzinfo=zone)


def parse_fact(raw: str, fact_type: str, zone: ZoneInfo | None) -> FactValue:
    """The typed value of a non-empty raw fact string; raises FactError when it does not fit."""
    if fact_type == "datetime":
        return parse_datetime(raw, zone)
    if fact_type == "date":
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise FactError(f"not a date: {raw!r}") from None
    if fact_type == "bool":
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
        raise FactError(f"not true or false: {raw!r}")
    if fact_type in ("decimal", "integer"):
        return _parse_number(raw, fact_type)
    return raw


def _parse_number(raw: str, fact_type: str) -> Decimal | int:
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise FactError(f"not a {fact_type}: {raw!r}") from None
    if not number.is_finite():
        raise FactError(f"not a {fact_type}: {raw!r}")
    if fact_type == "decimal":
        return number
    if number != number.to_integral_value():
        raise FactError(f"not an integer: {raw!r}")
    return int(number)


def shown(value: FactValue) -> str:
    """A fact value as the trace shows it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class Reading:
    """One fact as a rule read it: its value, or why there is none."""

    name: str
    value: FactValue | None
    shown: str
    problem: str | None = None  # None, "unknown", or "invalid: <why>"

    @property
    def known(self) -> bool:
        return self.problem is None


def read_raw(name: str, raw: str | None, fact_type: str, zone: ZoneInfo | None) -> Reading:
    """Read one raw order fact; an absent or empty cell is unknown, never false or zero."""
    text = (raw or "").strip()
    if not text:
        return Reading(name, None, "unknown", "unknown")
    try:
        return Reading(name, parse_fact(text, fact_type, zone), text)
    except FactError as exc:
        return Reading(name, None, text, f"invalid: {exc}")


def text_key(text: str) -> str:
    """How text facts compare: without case, and spaces, hyphens and underscores alike,
    so "Web Design", "web-design" and "web_design" are one value."""
    return "_".join(part for part in re.split(r"[\s_\-]+", text.strip().casefold()) if part)
