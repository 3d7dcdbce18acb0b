"""`refund-intake staff disable|enable|role|passwd` run as a person runs them: the installed
command, in its own process, on the desk's seeded database."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session, sessionmaker

from base.config import Config
from base.db import session_scope
from staff.accounts import authenticate
from tests.desk.lookup import audit_detail, audit_trail
from tests.desk.seed import PASSWORD, STAFF
from tests.desk.served import cli

ADMIN = ("--as", STAFF["admin"])
NEW_PASSWORD = "lantern orchid quarry violet"


def listed(config: Config) -> dict[str, dict[str, object]]:
    done = cli(config, "staff", "list", "--json")
    assert done.returncode == 0, done.stderr
    return {row["email"]: row for row in json.loads(done.stdout)}


def can_sign_in(sessions: sessionmaker[Session], email: str, password: str) -> bool:
    with session_scope(sessions) as db:
        return authenticate(db, email, password) is not None


def one_line_error(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("refund-intake: error: "), stderr
    return lines[0]


def test_an_admin_disables_and_enables_an_account(config: Config, sessions: sessionmaker[Session]) -> None:
    done = cli(config, "staff", "disable", STAFF["viewer"], *ADMIN)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"staff member {STAFF['viewer']} disabled; 0 web session(s) ended"
    assert listed(config)[STAFF["viewer"]]["active"] is False
    assert not can_sign_in(sessions, STAFF["viewer"], PASSWORD)
    assert cli(config, "staff", "enable", STAFF["viewer"], *ADMIN).returncode == 0
    assert listed(config)[STAFF["viewer"]] | {"created_at": None} == {
        "email": STAFF["viewer"], "role": "viewer", "active": True, "web_sessions": 0, "created_at": None}
    assert can_sign_in(sessions, STAFF["viewer"], PASSWORD)
    trail = audit_trail(sessions)
    assert (STAFF["admin"], "staff:disable", None, None) in trail
    assert (STAFF["admin"], "staff:enable", None, None) in trail


def test_an_admin_changes_a_role(config: Config, sessions: sessionmaker[Session]) -> None:
    done = cli(config, "staff", "role", STAFF["viewer"], "approver", *ADMIN)
    assert done.returncode == 0, done.stderr
    assert listed(config)[STAFF["viewer"]]["role"] == "approver"
    assert audit_detail(sessions, "staff:role") == {
        "email": STAFF["viewer"], "before": {"role": "viewer", "active": True},
        "after": {"role": "approver", "active": True}, "sessions_ended": 0}


def test_a_new_password_replaces_the_old_one(config: Config, sessions: sessionmaker[Session]) -> None:
    done = cli(config, "staff", "passwd", STAFF["approver"], *ADMIN, password=NEW_PASSWORD)
    assert done.returncode == 0, done.stderr
    assert not can_sign_in(sessions, STAFF["approver"], PASSWORD)
    assert can_sign_in(sessions, STAFF["approver"], NEW_PASSWORD)
    assert (STAFF["admin"], "staff:passwd", None, None) in audit_trail(sessions)


@pytest.mark.parametrize("password, why", [
    ("short1!", "password too short"),
    ("password1234", "password too weak: This is a very common password"),
    ("qwertyuiop12", "password too weak"),
    ("kreatorz-amir", "password too weak"),       # the person's own address
    ("P@ssw0rd2024!", "password too weak"),       # l33t of a common one
])
def test_a_weak_password_is_refused_and_changes_nothing(
        config: Config, sessions: sessionmaker[Session], password: str, why: str) -> None:
    done = cli(config, "staff", "passwd", STAFF["approver"], *ADMIN, password=password)
    assert done.returncode != 0
    assert why in one_line_error(done.stderr)
    assert can_sign_in(sessions, STAFF["approver"], PASSWORD)
    added = cli(config, "staff", "add", "nia@kreatorz.co.za", *ADMIN, password=password)
    assert added.returncode != 0 and why in one_line_error(added.stderr)
    assert "nia@kreatorz.co.za" not in listed(config)


@pytest.mark.parametrize("command", [
    ("disable", STAFF["viewer"]), ("enable", STAFF["viewer"]), ("role", STAFF["viewer"], "admin"),
    ("passwd", STAFF["viewer"]),
])
def test_only_an_admin_changes_another_account(config: Config, sessions: sessionmaker[Session],
                                               command: tuple[str, ...]) -> None:
    done = cli(config, "staff", *command, "--as", STAFF["approver"], password=NEW_PASSWORD)
    assert done.returncode != 0
    assert "the admin role is needed" in one_line_error(done.stderr)
    assert (STAFF["approver"], f"denied:staff:{command[0]}", None, None) in audit_trail(sessions)
    assert listed(config)[STAFF["viewer"]] | {"created_at": None} == {
        "email": STAFF["viewer"], "role": "viewer", "active": True, "web_sessions": 0, "created_at": None}
    assert can_sign_in(sessions, STAFF["viewer"], PASSWORD)


def test_anyone_may_change_their_own_password(config: Config, sessions: sessionmaker[Session]) -> None:
    done = cli(config, "staff", "passwd", STAFF["viewer"], "--as", STAFF["viewer"], password=NEW_PASSWORD)
    assert done.returncode == 0, done.stderr
    assert can_sign_in(sessions, STAFF["viewer"], NEW_PASSWORD)


def test_a_disabled_account_cannot_act(config: Config) -> None:
    assert cli(config, "staff", "role", STAFF["approver"], "admin", *ADMIN).returncode == 0
    assert cli(config, "staff", "disable", STAFF["approver"], *ADMIN).returncode == 0
    done = cli(config, "staff", "enable", STAFF["approver"], "--as", STAFF["approver"])
    assert "the account is disabled" in one_line_error(done.stderr)


@pytest.mark.parametrize("command", [("disable", STAFF["admin"]), ("role", STAFF["admin"], "approver")])
def test_the_last_admin_stays(config: Config, command: tuple[str, ...]) -> None:
    done = cli(config, "staff", *command, *ADMIN)
    assert done.returncode != 0
    assert "the only active admin" in one_line_error(done.stderr)
    assert listed(config)[STAFF["admin"]]["role"] == "admin"
    assert listed(config)[STAFF["admin"]]["active"] is True


def test_an_unknown_account_is_named(config: Config) -> None:
    done = cli(config, "staff", "disable", "nobody@kreatorz.co.za", *ADMIN)
    assert done.returncode != 0
    assert "no staff member nobody@kreatorz.co.za" in one_line_error(done.stderr)
