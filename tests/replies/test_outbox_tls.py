"""SMTP security: implicit TLS, STARTTLS with AUTH, and never plaintext when TLS is wanted."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy.orm import Session, sessionmaker

from replies.outbox import send_due
from testing import SmtpServer
from tests.replies.outbox_setup import approved_drafts, drafts, outbox_config, tls_server_context

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
SMTP_PASSWORD = "smtp-secret-42"


class Logins:
    """An aiosmtpd authenticator that accepts one user and remembers every try."""

    def __init__(self) -> None:
        self.tries: list[tuple[str, str]] = []

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        assert isinstance(data, LoginPassword)
        login, password = data.login.decode(), data.password.decode()
        self.tries.append((login, password))
        # handled=False: the server itself answers 235 or 535.
        return AuthResult(success=(login, password) == ("accounts", SMTP_PASSWORD), handled=False)


@pytest.fixture
def logins() -> Logins:
    return Logins()


@pytest.fixture
def starttls_server(tmp_path: Path, logins: Logins) -> Iterator[tuple[SmtpServer, Path]]:
    context, cert = tls_server_context(tmp_path / "tls")
    with SmtpServer(tls_context=context, require_starttls=True, authenticator=logins,
                    auth_require_tls=True) as server:
        yield server, cert


def auth_settings(tmp_path: Path, cert: Path | None, password: str = SMTP_PASSWORD) -> str:
    (tmp_path / "smtp.pw").write_text(password + "\n")
    ca = f'ca_file = "{cert}"' if cert else ""
    return f'username = "accounts"\npassword_file = "smtp.pw"\n{ca}'


def test_starttls_with_auth_sends(tmp_path: Path, db_url: str, sessions: sessionmaker[Session],
                                  starttls_server: tuple[SmtpServer, Path], logins: Logins) -> None:
    server, cert = starttls_server
    config = outbox_config(tmp_path, db_url, server, security="starttls",
                           smtp_extra=auth_settings(tmp_path, cert))
    ids = approved_drafts(sessions, config)
    assert send_due(sessions, config, T0).sent == ids
    assert logins.tries == [("accounts", SMTP_PASSWORD)] * 2 and len(server.messages) == 2


def test_a_refused_login_blames_no_draft(tmp_path: Path, db_url: str, sessions: sessionmaker[Session],
                                         starttls_server: tuple[SmtpServer, Path]) -> None:
    server, cert = starttls_server
    config = outbox_config(tmp_path, db_url, server, security="starttls",
                           smtp_extra=auth_settings(tmp_path, cert, password="wrong"))
    approved_drafts(sessions, config)
    report = send_due(sessions, config, T0)
    assert report.error is not None and "login refused for accounts: 535" in report.error
    assert [(d.state, d.attempts) for d in drafts(sessions)] == [("approved", 0)] * 2
    assert server.messages == []


def test_an_untrusted_certificate_stops_the_run(tmp_path: Path, db_url: str, sessions: sessionmaker[Session],
                                                starttls_server: tuple[SmtpServer, Path]) -> None:
    server, _ = starttls_server
    config = outbox_config(tmp_path, db_url, server, security="starttls",
                           smtp_extra=auth_settings(tmp_path, None))
    approved_drafts(sessions, config)
    report = send_due(sessions, config, T0)
    assert report.error is not None and "CERTIFICATE_VERIFY_FAILED" in report.error
    assert server.messages == [] and {d.state for d in drafts(sessions)} == {"approved"}


def test_starttls_missing_never_falls_back_to_plaintext(
        tmp_path: Path, db_url: str, sessions: sessionmaker[Session], smtp_server: SmtpServer) -> None:
    config = outbox_config(tmp_path, db_url, smtp_server, security="starttls")
    approved_drafts(sessions, config)
    report = send_due(sessions, config, T0)
    assert report.error is not None and "offers no STARTTLS; not sending in plaintext" in report.error
    assert smtp_server.messages == [] and {d.state for d in drafts(sessions)} == {"approved"}


def test_implicit_tls(tmp_path: Path, db_url: str, sessions: sessionmaker[Session]) -> None:
    context, cert = tls_server_context(tmp_path / "tls")
    with SmtpServer(ssl_context=context) as server:
        config = outbox_config(tmp_path, db_url, server, security="tls", smtp_extra=f'ca_file = "{cert}"')
        ids = approved_drafts(sessions, config)
        assert send_due(sessions, config, T0).sent == ids
        assert len(server.messages) == 2
