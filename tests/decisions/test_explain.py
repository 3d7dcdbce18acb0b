"""Explanations: plain words for staff, citing the clauses that decided."""

from decisions import decide, explain
from tests.decisions.decision_builders import KREATORZ_FACTS, order, request, shipped

DAY_7_LAST_MINUTE = "2024-11-11T23:59:59+02:00"
DAY_8_MIDNIGHT = "2024-11-12T00:00:00+02:00"

KREATORZ = shipped("kreatorz")


def explained(received: str, reason: str, **facts: str) -> str:
    decision = decide(request(received, reason), [order(**(KREATORZ_FACTS | facts))], KREATORZ)
    return explain(decision)


def test_review_names_the_proposed_amount_and_quotes_the_deciding_clauses():
    text = explained(DAY_7_LAST_MINUTE, "change_of_mind", hours_worked="3")
    assert text.startswith(
        "Outcome: staff review (discretion): proposed refund 560.00 ZAR "
        "(fee 140.00 of 700.00 considered).\n"
        "Order A-1; policy kreatorz version 2024-11-11; answer by 2024-11-14.\n"
    )
    assert "- change-of-mind-discretion: sends to staff review: applies to this request." in text
    assert (
        '"Change of Mind refund requests are granted at the Sole Discretion of the designer' in text
    )
    assert "- change-of-mind-proration: 0.7000 of the amount stays refundable." in text
    assert "Fees restated in several clauses are one fee" in text
    assert (
        "- p2p-distribution: the order's record does not match (p2p_distributed = false)." in text
    )


def test_denial_says_which_day_was_the_last():
    text = explained(DAY_8_MIDNIGHT, "change_of_mind")
    assert text.startswith("Outcome: deny.\n")
    assert (
        "- change-of-mind-window: denies: received 2024-11-12T00:00:00+02:00, "
        "after the last day, 2024-11-11." in text
    )


def test_unknown_facts_are_named():
    text = explained(DAY_7_LAST_MINUTE, "change_of_mind", ip_created="")
    assert "- ip-created: sends to staff review: not known: ip_created." in text


def test_missing_information_is_listed_in_words():
    text = explained(DAY_7_LAST_MINUTE, "change_of_mind", web_based="true")
    assert "Outcome: ask the customer for more information.\n" in text
    assert "Missing: the URL where the service was in use." in text


def test_a_request_not_matched_to_its_customer_runs_no_rule():
    decision = decide(
        request(DAY_7_LAST_MINUTE, "other", sender="eve@example.net"), [order()], KREATORZ
    )
    text = explain(decision)
    assert "Missing: proof that the customer is the one asking." in text
    assert "Note: The sender is not the customer on the matched order." in text
    assert "No rule was run" in text


def test_cut_off_source_is_explained():
    decision = decide(
        request("2024-03-11T00:00:00+09:00", "other"),
        [order(currency="KRW", amount="1000000", product_type="Copy writing")],
        shipped("cafe24-experts"),
    )
    text = explain(decision)
    assert "Note: The source's Policy B cell is cut off" in text
    assert "refund_policy = Policy B (Creative)" in text
