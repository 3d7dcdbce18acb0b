"""A Sent folder that refuses the copy: the reply is sent once all the same, `status` counts the
missing copy, and the next outbox run saves it once the folder is fixed (Cyrus-shaped Dovecot)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from base.config import load_config
from replies.outbox import send_due
from replies.sent_copies import NO_COPY
from testing import Dovecot, SmtpServer
from testing.dovecot_shapes import CYRUS, shaped_dovecot
from tests.replies.outbox_setup import approved_drafts, draft, folder_ids, outbox_config

pytestmark = pytest.mark.dovecot
T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def cyrus() -> Iterator[Dovecot]:
    yield from shaped_dovecot(CYRUS)


def status(config_path: Path) -> dict:
    result = subprocess.run([sys.executable, "-m", "refund_intake.cli", "--config", str(config_path),
                             "status", "--json"], capture_output=True, text=True, timeout=60)
    return json.loads(result.stdout)


def test_a_refused_sent_copy_is_counted_then_saved_by_the_next_run(
        cyrus: Dovecot, tmp_path: Path, db_url: str, sessions: sessionmaker[Session],
        smtp_server: SmtpServer) -> None:
    user = cyrus.new_user("sent-refused")
    config = outbox_config(tmp_path, db_url, smtp_server, user)
    config.path.write_text(config.path.read_text().replace('sent_folder = "Sent"',
                                                           'sent_folder = "Archive.Sent"'))
    config = load_config(config.path)
    ids = approved_drafts(sessions, config)
    report = send_due(sessions, config, T0)
    assert report.sent == ids and report.without_sent_copy == 2
    assert all(draft(sessions, i).last_error.startswith(NO_COPY) for i in ids)
    assert status(config.path)["sent_without_copy"] == 2
    assert len(smtp_server.messages) == 2

    # The admin removes the bad name: the server's own Sent folder (INBOX.Sent) takes the copies.
    config.path.write_text(config.path.read_text().replace('sent_folder = "Archive.Sent"\n', ""))
    config = load_config(config.path)
    report = send_due(sessions, config, T0 + timedelta(minutes=1))
    assert (report.sent, report.without_sent_copy) == ([], 0)
    assert [draft(sessions, i).last_error for i in ids] == [None, None]
    assert sorted(folder_ids(user, "INBOX.Sent")) == sorted(draft(sessions, i).message_id for i in ids)
    assert status(config.path)["sent_without_copy"] == 0
    assert len(smtp_server.messages) == 2  # never sent twice
