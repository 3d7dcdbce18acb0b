"""Policy: a refund policy loaded from TOML text, and refused with every error located."""

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

from decisions.checks import Lookup
from decisions.declarations import NAME, read_facts
from decisions.orders import zone_named
from decisions.policy_tests import PolicyTest, read_tests
from decisions.rules import Rule, build_rule
from decisions.spec import Problems, Spec
from decisions.toml_lines import KeyLines, key_path
from decisions.windows import add_business_days, holiday_calendar, local_date

UNKNOWN_AUTHENTICATION = ("decide", "needs_info")
_RULE_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)")


class PolicyError(ValueError):
    """A policy file that cannot be used; `errors` lists every problem, one per line.

    Each error reads "<source>:<line>: <key path>: <what is wrong>", for example
    "policies/x.toml:12: rules[3].clause: missing". Rules are counted from 0.
    """

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = list(errors)


@dataclass(frozen=True)
class Policy:
    """A loaded policy: its settings, the facts it reads and its rules in order."""

    name: str
    version: str
    effective_date: date
    timezone: str
    holiday_country: str
    holiday_subdivision: str | None
    response_business_days: int
    ack_hours: int | None
    channel: str
    language: str
    rules: tuple[Rule, ...]
    facts: Mapping[str, str]
    source: str | None = None
    # What a sender our receiving server could not authenticate (no DMARC/SPF result) gets:
    # "decide" as any other, or "needs_info" (identity) before any rule runs.
    unknown_authentication: str = "decide"
    extend_windows_to_business_day: bool = False
    tests: tuple[PolicyTest, ...] = ()
    fact_values: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # listed text values

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "effective_date": self.effective_date.isoformat(),
            "timezone": self.timezone,
            "holiday_country": self.holiday_country,
            "holiday_subdivision": self.holiday_subdivision,
            "response_business_days": self.response_business_days,
            "ack_hours": self.ack_hours,
            "channel": self.channel,
            "language": self.language,
            "source": self.source,
            "unknown_authentication": self.unknown_authentication,
            "extend_windows_to_business_day": self.extend_windows_to_business_day,
            "facts": dict(self.facts),
            "fact_values": {name: list(values) for name, values in self.fact_values.items()},
            "rules": [rule.to_dict() for rule in self.rules],
        }


def load_policy(text: str, source: str) -> Policy:
    """Load and validate a policy; `source` names the file in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError([_syntax_error(exc, text, source)]) from None
    problems: Problems = []
    policy = _build(data, problems)
    lines = KeyLines(text)
    if problems or policy is None:
        located = sorted((lines.line_of(path), path, message) for path, message in problems)
        raise PolicyError(
            [f"{source}:{line}: {path}: {message}" for line, path, message in located]
        )
    located_tests = tuple(
        replace(test, line=lines.line_of(key_path("tests", index)))
        for index, test in enumerate(policy.tests)
    )
    return replace(policy, tests=located_tests)


def _syntax_error(exc: tomllib.TOMLDecodeError, text: str, source: str) -> str:
    message = str(exc)
    position = _TOML_POSITION.search(message)
    if position is None:
        return f"{source}: invalid TOML: {message}"
    line = int(position.group(1))
    path = KeyLines(text).path_at(line)
    what = _TOML_POSITION.sub(f" (column {position.group(2)})", message)
    return f"{source}:{line}: {path + ': ' if path else ''}invalid TOML: {what}"


def _build(data: dict[str, Any], problems: Problems) -> Policy | None:
    top = Spec(data, "", problems, {})
    header = top.raw("policy")
    facts, fact_values = read_facts(top.raw("facts"), problems)
    rules = _read_rules(top.raw("rules"), facts, problems)
    tests = read_tests(top.raw("tests"), facts, problems)
    top.reject_unread()
    if not isinstance(header, dict):
        problems.append(("policy", "missing the [policy] table"))
        return None
    settings = _read_settings(Spec(header, "policy", problems, facts))
    if problems:
        return None
    return Policy(
        **settings,
        rules=rules,
        facts=MappingProxyType(facts),
        tests=tests,
        fact_values=MappingProxyType(fact_values),
    )


def _read_settings(spec: Spec) -> dict[str, Any]:
    zone = spec.text("timezone")
    country = spec.text("holiday_country")
    subdivision = spec.text("holiday_subdivision", required=False)
    channel = spec.text("channel")
    if zone:
        try:
            zone_named(zone)
        except ValueError as exc:
            spec.error("timezone", str(exc))
    if country:
        try:
            holiday_calendar(country, subdivision)
        except ValueError as exc:
            spec.error("holiday_country", f"no holiday calendar: {exc}")
    if channel and "@" not in channel:
        spec.error("channel", f"expected an email address, got {channel!r}")
    settings = {
        "name": spec.text("name"),
        "version": spec.text("version"),
        "effective_date": _read_date(spec, "effective_date"),
        "timezone": zone,
        "holiday_country": country,
        "holiday_subdivision": subdivision,
        "response_business_days": spec.integer("response_business_days"),
        "ack_hours": spec.integer("ack_hours", required=False),
        "channel": channel,
        "language": spec.text("language", default="en"),
        "source": spec.text("source", required=False),
        "unknown_authentication": spec.choice("unknown_authentication", UNKNOWN_AUTHENTICATION,
                                              default="decide"),
        "extend_windows_to_business_day": spec.boolean("extend_windows_to_business_day"),
    }
    spec.reject_unread()
    return settings


def _read_date(spec: Spec, key: str) -> date | None:
    value = spec.raw(key)
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    spec.error(key, "missing" if value is None else f"not a date (YYYY-MM-DD): {value!r}")
    return None


def _read_rules(value: Any, facts: dict[str, str], problems: Problems) -> tuple[Rule, ...]:
    if not isinstance(value, list) or not value:
        problems.append(("rules", "expected at least one [[rules]] table"))
        return ()
    readable = dict(facts)
    rules: list[Rule] = []
    first_index: dict[str, int] = {}
    for index, table in enumerate(value):
        path = key_path("rules", index)
        spec = Spec(table if isinstance(table, dict) else {}, path, problems, readable)
        rule = build_rule(spec)
        if rule is None:
            continue
        if not _RULE_ID.fullmatch(rule.id):
            spec.error("id", f"rule ids are lower-case-with-hyphens: {rule.id!r}")
        if rule.id in first_index:
            spec.error("id", f"duplicate id {rule.id!r} (first in rules[{first_index[rule.id]}])")
        first_index.setdefault(rule.id, index)
        if isinstance(rule.check, Lookup):
            _add_derived(spec, rule.check.sets, readable)
        rules.append(rule)
    return tuple(rules)


def _add_derived(spec: Spec, name: str, readable: dict[str, str]) -> None:
    """A lookup's result becomes a text fact that later rules may test in `when`."""
    if name in readable or not NAME.fullmatch(name):
        spec.error("sets", f"{name!r} is already a fact or is malformed")
    readable[name] = "text"


def response_deadline(received_at: datetime, policy: Policy) -> date:
    """The date by which staff must answer: business days after the receipt's local date."""
    zone = zone_named(policy.timezone)
    calendar = holiday_calendar(policy.holiday_country, policy.holiday_subdivision)
    return add_business_days(local_date(received_at, zone), policy.response_business_days, calendar)
