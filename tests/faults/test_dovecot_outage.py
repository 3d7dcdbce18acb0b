"""Dovecot stops in the middle of a poll: that poll fails in one line, the next one finishes the job."""

from __future__ import annotations

from pathlib import Path

import pytest

from testing import Dovecot, MailUser
from tests.faults.fault_setup import (
    DatabaseWatch,
    deliver,
    folder_view,
    one_line_error,
    stop_dovecot,
)
from tests.intake.imap_setup import run_cli, start_cli, write_config

pytestmark = [pytest.mark.dovecot, pytest.mark.slow]

TOTAL = 200
BATCH = 10


def test_server_stopped_mid_poll_next_poll_finishes(tmp_path: Path, mailbox_user: MailUser,
                                                    dovecot: Dovecot) -> None:
    delivered = deliver(mailbox_user, TOTAL)
    config = write_config(tmp_path, mailbox_user, batch_size=BATCH, after="flag")
    watch = DatabaseWatch(config)
    poller = start_cli(config, "poll", "--once")
    try:
        seen = watch.mid_drain(poller, 3 * BATCH, TOTAL, "Dovecot must stop while the poll is draining")
        assert stop_dovecot(dovecot), "the poll's IMAP session should have been running"
        stdout, stderr = poller.communicate(timeout=60)
    finally:
        if poller.poll() is None:
            poller.kill()
            poller.communicate()
        dovecot.start()  # same ports: the configured client finds it again

    assert poller.returncode == 1, (seen, watch.committed(), stdout, stderr)
    line = one_line_error(stderr)
    assert line.startswith("refund-intake: error: mailbox accounts: IMAP 127.0.0.1: "), line
    assert "failed" in line, line

    stored = watch.committed()
    assert 3 * BATCH <= stored < TOTAL
    # whole batches only, each with its UID mark; flags set only on what was committed
    assert stored % BATCH == 0 and stored == watch.last_uid()
    server = folder_view(mailbox_user)
    assert len(server.received) == TOTAL, "the server lost mail"
    assert server.flagged <= set(range(1, stored + 1))

    again = run_cli(config, "poll", "--once")
    assert again.returncode == 0, again.stderr
    assert f"accounts: {TOTAL - stored} new message(s) stored" in again.stdout, again.stdout
    rows = watch.rows()
    assert len(rows) == TOTAL and len({sha for _, sha, *_ in rows}) == TOTAL
    assert {received for received, *_ in rows} == set(delivered.names)
    assert sorted(uid for *_, uid in rows) == list(range(1, TOTAL + 1))
    server = folder_view(mailbox_user)
    assert len(server.received) == TOTAL and server.flagged == set(server.received)
