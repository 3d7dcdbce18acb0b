"""Validation of one TOML table: typed getters that report file-relative key paths."""

from __future__ import annotations

import builtins
from difflib import get_close_matches
from typing import Any


class Table:
    """A TOML table being validated; every problem is reported with file and key path."""

    def __init__(self, data: dict[builtins.str, Any], path: builtins.str, errors: list[builtins.str]) -> None:
        self.data, self.path, self.errors = data, path, errors
        self.seen: set[builtins.str] = set()

    def key(self, key: builtins.str) -> builtins.str:
        return f"{self.path}.{key}" if self.path else key

    def _get(self, key: builtins.str, kind: type | tuple[type, ...], label: builtins.str, default: Any) -> Any:
        self.seen.add(key)
        if key not in self.data:
            if default is REQUIRED:
                self.errors.append(f"{self.key(key)}: missing (required)")
            return None if default is REQUIRED else default
        value = self.data[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _as_tuple(kind)):
            self.errors.append(f"{self.key(key)}: expected {label}, got {show(value)}")
            return None if default is REQUIRED else default
        return value

    def str(self, key: builtins.str, default: Any = None) -> Any:
        return self._get(key, str, "a string", default)

    def int(self, key: builtins.str, default: Any = None, minimum: builtins.int = 0) -> Any:
        value = self._get(key, int, "an integer", default)
        if isinstance(value, int) and value < minimum:
            self.errors.append(f"{self.key(key)}: must be at least {minimum}, got {value}")
        return value

    def bool(self, key: builtins.str, default: Any = None) -> Any:
        return self._get(key, bool, "true or false", default)

    def choice(self, key: builtins.str, choices: tuple[builtins.str, ...], default: Any = None) -> Any:
        value = self.str(key, default)
        if value is not None and value not in choices:
            self.errors.append(f"{self.key(key)}: expected one of {', '.join(choices)}, got {show(value)}")
        return value

    def strings(self, key: builtins.str, default: Any = ()) -> tuple[builtins.str, ...]:
        value = self._get(key, list, "a list of strings", list(default))
        if any(not isinstance(item, str) for item in value):
            self.errors.append(f"{self.key(key)}: expected a list of strings, got {show(value)}")
            return tuple(default)
        return tuple(value)

    def table(self, key: builtins.str) -> Table | None:
        value = self._get(key, dict, "a table", None)
        return None if value is None else Table(value, self.key(key), self.errors)

    def forbid(self, key: builtins.str, why: builtins.str) -> None:
        self.seen.add(key)
        if key in self.data:
            self.errors.append(f"{self.key(key)}: {why}")

    def finish(self) -> None:
        for key in self.data:
            if key not in self.seen:
                near = get_close_matches(key, sorted(self.seen), n=1, cutoff=0.6)
                hint = f" (did you mean {self.key(near[0])}?)" if near else ""
                self.errors.append(f"{self.key(key)}: unknown key{hint}")


REQUIRED = object()


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def show(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)
