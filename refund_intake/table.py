"""Plain-text tables for the terminal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def render(rows: Sequence[dict[str, Any]], columns: Sequence[str], widths: dict[str, int] | None = None) -> str:
    widths = widths or {}
    cells = [[_cell(row.get(c), widths.get(c, 40)) for c in columns] for row in rows]
    sizes = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.upper().ljust(sizes[i]) for i, c in enumerate(columns)).rstrip()]
    lines.append("  ".join("-" * s for s in sizes))
    lines += ["  ".join(r[i].ljust(sizes[i]) for i in range(len(columns))).rstrip() for r in cells]
    if not rows:
        lines.append("(none)")
    return "\n".join(lines)


def _cell(value: Any, width: int) -> str:
    if value is None:
        text = "-"
    elif isinstance(value, (list, tuple)):
        text = ",".join(str(v) for v in value) or "-"
    else:
        text = " ".join(str(value).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def fields(data: dict[str, Any], skip: Sequence[str] = ()) -> str:
    """`key: value` lines for one record, in words rather than Python: nothing is `-`, a list
    is comma-separated, a multi-line text follows its key, indented."""
    lines = []
    for key, value in data.items():
        if key in skip:
            continue
        text = human(value)
        if "\n" in text:
            lines.append(f"{key}:")
            lines += [f"    {line}".rstrip() for line in text.splitlines()]
        else:
            lines.append(f"{key}: {text}")
    return "\n".join(lines)


def human(value: Any) -> str:
    if value is None or value == [] or value == {} or value == ():
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ", ".join(f"{k} {human(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        items = [human(v) for v in value]
        return ("\n".join(items) if any(isinstance(v, dict) for v in value) else ", ".join(items))
    return str(value)
