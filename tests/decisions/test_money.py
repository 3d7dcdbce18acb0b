"""Money: minor units, half-up rounding, and the settlement invariants."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from decisions.money import CurrencyError, minor_digits, round_money, settle

CURRENCIES = ["KRW", "JPY", "EUR", "ZAR", "MYR", "USD", "BHD"]


@pytest.mark.parametrize(
    "amount, currency, rounded",
    [
        ("2.345", "EUR", "2.35"),  # half-up, not banker's rounding
        ("2.355", "EUR", "2.36"),
        ("2.344", "EUR", "2.34"),
        ("57142.5", "KRW", "57143"),  # KRW has no minor unit
        ("57142.49", "KRW", "57142"),
        ("1.2345", "BHD", "1.235"),  # three decimals
        ("0.005", "USD", "0.01"),
    ],
)
def test_round_half_up_to_the_minor_unit(amount, currency, rounded):
    assert str(round_money(Decimal(amount), currency)) == rounded


def test_minor_digits():
    assert (minor_digits("KRW"), minor_digits("EUR"), minor_digits("BHD")) == (0, 2, 3)
    with pytest.raises(CurrencyError):
        minor_digits("XYZ")


@pytest.mark.parametrize(
    "paid, fractions, percent, currency, considered, fee, refund",
    [
        ("1000.00", [], "20", "ZAR", "1000.00", "200.00", "800.00"),
        ("1000.00", ["0.7"], "20", "ZAR", "700.00", "140.00", "560.00"),
        ("2000.00", ["0.75"], "50", "ZAR", "1500.00", "750.00", "750.00"),
        ("99.99", ["0.5"], "0", "MYR", "50.00", "0.00", "50.00"),  # 49.995 rounds up
        ("100000", [str(Decimal(4) / Decimal(7))], "0", "KRW", "57143", "0", "57143"),
        ("12345", [], "20", "KRW", "12345", "2469", "9876"),
        ("10.01", [], "50", "EUR", "10.01", "5.01", "5.00"),  # the fee takes the half cent
    ],
)
def test_settlement_arithmetic(paid, fractions, percent, currency, considered, fee, refund):
    result = settle(Decimal(paid), tuple(Decimal(f) for f in fractions), Decimal(percent), currency)
    assert (str(result.considered), str(result.fee), str(result.refund)) == (
        considered,
        fee,
        refund,
    )


def amounts(currency: str) -> st.SearchStrategy[Decimal]:
    places = minor_digits(currency)
    return st.integers(0, 10**10).map(lambda minor: Decimal(minor).scaleb(-places))


@st.composite
def settlements(draw):
    currency = draw(st.sampled_from(CURRENCIES))
    paid = draw(amounts(currency))
    fraction = st.decimals(min_value=-1, max_value=2, allow_nan=False, places=6)
    fractions = tuple(draw(st.lists(fraction, max_size=3)))
    percent = draw(st.decimals(min_value=-10, max_value=110, allow_nan=False, places=2))
    return paid, fractions, percent, currency


@given(settlements())
def test_fee_plus_refund_is_the_considered_amount_and_never_above_paid(case):
    paid, fractions, percent, currency = case
    result = settle(paid, fractions, percent, currency)
    assert result.fee + result.refund == result.considered
    assert Decimal(0) <= result.refund <= result.considered <= paid
    assert Decimal(0) <= result.fee
    for amount in (result.considered, result.fee, result.refund):
        assert round_money(amount, currency) == amount
        assert -amount.as_tuple().exponent <= minor_digits(currency) or amount == 0
