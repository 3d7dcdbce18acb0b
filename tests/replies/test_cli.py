"""The replies commands as staff type them: staff add, queue list/show/approve/reject/resend, send."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from base.config import Config
from base.db import session_scope
from base.models import AuditEvent
from refund_intake.cli import main
from replies.draft import draft_replies
from testing import SmtpServer
from tests.replies.builders import PASSWORD, RECEIVED, add_decision, add_person, add_request
from tests.replies.outbox_setup import draft, force, outbox_config


@pytest.fixture
def config(tmp_path: Path, db_url: str, smtp_server: SmtpServer, sessions: sessionmaker[Session]) -> Config:
    config = outbox_config(tmp_path, db_url, smtp_server)
    with session_scope(sessions) as session:
        add_person(session, "nadia@kreatorz.co.za", "approver")
        add_person(session, "vic@kreatorz.co.za", "viewer")
        # Draft 1: an acknowledgement (no decision yet); draft 2: the decision's reply to another
        # customer, which carries what an acknowledgement says (one reply waits per request).
        draft_replies(session, config, add_request(session, customer="pat@example.com",
                                                   message_id="<ack-1@example.com>"), None, RECEIVED)
        request = add_request(session)
        draft_replies(session, config, request, add_decision(session, request), RECEIVED)
    return config


def run(config: Config, *args: str) -> int:
    return main(["--config", str(config.path), *args])


def actions(sessions: sessionmaker[Session]) -> list[tuple[str, str]]:
    with sessions() as session:
        return [(e.actor, e.action) for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_staff_add_and_list(config: Config, sessions: sessionmaker[Session], capsys: pytest.CaptureFixture[str],
                            monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("REFUND_INTAKE_NEW_STAFF_PASSWORD", PASSWORD)
    # accounts exist (an approver and a viewer): adding one needs an acting admin
    assert run(config, "staff", "add", "Kim@Kreatorz.co.za", "--role", "admin", "--as", "nadia@kreatorz.co.za") == 1
    with session_scope(sessions) as session:
        add_person(session, "ada@kreatorz.co.za", "admin")
    assert run(config, "staff", "add", "Kim@Kreatorz.co.za", "--role", "admin", "--as", "ada@kreatorz.co.za") == 0
    (tmp_path / "pw").write_text("another long password\n")
    capsys.readouterr()
    # once an account exists, only an admin adds staff
    assert run(config, "staff", "add", "lee@kreatorz.co.za", "--password-file", str(tmp_path / "pw")) == 1
    assert "say who is acting" in capsys.readouterr().err
    assert run(config, "staff", "add", "lee@kreatorz.co.za", "--password-file", str(tmp_path / "pw"),
               "--as", "kim@kreatorz.co.za") == 0
    assert run(config, "staff", "add", "max@kreatorz.co.za", "--as", "lee@kreatorz.co.za") == 1
    assert "admin" in capsys.readouterr().err
    assert run(config, "staff", "add", "kim@kreatorz.co.za", "--as", "kim@kreatorz.co.za") == 1
    assert "already exists" in capsys.readouterr().err
    assert run(config, "staff", "list", "--json") == 0
    listed = {row["email"]: row["role"] for row in json.loads(capsys.readouterr().out)}
    assert listed["kim@kreatorz.co.za"] == "admin" and listed["lee@kreatorz.co.za"] == "approver"
    assert "max@kreatorz.co.za" not in listed
    assert ("nadia@kreatorz.co.za", "denied:staff:add") in actions(sessions)
    assert ("lee@kreatorz.co.za", "denied:staff:add") in actions(sessions)


def test_the_first_account_needs_no_admin(tmp_path: Path, db_url: str, smtp_server: SmtpServer,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    config = outbox_config(tmp_path, db_url, smtp_server)
    monkeypatch.setenv("REFUND_INTAKE_NEW_STAFF_PASSWORD", PASSWORD)
    assert run(config, "staff", "add", "first@kreatorz.co.za", "--role", "admin") == 0


def test_queue_list_and_show(config: Config, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(config, "queue", "list") == 0
    table = capsys.readouterr().out
    assert "acknowledgement" in table and "R-000001" in table and "draft" in table
    assert run(config, "queue", "show", "2", "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["kind"] == "approve" and "We will refund ZAR3,600.00." in shown["text"]
    assert shown["in_reply_to"] == "<req-1@example.com>" and shown["history"] == []
    assert run(config, "queue", "list", "--state", "sent") == 0
    assert "(none)" in capsys.readouterr().out
    assert run(config, "queue", "show", "99") == 1
    assert "no draft 99" in capsys.readouterr().err


def test_approve_with_an_edit_in_the_editor(config: Config, sessions: sessionmaker[Session],
                                            tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    editor = tmp_path / "editor.py"
    editor.write_text("import sys, pathlib\np = pathlib.Path(sys.argv[1])\n"
                      "p.write_text(p.read_text().replace('Good news', 'Great news'))\n")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    monkeypatch.delenv("VISUAL", raising=False)
    assert run(config, "queue", "approve", "2", "--edit", "--as", "nadia@kreatorz.co.za") == 0
    approved = draft(sessions, 2)
    assert approved.state == "approved" and approved.body_text.count("Great news") == 1
    assert "Great news" in approved.body_html
    assert actions(sessions) == [("nadia@kreatorz.co.za", "edit"), ("nadia@kreatorz.co.za", "approve")]


def test_a_failing_editor_approves_nothing(config: Config, sessions: sessionmaker[Session],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VISUAL", "false")
    monkeypatch.setenv("REFUND_INTAKE_STAFF", "nadia@kreatorz.co.za")
    assert run(config, "queue", "approve", "1", "--edit") == 1
    assert draft(sessions, 1).state == "draft"


def test_reject_and_roles(config: Config, sessions: sessionmaker[Session],
                          capsys: pytest.CaptureFixture[str]) -> None:
    assert run(config, "queue", "approve", "1", "--as", "vic@kreatorz.co.za") == 1
    assert "vic@kreatorz.co.za (viewer) may not approve" in capsys.readouterr().err
    assert run(config, "queue", "approve", "1") == 1
    assert "--as EMAIL" in capsys.readouterr().err
    assert run(config, "queue", "reject", "1", "--note", "Phoned instead", "--as", "nadia@kreatorz.co.za") == 0
    assert (draft(sessions, 1).state, draft(sessions, 1).note) == ("rejected", "Phoned instead")
    assert actions(sessions) == [("vic@kreatorz.co.za", "denied:approve"), ("nadia@kreatorz.co.za", "reject")]


def test_send_once_and_resend(config: Config, sessions: sessionmaker[Session], smtp_server: SmtpServer,
                              capsys: pytest.CaptureFixture[str]) -> None:
    assert run(config, "send", "--once") == 0
    assert capsys.readouterr().out.strip() == "outbox: nothing due"
    for draft_id in (1, 2):
        assert run(config, "queue", "approve", str(draft_id), "--as", "nadia@kreatorz.co.za") == 0
    smtp_server.fail_permanently("554 5.7.1 No thanks", at="RCPT")
    assert run(config, "send", "--once") == 1  # cron reads the exit code
    out, err = capsys.readouterr()
    assert "outbox: 2 failed" in out
    assert "2 draft(s) failed in this run (1, 2)" in err
    assert run(config, "queue", "list", "--state", "failed") == 0
    assert "RCPT TO sam@example.com refused: 554 5.7.1 No thanks" in capsys.readouterr().out
    smtp_server.accept()
    assert run(config, "queue", "resend", "2", "--as", "nadia@kreatorz.co.za") == 0
    assert run(config, "send", "--once", "--json") == 0
    out = capsys.readouterr().out
    assert json.loads(out[out.index("{"):])["sent"] == [2]
    assert len(smtp_server.messages) == 1


def test_send_reports_a_setup_problem_with_exit_status_1(
        tmp_path: Path, db_url: str, config: Config, smtp_server: SmtpServer,
        sessions: sessionmaker[Session], capsys: pytest.CaptureFixture[str]) -> None:
    force(sessions, 1, state="approved")
    broken = outbox_config(tmp_path, db_url, smtp_server, security="starttls")
    assert run(broken, "send", "--once") == 1
    assert "not sending in plaintext" in capsys.readouterr().err


def test_check_config_renders_the_templates(config: Config, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(config, "check-config") == 0
    assert "OK" in capsys.readouterr().out


def test_send_as_a_service_sends_then_stops_on_sigterm(
        config: Config, sessions: sessionmaker[Session], smtp_server: SmtpServer) -> None:
    force(sessions, 1, state="approved")
    service = subprocess.Popen([sys.executable, "-m", "refund_intake.cli", "--config", str(config.path), "send"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy())
    try:
        smtp_server.wait_for_messages(1, timeout=30)
    finally:
        service.send_signal(signal.SIGTERM)
        service.communicate(timeout=30)
    assert service.returncode == 0
    assert draft(sessions, 1).state == "sent" and len(smtp_server.messages) == 1
