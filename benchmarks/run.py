"""The whole benchmark, for each N: a throwaway Dovecot, a filled folder, the floor, the product.

`python -m benchmarks [--quick]` (or `scripts/bench`) prints the table and the targets, and
writes every figure as JSON under var/bench/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import measure, product
from benchmarks.fill import Filled, ImapTarget, fill, target
from benchmarks.report import Row, as_json, table, targets
from testing import Dovecot

FULL_SIZES = (1_000, 10_000, 50_000)
QUICK_SIZES = (1_000,)
BATCH_SIZE = 100  # the product's default batch_size; the floor fetches in the same batches
DECISIONS = 20_000
# Each `poll --once` drain is stopped after this long, so the full run ends in about an hour
# however slow the product is; the table then says how far it got.
CAP_MINUTES = 15.0
PRODUCT_CODE = ("intake", "decisions", "refund_intake", "replies", "desk", "migrations", "templates",
                "policies")  # uncommitted changes here are flagged next to the commit


def floor_rows(imap: ImapTarget, filled: Filled) -> tuple[list[Row], Row]:
    n, env = filled.count, {"BENCH_IMAP_PASSWORD": imap.password}
    args = ["--host", imap.host, "--port", str(imap.port), "--user", imap.user,
            "--batch-size", str(BATCH_SIZE)]
    runs = {mode: measure.python("benchmarks.floor", mode, *args, env=env).check()
            for mode in ("fetch", "parse", "pool")}
    for mode, run in runs.items():
        if run.json()["messages"] != n:
            raise RuntimeError(f"floor {mode} read {run.json()['messages']} of {n} messages")
    base = runs["parse"]
    rate = n / base.wall
    floor = Row("floor", "floor: FETCH + mail-parser, 1 core", rate, "msg/s", 1.0, n,
                base.cpu * 1000 / n)
    rows = [
        Row("floor_fetch", "floor: FETCH only (no parse)", n / runs["fetch"].wall, "msg/s",
            n / runs["fetch"].wall / rate, n, runs["fetch"].cpu * 1000 / n),
        floor,
        Row("floor_mbs", "floor: MB/s", filled.total_bytes / base.wall / 1e6, "MB/s", 1.0, n),
        Row("floor_rss", "floor: peak RSS", base.peak_rss_mb, "MB", 1.0, n),
        Row("floor_pool", "floor, 2nd core: FETCH + parse in a process pool",
            n / runs["pool"].wall, "msg/s", n / runs["pool"].wall / rate, n,
            runs["pool"].cpu * 1000 / n, f"{os.cpu_count()} parse workers; main process RSS"),
    ]
    return rows, floor


def product_rows(name: str, label: str, drained: product.Drained, floor: Row,
                 floor_rss: float, filled: Filled) -> list[Row]:
    run, n, rate = drained.run, filled.count, drained.rate
    notes = [", ".join(f"{v} {k}" for k, v in sorted(drained.classifications.items()))]
    if not drained.complete:
        notes.insert(0, f"STOPPED at the {run.wall / 60:.1f}-min cap: {drained.stored:,} of "
                        f"{n:,} stored")
    windows = drained.window_rates()
    if windows:
        notes.append(f"{windows[0]:,.0f} msg/s in the first 30 s, {windows[1]:,.0f} in the last")
    note = "; ".join(notes)
    per_message = run.cpu * 1000 / max(drained.stored, 1)
    return [
        Row(f"product_{name}", f"product, {label}: poll --once", rate, "msg/s",
            rate / (floor.value or 1), n, per_message, note),
        Row(f"product_{name}_mbs", f"product, {label}: MB/s",
            filled.total_bytes * drained.stored / n / run.wall / 1e6, "MB/s",
            rate / (floor.value or 1), n),
        Row(f"product_{name}_rss", f"product, {label}: peak RSS", run.peak_rss_mb, "MB",
            run.peak_rss_mb / floor_rss, n),
    ]


def empty_rows(config: Path, n: int, advanced: bool) -> list[Row]:
    data = measure.python("benchmarks.empty_poll", "--config", str(config)).json()
    commands = " ".join(dict.fromkeys(data["imap_commands"]))
    note = f"{data['bodies_fetched']} bodies fetched; IMAP: {commands}"
    if advanced:
        note += "; folder state set to the last UID, as the capped drain did not get there"
    if data["errors"] or data["fetched"]:
        note += f"; fetched {data['fetched']}, errors {data['errors']}"
    cli = [product.poll_cli(config).wall * 1000 for _ in range(3)]
    return [
        Row("empty_poll", "empty poll, in process (connect + login)", data["poll_ms"], "ms",
            data["poll_ms"] / data["floor_ms"], n, None, note),
        Row("empty_poll_floor", "empty poll floor: imapclient connect, LOGIN, SELECT, LOGOUT",
            data["floor_ms"], "ms", 1.0, n),
        Row("empty_poll_cli", "empty poll, whole `poll --once` process", statistics.median(cli),
            "ms", statistics.median(cli) / data["floor_ms"], n, None,
            "interpreter start-up and imports included"),
    ]


def decision_row(floor: Row | None) -> Row:
    data = measure.python("benchmarks.decide_rate", "--count", str(DECISIONS)).json()
    rate = data["decisions"] / data["seconds"]
    ratio = rate / floor.value if floor and floor.value else None
    return Row("decisions", "decision engine alone (decisions.decide)", rate, "decisions/s",
               ratio, data["decisions"], None, "demo policy and orders; ratio to the first N's floor")


@contextmanager
def postgres_database(name: str) -> Iterator[str | None]:
    """A fresh database on a throwaway PostgreSQL, or None when the harness cannot give one."""
    try:
        from testing.postgres import Postgres, PostgresNotInstalled, PostgresStartError
    except ImportError:  # no harness yet, or no psycopg in this venv
        yield None
        return
    try:
        server = Postgres()
        server.start()
    except (PostgresNotInstalled, PostgresStartError, OSError, RuntimeError) as error:
        print(f"  postgresql: not available ({error})".splitlines()[0], file=sys.stderr)
        yield None
        return
    try:
        yield server.create_database(name)
    finally:
        server.close()


def bench_size(n: int, seed: int, workdir: Path, cap: float) -> list[Row]:
    with Dovecot() as server:
        user = server.new_user(f"bench-{n}")
        filled = fill(server, user, n, seed, workdir)
        _say(f"N={n:,}: filled {filled.average_kb:.1f} KB/message on average "
             f"({filled.stats['attachment']} with attachments) in {filled.write_seconds:.0f} s, "
             f"indexed in {filled.index_seconds:.1f} s; load average {os.getloadavg()[0]:.2f}")
        imap = target(user)
        rows, floor = floor_rows(imap, filled)
        floor_rss = _value(rows, "floor_rss")
        _say(f"N={n:,}: floor {floor.value:,.0f} msg/s")
        config = product.write_config(workdir / "sqlite", imap, product.sqlite_url(workdir),
                                      BATCH_SIZE)
        product.prepare(config, filled.orders_csv)
        drained = product.drain(config, n, cap)
        rows += product_rows("sqlite", "SQLite", drained, floor, floor_rss, filled)
        _say(f"N={n:,}: SQLite {drained.rate:,.0f} msg/s ({drained.stored:,} stored)")
        rows += postgres_rows(n, imap, floor, floor_rss, filled, workdir, cap)
        if not drained.complete:
            product.advance_to(config, server.folder_status(user)["UIDNEXT"] - 1)
        rows += empty_rows(config, n, advanced=not drained.complete)
    return rows


def _value(rows: list[Row], key: str) -> float:
    value = next(r.value for r in rows if r.key == key)
    assert value is not None
    return value


def postgres_rows(n: int, imap: ImapTarget, floor: Row, floor_rss: float, filled: Filled,
                  workdir: Path, cap: float) -> list[Row]:
    with postgres_database(f"bench_{n}") as url:
        if url is None:
            return [Row("product_postgresql", "product, PostgreSQL: poll --once", None, "msg/s",
                        None, n, None, "postgresql: not available")]
        config = product.write_config(workdir / "postgresql", imap, url, BATCH_SIZE)
        product.prepare(config, filled.orders_csv)
        drained = product.drain(config, n, cap)
        rows = product_rows("postgresql", "PostgreSQL", drained, floor, floor_rss, filled)
    _say(f"N={n:,}: PostgreSQL {rows[0].value:,.0f} msg/s")
    return rows


def machine() -> dict[str, Any]:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=measure.REPOSITORY, check=False).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--", *PRODUCT_CODE],
                           capture_output=True, text=True, cwd=measure.REPOSITORY,
                           check=False).stdout.strip()
    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
                 platform.processor())
    return {"date": datetime.now(UTC).isoformat(timespec="seconds"),
            "commit": commit + (" + uncommitted product changes" if dirty else ""), "cpus": os.cpu_count(),
            "cpu": model, "python": platform.python_version(), "load_before": os.getloadavg()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N=1,000 only (about a minute)")
    parser.add_argument("--sizes", type=lambda s: tuple(int(x) for x in s.split(",")),
                        help="comma-separated N values instead of 1000,10000,50000")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cap-minutes", type=float, default=CAP_MINUTES,
                        help="stop a product drain after this long and report its rate so far")
    args = parser.parse_args(argv)
    sizes = args.sizes or (QUICK_SIZES if args.quick else FULL_SIZES)
    started, info = time.monotonic(), machine()
    _say(f"refund-intake benchmark, commit {info['commit']}, {info['cpus']} CPUs ({info['cpu']}), "
         f"load average {info['load_before'][0]:.2f}")
    rows: list[Row] = []
    out = measure.REPOSITORY / "var" / "bench" / f"results-{int(time.time())}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix=f"refund-intake-bench-{n}-") as workdir:
            rows += bench_size(n, args.seed, Path(workdir), args.cap_minutes * 60)
        out.write_text(json.dumps({"machine": info, "rows": as_json(rows)}, indent=2))
    rows.append(decision_row(next((r for r in rows if r.key == "floor"), None)))
    info |= {"seconds": time.monotonic() - started, "load_after": os.getloadavg()}
    print(table(rows))
    print("\n".join(["", "Targets (issue 7):", *(f"  {t}" for t in targets(rows))]))
    print(f"\n{info['date']}  commit {info['commit']}  {info['cpus']} CPUs  took "
          f"{info['seconds'] / 60:.1f} min  load average {info['load_before'][0]:.2f} -> "
          f"{info['load_after'][0]:.2f}")
    out.write_text(json.dumps({"machine": info, "rows": as_json(rows)}, indent=2))
    print(f"figures written to {out.relative_to(measure.REPOSITORY)}")
    return 0


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)
