"""Policy: a refund policy loaded from TOML text, and refused with every error located."""

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

from decisions.checks import Lookup
from decisions.facts import BUILT_IN_FACTS, FACT_TYPES, TIMEZONE_FACT
from decisions.orders import zone_named
from decisions.rules import Rule, build_rule
from decisions.spec import Problems, Spec
from decisions.toml_lines import KeyLines, key_path
from decisions.windows import holiday_calendar

_NAME = re.compile(r"[a-z][a-z0-9_]*")
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
            "facts": dict(self.facts),
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
    if problems or policy is None:
        lines = KeyLines(text)
        located = sorted((lines.line_of(path), path, message) for path, message in problems)
        raise PolicyError(
            [f"{source}:{line}: {path}: {message}" for line, path, message in located]
        )
    return policy


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
    facts = _read_facts(top.raw("facts"), problems)
    rules = _read_rules(top.raw("rules"), facts, problems)
    top.reject_unread()
    if not isinstance(header, dict):
        problems.append(("policy", "missing the [policy] table"))
        return None
    settings = _read_settings(Spec(header, "policy", problems, facts))
    if problems:
        return None
    return Policy(**settings, rules=rules, facts=MappingProxyType(facts))


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


def _read_facts(table: Any, problems: Problems) -> dict[str, str]:
    """The declared facts; built-in order fields are added for rules, not declared."""
    if table is None:
        return dict(BUILT_IN_FACTS)
    spec = Spec(table if isinstance(table, dict) else {}, "facts", problems, {})
    if not isinstance(table, dict):
        spec.error("", 'expected a table of name = "type"')
    facts: dict[str, str] = {}
    for name in list(spec.table):
        fact_type = spec.choice(name, FACT_TYPES)
        if name in BUILT_IN_FACTS or name == "reason" or not _NAME.fullmatch(name):
            spec.error(name, "reserved or malformed fact name (use lower_case_with_underscores)")
        elif name == TIMEZONE_FACT and fact_type != "text":
            spec.error(name, "the timezone fact is an IANA zone name, declare it as text")
        elif fact_type:
            facts[name] = fact_type
    return facts | BUILT_IN_FACTS


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
    if name in readable or not _NAME.fullmatch(name):
        spec.error("sets", f"{name!r} is already a fact or is malformed")
    readable[name] = "text"
