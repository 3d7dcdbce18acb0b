"""The Kajet marketplace: per-order cancellation windows, seller cancellations, disputes.

A buyer cancels in the Kajet platform or app; the order records when (`cancelled_in_app_at`),
and that moment decides the window. In the buyer cases below, `received` is when the buyer
cancelled in the app, and their email arrives a week later: the email's time never matters.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest

from decisions import decide
from tests.decisions.decision_builders import effects, money, order, request, shipped

POLICY = shipped("marketplace")
# Ordered Friday 1 March 2024 at 20:00 in Kuala Lumpur, with a 3-day window from the order.
ORDERED = "2024-03-01T20:00:00+08:00"
BUYER = {
    "seller_cancelled": "false",
    "cancellation_window_days": "3",
    "cancellation_window_basis": "ordered_at",
}


@dataclass
class Case:
    name: str
    says: str
    reason: str
    received: str
    facts: dict[str, str]
    outcome: str = "review"
    refund: str | None = None
    fired: dict[str, str] = field(default_factory=dict)
    amount: str = "120.00"


CASES = [
    Case(
        "buyer cancels on the last day of the order's own window, at 23:59",
        "Buyers have the option to cancel their orders within a specific cancellation window.",
        "change_of_mind",
        "2024-03-04T23:59:00+08:00",
        BUYER,
        refund="120.00",
        fired={"buyer-refund-per-seller-policy": "review"},
    ),
    Case(
        "buyer cancels at 00:00 after the window",
        "The duration of this window may vary depending on the specific order",
        "change_of_mind",
        "2024-03-05T00:00:00+08:00",
        BUYER,
        outcome="deny",
        fired={"buyer-cancellation-window": "deny"},
    ),
    Case(
        "a 10-day window on another order",
        "The duration of this window may vary depending on the specific order",
        "change_of_mind",
        "2024-03-08T12:00:00+08:00",
        BUYER | {"cancellation_window_days": "10"},
        refund="120.00",
    ),
    Case(
        "a same-day window (0 days) ends at local midnight",
        "check the order details and the cancellation window mentioned in the order summary",
        "change_of_mind",
        "2024-03-02T00:00:00+08:00",
        BUYER | {"cancellation_window_days": "0"},
        outcome="deny",
    ),
    Case(
        "the order's own zone: 23:30 in Jakarta is 00:30 in Kuala Lumpur",
        "the cancellation window mentioned in the order summary",
        "change_of_mind",
        "2024-03-05T00:30:00+08:00",
        BUYER | {"timezone": "Asia/Jakarta"},
        refund="120.00",
    ),
    Case(
        "no window recorded on the order: staff check, never a guess",
        "It is important to check the order details and the cancellation window",
        "change_of_mind",
        "2024-03-02T10:00:00+08:00",
        BUYER | {"cancellation_window_days": ""},
        refund="120.00",
        fired={"buyer-cancellation-window": "review"},
    ),
    Case(
        "a window counted from something other than the order",
        "the cancellation window mentioned in the order summary",
        "change_of_mind",
        "2024-03-02T10:00:00+08:00",
        BUYER | {"cancellation_window_basis": "delivery"},
        refund="120.00",
        fired={"buyer-window-basis": "review"},
    ),
    Case(
        "the seller cancelled and refunds in full",
        "Sellers are expected to process any refunds owed to the Buyer promptly",
        "non_delivery",
        "2024-04-30T10:00:00+08:00",
        {"seller_cancelled": "true", "seller_refund_percent": "100"},
        refund="120.00",
        fired={"seller-cancelled": "approve", "dispute-resolution": "review"},
    ),
    Case(
        "the seller cancelled with a 50% refund: half-up to the sen",
        "Buyers will receive their refunded amount according to the method ... by Kajet.",
        "other",
        "2024-04-30T10:00:00+08:00",
        {"seller_cancelled": "true", "seller_refund_percent": "50"},
        outcome="approve",
        refund="50.00",
        amount="99.99",
    ),
    Case(
        "the seller cancelled but the refund share is not recorded",
        "Sellers are expected to process any refunds owed to the Buyer promptly",
        "other",
        "2024-04-30T10:00:00+08:00",
        {"seller_cancelled": "true"},
        fired={"seller-refund-share": "review"},
    ),
    Case(
        "whether the seller cancelled is not recorded",
        "If a Seller needs to cancel an order, they must notify the Buyer promptly",
        "change_of_mind",
        "2024-03-02T10:00:00+08:00",
        {"cancellation_window_days": "3"},
        refund=None,
        fired={"seller-cancelled": "review"},  # nor whether the share applies
    ),
    Case(
        "a dispute goes to Kajet's resolution process",
        "Kajet offers a dispute resolution process to mediate",
        "dispute",
        "2024-03-02T10:00:00+08:00",
        BUYER,
        refund="120.00",
        fired={"dispute-resolution": "review"},
    ),
]


CASES += [
    Case(
        "an email asking to cancel an order never cancelled in the app: told how, not decided",
        "Buyers should initiate the cancellation process through the Kajet platform or app",
        "change_of_mind",
        "2024-03-02T10:00:00+08:00",
        BUYER | {"cancelled_in_app_at": ""},
        outcome="cancel_in_app",
        fired={"cancel-in-app-first": "redirect"},
    ),
    Case(
        "cancelled in the app one minute after the window: denied, whenever the email came",
        "Buyers have the option to cancel their orders within a specific cancellation window.",
        "change_of_mind",
        "2024-03-02T10:00:00+08:00",
        BUYER | {"cancelled_in_app_at": "2024-03-05T00:00:00+08:00"},
        outcome="deny",
        fired={"buyer-cancellation-window": "deny"},
    ),
    Case(
        "a reservation cancelled in the app 48 hours before it, to the second",
        "you may need to cancel an order or reservation",
        "change_of_mind",
        "2024-03-06T10:00:00+08:00",
        BUYER | {"cancellation_window_basis": "hours_before_reservation",
                 "cancellation_window_hours": "48", "reservation_at": "2024-03-08T10:00:00+08:00"},
        refund="120.00",
        fired={"buyer-refund-per-seller-policy": "review"},
    ),
    Case(
        "a reservation cancelled in the app one second too late",
        "you may need to cancel an order or reservation",
        "change_of_mind",
        "2024-03-06T10:00:01+08:00",
        BUYER | {"cancellation_window_basis": "hours_before_reservation",
                 "cancellation_window_hours": "48", "reservation_at": "2024-03-08T10:00:00+08:00"},
        outcome="deny",
        fired={"buyer-reservation-window": "deny"},
    ),
]


def email_after_cancelling(case: Case) -> tuple[dict[str, str], str]:
    """(the order's facts, the email's receipt time) for a case: see the module docstring."""
    facts = dict(case.facts)
    if case.reason != "change_of_mind" or facts.get("seller_cancelled") != "false":
        return facts, case.received
    facts.setdefault("cancelled_in_app_at", case.received)
    return facts, (datetime.fromisoformat(case.received) + timedelta(days=7)).isoformat()


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_marketplace(case: Case):
    facts, received = email_after_cancelling(case)
    the_order = order(amount=case.amount, currency="MYR", ordered_at=ORDERED, **facts)
    decision = decide(request(received, case.reason), [the_order], POLICY)
    assert decision.outcome == case.outcome, decision.trace
    assert money(decision.refund_amount) == case.refund
    assert case.fired.items() <= effects(decision).items()
