"""Lint a policy: authoring mistakes that load fine but cannot be what the author meant.

Each mistake is (key path, message); `located` puts the file and line in front, as load
errors do. What is reported:
- a `when` value that can never hold: a text value outside the values the fact lists (or
  outside the policy letters a lookup table can set), and a `fact` rule's `equals` likewise;
- a rule that an earlier rule always overrides: the earlier one applies whenever the later
  does, always hits, and its effect is stronger than anything the later one can do;
- a declared fact that no rule reads;
- two rules with the same conditions and check whose effects are opposite (approve/deny).
A window anchored on a fact that is not a date is refused at load (see window_check.py).
"""

from collections.abc import Iterator, Mapping
from itertools import combinations

from decisions.checks import Always, FactIs, Lookup
from decisions.decide import PRECEDENCE
from decisions.facts import BUILT_IN_FACTS, TIMEZONE_FACT, text_key
from decisions.policy import Policy
from decisions.rules import Rule
from decisions.spec import Problems
from decisions.toml_lines import KeyLines, key_path

OPPOSITE = frozenset({"approve", "deny"})


def lint(policy: Policy) -> Problems:
    """Every authoring mistake found, in policy order within each kind of mistake."""
    return [
        *_never_holds(policy),
        *_overridden(policy.rules),
        *_unread_facts(policy),
        *_contradictions(policy.rules),
    ]


def located(mistakes: Problems, text: str, source: str) -> list[str]:
    """Mistakes as "<source>:<line>: <path>: <message>", sorted by line."""
    lines = KeyLines(text)
    ordered = sorted((lines.line_of(path), path, message) for path, message in mistakes)
    return [f"{source}:{line}: {path}: {message}" for line, path, message in ordered]


def _listed_values(policy: Policy) -> Iterator[tuple[int, Rule, Mapping[str, tuple[str, ...]]]]:
    """Each rule with the values every text fact can take at that point of the policy."""
    values: dict[str, tuple[str, ...]] = dict(policy.fact_values)
    for index, rule in enumerate(policy.rules):
        yield index, rule, values
        if isinstance(rule.check, Lookup):
            values = {**values, rule.check.sets: tuple(rule.check.table.values())}


def _never_holds(policy: Policy) -> Problems:
    found: Problems = []
    for index, rule, values in _listed_values(policy):
        for name, allowed in rule.when.items():
            path = key_path("rules", index, "when", name)
            found += _outside(path, name, allowed, values.get(name), "when")
        if isinstance(rule.check, FactIs):
            path = key_path("rules", index, "equals")
            found += _outside(path, rule.check.fact, rule.check.equals, values.get(rule.check.fact), "equals")
    return found


def _outside(
    path: str, name: str, given: tuple[str, ...], listed: tuple[str, ...] | None, key: str
) -> Problems:
    if not listed:
        return []
    folded = {text_key(value) for value in listed}
    wrong = [value for value in given if text_key(value) not in folded]
    if not wrong:
        return []
    shown = ", ".join(repr(value) for value in wrong)
    choices = ", ".join(dict.fromkeys(listed))
    if len(wrong) == len(given):
        what = "can never hold" if key == "when" else "can never match"
        return [(path, f"{what}: {name} is never {shown} (it is one of: {choices})")]
    return [(path, f"{shown} is not a value of {name} (it is one of: {choices})")]


def _overridden(rules: tuple[Rule, ...]) -> Problems:
    found: Problems = []
    for (i, earlier), (j, later) in combinations(enumerate(rules), 2):
        if _always_overrides(earlier, later):
            found.append((
                key_path("rules", j),
                f"rule {later.id!r} never changes the outcome: rules[{i}] {earlier.id!r} always "
                f"applies when it does and its effect ({earlier.effect}) is stronger",
            ))
    return found


def _always_overrides(earlier: Rule, later: Rule) -> bool:
    if not isinstance(earlier.check, Always) or earlier.effect == "none":
        return False
    if later.check.affects_amount or not _implies(later.when, earlier.when):
        return False
    effects = {later.effect, later.otherwise} - {"none"}
    if later.check.reads():
        effects.add(later.if_unknown)
    rank = PRECEDENCE.index
    return bool(effects) and all(rank(earlier.effect) < rank(effect) for effect in effects)


def _implies(narrow: Mapping[str, tuple[str, ...]], wide: Mapping[str, tuple[str, ...]]) -> bool:
    """Whenever `narrow` holds, `wide` holds too."""
    for name, allowed in wide.items():
        if name not in narrow:
            return False
        if not {text_key(v) for v in narrow[name]} <= {text_key(v) for v in allowed}:
            return False
    return True


def _unread_facts(policy: Policy) -> Problems:
    read = {name for rule in policy.rules for name in rule.reads()}
    return [
        (key_path("facts", name), f"fact {name!r} is declared but no rule reads it")
        for name in policy.facts
        if name not in read and name not in BUILT_IN_FACTS and name != TIMEZONE_FACT
    ]


def _contradictions(rules: tuple[Rule, ...]) -> Problems:
    found: Problems = []
    for (i, first), (j, second) in combinations(enumerate(rules), 2):
        same = _implies(first.when, second.when) and _implies(second.when, first.when)
        if not same or first.kind != second.kind or first.check.params() != second.check.params():
            continue
        if {first.effect, second.effect} == OPPOSITE or {first.otherwise, second.otherwise} == OPPOSITE:
            found.append((
                key_path("rules", j),
                f"same conditions and check as rules[{i}] {first.id!r}, with the opposite effect",
            ))
    return found
