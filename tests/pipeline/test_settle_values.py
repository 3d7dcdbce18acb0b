"""The values staff type when they decide: amounts (table and property tests), and the queue's
query string, which must come back as the same view."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from base.errors import ActionRefused
from desk.queue import QueueFilter
from pipeline.settle import REASONS, parse_amount


@pytest.mark.parametrize(("text", "currency", "expected"), [
    ("3600", "ZAR", Decimal("3600.00")),
    (" 3,600.50 ", "ZAR", Decimal("3600.50")),
    ("12000", "KRW", Decimal("12000")),
    ("0.1", "EUR", Decimal("0.10")),
])
def test_amounts_staff_type(text: str, currency: str, expected: Decimal) -> None:
    amount = parse_amount(text, currency)
    assert amount == expected and str(amount) == str(expected)


@pytest.mark.parametrize(("text", "currency", "why"), [
    ("abc", "ZAR", "not an amount"),
    ("NaN", "ZAR", "not an amount"),
    ("Infinity", "ZAR", "not an amount"),
    ("12.345", "ZAR", "more decimals than ZAR allows (2)"),
    ("100.5", "KRW", "more decimals than KRW allows (0)"),
    ("", "ZAR", "not an amount"),
])
def test_amounts_refused(text: str, currency: str, why: str) -> None:
    with pytest.raises(ActionRefused, match=why.replace("(", r"\(").replace(")", r"\)")):
        parse_amount(text, currency)


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_any_amount_in_cents_comes_back_exactly(value: Decimal) -> None:
    assert parse_amount(str(value), "EUR") == value
    assert parse_amount(f"{value:,}", "EUR") == value  # with thousands separators


filters = st.builds(
    QueueFilter,
    mailbox=st.sampled_from([None, "accounts", "billing"]),
    outcome=st.sampled_from([None, "approve", "deny", "review", "needs_info"]),
    reason=st.sampled_from([None, *REASONS]),
    overdue=st.booleans(), mine=st.booleans(),
    q=st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zs")), max_size=30)
    .map(lambda text: " ".join(text.split())),
    page=st.integers(1, 500), rpage=st.integers(1, 500),
)


@given(filters)
def test_the_query_string_gives_back_the_same_view(view: QueueFilter) -> None:
    from urllib.parse import parse_qsl

    again = QueueFilter.from_args(dict(parse_qsl(view.query())), ("accounts", "billing"))
    assert again == view
