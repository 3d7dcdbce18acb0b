"""Verify a policy: run its `[[tests]]`, compare field by field, and measure rule coverage.

A rule is covered when one test makes it hit and another makes it not hit (miss,
unknown or skipped): both sides of every rule have been seen to work. Words are turned
into a reason by the caller's classifier, so the pure core never depends on how intake
understands mail.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from decisions.decide import decide
from decisions.decision import Decision
from decisions.policy import Policy
from decisions.policy_tests import PolicyTest
from decisions.request import RequestFacts

Classifier = Callable[[str, str], str]  # (words, language) -> reason


@dataclass(frozen=True)
class Difference:
    """One field that did not come out as the test expects."""

    field: str
    expected: str
    got: str

    def to_dict(self) -> dict[str, str]:
        return {"field": self.field, "expected": self.expected, "got": self.got}


@dataclass(frozen=True)
class PolicyTestResult:
    test: PolicyTest
    decision: Decision | None
    differences: tuple[Difference, ...]
    error: str | None = None

    @property
    def passed(self) -> bool:
        return not self.differences and self.error is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.test.name,
            "line": self.test.line,
            "passed": self.passed,
            "differences": [difference.to_dict() for difference in self.differences],
            "error": self.error,
            "hits": sorted(_hits(self.decision)) if self.decision else [],
        }


@dataclass(frozen=True)
class Coverage:
    """For each rule id, the names of the tests where it hit and where it did not."""

    hit_by: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    missed_by: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def covered(self) -> tuple[str, ...]:
        return tuple(rule for rule in self.hit_by if self.hit_by[rule] and self.missed_by[rule])

    @property
    def percent(self) -> Decimal:
        if not self.hit_by:
            return Decimal(100)
        return (Decimal(100) * len(self.covered) / len(self.hit_by)).quantize(Decimal("0.1"))

    def gaps(self) -> list[tuple[str, str]]:
        """(rule id, what no test shows: "hit" or "not hit"), in policy order."""
        found = []
        for rule in self.hit_by:
            if not self.hit_by[rule]:
                found.append((rule, "hit"))
            if not self.missed_by[rule]:
                found.append((rule, "not hit"))
        return found

    def to_dict(self) -> dict[str, Any]:
        return {
            "percent": str(self.percent),
            "rules": [
                {"rule": rule, "hit_by": list(self.hit_by[rule]), "not_hit_by": list(self.missed_by[rule])}
                for rule in self.hit_by
            ],
            "gaps": [{"rule": rule, "missing": side} for rule, side in self.gaps()],
        }


def run_tests(policy: Policy, classify: Classifier | None = None) -> tuple[list[PolicyTestResult], Coverage]:
    """Every test of the policy, in file order, and the coverage they give."""
    results = [_run(test, policy, classify) for test in policy.tests]
    hit_by: dict[str, list[str]] = {rule.id: [] for rule in policy.rules}
    missed_by: dict[str, list[str]] = {rule.id: [] for rule in policy.rules}
    for result in results:
        if result.decision is None:
            continue
        for trace in result.decision.trace:
            side = hit_by if trace.verdict == "hit" else missed_by
            side[trace.rule].append(result.test.name)
    coverage = Coverage(
        {rule: tuple(names) for rule, names in hit_by.items()},
        {rule: tuple(names) for rule, names in missed_by.items()},
    )
    return results, coverage


def _run(test: PolicyTest, policy: Policy, classify: Classifier | None) -> PolicyTestResult:
    reason = test.reason
    if reason is None:
        if classify is None or test.words is None:
            return PolicyTestResult(test, None, (), "words need a classifier; give reason instead")
        reason = classify(test.words, test.language)
    order = test.order
    request = RequestFacts(
        received_at=test.received_at,
        sender=test.sender or (order.customer_email if order else "customer@example.com"),
        reason=reason,
        language=test.language,
        order_refs=test.order_refs,
        attachment_count=test.attachments,
        urls=test.urls,
        authentication=test.authentication,
    )
    decision = decide(request, [order] if order else [], policy)
    return PolicyTestResult(test, decision, tuple(compare(test.expect, decision)))


def compare(expect: Mapping[str, Any], decision: Decision) -> list[Difference]:
    """The fields of the decision that differ from what the test expects."""
    got: dict[str, Any] = {
        "outcome": decision.outcome,
        "refund": decision.refund_amount,
        "fee": decision.fee,
        "considered": decision.considered_amount,
        "respond_by": decision.response_deadline,
    }
    differences = []
    for key, wanted in expect.items():
        if key == "hits":
            differences += _set_difference("hits", set(wanted), _hits(decision))
        elif key == "missing":
            differences += _set_difference("missing", set(wanted), set(decision.missing))
        elif isinstance(wanted, Decimal) and isinstance(got[key], Decimal) and wanted == got[key]:
            continue
        elif _shown(wanted) != _shown(got[key]):
            differences.append(Difference(key, _shown(wanted), _shown(got[key])))
    return differences


def _hits(decision: Decision) -> set[str]:
    return {result.rule for result in decision.trace if result.verdict == "hit"}


def _set_difference(name: str, wanted: set[str], got: set[str]) -> list[Difference]:
    if wanted == got:
        return []
    absent, extra = sorted(wanted - got), sorted(got - wanted)
    parts = ([f"missing {', '.join(absent)}"] if absent else []) + (
        [f"unexpected {', '.join(extra)}"] if extra else []
    )
    return [Difference(name, ", ".join(sorted(wanted)) or "none", f"{', '.join(sorted(got)) or 'none'} ({'; '.join(parts)})")]


def _shown(value: Any) -> str:
    if value is None or value == "none":
        return "none"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)
