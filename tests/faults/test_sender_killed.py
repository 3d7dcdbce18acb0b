"""kill -9 the sender at 15 seeded points while it sends 100 approved replies: each arrives once.

The SMTP server is aiosmtpd on loopback that also delivers mail for the accounts address into
the Dovecot user's INBOX before its 250, as an MTA's local delivery does: that is where the
outbox's journal copies land (README, "Replies and sending"). The points come from
random.Random(SEED), so a failure replays with the same plan. Two kinds:
- "received k": kill as soon as the server has accepted k more replies in this run, which lands
  just after a 250 (before the Sent-folder APPEND and the database commit, or a little later);
- "timed t": kill t seconds after the run's first accepted reply (or at t after the start when
  none comes), which lands anywhere: claim, connect, RCPT, DATA, APPEND, commit.
Each killed run leaves at most one draft in `sending`; the runs after it settle that draft once
it is older than sending_timeout_seconds (10 s, the configured minimum, so the test waits it
out: the CLI has no clock override): found in the mailbox -> sent, else resent.
"""

from __future__ import annotations

import random
import signal
import subprocess
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from base.db import make_engine, session_factory, upgrade
from base.models import AuditEvent
from testing import Dovecot, MailUser, SmtpServer
from tests.replies.builders import ACCOUNTS
from tests.replies.outbox_setup import (
    approved_drafts,
    delivering_server,
    drafts,
    inbox_ids,
    outbox_config,
    start_send,
)

pytestmark = [pytest.mark.dovecot, pytest.mark.slow]

SEED = 20261108
REQUESTS = 50  # an acknowledgement and an approve reply each: 100 drafts
KILLS = 15
TIMEOUT = 10  # sending_timeout_seconds, the config's minimum


@dataclass(frozen=True)
class KillPoint:
    kind: str  # received | timed
    value: float  # replies more accepted, or seconds after the first

    def __str__(self) -> str:
        return f"after {int(self.value)} more received" if self.kind == "received" \
            else f"{self.value:.3f} s after the first"


def kill_plan(seed: int) -> list[KillPoint]:
    rng = random.Random(seed)
    points = [KillPoint("received", rng.randint(1, 5)) for _ in range(8)]
    points += [KillPoint("timed", round(rng.uniform(0.0, 0.3), 3)) for _ in range(KILLS - 8)]
    rng.shuffle(points)
    return points


def kill_at(point: KillPoint, process: subprocess.Popen[str], server: SmtpServer) -> bool:
    """Wait for the point and SIGKILL the sender; False when it had already finished."""
    start = len(server.messages)
    deadline = time.monotonic() + 30
    first_at: float | None = None
    while process.poll() is None and time.monotonic() < deadline:
        received = len(server.messages) - start
        if point.kind == "received" and received >= point.value:
            break
        if point.kind == "timed":
            if first_at is None and received:
                first_at = time.monotonic()
            if first_at is not None and time.monotonic() - first_at >= point.value:
                break
        time.sleep(0.002)
    if process.poll() is not None:
        return False
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    return True


def claims(sessions: sessionmaker[Session]) -> set[tuple[int, datetime | None]]:
    return {(d.id, d.sending_since) for d in drafts(sessions) if d.state == "sending"}


def run_to_end(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=120)
    return process.returncode, out, err


def test_a_sender_killed_at_random_points_sends_each_reply_exactly_once(
        tmp_path: Path, dovecot: Dovecot, mailbox_user: MailUser) -> None:
    db_url = f"sqlite:///{tmp_path / 'outbox.db'}"
    upgrade(db_url)
    engine = make_engine(db_url)
    sessions: sessionmaker[Session] = session_factory(engine)
    try:
        with delivering_server(dovecot, mailbox_user) as server:
            config = outbox_config(tmp_path, db_url, server, mailbox_user,
                                   replies="retry_base_seconds = 1\nmax_attempts = 100\n"
                                           f"sending_timeout_seconds = {TIMEOUT}")
            assert config.replies.journal_copy
            ids = approved_drafts(sessions, config, count=REQUESTS)
            assert len(ids) == 2 * REQUESTS
            killed, last_kill, stalled = 0, datetime.now(UTC), 0
            for point in kill_plan(SEED):
                before = claims(sessions)
                if kill_at(point, start_send(config), server):
                    killed += 1
                    last_kill = datetime.now(UTC)
                    stalled += len(claims(sessions) - before)  # claims the killed run left
            assert killed >= KILLS - 2, f"only {killed} kills hit a running sender"
            # Past the sending timeout of the last stalled draft, runs settle everything.
            for _ in range(5):
                wait = (last_kill + timedelta(seconds=TIMEOUT + 1) - datetime.now(UTC)).total_seconds()
                if wait > 0 and any(d.state == "sending" for d in drafts(sessions)):
                    time.sleep(wait)
                code, out, err = run_to_end(start_send(config))
                assert code == 0, f"{out}\n{err}"
                if all(d.state == "sent" for d in drafts(sessions)):
                    break
            received = server.messages
        final = drafts(sessions)
        with sessions() as session:
            settled = Counter(session.scalars(select(AuditEvent.action).where(
                AuditEvent.action.in_(("recovered:sent", "recovered:resend")))))
    finally:
        engine.dispose()

    assert [d.state for d in final] == ["sent"] * len(ids), Counter(d.state for d in final)
    customer_of = {d.message_id: d.to_address for d in final}
    to_customer = Counter(message_id for message_id, m in ((m.parsed()["Message-ID"], m) for m in received)
                          if customer_of.get(message_id) in m.rcpt_tos)
    assert {d.message_id: to_customer[d.message_id] for d in final} == {d.message_id: 1 for d in final}
    assert len(received) == len(final)  # nothing else went out
    assert all(m.rcpt_tos[-1] == ACCOUNTS for m in received)  # each with its journal copy
    assert Counter(inbox_ids(mailbox_user)) == Counter({d.message_id: 1 for d in final})
    assert sum(settled.values()) == stalled  # every stalled draft was settled by the mailbox
    print(f"{killed} kills, {stalled} left a draft in `sending`: {settled['recovered:sent']} "
          f"found in the mailbox (sent), {settled['recovered:resend']} not accepted (sent again)")
