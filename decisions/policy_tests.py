"""Policy tests: the `[[tests]]` cases a policy file carries beside its rules, read and checked.

Each case is a small story from the policy's own sentences: what the customer wrote (a
reason, or words to classify), the order's record, the server receipt time, and what must
come out. `verify.py` runs them; this module only reads them, reporting every bad key
with its path as the rest of the policy does.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from decisions.facts import BUILT_IN_FACTS
from decisions.money import fits_minor_unit, is_currency
from decisions.orders import REQUIRED_COLUMNS, Order
from decisions.request import AUTHENTICATION_RESULTS, REASONS
from decisions.spec import Problems, Spec
from decisions.toml_lines import key_path

DEFAULT_CUSTOMER = "customer@example.com"
DEFAULT_ORDER_ID = "T-1"
# What a test may expect; each is compared only when the test gives it.
EXPECTED = ("outcome", "refund", "fee", "considered", "hits", "missing", "respond_by")


@dataclass(frozen=True)
class PolicyTest:
    """One case: the request as written, the order (None: no order on record), the expectation.

    `reason` is None when the case gives the customer's `words` instead, to be classified
    by the caller. `line` is the case's line in the policy file.
    """

    name: str
    received_at: datetime
    reason: str | None
    words: str | None
    order: Order | None
    expect: Mapping[str, Any]
    sender: str | None = None
    language: str = "en"
    urls: tuple[str, ...] = ()
    attachments: int = 0
    authentication: str = "none"
    line: int = 0
    order_refs: tuple[str, ...] = field(default_factory=tuple)


def read_tests(value: Any, facts: Mapping[str, str], problems: Problems) -> tuple[PolicyTest, ...]:
    """The `[[tests]]` of a policy; `facts` are its declared facts (order columns must be among them)."""
    if value is None:
        return ()
    if not isinstance(value, list):
        problems.append(("tests", "expected [[tests]] tables"))
        return ()
    tests = []
    for index, table in enumerate(value):
        spec = Spec(table if isinstance(table, dict) else {}, key_path("tests", index), problems, facts)
        test = _read_test(spec)
        spec.reject_unread()
        if test is not None:
            tests.append(test)
    return tuple(tests)


def _read_test(spec: Spec) -> PolicyTest | None:
    name = spec.text("name")
    received = _moment(spec, "received_at")
    reason = spec.choice("reason", REASONS) if spec.has("reason") else None
    words = spec.text("words", required=False)
    if (reason is None) == (words is None) and not _already_wrong(spec, "reason"):
        spec.error("reason", "give exactly one of reason or words")
    order = _read_order(spec)
    expect = _read_expect(spec)
    urls = spec.texts("urls") if spec.has("urls") and spec.raw("urls") != [] else ()
    attachments = spec.integer("attachments", required=False) or 0
    authentication = spec.choice("authentication", AUTHENTICATION_RESULTS, "none") or "none"
    sender = spec.text("sender", required=False)
    language = spec.text("language", default="en") or "en"
    if name is None or received is None or expect is None or urls is None:
        return None
    refs = (order.order_id,) if order is not None else ()
    return PolicyTest(
        name, received, reason, words, order, expect, sender, language, urls, attachments,
        authentication, order_refs=refs,
    )


def _already_wrong(spec: Spec, key: str) -> bool:
    return any(path.endswith(f".{key}") for path, _ in spec.problems)


def _moment(spec: Spec, key: str, required: bool = True) -> datetime | None:
    """A date-time with its offset (TOML `2024-11-04T10:00:00+02:00`, or the same as text)."""
    value = spec.raw(key)
    if value is None:
        if required:
            spec.error(key, "missing")
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            spec.error(key, f"not a date-time: {value!r}")
            return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        spec.error(key, f"expected a date-time with its offset (2024-11-04T10:00:00+02:00), got {value!r}")
        return None
    return value


def _read_order(spec: Spec) -> Order | None:
    table = spec.raw("order")
    if table is None:
        return None
    if not isinstance(table, dict):
        spec.error("order", "expected a table of the order's columns")
        return None
    inner = Spec(table, f"{spec.path}.order", spec.problems, spec.facts)
    order_id = inner.text("order_id", default=DEFAULT_ORDER_ID)
    email = inner.text("customer_email", default=DEFAULT_CUSTOMER)
    currency = inner.text("currency")
    amount = _amount(inner, currency)
    ordered_at = _moment(inner, "ordered_at")
    facts = {}
    for name in table:
        if name in REQUIRED_COLUMNS:
            continue
        inner.raw(name)
        if name not in spec.facts or name in BUILT_IN_FACTS:
            inner.error(name, f"unknown fact {name!r} (declare it under [facts])")
        elif table[name] != "":
            facts[name] = _as_cell(table[name])
    inner.reject_unread()
    if None in (order_id, email, amount, currency, ordered_at):
        return None
    assert order_id and email and amount is not None and currency and ordered_at
    return Order(order_id, email, amount, currency.upper(), ordered_at, facts)


def _amount(spec: Spec, currency: str | None) -> Decimal | None:
    value = spec.raw("amount")
    text = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else None
    try:
        amount = Decimal(text) if text is not None else None
    except ArithmeticError:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0:
        spec.error("amount", f'expected an amount as text ("1000.05"), got {value!r}')
        return None
    if currency and not is_currency(currency.upper()):
        spec.error("currency", f"unknown currency: {currency!r}")
        return None
    if currency and not fits_minor_unit(amount, currency.upper()):
        spec.error("amount", f"more decimals than {currency} has: {value!r}")
        return None
    return amount


def _as_cell(value: Any) -> str:
    """A TOML value as the order CSV would carry it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def _read_expect(spec: Spec) -> Mapping[str, Any] | None:
    table = spec.raw("expect")
    if not isinstance(table, dict) or not table:
        spec.error("expect", "expected a table of what must come out (outcome, refund, hits, ...)")
        return None
    inner = Spec(table, f"{spec.path}.expect", spec.problems, spec.facts)
    expect: dict[str, Any] = {}
    for key in EXPECTED:
        if not inner.has(key):
            continue
        if key in ("hits", "missing"):
            expect[key] = () if inner.raw(key) == [] else tuple(inner.texts(key) or ())
        elif key == "respond_by":
            expect[key] = _date(inner, key)
        elif key == "outcome":
            expect[key] = inner.text(key)
        else:
            expect[key] = _expected_amount(inner, key)
    inner.reject_unread()
    return expect


def _date(spec: Spec, key: str) -> date | None:
    value = spec.raw(key)
    if isinstance(value, str):
        value = _iso_date(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    spec.error(key, f"not a date (YYYY-MM-DD): {value!r}")
    return None


def _expected_amount(spec: Spec, key: str) -> Decimal | str | None:
    """An amount as text ("500.03"), or "none" when no amount must be set."""
    value = spec.raw(key)
    if value == "none":
        return "none"
    try:
        if isinstance(value, str):
            return Decimal(value)
    except ArithmeticError:
        pass
    spec.error(key, f'expected an amount as text ("500.03") or "none", got {value!r}')
    return None


def _iso_date(text: str) -> date | str:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return text
