"""Fixtures for the real servers the suite runs against; their logic lives in tests/servers/."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.servers import Dovecot, DovecotNotInstalled, MailUser, SmtpServer


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    """One Dovecot for the whole session; a missing binary fails (never skips) what needs it."""
    try:
        server = Dovecot()
    except DovecotNotInstalled as error:
        raise pytest.fail.Exception(str(error), pytrace=False) from None
    server.start()  # if this fails, its directory is kept for a look at the config and log
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def mailbox_user(dovecot: Dovecot, request: pytest.FixtureRequest) -> MailUser:
    """A user of this test's own, with an empty INBOX: tests never see each other's mail."""
    dovecot.start()  # no-op unless an earlier test stopped it and failed before starting it again
    return dovecot.new_user(request.node.name)


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A fresh SMTP server per test, accepting everything until told otherwise."""
    with SmtpServer() as server:
        yield server
