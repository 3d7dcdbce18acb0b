"""kill -9 the poller at 20 seeded points while it drains 500 messages: each is stored exactly once.

The points come from random.Random(SEED), so a failure replays with the same plan. Two kinds:
- "committed k": kill as soon as the SQLite file shows k more messages committed than when this
  run started, which lands just after a batch commit (settling on the server, or fetching the
  next batch);
- "timed t": kill t seconds after the start, or at the run's first commit if that comes sooner,
  which lands in start-up, login, SEARCH, FETCH or inside the first batch's transaction.
Each run commits at most a few batches before its kill (415 messages in all at worst, checked
below), so the 20 kills always hit a poll that is still draining, however fast the machine; the
last, uninterrupted poll drains the rest.
"""

from __future__ import annotations

import math
import random
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from testing import MailUser
from tests.faults.fault_setup import DatabaseWatch, Delivered, deliver, folder_view
from tests.intake.imap_setup import run_cli, start_cli, write_config

pytestmark = [pytest.mark.dovecot, pytest.mark.slow]

SEED = 20261107
TOTAL = 500
KILLS = 20
BATCH = 5


@dataclass(frozen=True)
class KillPoint:
    kind: str  # committed | timed
    value: float  # messages more committed, or seconds after the start

    def __str__(self) -> str:
        if self.kind == "committed":
            return f"after {int(self.value)} more committed"
        return f"at {self.value:.2f} s"


def kill_plan(seed: int) -> list[KillPoint]:
    rng = random.Random(seed)
    points = [KillPoint("committed", rng.randint(1, 8 * BATCH)) for _ in range(14)]
    points += [KillPoint("timed", round(rng.uniform(0.05, 2.5), 2)) for _ in range(KILLS - 14)]
    rng.shuffle(points)
    return points


def kill_at(point: KillPoint, process: subprocess.Popen[str], watch: DatabaseWatch) -> tuple[bool, int]:
    """Wait for the point, SIGKILL the poller; (was it still running, committed before the kill)."""
    start = watch.committed()

    def running() -> bool:
        return process.poll() is None

    if point.kind == "committed":
        watch.wait_for(start + int(point.value), timeout=120, still_running=running)
    else:
        deadline = time.monotonic() + point.value
        while running() and time.monotonic() < deadline and watch.committed() == start:
            time.sleep(0.005)
    alive = running()
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    return alive, start


def worst_case_progress(plan: list[KillPoint]) -> int:
    """Messages the plan lets the polls commit at most: each committed point's batches, plus one
    batch the watch may see late, and two batches for a timed point."""
    return sum(math.ceil(p.value / BATCH) * BATCH + BATCH if p.kind == "committed" else 2 * BATCH
               for p in plan)


def test_plan_is_reproducible_and_always_hits_a_draining_poll() -> None:
    plan = kill_plan(SEED)
    assert plan == kill_plan(SEED)
    assert len(plan) == KILLS and [p.kind for p in plan].count("timed") == 6
    assert worst_case_progress(plan) == 415 < TOTAL


def test_killed_twenty_times_every_message_stored_exactly_once(tmp_path: Path, mailbox_user: MailUser) -> None:
    delivered = deliver(mailbox_user, TOTAL, with_malformed=True)
    config = write_config(tmp_path, mailbox_user, batch_size=BATCH, after="flag")
    watch = DatabaseWatch(config)
    history: list[str] = []
    for number, point in enumerate(kill_plan(SEED), 1):
        alive, before = kill_at(point, start_cli(config, "poll", "--once"), watch)
        committed, last_uid = watch.committed(), watch.last_uid()
        history.append(f"kill {number} {point}: {before} -> {committed} committed")
        assert alive, f"the poll ended before kill {number}; the plan must hit a live poll: {history}"
        assert committed < TOTAL, history
        # A batch commits whole with its UID mark, or not at all: the kill lost only the batch in flight.
        assert committed % BATCH == 0 and committed == last_uid, history
        assert sorted(uid for *_, uid in watch.rows()) == list(range(1, last_uid + 1)), history

    print("\n".join(history))  # where each kill landed (pytest -s, or shown on failure)
    remaining = TOTAL - watch.committed()
    final = run_cli(config, "poll", "--once")
    assert final.returncode == 0, final.stderr
    assert f"accounts: {remaining} new message(s) stored" in final.stdout, final.stdout
    assert_drained_exactly_once(watch, delivered, mailbox_user)


def assert_drained_exactly_once(watch: DatabaseWatch, delivered: Delivered, user: MailUser) -> None:
    rows = watch.rows()
    assert len(rows) == TOTAL and watch.raw_rows() == TOTAL
    assert len({sha for _, sha, *_ in rows}) == TOTAL, "a message was stored twice"
    assert {received for received, *_ in rows} == set(delivered.names), "a message is missing"
    quarantined = {received for received, _, status, *_ in rows if status == "quarantined"}
    assert sorted(delivered.names[r] for r in quarantined) == \
        sorted(delivered.names[r] for r in delivered.quarantine_expected) == ["empty.eml", "outlook_item.msg"]
    assert not [r for r in rows if r[3] == "unclassified"], "a message was stored half-processed"
    assert watch.integrity() == "ok"
    server = folder_view(user)
    assert len(server.received) == TOTAL and server.flagged == set(server.received)
