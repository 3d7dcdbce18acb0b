"""Fixtures for the web page tests: a seeded SQLite database, the app with a fixed clock, a client."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from base.config import Config, load_config
from base.db import make_engine, session_factory, session_scope, upgrade
from desk.app import create_app
from staff.accounts import add_staff
from tests.desk.seed import NOW, PASSWORD, STAFF, add_case, standard_cases

SECRET = "a-test-secret-that-is-long-enough-to-sign-cookies"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


class Clock:
    """The app's idea of now, which a test may move forward."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(scope="session")
def seeded_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated, with one account per role and the standard cases; copied for each test."""
    path = tmp_path_factory.mktemp("desk") / "seeded.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    with session_scope(session_factory(engine)) as db:
        for role, email in STAFF.items():
            add_staff(db, email, PASSWORD, role)
        for case in standard_cases():
            add_case(db, case)
    engine.dispose()  # the last connection closing folds the WAL back into the file
    return path


@pytest.fixture
def database_url(seeded_database: Path, tmp_path: Path) -> str:
    path = tmp_path / "desk.db"
    shutil.copyfile(seeded_database, path)
    return f"sqlite:///{path}"


POLICY = Path(__file__).resolve().parents[2] / "policies" / "kreatorz.toml"  # Africa/Johannesburg


@pytest.fixture
def config(database_url: str, tmp_path: Path) -> Config:
    return desk_config(database_url, tmp_path)


def desk_config(database_url: str, directory: Path, web: str = "") -> Config:
    """The desk's test config; `web` adds lines to its [web] table."""
    path = directory / "config.toml"
    mailboxes = "".join(
        f'[[mailbox]]\nname = "{name}"\naddress = "{name}@kreatorz.co.za"\n'
        f'policy = "{POLICY}"\n[mailbox.maildir]\npath = "{name}"\n\n'
        for name in ("accounts", "billing")
    )
    path.write_text(f'[database]\nurl = "{database_url}"\n\n{mailboxes}'
                    '[web]\nsession_minutes = 30\nsecret_key_env = "DESK_TEST_SECRET"\n' + web)
    return load_config(path)


@pytest.fixture
def sessions(config: Config) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(config.database_url)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def app(config: Config, sessions: sessionmaker[Session], clock: Clock) -> Flask:
    return create_app(config, sessions, secret_key=SECRET, clock=clock)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def csrf_from(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "the page has no CSRF field"
    return match.group(1)


def sign_in(client: FlaskClient, role: str, password: str = PASSWORD) -> FlaskClient:
    """Sign in as the seeded account of this role, through the login form like a person."""
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": STAFF[role], "password": password,
                                           "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def approver(client: FlaskClient) -> FlaskClient:
    return sign_in(client, "approver")


@pytest.fixture
def viewer(client: FlaskClient) -> FlaskClient:
    return sign_in(client, "viewer")
