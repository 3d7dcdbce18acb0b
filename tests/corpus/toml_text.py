"""Writes the corpus manifests as TOML (tomllib reads TOML but cannot write it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

Value = str | bool | int | Sequence[str] | Mapping[str, int | str]


def quote(text: str) -> str:
    """A TOML basic string; control characters (NUL included) and U+FFFD, which reads like
    any other glyph, become \\uXXXX escapes."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif ord(char) < 0x20 or ord(char) == 0x7F or char == "\ufffd":
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def value_text(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{key} = {value_text(item)}" for key, item in value.items()) + " }"
    return "[" + ", ".join(quote(item) for item in value) + "]"


def array_of_tables(header: str, name: str, rows: list[dict[str, Value]]) -> str:
    """A commented header followed by one [[name]] table per row, keys in the row's order."""
    lines = [f"# {line}".rstrip() for line in header.strip("\n").split("\n")]
    for row in rows:
        lines.append("")
        lines.append(f"[[{name}]]")
        lines.extend(f"{key} = {value_text(value)}" for key, value in row.items())
    return "\n".join(lines) + "\n"
