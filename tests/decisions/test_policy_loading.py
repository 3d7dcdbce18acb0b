"""Loading policies: a bad policy is refused with every error, each naming its line and key."""

import json
from datetime import date

import pytest

from decisions import PolicyError, load_policy
from tests.decisions.decision_builders import shipped

GOOD = """\
[policy]
name = "shop"
version = "3"
effective_date = 2024-11-11
timezone = "Europe/Paris"
holiday_country = "FR"
response_business_days = 2
channel = "refunds@example.com"

[facts]
service_started_at = "datetime"
is_package = "bool"

[[rules]]
id = "window"
kind = "window"
anchor = "service_started_at"
days = 7
effect = "approve"
otherwise = "deny"
clause = "within 7 calendar days"

[[rules]]
id = "package"
kind = "fact"
fact = "is_package"
effect = "deny"
clause = "not part of a package"
"""


def errors_of(text: str) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        load_policy(text, "policies/shop.toml")
    assert str(caught.value) == "\n".join(caught.value.errors)
    return caught.value.errors


def test_a_good_policy_loads_with_its_settings():
    policy = load_policy(GOOD, "policies/shop.toml")
    assert (policy.name, policy.version, policy.effective_date) == ("shop", "3", date(2024, 11, 11))
    assert policy.language == "en" and policy.ack_hours is None
    assert [rule.id for rule in policy.rules] == ["window", "package"]
    assert policy.facts["is_package"] == "bool"
    json.dumps(policy.to_dict())


def test_unknown_fact_names_line_and_key():
    text = GOOD.replace('anchor = "service_started_at"', 'anchor = "service_start"')
    assert errors_of(text) == [
        (
            "policies/shop.toml:17: rules[0].anchor: "
            "unknown fact 'service_start' (declare it under [facts])"
        )
    ]


def test_bad_date_names_line_and_key():
    text = GOOD.replace("effective_date = 2024-11-11", 'effective_date = "2024-02-30"')
    assert errors_of(text) == [
        "policies/shop.toml:4: policy.effective_date: not a date (YYYY-MM-DD): '2024-02-30'"
    ]


def test_bad_toml_date_literal_names_line_and_key():
    text = GOOD.replace("effective_date = 2024-11-11", "effective_date = 2024-02-30")
    assert errors_of(text) == [
        (
            "policies/shop.toml:4: policy.effective_date: invalid TOML: "
            "Invalid date or datetime (column 18)"
        )
    ]


def test_rule_without_clause_names_the_rule():
    text = GOOD.replace('clause = "not part of a package"\n', "")
    assert errors_of(text) == ["policies/shop.toml:23: rules[1].clause: missing"]


def test_every_error_is_reported_in_line_order():
    text = (
        GOOD.replace('timezone = "Europe/Paris"', 'timezone = "Europe/Atlantis"')
        .replace('holiday_country = "FR"', 'holiday_country = "XX"')
        .replace('is_package = "bool"', 'is_package = "boolean"')
        .replace('kind = "window"', 'kind = "windoe"')
        .replace('effect = "deny"', 'efect = "deny"')
    )
    errors = errors_of(text)
    assert [error.split(": ")[0:2] for error in errors] == [
        ["policies/shop.toml:5", "policy.timezone"],
        ["policies/shop.toml:6", "policy.holiday_country"],
        ["policies/shop.toml:12", "facts.is_package"],
        ["policies/shop.toml:16", "rules[0].kind"],
        # The fact whose type was wrong is not declared, so the rule reading it says so too.
        ["policies/shop.toml:26", "rules[1].fact"],
        ["policies/shop.toml:27", "rules[1].efect"],
    ]


@pytest.mark.parametrize(
    "change, expected",
    [
        (('effect = "approve"', 'effect = "refund"'), ":19: rules[0].effect: expected one of"),
        (("days = 7", "days = -1"), ":18: rules[0].days: expected an integer >= 0"),
        (
            ("days = 7", 'days = 7\ndays_fact = "is_package"'),
            ":19: rules[0].days_fact: fact 'is_package' is bool",
        ),
        (('id = "package"', 'id = "window"'), ":24: rules[1].id: duplicate id 'window'"),
        (('id = "package"', 'id = "Package Rule"'), ":24: rules[1].id: rule ids are lower-case"),
        (
            ('effect = "deny"', 'effect = "needs_info"'),
            ":23: rules[1].missing: a rule that can ask",
        ),
        (
            ('fact = "is_package"', 'fact = "is_package"\nequals = ["maybe"]'),
            ":27: rules[1].equals: a yes/no fact",
        ),
        (('version = "3"', "version = 3"), ":3: policy.version: expected non-empty text"),
        (
            ('channel = "refunds@example.com"', 'channel = "refunds"'),
            ":8: policy.channel: expected an email",
        ),
        (
            ("response_business_days = 2", "response_business_days = true"),
            ":7: policy.response_business_days",
        ),
        (
            (
                'service_started_at = "datetime"',
                'service_started_at = "datetime"\nordered_at = "date"',
            ),
            ":12: facts.ordered_at: reserved",
        ),
        (("[policy]", 'colour = "red"\n[policy]'), ":1: colour: unknown key"),
    ],
)
def test_each_mistake_names_its_line_and_key(change, expected):
    errors = errors_of(GOOD.replace(*change))
    assert any(expected in error for error in errors), errors


def test_conditions_must_name_declared_yes_no_or_text_facts():
    text = GOOD.replace(
        'kind = "fact"\n', 'kind = "fact"\nwhen = { reason = ["whim"], size = ["big"] }\n'
    )
    errors = errors_of(text)
    assert "policies/shop.toml:26: rules[1].when.reason: reasons must be among" in errors[0]
    assert "rules[1].when.size: unknown fact 'size'" in errors[1]


def test_lookup_result_is_a_fact_for_later_rules_only():
    lookup = """
[[rules]]
id = "table"
kind = "lookup"
fact = "product"
sets = "letter"
clause = "the table"
[rules.table]
"Printing" = "Policy C"
"""
    uses_letter = """
[[rules]]
id = "letter-c"
kind = "always"
when = { letter = ["Policy C"] }
effect = "review"
clause = "Policy C"
"""
    base = GOOD.replace('is_package = "bool"', 'is_package = "bool"\nproduct = "text"')
    load_policy(base + lookup + uses_letter, "policies/shop.toml")
    errors = errors_of(base + uses_letter + lookup)
    assert "rules[2].when.letter: unknown fact 'letter'" in errors[0]


def test_a_policy_needs_rules_and_settings():
    assert errors_of("") == [
        "policies/shop.toml:1: policy: missing the [policy] table",
        "policies/shop.toml:1: rules: expected at least one [[rules]] table",
    ]


@pytest.mark.parametrize("name", ["kreatorz", "cafe24-experts", "french-saas", "marketplace"])
def test_shipped_policies_load(name):
    policy = shipped(name)
    assert policy.name == name
    assert all(rule.clause for rule in policy.rules)
    json.dumps(policy.to_dict())


def test_french_policy_replies_in_french_and_acknowledges_within_48_hours():
    policy = shipped("french-saas")
    assert (policy.language, policy.ack_hours, policy.timezone) == ("fr", 48, "Europe/Paris")
