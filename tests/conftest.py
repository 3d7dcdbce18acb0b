"""Fixtures for the real servers the suite runs against; their logic lives in testing/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from base.db import upgrade
from testing import (
    Dovecot,
    DovecotNotInstalled,
    MailUser,
    Postgres,
    PostgresNotInstalled,
    SmtpServer,
)
from testing.server_life import memory_dir

# The storage and intake tests run once on each database the application supports.
DATABASES = [pytest.param("sqlite"), pytest.param("postgresql", marks=pytest.mark.postgresql)]


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    """One Dovecot for the whole session, its files in memory where the machine allows (see
    memory_dir); a missing binary fails (never skips) what needs it."""
    try:
        server = Dovecot(parent=memory_dir())
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


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """One PostgreSQL cluster for the whole session, in memory where the machine allows (see
    memory_dir); missing binaries fail (never skip) what needs it."""
    try:
        server = Postgres(parent=memory_dir())
    except PostgresNotInstalled as error:
        raise pytest.fail.Exception(str(error), pytrace=False) from None
    server.start()  # if this fails, its directory is kept for a look at the log
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database of this test's own, migrated by `db upgrade`: SQLite, then PostgreSQL."""
    return _migrated_database(request, tmp_path)


@pytest.fixture(scope="module", params=DATABASES)
def module_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """The same, shared by one module's tests (for an expensive set-up such as a corpus poll)."""
    return _migrated_database(request, tmp_path_factory.mktemp("database"))


def _migrated_database(request: pytest.FixtureRequest, directory: Path) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{directory / 'refund-intake.db'}"
    else:
        server = request.getfixturevalue("postgres")
        server.start()  # no-op unless an earlier test stopped it and failed before starting it again
        url = server.new_database(request.node.name)
    upgrade(url)
    return url
