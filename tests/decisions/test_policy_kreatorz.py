"""Kreatorz refunds policy, case by case from the seed's own sentences."""

from dataclasses import dataclass, field

import pytest

from decisions import decide
from tests.decisions.decision_builders import (
    KREATORZ_FACTS,
    effects,
    money,
    order,
    request,
    shipped,
)

POLICY = shipped("kreatorz")

CLEAN = KREATORZ_FACTS
DAY_7_LAST_MINUTE = "2024-11-11T23:59:59+02:00"
DAY_8_MIDNIGHT = "2024-11-12T00:00:00+02:00"


@dataclass
class Case:
    name: str
    says: str  # the seed's sentence the case comes from
    reason: str
    received: str
    facts: dict[str, str] = field(default_factory=dict)
    urls: tuple[str, ...] = ()
    outcome: str = "review"
    refund: str | None = None
    fee: str | None = None
    missing: tuple[str, ...] = ()
    fired: dict[str, str] = field(default_factory=dict)  # rule id -> effect, must be among those


CASES = [
    Case(
        "change of mind on day 7 at 23:59 is in time, at the designer's discretion",
        "it must be received by our Accounts department within 7 calendar days",
        "change_of_mind",
        DAY_7_LAST_MINUTE,
        refund="800.00",
        fee="200.00",
        fired={"change-of-mind-window": "approve", "change-of-mind-discretion": "review"},
    ),
    Case(
        "change of mind at 00:00 on day 8 is late",
        "Refund requests made after the 7-day period will not be eligible for consideration.",
        "change_of_mind",
        DAY_8_MIDNIGHT,
        outcome="deny",
        fired={"change-of-mind-window": "deny"},
    ),
    Case(
        "the local date decides: 21:59 UTC is 23:59 in Johannesburg",
        "within 7 calendar days from the date of service undertaking",
        "change_of_mind",
        "2024-11-11T21:59:59+00:00",
        refund="800.00",
        fee="200.00",
    ),
    Case(
        "a forged early Date header changes nothing: the server received it late",
        "it must be received by our Accounts department within 7 calendar days",
        "change_of_mind",
        "2024-11-20T09:00:00+02:00",
        outcome="deny",
    ),
    Case(
        "part of a package",
        "cannot be granted if the service was part of a larger solution package",
        "change_of_mind",
        DAY_7_LAST_MINUTE,
        facts={"is_package": "true"},
        outcome="deny",
        fired={"change-of-mind-not-a-package": "deny"},
    ),
    Case(
        "not one of the listed single services",
        "Change of Mind refunds apply only to single services (Web Design, ...)",
        "change_of_mind",
        DAY_7_LAST_MINUTE,
        facts={"service_type": "seo"},
        outcome="deny",
        fired={"change-of-mind-single-service": "deny"},
    ),
    Case(
        "web-based service without a URL",
        "we require that you supply the URL of where the service was in use",
        "change_of_mind",
        DAY_7_LAST_MINUTE,
        facts={"web_based": "true"},
        outcome="needs_info",
        missing=("url",),
    ),
    Case(
        "web-based service with its URL",
        "we require that you supply the URL of where the service was in use",
        "change_of_mind",
        DAY_7_LAST_MINUTE,
        facts={"web_based": "true"},
        urls=("https://client.example/shop",),
        refund="800.00",
        fee="200.00",
    ),
    Case(
        "prorated by time spent, then the 20% processing fee",
        "Any refund will be prorated based on services already rendered and time spent",
        "change_of_mind",
        DAY_7_LAST_MINUTE,
        facts={"hours_worked": "3"},
        refund="560.00",
        fee="140.00",
    ),
    Case(
        "significant work already done: may be denied, so staff judge",
        "If a service was partially completed or significant time was spent, ... may be denied.",
        "change_of_mind",
        DAY_7_LAST_MINUTE,
        facts={"delivery_status": "in_progress"},
        refund="800.00",
        fee="200.00",
        fired={"change-of-mind-substantial-use": "review"},
    ),
    Case(
        "graphic design already sent to print",
        "Once the project has been printed or submitted for print ..., no refunds",
        "dissatisfied",
        DAY_8_MIDNIGHT,
        facts={"printing_started": "true"},
        outcome="deny",
        fired={"graphic-design-printed": "deny"},
    ),
    Case(
        "graphic design approved by the client",
        "never gave explicit approval of the submission",
        "dissatisfied",
        DAY_8_MIDNIGHT,
        facts={"final_approval_given": "true"},
        outcome="deny",
        fired={"graphic-design-approved": "deny", "final-approval": "deny"},
    ),
    Case(
        "dissatisfied with a graphic design never approved: possible, with the 20% fee",
        "Refunds may only be granted if the client was dissatisfied with the final design",
        "dissatisfied",
        DAY_8_MIDNIGHT,
        refund="800.00",
        fee="200.00",
        fired={"graphic-design-dissatisfied": "review"},
    ),
    Case(
        "approved design not rendered as agreed: the exception goes to staff",
        "unless the service was not rendered as per the agreed terms",
        "not_as_described",
        DAY_8_MIDNIGHT,
        facts={"final_approval_given": "true"},
        refund="800.00",
        fee="200.00",
        fired={"final-approval-agreed-terms": "review"},
    ),
    Case(
        "web design once work has commenced",
        "no refunds will be considered for web design services once work has commenced",
        "change_of_mind",
        DAY_7_LAST_MINUTE,
        facts={"service_type": "web_design", "work_commenced": "true"},
        outcome="deny",
        fired={"web-design-commenced": "deny"},
    ),
    Case(
        "intellectual property created",
        "If any Intellectual Property (IP) has been developed, deployed, or created",
        "change_of_mind",
        DAY_7_LAST_MINUTE,
        facts={"ip_created": "true"},
        outcome="deny",
        fired={"ip-created": "deny"},
    ),
    Case(
        "distributed on P2P sites",
        "If the purchaser has distributed the product on peer-to-peer (P2P) ...",
        "dissatisfied",
        DAY_7_LAST_MINUTE,
        facts={"p2p_distributed": "true"},
        outcome="deny",
        fired={"p2p-distribution": "deny"},
    ),
    Case(
        "after a failed chargeback",
        "If the purchaser has attempted a chargeback and the chargeback was unsuccessful.",
        "dissatisfied",
        DAY_7_LAST_MINUTE,
        facts={"chargeback_failed": "true"},
        outcome="deny",
        fired={"failed-chargeback": "deny"},
    ),
    Case(
        "no record of whether IP was created: staff check, never a guess",
        "Refunds will not be provided under the following circumstances",
        "change_of_mind",
        DAY_7_LAST_MINUTE,
        facts={"ip_created": ""},
        refund="800.00",
        fee="200.00",
        fired={"ip-created": "review"},
    ),
    Case(
        "monthly maintenance: 50% of the unused portion",
        "A refund will be issued for 50% of the unused portion based on the total amount paid",
        "cancel_recurring",
        DAY_8_MIDNIGHT,
        facts={"service_type": "monthly_maintenance", "hours_worked": "10", "hours_included": "40"},
        outcome="approve",
        refund="375.00",
        fee="375.00",
        fired={"maintenance-unused-portion": "approve"},
    ),
    Case(
        "SEO plan after services were rendered",
        "they are not eligible for a refund if digital services have already been rendered",
        "cancel_recurring",
        DAY_8_MIDNIGHT,
        facts={"service_type": "seo", "services_rendered": "true"},
        outcome="deny",
    ),
    Case(
        "SEO plan before any service: the policy names no amount, so staff decide",
        "Monthly Search Engine Optimization (SEO) plans may also be canceled at any time",
        "cancel_recurring",
        DAY_8_MIDNIGHT,
        facts={"service_type": "seo"},
        refund="1000.00",
        fee="0.00",
        fired={"seo-services-rendered": "review"},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_kreatorz(case: Case):
    the_order = order(order_id="K-1001", amount="1000.00", currency="ZAR", **(CLEAN | case.facts))
    the_request = request(case.received, case.reason, refs=("K-1001",), urls=case.urls)
    decision = decide(the_request, [the_order], POLICY)
    assert decision.outcome == case.outcome, decision.trace
    assert (money(decision.refund_amount), money(decision.fee)) == (case.refund, case.fee)
    assert decision.missing == case.missing
    assert case.fired.items() <= effects(decision).items()
    assert len(decision.trace) == len(POLICY.rules)
    assert (decision.policy_name, decision.policy_version) == ("kreatorz", "2024-11-11")


def test_maintenance_settlement_adds_up():
    facts = CLEAN | {
        "service_type": "monthly_maintenance",
        "hours_worked": "10",
        "hours_included": "40",
    }
    decision = decide(
        request(DAY_8_MIDNIGHT, "cancel_recurring", refs=("A-1",)),
        [order(amount="1000.00", **facts)],
        POLICY,
    )
    assert decision.considered_amount == 750
    assert decision.fee + decision.refund_amount == decision.considered_amount


def test_answer_by_skips_the_day_of_reconciliation():
    # Received Friday 13 December 2024; Monday 16th is a South African public holiday.
    decision = decide(request("2024-12-13T09:00:00+02:00", "other"), [order(**CLEAN)], POLICY)
    assert decision.response_deadline.isoformat() == "2024-12-19"
