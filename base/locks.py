"""One run per mailbox at a time: a lock the operating system or the database frees on death."""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from base.errors import LockBusy


@contextmanager
def mailbox_lock(engine: Engine, name: str) -> Iterator[None]:
    """SQLite: flock on a file beside the database. PostgreSQL: a session advisory lock.

    Both are released by the kernel or the server when the holder dies, so a killed poll never
    leaves a stale lock behind.
    """
    if engine.dialect.name == "sqlite":
        with _file_lock(Path(engine.url.database or "refund-intake.db"), name):
            yield
    else:
        with _advisory_lock(engine, name):
            yield


@contextmanager
def _file_lock(database: Path, name: str) -> Iterator[None]:
    path = database.with_name(f"{database.name}.{_slug(name)}.lock")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise LockBusy(f"mailbox {name}: another run is in progress") from exc
        yield
    finally:
        os.close(fd)


@contextmanager
def _advisory_lock(engine: Engine, name: str) -> Iterator[None]:
    key = advisory_key(f"refund-intake:{name}")
    with engine.connect() as connection:
        acquired = connection.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": key})
        # A session lock outlives the transaction. Left open for the whole poll, the transaction
        # would sit "idle in transaction", which idle_in_transaction_session_timeout ends by
        # closing the connection: the lock would be gone while the poll goes on.
        connection.commit()
        if not acquired:
            raise LockBusy(f"mailbox {name}: another run is in progress")
        try:
            yield
        finally:
            _advisory_unlock(connection, key)


def _advisory_unlock(connection: Connection, key: int) -> None:
    try:
        connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
        connection.commit()
    except DBAPIError:
        # The server may already have dropped the session (and the lock with it). Either way this
        # connection must not go back to the pool still holding the lock.
        connection.invalidate()


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for pg_advisory_lock, from a readable name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)
