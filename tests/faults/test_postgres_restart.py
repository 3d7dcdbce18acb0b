"""PostgreSQL restarts in the middle of a poll: the batch in flight is refused and rolled back, the
poll fails in one line, nothing is lost or half-stored, and the next poll catches up exactly once."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from base.db import make_engine, session_factory, upgrade
from base.models import FolderState, Message
from testing import MailUser
from tests.faults.fault_setup import one_line_error
from tests.intake.imap_setup import BASE_TIME, request_mail, run_cli, start_cli, write_config

pytestmark = [pytest.mark.dovecot, pytest.mark.postgresql, pytest.mark.slow]
TOTAL, BATCH = 300, 10


def test_postgres_restarted_mid_poll(tmp_path: Path, mailbox_user: MailUser, postgres) -> None:  # type: ignore[no-untyped-def]
    url = postgres.new_database("restart_mid_poll")
    upgrade(url)
    mailbox_user.server.append_many(mailbox_user.name, "INBOX", [
        (request_mail(i), BASE_TIME + timedelta(seconds=i)) for i in range(TOTAL)])
    config = write_config(tmp_path, mailbox_user, batch_size=BATCH, after="flag", database_url=url)
    engine = make_engine(url)
    sessions = session_factory(engine)

    def stored() -> tuple[int, int]:
        with sessions() as session:
            count = session.scalar(select(func.count(Message.id))) or 0
            last = session.scalar(select(func.max(FolderState.last_uid))) or 0
        return int(count), int(last)

    poller = start_cli(config, "poll", "--once")
    deadline = time.monotonic() + 120
    while stored()[0] < 3 * BATCH and time.monotonic() < deadline and poller.poll() is None:
        time.sleep(0.05)
    assert poller.poll() is None, "the restart must come while the poll is draining"
    engine.dispose()
    postgres.restart()
    _, err = poller.communicate(timeout=120)
    if poller.returncode == 0:
        pytest.fail("the poll did not notice the restart (it finished first); the machine is too fast "
                    "for this timing: raise TOTAL")
    line = one_line_error(err)
    assert "database" in line and "nothing was lost" in line, line

    count, last_uid = stored()
    assert count == last_uid and count % BATCH == 0 and count < TOTAL, "whole batches only, marked"
    result = run_cli(config, "poll", "--once")
    assert result.returncode == 0, result.stderr
    assert stored() == (TOTAL, TOTAL)
    with sessions() as session:
        assert session.scalar(select(func.count(func.distinct(Message.raw_sha256)))) == TOTAL
    engine.dispose()
