"""The French non-tangible goods policy: 7-day claim windows, evidence, recurring payments."""

from dataclasses import dataclass, field

import pytest

from decisions import decide
from tests.decisions.decision_builders import effects, money, order, request, shipped

POLICY = shipped("french-saas")
# Ordered on Monday 25 March 2024 at 12:00 in Paris; DST starts on Sunday 31 March.
ORDERED = "2024-03-25T12:00:00+01:00"
RECURRING = {
    "recurring": "true",
    "last_payment_at": "2024-10-21T09:00",
    "last_payment_amount": "29.90",
}


@dataclass
class Case:
    name: str
    says: str
    reason: str
    received: str
    facts: dict[str, str] = field(default_factory=dict)
    attachments: int = 0
    outcome: str = "review"
    refund: str | None = None
    missing: tuple[str, ...] = ()
    fired: dict[str, str] = field(default_factory=dict)


CASES = [
    Case(
        "non-delivery claimed on day 7 at 23:59, after the DST change",
        "Les réclamations pour non-livraison ... dans les 7 jours suivant la commande.",
        "non_delivery",
        "2024-04-01T23:59:00+02:00",
        refund="49.00",
        fired={"non-delivery-window": "review"},
    ),
    Case(
        "non-delivery claimed at 00:00 on day 8",
        "dans les 7 jours suivant la commande",
        "non_delivery",
        "2024-04-02T00:00:00+02:00",
        outcome="deny",
        fired={"non-delivery-window": "deny"},
    ),
    Case(
        "the same boundary in UTC: 22:00 UTC is already midnight in Paris in summer",
        "dans les 7 jours suivant la commande",
        "non_delivery",
        "2024-04-01T22:00:00+00:00",
        outcome="deny",
    ),
    Case(
        "not as described, in time, without evidence",
        "Des preuves claires doivent être fournies",
        "not_as_described",
        "2024-03-28T10:00:00+01:00",
        outcome="needs_info",
        missing=("evidence",),
    ),
    Case(
        "not as described, in time, with an attachment: staff weigh the evidence",
        "Les réclamations basées uniquement sur les fausses attentes ... ne sont pas honorées.",
        "not_as_described",
        "2024-03-28T10:00:00+01:00",
        attachments=1,
        refund="49.00",
        fired={"not-as-described-expectations": "review"},
    ),
    Case(
        "not as described, late and without evidence: late wins",
        "ces problèmes doivent être signalés ... dans les 7 jours suivant la date d'achat",
        "not_as_described",
        "2024-04-05T10:00:00+02:00",
        outcome="deny",
    ),
    Case(
        "recurring payment cancelled on day 7 after the last payment, across the DST change",
        "s’applique dans les jours 7 suivant le dernier paiement",
        "cancel_recurring",
        "2024-10-28T23:59:00+01:00",
        facts=RECURRING,
        outcome="approve",
        refund="29.90",
        fired={"recurring-within-7-days": "approve"},
    ),
    Case(
        "recurring payment cancelled on day 8: no refund, future billing cancelled",
        "après les jours 7, le client n'est pas éligible",
        "cancel_recurring",
        "2024-10-29T00:00:00+01:00",
        facts=RECURRING,
        outcome="deny",
        fired={"recurring-after-7-days": "deny"},
    ),
    Case(
        "recurring payment without a recorded amount: staff check, never a guess",
        "s’applique dans les jours 7 suivant le dernier paiement",
        "cancel_recurring",
        "2024-10-22T10:00:00+02:00",
        facts=RECURRING | {"last_payment_amount": ""},
        fired={"recurring-last-payment": "review"},
    ),
    Case(
        "a cancellation on an order that is not recurring: no clause grants it",
        "Le client souhaite annuler le paiement récurrent",
        "cancel_recurring",
        "2024-03-26T10:00:00+01:00",
        facts={"recurring": "false"},
        refund="49.00",
    ),
    Case(
        "change of mind on irrevocable goods",
        "Nous proposons des biens irrévocables non tangibles.",
        "change_of_mind",
        "2024-03-26T10:00:00+01:00",
        refund="49.00",
        fired={"irrevocable-goods": "review"},
    ),
    Case(
        "not satisfied: we will find a solution",
        "nous trouverons une solution à vos préoccupations",
        "dissatisfied",
        "2024-03-26T10:00:00+01:00",
        refund="49.00",
        fired={"dissatisfied-solution": "review"},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_french_saas(case: Case):
    the_order = order(amount="49.00", currency="EUR", ordered_at=ORDERED, **case.facts)
    the_request = request(
        case.received, case.reason, language="fr", attachment_count=case.attachments
    )
    decision = decide(the_request, [the_order], POLICY)
    assert decision.outcome == case.outcome, decision.trace
    assert money(decision.refund_amount) == case.refund
    assert decision.missing == case.missing
    assert case.fired.items() <= effects(decision).items()


def test_no_grant_note_on_a_cancellation_of_a_one_off_order():
    the_order = order(amount="49.00", currency="EUR", ordered_at=ORDERED, recurring="false")
    decision = decide(request("2024-03-26T10:00:00+01:00", "cancel_recurring"), [the_order], POLICY)
    assert "No rule of this policy grants a refund" in decision.note


def test_answers_within_two_business_days_skipping_may_day():
    the_order = order(amount="49.00", currency="EUR", ordered_at=ORDERED)
    decision = decide(request("2024-04-30T18:00:00+02:00", "other"), [the_order], POLICY)
    assert decision.response_deadline.isoformat() == "2024-05-03"
