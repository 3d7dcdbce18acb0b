"""Orders: the shop's order records, parsed from CSV text; bad rows reported and skipped."""

import csv
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from decisions.facts import TIMEZONE_FACT, FactError, parse_datetime
from decisions.money import fits_minor_unit, is_currency

REQUIRED_COLUMNS = ("order_id", "customer_email", "amount", "currency", "ordered_at")
# What the order store holds (an e-mail address is at most 320 characters by RFC 5321).
FIELD_LIMITS = {"order_id": 100, "customer_email": 320}


@dataclass(frozen=True)
class Order:
    """One order record. `facts` holds every other column as a raw string; absent = unknown."""

    order_id: str
    customer_email: str
    amount: Decimal
    currency: str
    ordered_at: datetime
    facts: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.ordered_at.tzinfo is None:
            raise ValueError("ordered_at must carry a time zone")
        object.__setattr__(self, "facts", MappingProxyType(dict(self.facts)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "order_id": self.order_id,
            "customer_email": self.customer_email,
            "amount": str(self.amount),
            "currency": self.currency,
            "ordered_at": self.ordered_at.isoformat(),
            "facts": dict(self.facts),
        }


class RowError(ValueError):
    """One cell of one row that cannot be read; the message names the column."""


def zone_named(name: str) -> ZoneInfo:
    """The IANA zone with this name; raises ValueError for anything else."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"not an IANA time zone: {name!r}") from None


def parse_orders_csv(text: str) -> tuple[list[Order], list[str]]:
    """Parse order CSV text into (good orders, error lines such as "line 7: amount: ...")."""
    rows = csv.reader(text.lstrip("\ufeff").splitlines(keepends=True))
    header = next(rows, None)
    if header is None:
        return [], ["line 1: no header row"]
    columns = [name.strip() for name in header]
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        return [], [f"line 1: missing required column(s): {', '.join(missing)}"]
    orders: list[Order] = []
    errors: list[str] = []
    first_line: dict[str, int] = {}
    line = rows.line_num + 1
    for cells in rows:
        if any(cell.strip() for cell in cells):
            try:
                order = _read_row(columns, cells)
                _check_unique(order.order_id, line, first_line)
                orders.append(order)
            except RowError as exc:
                errors.append(f"line {line}: {exc}")
        line = rows.line_num + 1
    return orders, errors


def _check_unique(order_id: str, line: int, first_line: dict[str, int]) -> None:
    if order_id in first_line:
        raise RowError(f"order_id: {order_id!r} already on line {first_line[order_id]}")
    first_line[order_id] = line


def _read_row(columns: list[str], cells: list[str]) -> Order:
    if len(cells) != len(columns):
        raise RowError(f"expected {len(columns)} cells, found {len(cells)}")
    values = {name: cell.strip() for name, cell in zip(columns, cells, strict=True)}
    for name in REQUIRED_COLUMNS:
        if not values[name]:
            raise RowError(f"{name}: empty")
    for name, limit in FIELD_LIMITS.items():
        if len(values[name]) > limit:
            raise RowError(f"{name}: longer than {limit} characters")
    if "@" not in values["customer_email"]:
        raise RowError(f"customer_email: not an address: {values['customer_email']!r}")
    currency = values["currency"].upper()
    if not is_currency(currency):
        raise RowError(f"currency: unknown currency: {values['currency']!r}")
    facts = {k: v for k, v in values.items() if k not in REQUIRED_COLUMNS and v}
    return Order(
        order_id=values["order_id"],
        customer_email=values["customer_email"],
        amount=_read_amount(values["amount"], currency),
        currency=currency,
        ordered_at=_read_ordered_at(values["ordered_at"], facts.get(TIMEZONE_FACT)),
        facts=facts,
    )


def _read_amount(raw: str, currency: str) -> Decimal:
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise RowError(f"amount: not a decimal: {raw!r}") from None
    if not amount.is_finite() or amount < 0:
        raise RowError(f"amount: not a non-negative amount: {raw!r}")
    if not fits_minor_unit(amount, currency):
        raise RowError(f"amount: more decimals than {currency} has: {raw!r}")
    return amount


def _read_ordered_at(raw: str, zone_name: str | None) -> datetime:
    """An offset in the cell wins; a naive time needs the row's `timezone` column."""
    try:
        zone = zone_named(zone_name) if zone_name else None
    except ValueError as exc:
        raise RowError(f"{TIMEZONE_FACT}: {exc}") from None
    try:
        return parse_datetime(raw, zone)
    except FactError as exc:
        raise RowError(f"ordered_at: {exc}") from None
