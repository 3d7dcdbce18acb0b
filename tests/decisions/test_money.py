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


# Where a clause defines the refund ("a refund will be issued for 50% of the unused portion"),
# the refund is computed and rounded half-up and the fee is what remains; where a clause defines
# the fee ("a 20% processing fee"), the fee is rounded and the refund is what remains.
@pytest.mark.parametrize(
    ("considered", "withhold", "refund_percent", "currency", "fee", "refund"),
    [
        ("1000.05", "0", "50", "ZAR", "500.02", "500.03"),  # the case: the customer gets the half cent
        ("1000.05", "50", None, "ZAR", "500.03", "500.02"),  # a fee of 50%: the shop keeps it
        ("10.01", "0", "50", "EUR", "5.00", "5.01"),
        ("0.015", "0", "50", "BHD", "0.007", "0.008"),
        ("12345", "0", "50", "KRW", "6172", "6173"),
        ("1000.05", "60", "50", "ZAR", "600.03", "400.02"),  # 60% fee leaves less than 50%: the fee binds
        ("1000.05", "30", "50", "ZAR", "500.02", "500.03"),  # 50% refund leaves less than 70%: the refund binds
    ],
)
def test_rounding_falls_on_the_side_the_clause_defines(considered, withhold, refund_percent, currency, fee, refund):
    percent = Decimal(refund_percent) if refund_percent is not None else None
    result = settle(Decimal(considered), (), Decimal(withhold), currency, percent)
    assert (str(result.fee), str(result.refund)) == (fee, refund)


@given(settlements(), st.decimals(min_value=-10, max_value=110, allow_nan=False, places=2))
def test_a_refund_defined_by_its_clause_is_rounded_half_up_and_the_fee_is_the_rest(case, refund_percent):
    paid, fractions, withhold, currency = case
    result = settle(paid, fractions, Decimal(0), currency, refund_percent)
    share = min(max(refund_percent, Decimal(0)), Decimal(100))
    assert result.refund == round_money(result.considered * share / 100, currency)
    assert result.fee + result.refund == result.considered
    assert Decimal(0) <= result.refund <= result.considered <= paid
    # with a fee as well, whichever leaves the customer less binds, and the sum still holds
    both = settle(paid, fractions, withhold, currency, refund_percent)
    assert both.fee + both.refund == both.considered
    assert both.refund <= result.refund
