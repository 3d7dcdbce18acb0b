"""One run per mailbox at a time: a lock the operating system or the database frees on death."""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

from refund_intake.errors import LockBusy


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
    key = int.from_bytes(hashlib.sha256(f"refund-intake:{name}".encode()).digest()[:8], "big", signed=True)
    with engine.connect() as connection:
        if not connection.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}):
            raise LockBusy(f"mailbox {name}: another run is in progress")
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            connection.commit()


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)
