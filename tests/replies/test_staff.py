"""Staff accounts: argon2id hashes, refused passwords, unknown emails, roles."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from base.errors import ActionRefused
from staff.accounts import add_staff, authenticate, get_staff
from tests.replies.builders import PASSWORD


def test_password_is_stored_only_as_an_argon2id_hash(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        staff = add_staff(session, "  Nadia@Kreatorz.co.za ", PASSWORD, "admin")
        session.commit()
        assert staff.email == "nadia@kreatorz.co.za"
        assert staff.password_hash.startswith("$argon2id$")
        assert PASSWORD not in staff.password_hash


def test_right_password_logs_in_and_wrong_or_unknown_does_not(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        add_staff(session, "nadia@kreatorz.co.za", PASSWORD)
        assert authenticate(session, "NADIA@kreatorz.co.za", PASSWORD) is not None
        assert authenticate(session, "nadia@kreatorz.co.za", PASSWORD + "!") is None
        assert authenticate(session, "nadia@kreatorz.co.za", "") is None
        assert authenticate(session, "nobody@kreatorz.co.za", PASSWORD) is None


def test_disabled_account_cannot_log_in(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        staff = add_staff(session, "nadia@kreatorz.co.za", PASSWORD)
        staff.active = False
        assert authenticate(session, "nadia@kreatorz.co.za", PASSWORD) is None


@pytest.mark.parametrize(("email", "password", "role", "message"), [
    ("not-an-address", PASSWORD, "approver", "not an email address"),
    ("a@kreatorz.co.za", "short", "approver", "password too short"),
    ("a@kreatorz.co.za", PASSWORD, "boss", "unknown role"),
])
def test_bad_accounts_are_refused(sessions: sessionmaker[Session], email: str, password: str,
                                  role: str, message: str) -> None:
    with sessions() as session, pytest.raises(ActionRefused, match=message):
        add_staff(session, email, password, role)


def test_an_email_has_one_account(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        add_staff(session, "nadia@kreatorz.co.za", PASSWORD)
        with pytest.raises(ActionRefused, match="already exists"):
            add_staff(session, "Nadia@kreatorz.co.za", PASSWORD)
        assert get_staff(session, "nadia@KREATORZ.co.za") is not None
