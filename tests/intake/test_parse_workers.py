"""Parsing in worker processes (`[intake] parse_workers`) stores exactly what parsing in the
poller stores, and a poll whose workers die goes on parsing in its own process."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from base.config import load_config
from base.db import make_engine, session_factory, upgrade
from base.models import DecisionRecord, Draft, Message, Request
from base.policies import policies_by_mailbox
from benchmarks.generate import RequestGenerator
from decisions import parse_orders_csv
from intake.prepare import Preparer
from intake.understand import Hints
from mail.source import Fetched
from pipeline.poll import PollContext, poll_all
from refund_intake.decision_commands import _upsert

ROOT = Path(__file__).resolve().parents[2]
COUNT = 260  # three batches of the Maildir source's 100


@pytest.fixture(scope="module")
def maildir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Generated requests (plain, HTML, attachments, French, replies) and their orders."""
    path = tmp_path_factory.mktemp("mail") / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (path / sub).mkdir(parents=True)
    generator = RequestGenerator(seed=11, count=COUNT)
    for index, message in enumerate(generator.messages()):
        name = f"{int(message.received_at.timestamp())}.M{index}P1.test:2,S"
        (path / "cur" / name).write_bytes(message.raw)
    return path, generator.orders_csv()


def write_config(tmp_path: Path, maildir: tuple[Path, str], workers: int) -> Path:
    config_path = tmp_path / f"workers-{workers}.toml"
    config_path.write_text(f"""
[database]
url = "sqlite:///{tmp_path / f'workers-{workers}.db'}"

[intake]
order_ref_patterns = ['\\bKRZ-\\d{{4,}}\\b']
parse_workers = {workers}

[[mailbox]]
name = "accounts"
address = "accounts@kreatorz.co.za"
policy = "{ROOT / 'policies' / 'kreatorz.toml'}"
language = "en"
trusted_relays = ["noreply@kreatorz.co.za"]

[mailbox.maildir]
path = "{maildir[0]}"
""")
    return config_path


def poll(tmp_path: Path, maildir: tuple[Path, str], workers: int) -> dict[str, Any]:
    """Poll the Maildir into a fresh SQLite file; what was stored, by each message's raw hash."""
    config = load_config(write_config(tmp_path, maildir, workers))
    assert config.intake.parse_workers == workers
    upgrade(config.database_url)
    engine = make_engine(config.database_url)
    sessions = session_factory(engine)
    with sessions.begin() as session:
        for order in parse_orders_csv(maildir[1])[0]:
            _upsert(session, order)
    [report] = poll_all(PollContext(engine, sessions, config, policies=policies_by_mailbox(config)))
    assert (report.ok, report.stored, report.draft_failures) == (True, COUNT, 0)
    with sessions() as session:
        messages = {m.raw_sha256: (m.classification, m.parse_status, m.language, m.reason,
                                   tuple(m.order_refs), m.request.reference if m.request else None)
                    for m in session.scalars(select(Message))}
        decisions = sorted((r.reference, d.outcome, d.refund_amount, d.fee) for d, r in session.execute(
            select(DecisionRecord, Request).join(Request)))
        drafts = sorted((r.reference, d.kind, d.state) for d, r in session.execute(
            select(Draft, Request).join(Request)))
    engine.dispose()
    return {"messages": messages, "decisions": decisions, "drafts": drafts}


def test_workers_store_what_the_poller_alone_stores(
        tmp_path: Path, maildir: tuple[Path, str], caplog: pytest.LogCaptureFixture) -> None:
    alone = poll(tmp_path, maildir, workers=0)
    with caplog.at_level(logging.DEBUG, logger="intake.prepare"):
        pooled = poll(tmp_path, maildir, workers=2)
    assert "parsing in 2 worker processes" in caplog.text
    assert len(alone["messages"]) == COUNT
    assert {c for c, *_ in alone["messages"].values()} >= {"new_request", "reply", "duplicate"}
    assert pooled == alone


def test_a_pool_whose_workers_died_parses_in_this_process(caplog: pytest.LogCaptureFixture) -> None:
    config = load_config(ROOT / "examples" / "demo.toml")
    raw = (ROOT / "examples" / "sample-mailbox" / "cur").glob("*")
    items = [Fetched("INBOX", None, None, f.name, f.read_bytes(), datetime.now(UTC))
             for f in sorted(raw)]
    with Preparer(config.intake, Hints("en"), workers=1) as preparer:
        assert [p.sha for p in preparer.submit(items)()] == [p.sha for p in preparer.submit(items)()]
        for pid in list(preparer._pool._processes):  # type: ignore[union-attr]
            os.kill(pid, signal.SIGKILL)
        with caplog.at_level(logging.WARNING):
            prepared = preparer.submit(items)()
    assert "parse workers stopped unexpectedly" in caplog.text
    assert [p.fetched for p in prepared] == items
    assert sum(p.parsed.usable for p in prepared) >= len(items) - 2  # the demo has 2 unreadable


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found |= {int(c) for c in (task / "children").read_text().split()}
    return found


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_a_poller_killed_with_9_leaves_no_workers(tmp_path: Path, maildir: tuple[Path, str]) -> None:
    config = write_config(tmp_path, maildir, workers=2)
    upgrade(load_config(config).database_url)
    poller = subprocess.Popen([sys.executable, "-m", "refund_intake.cli", "--config", str(config),
                               "poll", "--once"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while len(children(poller.pid)) < 2 and poller.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    workers = children(poller.pid)
    assert len(workers) >= 2, "the poll ended before its parse workers were seen"
    poller.kill()
    poller.communicate(timeout=30)  # would hang while a worker still held its stdout
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{w}").exists() for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [w for w in workers if Path(f"/proc/{w}").exists()]
