"""Line numbers of the keys in TOML text, so that a policy error can point at its line.

tomllib returns plain values without positions, so this scans the text once and records
the first line of every key path ("policy.timezone", "rules[3].clause"). It follows
tables, arrays of tables, dotted keys and multi-line strings; anything it does not follow
falls back to the nearest enclosing table, which is still the right place to look.
"""

import re

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_KEY_PART = re.compile(r'\s*(?:([A-Za-z0-9_-]+)|"((?:[^"\\]|\\.)*)"|\'([^\']*)\')\s*')
_LAST_SEGMENT = re.compile(r'(\[\d+\]|\.?(?:"(?:[^"\\]|\\.)*"|[A-Za-z0-9_-]+))$')


def key_path(*parts: str | int) -> str:
    """Join key parts into a path: key_path("rules", 3, "clause") == "rules[3].clause"."""
    return extend("", *parts)


def extend(path: str, *parts: str | int) -> str:
    """Append key parts to an existing path, quoting keys that are not bare."""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
            continue
        segment = part if _BARE_KEY.fullmatch(part) else '"' + part.replace('"', '\\"') + '"'
        path = f"{path}.{segment}" if path else segment
    return path


def parent_path(path: str) -> str:
    return _LAST_SEGMENT.sub("", path)


def split_key(text: str) -> tuple[list[str], str] | None:
    """Split a leading dotted key into its parts; returns (parts, rest of the text)."""
    parts: list[str] = []
    position = 0
    while True:
        match = _KEY_PART.match(text, position)
        if match is None or match.end() == position:
            return None
        parts.append(next(group for group in match.groups() if group is not None))
        position = match.end()
        if not text.startswith(".", position):
            return parts, text[position:]
        position += 1


class KeyLines:
    """Where each key path of a TOML text starts, and which path each line belongs to."""

    def __init__(self, text: str) -> None:
        self._line_of: dict[str, int] = {}
        self._path_at: dict[int, str] = {}
        self._scan(text)

    def line_of(self, path: str) -> int:
        """The line of the path, else of its nearest enclosing table, else 1."""
        while path:
            if path in self._line_of:
                return self._line_of[path]
            path = parent_path(path)
        return 1

    def path_at(self, line: int) -> str:
        """The key path defined on a line, or "" when no key starts there."""
        return self._path_at.get(line, "")

    def _record(self, path: str, line: int) -> None:
        self._line_of.setdefault(path, line)
        self._path_at[line] = path

    def _scan(self, text: str) -> None:
        table = ""
        concrete: dict[str, str] = {}  # table name as written -> path with array indexes
        counts: dict[str, int] = {}
        open_string = None
        for number, raw in enumerate(text.splitlines(), start=1):
            if open_string is not None:
                if raw.count(open_string) % 2 == 1:
                    open_string = None
                continue
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("["):
                table = self._table(line, concrete, counts) or table
                self._record(table, number)
                continue
            parsed = split_key(line)
            if parsed is None or not parsed[1].startswith("="):
                continue
            self._record(extend(table, *parsed[0]), number)
            open_string = _unclosed_string(parsed[1][1:])

    @staticmethod
    def _table(line: str, concrete: dict[str, str], counts: dict[str, int]) -> str | None:
        is_array = line.startswith("[[")
        parsed = split_key(line[2:] if is_array else line[1:])
        if parsed is None:
            return None
        parts = parsed[0]
        prefix = ""
        for index in range(len(parts) - 1):
            written = "\0".join(parts[: index + 1])
            prefix = concrete.get(written, extend(prefix, parts[index]))
        path = extend(prefix, parts[-1])
        if is_array:
            counts[path] = counts.get(path, -1) + 1
            path += f"[{counts[path]}]"
        concrete["\0".join(parts)] = path
        return path


def _unclosed_string(value: str) -> str | None:
    """The delimiter of a multi-line string opened but not closed on this line."""
    for delimiter in ('"""', "'''"):
        if value.count(delimiter) % 2 == 1:
            return delimiter
    return None
