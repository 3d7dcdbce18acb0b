"""`[[tests]]` inside a policy file: how they are read, run, compared field by field and covered."""

from decimal import Decimal

import pytest

from decisions import PolicyError, load_policy
from decisions.verify import run_tests
from tests.decisions.small_policy import FOURTEEN_DAYS, small_policy

POLICY = small_policy('delivered_at = "datetime"', FOURTEEN_DAYS + """
[[rules]]
id = "restocking"
kind = "withhold"
when = { reason = ["change_of_mind"] }
percent = 15
clause = "A 15% restocking fee applies."
""")

IN_TIME = """
[[tests]]
name = "in time"
reason = "change_of_mind"
received_at = 2024-03-29T10:00:00+01:00
[tests.order]
amount = "100.05"
currency = "EUR"
ordered_at = 2024-03-10T10:00:00+01:00
delivered_at = 2024-03-16T11:00:00+01:00
[tests.expect]
outcome = "approve"
refund = "85.04"
fee = "15.01"
hits = ["fourteen-days", "restocking"]
respond_by = 2024-04-03
"""

LATE = IN_TIME.replace('"in time"', '"late"').replace("2024-03-29T10", "2024-04-02T10").replace(
    'outcome = "approve"\nrefund = "85.04"\nfee = "15.01"\nhits = ["fourteen-days", "restocking"]\n'
    "respond_by = 2024-04-03",
    'outcome = "deny"\nrefund = "none"\nhits = ["restocking"]')

OTHER = ('\n[[tests]]\nname = "other"\nreason = "other"\nreceived_at = 2024-03-29T10:00:00+01:00\n'
         '[tests.order]\namount = "100.05"\ncurrency = "EUR"\nordered_at = 2024-03-10T10:00:00+01:00\n'
         '[tests.expect]\noutcome = "review"\nhits = []\n')


def results(text: str, classify=None):
    policy = load_policy(text, "shop.toml")
    return policy, *run_tests(policy, classify)


def test_passing_tests_and_full_coverage():
    policy, outcome, coverage = results(POLICY + IN_TIME + LATE + OTHER)
    assert [r.passed for r in outcome] == [True, True, True]
    headers = [n for n, row in enumerate((POLICY + IN_TIME + LATE + OTHER).splitlines(), 1) if row == "[[tests]]"]
    assert [test.line for test in policy.tests] == headers
    assert coverage.percent == Decimal(100) and coverage.gaps() == []
    assert coverage.hit_by["fourteen-days"] == ("in time",)
    assert coverage.missed_by["fourteen-days"] == ("late", "other")
    assert coverage.missed_by["restocking"] == ("other",)


def test_a_failing_test_names_each_field_that_differs():
    wrong = IN_TIME.replace('refund = "85.04"', 'refund = "85.03"').replace(
        "respond_by = 2024-04-03", "respond_by = 2024-04-02").replace(
        'hits = ["fourteen-days", "restocking"]', 'hits = ["fourteen-days"]')
    _, [result], _ = results(POLICY + wrong)
    assert not result.passed
    shown = {d.field: (d.expected, d.got) for d in result.differences}
    assert shown == {
        "refund": ("85.03", "85.04"),
        "respond_by": ("2024-04-02", "2024-04-03"),
        "hits": ("fourteen-days", "fourteen-days, restocking (unexpected restocking)"),
    }


def test_coverage_wants_a_hit_and_a_miss_for_every_rule():
    _, _, coverage = results(POLICY + IN_TIME)
    assert coverage.percent == Decimal(0)
    assert coverage.gaps() == [("fourteen-days", "not hit"), ("restocking", "not hit")]
    assert coverage.to_dict()["gaps"][0] == {"rule": "fourteen-days", "missing": "not hit"}


def test_a_test_without_an_order_is_a_request_no_order_matches():
    no_order = ('\n[[tests]]\nname = "no order"\nreason = "other"\nreceived_at = 2024-03-29T10:00:00+01:00\n'
                '[tests.expect]\noutcome = "needs_info"\nmissing = ["order_reference"]\nhits = []\n')
    _, [result], coverage = results(POLICY + no_order)
    assert result.passed, result.differences
    assert coverage.missed_by["restocking"] == ("no order",)


def test_words_are_classified_by_the_caller():
    words = IN_TIME.replace('reason = "change_of_mind"', 'words = "I changed my mind"')
    _, [unclassified], _ = results(POLICY + words)
    assert unclassified.error == "words need a classifier; give reason instead"
    _, [classified], _ = results(POLICY + words, classify=lambda text, language: "change_of_mind")
    assert classified.passed


@pytest.mark.parametrize(("change", "error"), [
    (("received_at = 2024-03-29T10:00:00+01:00", "received_at = 2024-03-29T10:00:00"),
     "tests[0].received_at: expected a date-time with its offset"),
    (('reason = "change_of_mind"', 'reason = "change_of_mind"\nwords = "changed my mind"'),
     "tests[0].reason: give exactly one of reason or words"),
    (('amount = "100.05"', "amount = 100.05"), "tests[0].order.amount: expected an amount as text"),
    (('amount = "100.05"', 'amount = "100.055"'), "tests[0].order.amount: more decimals than EUR has"),
    (("delivered_at = 2024", "deliverd_at = 2024"), "tests[0].order.deliverd_at: unknown fact 'deliverd_at'"),
    (('outcome = "approve"', 'outcom = "approve"'), "tests[0].expect.outcom: unknown key"),
    (('refund = "85.04"', "refund = 85.04"), "tests[0].expect.refund: expected an amount as text"),
])
def test_a_bad_test_is_refused_with_its_line_and_key(change, error):
    old, new = change
    text = POLICY + IN_TIME.replace(old, new, 1)
    with pytest.raises(PolicyError) as refused:
        load_policy(text, "shop.toml")
    assert any(error in line for line in refused.value.errors), refused.value.errors
    [located] = [line for line in refused.value.errors if error in line]
    line = int(located.split(":")[1])
    key = error.split(":")[0].split(".")[-1]
    assert text.splitlines()[line - 1].startswith(f"{key} =")


def test_the_example_in_the_format_document_passes_against_the_kreatorz_policy():
    from tests.decisions.decision_builders import REPO

    doc = (REPO / "docs" / "policy-format.md").read_text(encoding="utf-8")
    start = doc.index("```toml\n[[tests]]\n") + len("```toml\n")
    example = doc[start:doc.index("```", start)]
    kreatorz = (REPO / "policies" / "kreatorz.toml").read_text(encoding="utf-8")
    policy = load_policy(kreatorz + "\n" + example, "kreatorz.toml")
    outcome, _ = run_tests(policy)
    assert outcome[-1].test.name.startswith('"within 7 calendar days')
    assert outcome[-1].passed, outcome[-1].differences
