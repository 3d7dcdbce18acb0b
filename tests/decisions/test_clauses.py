"""Every rule of a shipped policy quotes its seed verbatim."""

import re

import pytest

from tests.decisions.decision_builders import SEEDS, shipped

POLICIES = ["kreatorz", "cafe24-experts", "french-saas", "marketplace"]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize("name", POLICIES)
def test_each_clause_is_a_verbatim_quote_of_the_seed(name):
    policy = shipped(name)
    seed = SEEDS / policy.source
    if not seed.exists():
        pytest.skip(f"the seeds are not beside this checkout: {seed}")
    text = flat(seed.read_text(encoding="utf-8"))
    for rule in policy.rules:
        assert flat(rule.clause) in text, f"{rule.id}: clause not found in {policy.source}"


@pytest.mark.parametrize("rule_id", ["creative-b-cut-off", "non-creative-d-empty"])
def test_cut_off_and_empty_cells_go_to_staff_saying_why(rule_id):
    rule = next(rule for rule in shipped("cafe24-experts").rules if rule.id == rule_id)
    assert (rule.kind, rule.effect) == ("always", "review")
    assert "cut off" in rule.note or "empty" in rule.note
