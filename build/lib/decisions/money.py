"""Money: Decimal amounts in a currency, rounded half-up to the currency's minor unit."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


def _codes(text: str) -> frozenset[str]:
    return frozenset(text.split())


# ISO 4217 minor units. Most currencies have two decimals; these are the exceptions.
_NO_DECIMALS = _codes("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF")
_THREE_DECIMALS = _codes("BHD IQD JOD KWD LYD OMR TND")
_TWO_DECIMALS = _codes(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP
    BYN BZD CAD CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP
    GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT
    LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN
    NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP
    SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD UZS VES WST
    XCD YER ZAR ZMW ZWL
    """
)

HUNDRED = Decimal(100)


class CurrencyError(ValueError):
    """A currency code this module does not know, so its minor unit is unknown."""


def minor_digits(currency: str) -> int:
    """How many decimals the currency's minor unit has (KRW 0, EUR 2, BHD 3)."""
    if currency in _NO_DECIMALS:
        return 0
    if currency in _THREE_DECIMALS:
        return 3
    if currency in _TWO_DECIMALS:
        return 2
    raise CurrencyError(f"unknown currency: {currency!r}")


def is_currency(currency: str) -> bool:
    return currency in _NO_DECIMALS or currency in _THREE_DECIMALS or currency in _TWO_DECIMALS


def round_money(amount: Decimal, currency: str) -> Decimal:
    """The amount rounded half-up to the currency's minor unit."""
    step = Decimal(1).scaleb(-minor_digits(currency))
    return amount.quantize(step, rounding=ROUND_HALF_UP)


def fits_minor_unit(amount: Decimal, currency: str) -> bool:
    """True when the amount needs no rounding in this currency (12.50 EUR yes, 12.505 no)."""
    return round_money(amount, currency) == amount


@dataclass(frozen=True)
class Settlement:
    """How a paid amount becomes a refund: considered = fee + refund, all in minor units."""

    paid: Decimal
    considered: Decimal
    fee: Decimal
    refund: Decimal
    currency: str


def settle(
    paid: Decimal,
    fractions: tuple[Decimal, ...],
    withhold_percent: Decimal,
    currency: str,
) -> Settlement:
    """Apply refundable fractions to what was paid, then withhold a percentage as the fee.

    Fractions and the percentage are clamped to [0, 1] and [0, 100], so the refund can
    never be negative nor exceed what was paid.
    """
    considered = paid
    for fraction in fractions:
        considered *= min(max(fraction, Decimal(0)), Decimal(1))
    considered = round_money(considered, currency)
    percent = min(max(withhold_percent, Decimal(0)), HUNDRED)
    fee = round_money(considered * percent / HUNDRED, currency)
    return Settlement(paid, considered, fee, considered - fee, currency)
