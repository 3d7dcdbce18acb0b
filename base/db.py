"""The database engine and sessions; `upgrade` runs the Alembic migrations."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, inspect, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from base.errors import StorageError
from base.locks import advisory_key
from base.resources import folder

MIGRATIONS = folder("migrations")
SQLITE_BUSY_TIMEOUT_MS = 5000


def make_engine(url: str, **options: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **options)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **options)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers (the web page, status) run while a poll writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Deleted personal data is overwritten, not merely unlinked (privacy policy: not reproducible).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def begin_write(session: Session) -> None:
    """Make sure the session's transaction is open in the database before a savepoint.

    pysqlite stays in autocommit until the first INSERT/UPDATE/DELETE, so a SAVEPOINT issued
    before any of them opens the outermost transaction and its RELEASE commits: a batch of
    per-message savepoints would commit message by message, and its rollback would undo nothing.
    SQLite: BEGIN IMMEDIATE, which also takes the write lock now (waiting up to the busy timeout)
    rather than failing on a stale read snapshot at the first write. Other databases: no-op.
    """
    if session.get_bind().dialect.name != "sqlite":
        return
    driver = session.connection().connection.dbapi_connection
    if not getattr(driver, "in_transaction", True):  # pysqlite's own flag; not in the DB-API
        session.execute(text("BEGIN IMMEDIATE"))


def number_new_rows(session: Session) -> None:
    """Give the session's new rows their integer ids before a flush, so that the flush inserts a
    whole batch in a few statements, without RETURNING.

    Without the ids, SQLAlchemy must learn them from the INSERT: SQLite cannot tie the ids of a
    many-row INSERT ... RETURNING to the rows sent, so it inserts one row per statement; on
    PostgreSQL it builds one huge statement per batch that the driver must parse each time.
    - SQLite: count on from each table's highest id, as SQLite itself would. Only safe while the
      transaction holds SQLite's write lock (`begin_write`), as intake's batches do, so that no
      other writer can take the same ids.
    - PostgreSQL: draw them from the table's own sequence, which is safe for concurrent writers.
    """
    dialect = session.get_bind().dialect.name
    if dialect not in ("sqlite", "postgresql"):
        return
    waiting: dict[Any, list[Any]] = {}
    for row in session.new:  # in the order they were added: ids follow the mail's order
        mapper = inspect(row).mapper
        [key] = mapper.primary_key
        if key.autoincrement in (True, "auto") and not key.foreign_keys and \
                getattr(row, mapper.get_property_by_column(key).key) is None:
            waiting.setdefault(mapper, []).append(row)
    for mapper, rows in waiting.items():
        [key] = mapper.primary_key
        with session.no_autoflush:  # a flush now would insert the rows without their ids
            numbers = _next_ids(session, dialect, key, len(rows))
        name = mapper.get_property_by_column(key).key
        for number, row in zip(numbers, rows, strict=True):
            setattr(row, name, number)


def _next_ids(session: Session, dialect: str, key: Any, count: int) -> list[int]:
    if dialect == "sqlite":
        highest = session.scalar(select(func.max(key))) or 0
        return list(range(highest + 1, highest + 1 + count))
    sequence = func.pg_get_serial_sequence(key.table.name, key.name)
    return sorted(session.scalars(select(func.nextval(sequence))
                                  .select_from(func.generate_series(1, count))))


def alembic_config(url: str) -> Any:
    from alembic.config import Config as AlembicConfig

    # Alembic's default stdout is whatever sys.stdout was when alembic.config was first
    # imported (a default argument), which may since have been replaced and closed.
    config = AlembicConfig(stdout=sys.stdout)
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> tuple[str | None, str | None]:
    """Migrate to `revision`; returns the schema revisions (before, after): None is no schema."""
    from alembic import command

    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    try:
        with _migration_lock(url):
            before = schema_revision(url)
            command.upgrade(alembic_config(url), revision)
            return before, schema_revision(url)
    except OperationalError as exc:
        raise StorageError(f"database upgrade failed: {exc.orig}") from exc


def schema_revision(url: str) -> str | None:
    """The Alembic revision the database is at; None for a database with no schema yet."""
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


@contextmanager
def _migration_lock(url: str) -> Iterator[None]:
    """Instances sharing one PostgreSQL may all run `db upgrade` as they start: one migrates while
    the others wait, then find the schema current. (SQLite: one file, one host; no lock.)"""
    if not url.startswith("postgresql"):
        yield
        return
    engine = make_engine(url, poolclass=NullPool)  # no pool: closing really ends the session
    try:
        with engine.connect() as connection:
            key = advisory_key("refund-intake:migrations")
            connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
            connection.commit()
            yield  # the lock goes with the session when the connection closes
    finally:
        engine.dispose()


def require_schema(engine: Engine) -> None:
    """Refuse to work on a database that was never upgraded, with the command that fixes it."""
    try:
        tables = set(inspect(engine).get_table_names())
    except OperationalError as exc:
        raise StorageError(f"cannot open database: {exc.orig}") from exc
    if "messages" not in tables:
        raise StorageError("database has no schema yet: run `refund-intake db upgrade`")
