"""Spec: typed reading of one table of a policy file, collecting every error with its path."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from decisions.toml_lines import extend

Problems = list[tuple[str, str]]  # (key path, message)


class Spec:
    """One TOML table read key by key; each bad key adds (path, message) to `problems`.

    `facts` maps every fact name a rule may read to its type. Keys never read are
    reported by `reject_unread`, so a misspelt key is an error, not a silent default.
    """

    def __init__(
        self, table: Mapping[str, Any], path: str, problems: Problems, facts: Mapping[str, str]
    ) -> None:
        self.table = table
        self.path = path
        self.problems = problems
        self.facts = facts
        self._read: set[str] = set()

    def error(self, key: str, message: str) -> None:
        self.problems.append((extend(self.path, key) if key else self.path, message))

    def raw(self, key: str) -> Any:
        self._read.add(key)
        return self.table.get(key)

    def has(self, key: str) -> bool:
        return key in self.table

    def text(self, key: str, default: str | None = None, required: bool = True) -> str | None:
        value = self.raw(key)
        if value is None:
            if required and default is None:
                self.error(key, "missing")
            return default
        if not isinstance(value, str) or not value.strip():
            self.error(key, f"expected non-empty text, got {value!r}")
            return default
        return value.strip()

    def choice(self, key: str, choices: tuple[str, ...], default: str | None = None) -> str | None:
        value = self.text(key, default)
        if value is not None and value not in choices:
            self.error(key, f"expected one of {', '.join(choices)}, got {value!r}")
            return default
        return value

    def integer(self, key: str, required: bool = True, minimum: int = 0) -> int | None:
        value = self.raw(key)
        if value is None:
            if required:
                self.error(key, "missing")
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.error(key, f"expected an integer >= {minimum}, got {value!r}")
            return None
        return value

    def percent(self, key: str, required: bool = True) -> Decimal | None:
        value = self.raw(key)
        if value is None:
            if required:
                self.error(key, "missing")
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            self.error(key, f"expected a percentage between 0 and 100, got {value!r}")
            return None
        number = Decimal(str(value)) if _is_number(str(value)) else None
        if number is None or not 0 <= number <= 100:
            self.error(key, f"expected a percentage between 0 and 100, got {value!r}")
            return None
        return number

    def fact(self, key: str, types: tuple[str, ...], required: bool = True) -> str | None:
        """The name of a declared fact whose type is one of `types`."""
        name = self.text(key, required=required)
        if name is None:
            return None
        if name not in self.facts:
            self.error(key, f"unknown fact {name!r} (declare it under [facts])")
            return None
        if self.facts[name] not in types:
            wanted = " or ".join(types)
            self.error(key, f"fact {name!r} is {self.facts[name]}; this needs {wanted}")
            return None
        return name

    def texts(self, key: str) -> tuple[str, ...] | None:
        """A list of text (a single text is a list of one); true/false become text."""
        value = self.raw(key)
        if value is None:
            self.error(key, "missing")
            return None
        items = value if isinstance(value, list) else [value]
        if not items or not all(isinstance(item, (str, bool)) for item in items):
            self.error(key, f"expected text or a list of text, got {value!r}")
            return None
        return tuple(_as_text(item) for item in items)

    def reject_unread(self) -> None:
        for key in self.table:
            if key not in self._read:
                self.error(key, "unknown key")


def _as_text(item: str | bool) -> str:
    if isinstance(item, bool):
        return "true" if item else "false"
    return item.strip()


def _is_number(text: str) -> bool:
    try:
        return Decimal(text).is_finite()
    except ArithmeticError:
        return False
