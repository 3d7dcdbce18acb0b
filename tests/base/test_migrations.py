"""The Alembic migrations build exactly the schema the models describe, and go down again."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import inspect

from base.db import alembic_config, make_engine, upgrade
from base.models import Base


def table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_models_and_migrations_agree(database_url: str) -> None:
    command.check(alembic_config(database_url))  # raises when autogenerate would find a difference
    assert set(Base.metadata.tables) <= table_names(database_url)


def test_downgrade_to_base_and_up_again(database_url: str) -> None:
    command.downgrade(alembic_config(database_url), "base")
    assert table_names(database_url) <= {"alembic_version"}
    upgrade(database_url)
    assert set(Base.metadata.tables) <= table_names(database_url)
    command.check(alembic_config(database_url))


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'wal.db'}"
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    engine.dispose()
