"""Declarations: the `[facts]` table of a policy: each fact's type, and a text fact's values.

A fact is declared by its type (`is_package = "bool"`), or by a table that also lists
the values a text fact can take (`service_type = { type = "text", values = [...] }`).
Listed values let `policy check` find a `when` that can never hold.
"""

import re
from collections.abc import Mapping
from typing import Any

from decisions.facts import BUILT_IN_FACTS, FACT_TYPES, TIMEZONE_FACT
from decisions.spec import Problems, Spec

NAME = re.compile(r"[a-z][a-z0-9_]*")


def read_facts(table: Any, problems: Problems) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """(type of every fact a rule may read, the listed values of text facts that list them).

    Built-in order fields are added for rules, not declared. Values are kept as written;
    they compare as text facts do ("Web Design" = "web_design").
    """
    if table is None:
        return dict(BUILT_IN_FACTS), {}
    spec = Spec(table if isinstance(table, dict) else {}, "facts", problems, {})
    if not isinstance(table, dict):
        spec.error("", 'expected a table of name = "type"')
    facts: dict[str, str] = {}
    values: dict[str, tuple[str, ...]] = {}
    for name in list(spec.table):
        fact_type, listed = _declaration(spec, name)
        if name in BUILT_IN_FACTS or name == "reason" or not NAME.fullmatch(name):
            spec.error(name, "reserved or malformed fact name (use lower_case_with_underscores)")
        elif name == TIMEZONE_FACT and fact_type != "text":
            spec.error(name, "the timezone fact is an IANA zone name, declare it as text")
        elif fact_type:
            facts[name] = fact_type
            if listed:
                values[name] = listed
    return facts | BUILT_IN_FACTS, values


def _declaration(spec: Spec, name: str) -> tuple[str | None, tuple[str, ...]]:
    if not isinstance(spec.table.get(name), Mapping):
        return spec.choice(name, FACT_TYPES), ()
    inner = Spec(spec.table[name], f"facts.{name}", spec.problems, {})
    spec.raw(name)
    fact_type = inner.choice("type", FACT_TYPES)
    listed = inner.texts("values") if inner.has("values") else ()
    inner.reject_unread()
    if listed and fact_type != "text":
        inner.error("values", "only a text fact lists its values")
        return fact_type, ()
    return fact_type, tuple(listed or ())
