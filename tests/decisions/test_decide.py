"""Deciding in general: order matching, identity, outcome precedence, unknown facts, JSON."""

import json
from dataclasses import fields, replace

import pytest

from decisions import RequestFacts, decide, load_policy
from decisions.policy import PolicyError
from tests.decisions.decision_builders import CUSTOMER, at, effects, order, request

POLICY_TEXT = """
[policy]
name = "test-shop"
version = "7"
effective_date = 2024-01-01
timezone = "Africa/Johannesburg"
holiday_country = "ZA"
response_business_days = 3
channel = "refunds@example.com"

[facts]
started_at = "datetime"
is_package = "bool"
hours_used = "decimal"
hours_total = "decimal"
timezone = "text"

[[rules]]
id = "window"
kind = "window"
anchor = "started_at"
days = 7
effect = "approve"
otherwise = "deny"
clause = "within 7 calendar days of the start"

[[rules]]
id = "package"
kind = "fact"
fact = "is_package"
effect = "deny"
clause = "not for packages"

[[rules]]
id = "url"
kind = "evidence"
when = { reason = ["change_of_mind"] }
requires = "url"
otherwise = "needs_info"
clause = "send the URL"

[[rules]]
id = "proration"
kind = "prorate"
used = "hours_used"
total = "hours_total"
clause = "prorated by hours"

[[rules]]
id = "fee"
kind = "withhold"
percent = 10
clause = "a 10% fee"
"""
POLICY = load_policy(POLICY_TEXT, "test-shop.toml")
FACTS = {
    "started_at": "2024-11-04T10:00",
    "is_package": "false",
    "hours_used": "2",
    "hours_total": "8",
}
IN_TIME = "2024-11-11T23:59:00+02:00"
LATE = "2024-11-12T00:00:00+02:00"


def test_approves_with_prorated_amount_and_fee():
    decision = decide(request(IN_TIME, "dissatisfied"), [order(**FACTS)], POLICY)
    assert decision.outcome == "approve"
    assert (decision.considered_amount, decision.fee, decision.refund_amount) == (
        750,
        75,
        675,
    )
    assert str(decision.refund_amount) == "675.00"
    assert [r.verdict for r in decision.trace] == ["hit", "miss", "skipped", "hit", "hit"]
    assert decision.trace[0].facts == {
        "started_at": "2024-11-04T10:00",
        "received_at": "2024-11-11T23:59:00+02:00",
        "last_day": "2024-11-11",
    }


def test_deny_wins_over_missing_information():
    decision = decide(request(LATE, "change_of_mind"), [order(**FACTS)], POLICY)
    assert decision.outcome == "deny"
    assert decision.missing == ()
    assert decision.refund_amount is None
    assert effects(decision) == {"window": "deny", "url": "needs_info"}


def test_missing_url_is_asked_for():
    decision = decide(request(IN_TIME, "change_of_mind"), [order(**FACTS)], POLICY)
    assert (decision.outcome, decision.missing) == ("needs_info", ("url",))
    with_url = request(IN_TIME, "change_of_mind", urls=("https://shop.example/",))
    assert decide(with_url, [order(**FACTS)], POLICY).outcome == "approve"


@pytest.mark.parametrize("fact, value", [("is_package", ""), ("is_package", "maybe")])
def test_unknown_or_unreadable_fact_goes_to_review_never_a_guess(fact, value):
    decision = decide(request(IN_TIME, "other"), [order(**(FACTS | {fact: value}))], POLICY)
    assert decision.outcome == "review"
    package = decision.trace[1]
    assert package.verdict == "unknown"
    assert package.code == ("fact_unknown" if value == "" else "fact_invalid")


def test_unknown_amount_fact_leaves_the_amount_unknown():
    decision = decide(request(IN_TIME, "other"), [order(**(FACTS | {"hours_total": ""}))], POLICY)
    assert decision.outcome == "review"
    assert (decision.refund_amount, decision.fee, decision.considered_amount) == (None, None, None)


def test_used_beyond_total_refunds_nothing_rather_than_a_negative_amount():
    decision = decide(request(IN_TIME, "other"), [order(**(FACTS | {"hours_used": "12"}))], POLICY)
    assert (str(decision.refund_amount), str(decision.fee)) == ("0.00", "0.00")


def test_the_orders_own_time_zone_moves_the_boundary():
    # 00:30 in Johannesburg is still 23:30 the day before in London.
    london = order(**(FACTS | {"timezone": "Europe/London", "started_at": "2024-11-04T10:00"}))
    decision = decide(request("2024-11-12T00:30:00+02:00", "other"), [london], POLICY)
    assert decision.outcome == "approve"
    assert decision.trace[0].facts["received_at"] == "2024-11-11T22:30:00+00:00"


def test_an_order_with_a_made_up_time_zone_is_reviewed():
    decision = decide(
        request(IN_TIME, "other"), [order(**(FACTS | {"timezone": "Mars/Base"}))], POLICY
    )
    assert decision.outcome == "review"
    assert decision.trace[0].code == "fact_invalid"


POLICY_TEXT_WITHOUT_GRANT = """
[policy]
name = "no-grant"
version = "1"
effective_date = 2024-01-01
timezone = "UTC"
holiday_country = "GB"
response_business_days = 1
channel = "refunds@example.com"

[facts]
is_package = "bool"

[[rules]]
id = "package"
kind = "fact"
fact = "is_package"
effect = "deny"
clause = "not for packages"
"""


