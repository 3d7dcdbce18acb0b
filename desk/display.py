"""How the pages show times, money, sizes and codes: Jinja filters, all output escaped as usual."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from babel.numbers import format_currency
from jinja2 import Environment

from base.records import money_text

OUTCOME_LABELS = {
    "approve": "Approve",
    "deny": "Deny",
    "review": "Staff review",
    "needs_info": "Needs information",
}
DRAFT_STATE_LABELS = {
    "draft": "Waiting for approval",
    "approved": "Approved, waiting to be sent",
    "sending": "Being sent",
    "sent": "Sent",
    "failed": "Could not be sent",
    "rejected": "Rejected",
}


def when(value: datetime | None) -> str:
    """A stored (UTC) time, to the minute, saying it is UTC."""
    if value is None:
        return "—"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def when_short(value: datetime | None) -> str:
    """The same, for table cells whose column header says UTC."""
    return "—" if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def day(value: date | None) -> str:
    return "—" if value is None else value.strftime("%a %d %b %Y")


def money(amount: Decimal | None, currency: str | None) -> str:
    """Exact money as `1,234.50 EUR`: the currency's own digits (0 for KRW), its code, no guessing
    between $ of different countries."""
    if amount is None:
        return "—"
    if not currency:
        return str(amount)
    return format_currency(amount, currency, format="#,##0.00 ¤¤", locale="en",
                           currency_digits=True)


def amount_input(amount: Decimal | None, currency: str | None) -> str:
    """An amount as staff type it back into a form: plain digits, the currency's minor digits."""
    return money_text(amount, currency) or ""


def size(count: int) -> str:
    if count < 1024:
        return f"{count} bytes"
    if count < 1024 * 1024:
        return f"{count / 1024:.1f} KB"
    return f"{count / (1024 * 1024):.1f} MB"


def words(code: str | None) -> str:
    """A stored code (`needs_info`, `wrong_channel`) as words; the code itself stays in titles."""
    return "" if code is None else code.replace("_", " ")


def outcome(code: str | None) -> str:
    return "No decision" if code is None else OUTCOME_LABELS.get(code, words(code))


def draft_state(code: str) -> str:
    return DRAFT_STATE_LABELS.get(code, words(code))


def install(environment: Environment) -> None:
    environment.filters.update(amount_input=amount_input, when=when, when_short=when_short, day=day, money=money, size=size, words=words,
                               outcome=outcome, draft_state=draft_state)
