"""The authoring checks of `policy check`, each on a small policy with one mistake, located by line."""

import pytest

from decisions import PolicyError, load_policy
from decisions.lint import lint, located
from tests.decisions.small_policy import small_policy

HEADER = small_policy("""
product = { type = "text", values = ["digital", "physical"] }
opened = "bool"
delivered_at = "datetime"
""")

WINDOW = """
[[rules]]
id = "window"
kind = "window"
when = { product = ["physical"] }
anchor = "delivered_at"
days = 14
otherwise = "deny"
clause = "Returns within 14 days of delivery."
"""

OPENED = """
[[rules]]
id = "opened"
kind = "fact"
fact = "opened"
effect = "deny"
clause = "Opened items are not refunded."
"""

# Digital goods are refused whatever else holds: a later rule about them changes nothing.
DIGITAL_FINAL = """
[[rules]]
id = "digital-final"
kind = "always"
when = { product = ["digital"] }
effect = "deny"
clause = "Digital goods are final."
"""


def mistakes(rules: str) -> list[str]:
    text = HEADER + rules
    return located(lint(load_policy(text, "shop.toml")), text, "shop.toml")


def line_of(rules: str, fragment: str) -> int:
    return (HEADER + rules).splitlines().index(fragment) + 1


def test_a_clean_policy_has_no_mistakes():
    assert mistakes(WINDOW + OPENED) == []


@pytest.mark.parametrize(("when", "expected"), [
    ('when = { product = ["subscription"] }',
     "rules[2].when.product: can never hold: product is never 'subscription' (it is one of: digital, physical)"),
    ('when = { product = ["Digital", "subscription"] }',
     "rules[2].when.product: 'subscription' is not a value of product (it is one of: digital, physical)"),
])
def test_a_when_outside_the_declared_values(when, expected):
    rules = WINDOW + OPENED + f"""
[[rules]]
id = "digital"
kind = "always"
{when}
effect = "review"
clause = "Digital goods are reviewed."
"""
    assert mistakes(rules) == [f"shop.toml:{line_of(rules, when)}: {expected}"]


def test_a_when_on_a_lookup_result_the_table_never_sets():
    rules = WINDOW + OPENED + """
[[rules]]
id = "letter"
kind = "lookup"
fact = "product"
sets = "letter"
clause = "Each product has a letter."
[rules.table]
digital = "A"
physical = "B"

[[rules]]
id = "letter-c"
kind = "always"
when = { letter = ["C"] }
effect = "deny"
clause = "Letter C is never refunded."
"""
    found = mistakes(rules)
    line = line_of(rules, 'when = { letter = ["C"] }')
    assert found == [f"shop.toml:{line}: rules[3].when.letter: can never hold: letter is never 'C' (it is one of: A, B)"]


def test_a_fact_rule_that_can_never_match():
    rules = WINDOW + OPENED + """
[[rules]]
id = "kind"
kind = "fact"
fact = "product"
equals = ["gift card"]
effect = "deny"
clause = "Gift cards are final."
"""
    line = line_of(rules, 'equals = ["gift card"]')
    assert mistakes(rules) == [
        f"shop.toml:{line}: rules[2].equals: can never match: product is never 'gift_card' "
        "(it is one of: digital, physical)"]


def test_a_rule_an_earlier_rule_always_overrides():
    rules = WINDOW + OPENED + DIGITAL_FINAL + """
[[rules]]
id = "digital-opened"
kind = "fact"
when = { product = ["digital"], opened = ["true"] }
fact = "opened"
effect = "review"
clause = "Opened digital goods are reviewed."
"""
    line = line_of(rules, 'id = "digital-opened"') - 1
    assert mistakes(rules) == [
        f"shop.toml:{line}: rules[3]: rule 'digital-opened' never changes the outcome: rules[2] "
        "'digital-final' always applies when it does and its effect (deny) is stronger"]


@pytest.mark.parametrize("later_when", [
    'when = { product = ["physical"] }',  # applies where the earlier one does not
    "",  # applies more widely than the earlier one
])
def test_no_override_when_the_earlier_rule_does_not_cover_the_later(later_when):
    rules = WINDOW + OPENED + DIGITAL_FINAL + f"""
[[rules]]
id = "later"
kind = "always"
{later_when}
effect = "review"
clause = "Staff look."
"""
    assert mistakes(rules) == []


def test_an_equal_effect_is_not_an_override():
    rules = WINDOW + OPENED + """
[[rules]]
id = "digital-review"
kind = "always"
when = { product = ["digital"] }
effect = "review"
clause = "Digital goods are reviewed."

[[rules]]
id = "digital-opened"
kind = "fact"
when = { product = ["digital"] }
fact = "opened"
effect = "review"
clause = "Opened digital goods are reviewed."
"""
    assert mistakes(rules) == []


def test_a_declared_fact_no_rule_reads():
    line = line_of(WINDOW, 'opened = "bool"')
    assert mistakes(WINDOW) == [f"shop.toml:{line}: facts.opened: fact 'opened' is declared but no rule reads it"]


def test_two_rules_with_the_same_conditions_and_opposite_effects():
    rules = WINDOW + OPENED + """
[[rules]]
id = "opened-ok"
kind = "fact"
fact = "opened"
effect = "approve"
clause = "Opened items are refunded."
"""
    line = line_of(rules, 'id = "opened-ok"') - 1
    assert mistakes(rules) == [
        f"shop.toml:{line}: rules[2]: same conditions and check as rules[1] 'opened', with the opposite effect"]


def test_a_window_and_its_closing_rule_are_not_opposite():
    """`effect = approve` on a hit and `otherwise = deny` on a miss of one window agree."""
    rules = OPENED + """
[[rules]]
id = "in-time"
kind = "window"
when = { product = ["physical"] }
anchor = "delivered_at"
days = 14
effect = "approve"
clause = "Returns within 14 days of delivery."

[[rules]]
id = "late"
kind = "window"
when = { product = ["physical"] }
anchor = "delivered_at"
days = 14
otherwise = "deny"
clause = "Returns within 14 days of delivery."
"""
    assert mistakes(rules) == []


def test_a_window_anchored_on_a_fact_that_is_not_a_date_is_refused_with_its_line():
    rules = OPENED + """
[[rules]]
id = "window"
kind = "window"
anchor = "product"
days = 14
clause = "Returns within 14 days."
"""
    with pytest.raises(PolicyError) as refused:
        load_policy(HEADER + rules, "shop.toml")
    line = line_of(rules, 'anchor = "product"')
    assert refused.value.errors == [
        f"shop.toml:{line}: rules[1].anchor: fact 'product' is text; this needs datetime or date"]


def test_a_reason_outside_the_known_reasons_is_refused_with_its_line():
    rules = WINDOW + OPENED.replace('fact = "opened"', 'when = { reason = ["changed_mind"] }\nfact = "opened"')
    with pytest.raises(PolicyError) as refused:
        load_policy(HEADER + rules, "shop.toml")
    [error] = refused.value.errors
    line = line_of(rules, 'when = { reason = ["changed_mind"] }')
    assert error.startswith(f"shop.toml:{line}: rules[1].when.reason: reasons must be among change_of_mind")
