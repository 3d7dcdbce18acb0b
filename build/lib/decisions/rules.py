"""Rules: a policy's rules as small named objects: id, quoted clause, when, check and effects.

A rule applies when every `when` condition holds (the request's reason, or a fact's value).
Its check then gives hit, miss or unknown, and the rule maps that to an effect:
`effect` on a hit, `otherwise` on a miss, `if_unknown` when a fact it needs is unknown.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from decisions.amounts import BaseAmount, Prorate, ProrateTime, Share, Withhold
from decisions.case import Case
from decisions.checks import Always, Check, Evidence, FactIs, Finding, Lookup, Window
from decisions.facts import text_key
from decisions.request import REASONS
from decisions.spec import Spec

KINDS: dict[str, Any] = {
    kind.kind: kind
    for kind in (Window, FactIs, Evidence, Always, Lookup, Prorate, ProrateTime, Share, Withhold, BaseAmount)
}
EFFECTS = ("approve", "deny", "review", "needs_info", "none")
UNKNOWN_EFFECTS = ("review", "needs_info")
MISSING_ITEMS = ("order_reference", "url", "evidence", "identity")


@dataclass(frozen=True)
class Rule:
    """One rule of a policy, quoting the clause of the source policy it implements."""

    id: str
    clause: str
    check: Check
    when: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    effect: str = "none"
    otherwise: str = "none"
    if_unknown: str = "review"
    missing: str | None = None
    note: str | None = None

    @property
    def kind(self) -> str:
        return self.check.kind

    def reads(self) -> tuple[str, ...]:
        conditions = tuple(name for name in self.when if name != "reason")
        return conditions + self.check.reads()

    def evaluate(self, case: Case) -> tuple[Finding, str]:
        """The finding on this case and the effect it has ("none" when it has none)."""
        applies = self._applies(case)
        if applies is not None:
            return applies, "none" if applies.verdict == "skipped" else self.if_unknown
        finding = self.check.check(case)
        effect = {"hit": self.effect, "miss": self.otherwise}.get(finding.verdict, self.if_unknown)
        return replace(finding, facts=self._when_facts(case) | dict(finding.facts)), effect

    def _applies(self, case: Case) -> Finding | None:
        """None when the rule applies; else a skipped or unknown finding saying why."""
        unknown = False
        for name, allowed in self.when.items():
            value = case.request.reason if name == "reason" else _condition_value(case, name)
            if value is None:
                unknown = True
            elif value not in _folded(allowed):
                return Finding("skipped", "not_applicable", self._when_facts(case))
        if unknown:
            return Finding("unknown", "condition_unknown", self._when_facts(case))
        return None

    def _when_facts(self, case: Case) -> dict[str, str]:
        return {
            name: case.request.reason if name == "reason" else case.read(name).shown
            for name in self.when
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "clause": self.clause,
            "kind": self.kind,
            "when": {name: list(values) for name, values in self.when.items()},
            "effect": self.effect,
            "otherwise": self.otherwise,
            "if_unknown": self.if_unknown,
            "missing": self.missing,
            "note": self.note,
            "reads": list(self.reads()),
            **self.check.params(),
        }


@lru_cache(maxsize=1024)
def _folded(allowed: tuple[str, ...]) -> frozenset[str]:
    """A condition's allowed values as compared (folded once, not per request)."""
    return frozenset(text_key(item) for item in allowed)


def _condition_value(case: Case, name: str) -> str | None:
    reading = case.read(name)
    if not reading.known:
        return None
    if isinstance(reading.value, bool):
        return "true" if reading.value else "false"
    return text_key(reading.shown)


def build_rule(spec: Spec) -> Rule | None:
    """A rule from its TOML table, or None with every problem added to spec.problems."""
    rule_id = spec.text("id")
    clause = spec.text("clause")
    kind = spec.choice("kind", tuple(KINDS))
    when = _read_when(spec)
    effect = spec.choice("effect", EFFECTS, "none") or "none"
    otherwise = spec.choice("otherwise", EFFECTS, "none") or "none"
    if_unknown = spec.choice("if_unknown", UNKNOWN_EFFECTS, "review") or "review"
    missing = spec.choice("missing", MISSING_ITEMS) if spec.has("missing") else None
    note = spec.text("note", required=False)
    check = KINDS[kind].from_spec(spec) if kind else None
    if check is not None and check.kind == "evidence" and missing is None:
        missing = check.requires
    if "needs_info" in (effect, otherwise, if_unknown) and missing is None:
        spec.error("missing", "a rule that can ask for information must say what is missing")
    if kind is not None:  # without a kind, which keys belong is unknowable
        spec.reject_unread()
    if rule_id is None or clause is None or check is None or when is None:
        return None
    return Rule(rule_id, clause, check, when, effect, otherwise, if_unknown, missing, note)


def _read_when(spec: Spec) -> dict[str, tuple[str, ...]] | None:
    table = spec.raw("when")
    if table is None:
        return {}
    if not isinstance(table, dict):
        spec.error("when", 'expected a table such as { reason = ["change_of_mind"] }')
        return None
    inner = Spec(table, f"{spec.path}.when", spec.problems, spec.facts)
    when = {}
    for name in table:
        values = inner.texts(name)
        if name == "reason":
            if values and not set(values) <= set(REASONS):
                inner.error(name, f"reasons must be among {', '.join(REASONS)}")
        elif name not in spec.facts:
            inner.error(name, f"unknown fact {name!r} (declare it under [facts])")
        elif spec.facts[name] not in ("bool", "text"):
            inner.error(name, f"fact {name!r} is {spec.facts[name]}; conditions need bool or text")
        elif spec.facts[name] == "bool" and values and not set(values) <= {"true", "false"}:
            inner.error(name, "a yes/no fact can only be true or false")
        if values:
            when[name] = values
    return when
