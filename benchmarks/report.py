"""The benchmark's table (figure, value, ratio to the floor, N) and the issue's targets against it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

UNITS = {"msg/s": "{:,.0f} msg/s", "MB/s": "{:,.1f} MB/s", "MB": "{:,.0f} MB",
         "ms": "{:,.1f} ms", "decisions/s": "{:,.0f} decisions/s"}


@dataclass(frozen=True)
class Row:
    key: str  # stable name, for the targets and the JSON
    figure: str
    value: float | None
    unit: str
    ratio: float | None  # to the floor of the same kind (throughput, memory or latency)
    n: int | None
    cpu_ms: float | None = None  # CPU ms per message of the measured process (and its children)
    note: str = ""

    def shown(self) -> str:
        return UNITS[self.unit].format(self.value) if self.value is not None else self.note


def table(rows: Sequence[Row]) -> str:
    header = ("figure", "value", "ratio to floor", "N", "CPU ms/msg", "note")
    lines = [(r.figure, r.shown(), f"{r.ratio:.2f}" if r.ratio is not None else "",
              f"{r.n:,}" if r.n is not None else "",
              f"{r.cpu_ms:.2f}" if r.cpu_ms is not None else "",
              r.note if r.value is not None else "") for r in rows]
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)]
    out = ["| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |",
           "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += ["| " + " | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) + " |"
            for line in lines]
    return "\n".join(out)


def _find(rows: Sequence[Row], key: str, n: int | None) -> Row | None:
    return next((r for r in rows if r.key == key and r.n == n and r.value is not None), None)


def targets(rows: Sequence[Row]) -> list[str]:
    """Each target of issue 7, met or missed and by how much; those this run cannot judge say so."""
    found = []
    sqlite10k, floor10k = _find(rows, "product_sqlite", 10_000), _find(rows, "floor", 10_000)
    if sqlite10k and sqlite10k.ratio is not None:
        measured = f"{sqlite10k.ratio:.0%} of the floor's messages/s"
        if floor10k and floor10k.cpu_ms and sqlite10k.cpu_ms:
            measured += f" ({floor10k.cpu_ms / sqlite10k.cpu_ms:.0%} by CPU time per message)"
        found.append(_verdict("SQLite intake at N=10,000 >= 60% of the 1-core floor",
                              sqlite10k.ratio >= 0.60, measured))
    sizes = sorted({r.n for r in rows if r.key == "product_sqlite" and r.n})
    small = _find(rows, "product_sqlite", sizes[0]) if sizes else None
    large = _find(rows, "product_sqlite", sizes[-1]) if sizes else None
    if small and large and large.n != small.n and small.value and large.value:
        drop = 1 - large.value / small.value
        measured = f"{drop:.0%} slower" if drop > 0 else "not slower"
        if "STOPPED" in large.note:
            measured += f" (over the part drained before the cap; {large.note.split(';')[0]})"
        found.append(_verdict(f"SQLite at N={large.n:,} no more than 20% slower than at {small.n:,}",
                              drop <= 0.20, measured))
    for n in sizes:
        pg, lite = _find(rows, "product_postgresql", n), _find(rows, "product_sqlite", n)
        if pg and lite and pg.value and lite.value:
            gap = 1 - pg.value / lite.value
            found.append(_verdict(f"PostgreSQL within 30% of SQLite at N={n:,}", gap <= 0.30,
                                  f"{pg.value / lite.value:.0%} of SQLite's messages/s"))
    empty = _find(rows, "empty_poll", sizes[-1] if sizes else None)
    if empty and empty.value is not None:
        found.append(_verdict(f"empty poll of the {empty.n:,}-message folder under 50 ms, no bodies",
                              empty.value < 50 and "0 bodies" in empty.note,
                              f"{empty.value:.1f} ms, {empty.note}"))
    rss_small = _find(rows, "product_sqlite_rss", sizes[0]) if sizes else None
    rss_large = _find(rows, "product_sqlite_rss", sizes[-1]) if sizes else None
    if rss_small and rss_large and rss_small.n != rss_large.n and rss_small.value and rss_large.value:
        growth = rss_large.value / rss_small.value - 1
        found.append(_verdict(f"peak RSS within 20% between N={rss_small.n:,} and {rss_large.n:,}",
                              abs(growth) <= 0.20, f"{growth:+.0%}"))
    for n in sizes:
        pool = _find(rows, "floor_pool", n)
        if pool and pool.ratio is not None:
            found.append(f"second core: parsing in a process pool reaches {pool.ratio:.2f}x the "
                         f"1-core floor at N={n:,}")
    if len(sizes) < 2 or 10_000 not in sizes:
        found.append("(quick mode: the targets at N=10,000 and 50,000 need the full run)")
    return found


def _verdict(target: str, met: bool, measured: str) -> str:
    return f"{'MET   ' if met else 'MISSED'} {target}: {measured}"


def as_json(rows: Sequence[Row]) -> list[dict[str, Any]]:
    return [asdict(r) for r in rows]


def pivot(rows: Sequence[Row]) -> str:
    """The README's form: one line per figure, one column per N, "value (ratio)" in each cell."""
    sizes = sorted({r.n for r in rows if r.n is not None and r.key != "decisions"})
    figures = list(dict.fromkeys(r.figure for r in rows if r.key != "decisions"))
    lines = ["| figure | " + " | ".join(f"N={n:,}" for n in sizes) + " |",
             "|---|" + "---|" * len(sizes)]
    for figure in figures:
        cells = []
        for n in sizes:
            row = next((r for r in rows if r.figure == figure and r.n == n), None)
            cells.append(_cell(row) if row else "")
        lines.append(f"| {figure} | " + " | ".join(cells) + " |")
    for row in rows:
        if row.key == "decisions":
            lines.append(f"| {row.figure} ({row.n:,} decisions) | " + _cell(row) + " |"
                         + " |" * (len(sizes) - 1))
    return "\n".join(lines)


def _cell(row: Row) -> str:
    text = row.shown()
    if row.value is not None and row.ratio is not None:
        text += f" ({row.ratio:.2f})"
    if row.cpu_ms is not None:
        text += f", {row.cpu_ms:.1f} CPU ms/msg"
    return text


def main() -> None:
    """`python -m benchmarks.report var/bench/results-*.json`: the README table of a run."""
    import json
    import sys

    data = json.loads(Path(sys.argv[1]).read_text())
    rows = [Row(**row) for row in data["rows"]]
    print(pivot(rows))
    print("\n".join(["", *targets(rows)]))


if __name__ == "__main__":
    main()
