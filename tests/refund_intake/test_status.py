"""`status` tells monitoring whether the service is healthy: per mailbox, and of the outbox."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from testing import MailUser
from tests.intake.imap_setup import fill, run_cli, write_config

pytestmark = pytest.mark.dovecot


def test_status_healthy_then_server_down(tmp_path: Path, mailbox_user: MailUser) -> None:
    fill(mailbox_user, 2)
    config = write_config(tmp_path, mailbox_user)
    never = run_cli(config, "status", "--json")
    assert never.returncode == 1
    assert json.loads(never.stdout)["mailboxes"][0]["last_error"] == "never polled successfully"

    assert run_cli(config, "poll", "--once").returncode == 0
    healthy = run_cli(config, "status", "--json")
    assert healthy.returncode == 0, healthy.stdout
    data = json.loads(healthy.stdout)
    assert data["healthy"] is True and data["mailboxes"][0]["last_error"] is None
    assert data["quarantined"] == 0 and data["outbox_failed"] == 0

    mailbox_user.server.stop()
    try:
        assert run_cli(config, "poll", "--once").returncode == 1
        down = run_cli(config, "status")
    finally:
        mailbox_user.server.start()
    assert down.returncode == 1
    assert down.stdout.startswith("UNHEALTHY")
    assert "cannot connect" in down.stdout and "accounts" in down.stdout
    assert run_cli(config, "poll", "--once").returncode == 0
    assert run_cli(config, "status").returncode == 0, "a successful poll clears the error"