def test_no_rule_granting_means_review_with_a_note():
    no_window = load_policy(POLICY_TEXT_WITHOUT_GRANT, "no-grant.toml")
    decision = decide(request(IN_TIME, "other"), [order(**FACTS)], no_window)
    assert decision.outcome == "review"
    assert "No rule of this policy grants a refund" in decision.note


# --- Matching the request to its order, and who is asking.


def other_order(order_id="A-2", email=CUSTOMER):
    return order(order_id=order_id, email=email, **FACTS)


@pytest.mark.parametrize(
    "refs, orders, outcome, order_id, missing",
    [
        (("A-1",), [order(**FACTS), other_order()], "approve", "A-1", ()),
        (("#a-1",), [order(**FACTS)], "approve", "A-1", ()),  # case and '#' do not matter
        ((), [order(**FACTS)], "approve", "A-1", ()),  # the sender's only order
        (("Z-9",), [order(**FACTS)], "approve", "A-1", ()),  # unknown ref, only order
        ((), [order(**FACTS), other_order()], "needs_info", None, ("order_reference",)),
        (("A-1", "A-2"), [order(**FACTS), other_order()], "needs_info", None, ("order_reference",)),
        ((), [], "needs_info", None, ("order_reference",)),
        # A reference to someone else's order: the sender is not that customer.
        (("A-2",), [other_order(email="bob@example.com")], "needs_info", "A-2", ("identity",)),
    ],
)
def test_order_matching(refs, orders, outcome, order_id, missing):
    decision = decide(request(IN_TIME, "other", refs=refs), orders, POLICY)
    assert (decision.outcome, decision.order_id, decision.missing) == (outcome, order_id, missing)


def test_sender_address_compares_without_case():
    shouting = request(IN_TIME, "other", sender="  ANN@Example.COM ")
    assert decide(shouting, [order(**FACTS)], POLICY).outcome == "approve"


def test_failed_authentication_asks_for_identity_and_runs_no_rule():
    forged = request(IN_TIME, "other", authentication="fail")
    decision = decide(forged, [order(**FACTS)], POLICY)
    assert (decision.outcome, decision.missing, decision.refund_amount) == (
        "needs_info",
        ("identity",),
        None,
    )
    assert {r.verdict for r in decision.trace} == {"skipped"}
    assert {r.code for r in decision.trace} == {"identity_unverified"}


@pytest.mark.parametrize("setting, authentication, held", [
    ("decide", "unknown", False),
    ("needs_info", "unknown", True),
    ("needs_info", "none", True),  # the older name of unknown
    ("needs_info", "pass", False),
])
def test_the_policy_may_ask_for_identity_when_our_server_gave_no_result(setting, authentication, held):
    policy = replace(POLICY, unknown_authentication=setting)
    decision = decide(request(IN_TIME, "other", authentication=authentication), [order(**FACTS)], policy)
    assert (decision.outcome == "needs_info" and decision.missing == ("identity",)) == held
    if held:
        assert {r.code for r in decision.trace} == {"identity_unverified"}


def test_unknown_authentication_is_read_from_the_policy_file():
    assert POLICY.unknown_authentication == "decide"
    with pytest.raises(PolicyError, match="unknown_authentication: expected one of decide, needs_info"):
        load_policy(POLICY_TEXT.replace('channel = "refunds@example.com"',
                                        'channel = "refunds@example.com"\nunknown_authentication = "maybe"'),
                    "test.toml")


def test_the_date_header_is_not_an_input():
    # The decision sees only the server's receipt time; a forged Date header cannot move it.
    assert "date" not in {field.name for field in fields(RequestFacts)}
    assert "received_at" in {field.name for field in fields(RequestFacts)}


@pytest.mark.parametrize(
    "change, message",
    [
        ({"received_at": at("2024-11-11T10:00:00+02:00").replace(tzinfo=None)}, "time zone"),
        ({"reason": "whim"}, "reason"),
        ({"authentication": "maybe"}, "authentication"),
    ],
)
def test_request_facts_refuse_nonsense(change, message):
    values = {"received_at": at(IN_TIME), "sender": CUSTOMER, "reason": "other"} | change
    with pytest.raises(ValueError, match=message):
        RequestFacts(**values)


def test_decision_to_dict_is_json_with_the_documented_keys():
    decision = decide(request(IN_TIME, "dissatisfied"), [order(**FACTS)], POLICY)
    data = json.loads(json.dumps(decision.to_dict()))
    assert {
        "outcome",
        "refund_amount",
        "currency",
        "fee",
        "reasons",
        "missing",
        "policy",
        "version",
        "response_deadline",
        "order_id",
    } <= set(data)
    assert (data["refund_amount"], data["fee"], data["currency"]) == ("675.00", "75.00", "ZAR")
    assert (data["policy"], data["version"], data["response_deadline"]) == (
        "test-shop",
        "7",
        "2024-11-14",
    )
    assert data["reasons"][0] == {
        "rule": "window",
        "clause": "within 7 calendar days of the start",
        "verdict": "hit",
        "code": "inside_window",
        "facts": decision.trace[0].facts,
        "effect": "approve",
        "note": None,
    }
    json.dumps(request(IN_TIME, "other").to_dict())
    json.dumps(order(**FACTS).to_dict())
