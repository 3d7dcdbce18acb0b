"""The test PostgreSQL is real and throwaway: loopback only, unprivileged, fast, restartable."""

from __future__ import annotations

import os

import psycopg
import pytest
from sqlalchemy import create_engine, text

from testing import Postgres
from testing.postgres import server_owner

pytestmark = pytest.mark.postgresql


def test_a_new_database_is_reachable_by_its_sqlalchemy_url(postgres: Postgres) -> None:
    url = postgres.new_database("harness reachable")
    assert url.startswith(f"postgresql+psycopg://postgres@127.0.0.1:{postgres.port}/t")
    engine = create_engine(url)
    with engine.connect() as connection:
        settings = connection.execute(text(
            "SELECT current_database(), current_setting('fsync'), current_setting('listen_addresses')"
        )).one()
    engine.dispose()
    assert settings == (url.rsplit("/", 1)[1], "off", "127.0.0.1")


def test_database_names_that_would_need_quoting_are_refused(postgres: Postgres) -> None:
    with pytest.raises(ValueError, match="database"):
        postgres.create_database('x"; DROP DATABASE postgres; --')


def test_the_server_never_runs_as_root(postgres: Postgres) -> None:
    """PostgreSQL refuses root; under root the harness hands it to an unprivileged user."""
    owner = server_owner()
    pid = int((postgres.data / "postmaster.pid").read_text().split()[0])
    assert os.stat(f"/proc/{pid}").st_uid == (owner[0] if owner else os.getuid()) != 0


def test_restart_keeps_port_and_data(postgres: Postgres) -> None:
    url = postgres.new_database("harness restart")
    engine = create_engine(url, pool_pre_ping=True)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE kept (n integer); INSERT INTO kept VALUES (7)"))
    port = postgres.port

    postgres.stop()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(host=postgres.host, port=port, user="postgres", dbname="postgres",
                        connect_timeout=2)
    postgres.start()

    assert postgres.port == port
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT n FROM kept")) == 7
    engine.dispose()
    assert "database system is ready to accept connections" in postgres.log_text()
