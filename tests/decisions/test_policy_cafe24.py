"""Cafe24 Experts: the category table, each policy letter's criterion, and the cut-off cells."""

from dataclasses import dataclass, field

import pytest

from decisions import decide
from tests.decisions.decision_builders import effects, money, order, request, shipped

POLICY = shipped("cafe24-experts")
RECEIVED = "2024-03-11T00:00:00+09:00"


@dataclass
class Case:
    name: str
    says: str
    facts: dict[str, str]
    outcome: str
    refund: str | None = None
    fee: str | None = None
    letter: str | None = None  # the policy letter the category table gives
    fired: dict[str, str] = field(default_factory=dict)
    reason: str = "other"


CASES = [
    Case(
        "reproducible work: the delivered share is not refunded",
        "refunds are not available for the portion ... corresponding to the deliverables provided",
        {
            "product_type": "Promotion",
            "billing_basis": "deliverables",
            "deliverables_provided": "2",
            "deliverables_ordered": "5",
        },
        "approve",
        "600000",
        "0",
        "Policy A (Creative)",
        {"creative-a-deliverables": "approve"},
    ),
    Case(
        "KRW has no minor unit: 4/7 of 1,000,000 rounds half-up to the won",
        "refunds are not available for the portion ... corresponding to the deliverables provided",
        {
            "product_type": "Online store development/redesign",
            "billing_basis": "deliverables",
            "deliverables_provided": "3",
            "deliverables_ordered": "7",
        },
        "approve",
        "571429",
        "0",
        "Policy A (Creative)",
    ),
    Case(
        "service-based work: the remaining time is refunded",
        "refunds will be calculated based on the remaining time in the project",
        {
            "product_type": "Website maintenance",
            "billing_basis": "time",
            "period_start": "2024-03-01T00:00",
            "period_end": "2024-03-31T00:00",
        },
        "approve",
        "666667",
        "0",
        "Policy A (Creative)",
        {"creative-a-remaining-time": "approve"},
    ),
    Case(
        "Policy A says nothing of work billed by tasks",
        "For work that is reproducible or replicable, ... For service-based work, ...",
        {"product_type": "Promotion", "billing_basis": "tasks"},
        "review",
        "1000000",
        "0",
        "Policy A (Creative)",
        {"creative-a-other-basis": "review"},
    ),
    Case(
        "copy writing is Policy B, whose criterion is cut off in the source",
        "1) For services billed based on the number of tasks completed:",
        {"product_type": "Copy writing"},
        "review",
        "1000000",
        "0",
        "Policy B (Creative)",
        {"creative-b-cut-off": "review"},
    ),
    Case(
        "printing has started",
        "No cancellations or refunds are available after the printing process has started",
        {"product_type": "Printing", "printing_started": "true"},
        "deny",
        letter="Policy C (Creative)",
        fired={"creative-c-printing-started": "deny"},
    ),
    Case(
        "printing not started: the source does not say what is refunded",
        "No cancellations or refunds are available after the printing process has started",
        {"product_type": "Printing", "printing_started": "false"},
        "review",
        "1000000",
        "0",
        "Policy C (Creative)",
    ),
    Case(
        "templates once files are provided",
        "No refunds ... for documentation or template services once PDFs ... are provided.",
        {"product_type": "Documentation, Templates", "files_delivered": "true"},
        "deny",
        letter="Policy D (Creative)",
    ),
    Case(
        "non-creative A keeps 20% of the total as contract fee",
        "Refunds are available, but 20% of the total amount (contract fee) is non-refundable.",
        {"product_type": "Photography, Videography"},
        "approve",
        "800000",
        "200000",
        "Policy A (Non-creative)",
        {"non-creative-a-contract-fee": "approve"},
    ),
    Case(
        "construction after work has begun",
        "No refunds are available after work has begun.",
        {"product_type": "Construction, Design", "work_commenced": "true"},
        "deny",
        letter="Policy B (Non-creative)",
    ),
    Case(
        "models are Non-creative D, whose criterion cell is empty",
        "D | (empty)",
        {"product_type": "Models"},
        "review",
        "1000000",
        "0",
        "Policy D (Non-creative)",
        {"non-creative-d-empty": "review"},
    ),
    Case(
        "the table matches whatever the case and spacing",
        "Category | Product type | Offerings | Cancellation and refund policy |",
        {"product_type": "  office   SUPPLIES "},
        "approve",
        "800000",
        "200000",
        "Policy A (Non-creative)",
    ),
    Case(
        "a product type the table does not list",
        "Category | Product type | Offerings | Cancellation and refund policy |",
        {"product_type": "Pet grooming"},
        "review",
        fired={"category-table": "review"},
    ),
    Case(
        "no product type on the order",
        "Category | Product type | Offerings | Cancellation and refund policy |",
        {},
        "review",
        fired={"category-table": "review"},
    ),
    Case(
        "a dispute: the partner and client first seek agreement",
        "The Partner and Client shall first attempt to reach an agreement on their own.",
        {"product_type": "Space rental"},
        "review",
        "800000",
        "200000",
        "Policy A (Non-creative)",
        {"dispute-mutual-agreement": "review"},
        reason="dispute",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_cafe24(case: Case):
    the_order = order(
        amount="1000000", currency="KRW", ordered_at="2024-03-01T00:00:00+09:00", **case.facts
    )
    decision = decide(request(RECEIVED, case.reason), [the_order], POLICY)
    assert decision.outcome == case.outcome, decision.trace
    assert (money(decision.refund_amount), money(decision.fee)) == (case.refund, case.fee)
    table = decision.trace[1]
    assert table.rule == "category-table"
    assert table.facts.get("refund_policy") == case.letter
    assert case.fired.items() <= effects(decision).items()


def test_remaining_time_counts_from_the_receipt():
    # 10 of 30 days gone when received at 00:00 on 11 March: 2/3 of 1,000,000 remain.
    facts = {
        "product_type": "Website maintenance",
        "billing_basis": "time",
        "period_start": "2024-03-01T00:00",
        "period_end": "2024-03-31T00:00",
    }
    decision = decide(
        request(RECEIVED, "other"), [order(amount="1000000", currency="KRW", **facts)], POLICY
    )
    assert decision.trace[3].facts["refundable_fraction"] == "0.6667"


def test_cafe24_answers_within_5_business_days_skipping_chuseok():
    # Received Friday 13 September 2024; 16-18 September are Chuseok holidays.
    decision = decide(
        request("2024-09-13T10:00:00+09:00", "dispute"),
        [order(currency="KRW", amount="1000")],
        POLICY,
    )
    assert decision.response_deadline.isoformat() == "2024-09-25"


def test_every_policy_letter_in_the_table_has_its_criterion_rule():
    table = next(rule for rule in POLICY.rules if rule.id == "category-table")
    letters = set(table.check.table.values())
    covered = {letter for rule in POLICY.rules for letter in rule.when.get("refund_policy", ())}
    assert letters <= covered
