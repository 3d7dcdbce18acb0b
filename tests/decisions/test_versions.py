"""Versions in force, and the summary of what changes between two policies (policy diff)."""

from datetime import date
from decimal import Decimal

import pytest

from decisions import Decision, PolicyError, decide, load_policy
from decisions.policy_diff import diff
from decisions.versions import PolicyVersions
from tests.decisions.decision_builders import KREATORZ_FACTS, REPO, order, request, shipped

KREATORZ = shipped("kreatorz")
KREATORZ_TEXT = (REPO / "policies" / "kreatorz.toml").read_text(encoding="utf-8")


def version(on: str, fee: int = 20):
    """Kreatorz as a version taking effect on `on`, with its fees at `fee` percent."""
    text = (KREATORZ_TEXT.replace("percent = 20", f"percent = {fee}")
            .replace('version = "2024-11-11"', f'version = "{on}"')
            .replace("effective_date = 2024-11-11", f"effective_date = {on}"))
    return load_policy(text, f"kreatorz-{on}.toml")


VERSIONS = PolicyVersions.of([version("2025-03-01", fee=10), version("2024-11-11")])


@pytest.mark.parametrize(("received", "in_force"), [
    ("2024-01-01T09:00:00+02:00", "2024-11-11"),  # before every version: the earliest
    ("2025-02-28T23:59:59+02:00", "2024-11-11"),  # the last second of the day before, in Johannesburg
    ("2025-02-28T22:00:00+00:00", "2025-03-01"),  # 00:00 on 1 March in Johannesburg, written in UTC
    ("2025-03-01T00:00:00+02:00", "2025-03-01"),
    ("2026-06-01T12:00:00+02:00", "2025-03-01"),
])
def test_the_version_in_force_at_the_server_receipt_time(received, in_force):
    assert VERSIONS.in_force(request(received, "change_of_mind").received_at).version == in_force


def test_a_request_received_the_day_before_a_new_version_keeps_the_old_rules():
    the_order = order(ordered_at="2025-02-20T10:00:00+02:00",
                      **KREATORZ_FACTS | {"service_started_at": "2025-02-24T10:00"})
    day_before = request("2025-02-28T18:00:00+02:00", "change_of_mind")
    on_the_day = request("2025-03-01T08:00:00+02:00", "change_of_mind")
    old = decide(day_before, [the_order], VERSIONS.in_force(day_before.received_at))
    new = decide(on_the_day, [the_order], VERSIONS.in_force(on_the_day.received_at))
    assert (old.policy_version, old.refund_amount, old.fee) == ("2024-11-11", Decimal("800.00"), Decimal("200.00"))
    assert (new.policy_version, new.refund_amount, new.fee) == ("2025-03-01", Decimal("900.00"), Decimal("100.00"))


def test_versions_are_kept_oldest_first_and_found_by_name():
    assert [p.version for p in VERSIONS.versions] == ["2024-11-11", "2025-03-01"]
    assert VERSIONS.latest.effective_date == date(2025, 3, 1)
    assert VERSIONS.named("2024-11-11") is VERSIONS.versions[0] and VERSIONS.named("3") is None


def test_versions_that_do_not_belong_together_are_refused():
    other = load_policy(KREATORZ_TEXT.replace('name = "kreatorz"', 'name = "other"')
                        .replace("effective_date = 2024-11-11", "effective_date = 2025-01-01")
                        .replace('version = "2024-11-11"', 'version = "2"'), "other.toml")
    with pytest.raises(PolicyError, match="must share its name, found kreatorz, other"):
        PolicyVersions.of([KREATORZ, other], "policies/kreatorz")
    twin = load_policy(KREATORZ_TEXT.replace('version = "2024-11-11"', 'version = "b"'), "twin.toml")
    with pytest.raises(PolicyError, match="take effect on the same date, 2024-11-11"):
        PolicyVersions.of([KREATORZ, twin], "policies/kreatorz")
    with pytest.raises(PolicyError, match="no policy version"):
        PolicyVersions.of([], "policies/kreatorz")


def decision(outcome: str, refund: str | None, currency: str | None = "ZAR") -> Decision:
    return Decision(outcome, None if refund is None else Decimal(refund), None, None, currency, "A-1",
                    (), (), "p", "1", date(2024, 1, 1))


def test_policy_diff_counts_each_outcome_change_and_sums_the_money_per_currency():
    pairs = [
        (decision("approve", "100.00"), decision("approve", "90.00")),
        (decision("approve", "50.00"), decision("deny", None)),
        (decision("review", "70.00"), decision("approve", "70.00")),
        (decision("review", "30.00"), decision("review", "27.00")),
        (decision("deny", None), decision("deny", None)),
        (decision("approve", "10000", "KRW"), decision("approve", "10000", "KRW")),
        (decision("needs_info", None, None), decision("needs_info", None, None)),
    ]
    summary = diff(pairs)
    assert summary.requests == 7 and summary.changed == 2
    assert summary.outcomes[:2] == (("approve", "deny", 1), ("review", "approve", 1))  # changes first
    assert set(summary.outcomes[2:]) == {("approve", "approve", 2), ("review", "review", 1),
                                         ("deny", "deny", 1), ("needs_info", "needs_info", 1)}
    krw, zar = summary.money
    assert (krw.currency, krw.refund_before, krw.refund_after, krw.moved) == (
        "KRW", Decimal(10000), Decimal(10000), Decimal(0))
    assert (zar.refund_before, zar.refund_after, zar.moved) == (Decimal("150.00"), Decimal("160.00"), Decimal("10.00"))
    assert (zar.proposed_before, zar.proposed_after) == (Decimal("100.00"), Decimal("27.00"))
    assert summary.to_dict()["money"][1] == {
        "currency": "ZAR", "refund_before": "150.00", "refund_after": "160.00", "moved": "10.00",
        "proposed_before": "100.00", "proposed_after": "27.00"}
