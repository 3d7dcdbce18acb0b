"""SQLite and PostgreSQL keep the same things the same way: exact money, instants in UTC, text
without NUL, one run per mailbox. On PostgreSQL, instances that share it stay exactly-once when
they write the same message or upgrade the schema at the same moment."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, String, event, func, inspect, make_url, select, text
from sqlalchemy.exc import StatementError

from base.config import Config, load_config
from base.db import (
    begin_write,
    make_engine,
    number_new_rows,
    session_factory,
    session_scope,
    upgrade,
)
from base.errors import LockBusy
from base.locks import mailbox_lock
from base.models import Base, Message, NulFree, Order, Request
from intake.ingest import ingest
from mail.source import Fetched
from testing import Postgres

RECEIVED = datetime(2026, 3, 29, 1, 30, tzinfo=ZoneInfo("Europe/Paris"))  # the night clocks change
POLICY = Path(__file__).resolve().parents[2] / "policies" / "kreatorz.toml"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_url(postgres: Postgres, request: pytest.FixtureRequest) -> str:
    url = postgres.new_database(request.node.name)
    upgrade(url)
    return url


def a_request(**values: object) -> Request:
    fields: dict[str, object] = {"mailbox": "accounts", "kind": "refund", "status": "open",
                                 "customer_email": "ann@example.com", "received_at": RECEIVED}
    return Request(**{**fields, **values})


def test_every_text_column_drops_nul() -> None:
    loose = [f"{table.name}.{column.name}" for table in Base.metadata.tables.values()
             for column in table.columns
             if isinstance(column.type, String) and not isinstance(column.type, NulFree)]
    assert loose == [], "declare text as NulFreeText/NulFreeString: PostgreSQL refuses NUL"


def test_money_comes_back_exact(engine: Engine) -> None:
    amounts = [Decimal("0.01"), Decimal("19.99"), Decimal("1234567.89"), Decimal(1500000),
               Decimal("99999999999.9999")]
    with session_scope(session_factory(engine)) as session:
        session.add_all(Order(order_id=f"O-{i}", customer_email="ann@example.com", amount=amount,
                              currency="EUR", ordered_at=RECEIVED, facts={})
                        for i, amount in enumerate(amounts))
    with session_factory(engine)() as session:
        stored = list(session.scalars(select(Order.amount).order_by(Order.id)))
    assert stored == amounts
    assert all(isinstance(amount, Decimal) for amount in stored)


def test_times_come_back_as_the_same_instant_in_utc(engine: Engine) -> None:
    with session_scope(session_factory(engine)) as session:
        session.add(a_request())
    with session_factory(engine)() as session:
        [received] = session.scalars(select(Request.received_at))
        later = session.scalar(select(func.count()).where(
            Request.received_at > datetime(2026, 3, 29, 0, 29, 59, tzinfo=UTC)))
    assert received == RECEIVED and received.utcoffset() is not None
    assert received.tzinfo == UTC
    assert later == 1  # comparisons in SQL see the instant, whatever the server's own zone


def test_a_naive_time_is_refused(engine: Engine) -> None:
    with (pytest.raises(StatementError, match="naive datetime"),
          session_scope(session_factory(engine)) as session):
        session.add(a_request(received_at=datetime(2026, 3, 29, 1, 30)))


def test_nul_is_dropped_from_text_and_kept_in_json(engine: Engine) -> None:
    with session_scope(session_factory(engine)) as session:
        session.add(a_request(subject="refund\x00 please", order_refs=["KRZ\x00-1"]))
    with session_factory(engine)() as session:
        [request] = session.scalars(select(Request))
    assert request.subject == "refund please"
    assert request.order_refs == ["KRZ\x00-1"]  # JSON escapes it as \u0000, which both accept


def test_a_held_mailbox_lock_turns_a_second_run_away(database_url: str) -> None:
    first, second = make_engine(database_url), make_engine(database_url)
    try:
        with mailbox_lock(first, "accounts"):
            with (pytest.raises(LockBusy, match="mailbox accounts: another run is in progress"),
                  mailbox_lock(second, "accounts")):
                pass
            with mailbox_lock(second, "returns"):  # other mailboxes are not held up
                pass
        with mailbox_lock(second, "accounts"):
            pass
    finally:
        first.dispose()
        second.dispose()


@pytest.mark.postgresql
def test_the_lock_outlives_idle_in_transaction_timeout(postgres_url: str) -> None:
    """A DBA's idle_in_transaction_session_timeout must not end the session holding the lock."""
    admin = make_engine(postgres_url)
    with admin.connect() as connection:
        database = make_url(postgres_url).database
        connection.execute(text(
            f'ALTER DATABASE "{database}" SET idle_in_transaction_session_timeout = 200'))
        connection.commit()
    admin.dispose()
    holder, rival = make_engine(postgres_url), make_engine(postgres_url)
    try:
        with mailbox_lock(holder, "accounts"):
            time.sleep(0.6)
            with pytest.raises(LockBusy), mailbox_lock(rival, "accounts"):
                pass
    finally:
        holder.dispose()
        rival.dispose()


@pytest.mark.postgresql
def test_a_racing_writer_finds_the_message_already_stored(postgres_url: str, tmp_path: Path) -> None:
    """Two writers of one message: the second's INSERT waits for the first's commit, fails on
    the unique key inside its savepoint, and its batch goes on to store the next message."""
    config = maildir_config(tmp_path, postgres_url)
    mailbox = config.mailboxes[0]
    engine = make_engine(postgres_url)
    sessions = session_factory(engine)
    same, other = fetched(1), fetched(2)
    results: dict[str, str] = {}

    def second_writer() -> None:
        with session_scope(sessions) as session:
            results["same"] = ingest(session, config.intake, mailbox, same).status
            results["other"] = ingest(session, config.intake, mailbox, other).status

    try:
        with session_scope(sessions) as first:
            assert ingest(first, config.intake, mailbox, same).status == "stored"
            writer = threading.Thread(target=second_writer)
            writer.start()
            wait_until(lambda: waiting_on_a_lock(engine) == 1)
        writer.join(timeout=30)
        assert results == {"same": "already_stored", "other": "stored"}
        with sessions() as session:
            assert session.scalar(select(func.count(Message.id))) == 2
    finally:
        engine.dispose()


@pytest.mark.postgresql
def test_instances_upgrading_at_once_all_succeed(postgres: Postgres, tmp_path: Path) -> None:
    url = postgres.new_database("upgrade_at_once")
    config = maildir_config(tmp_path, url).path
    upgrades = [subprocess.Popen([sys.executable, "-m", "refund_intake.cli", "--config", str(config),
                                  "db", "upgrade"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True) for _ in range(3)]
    outputs = [process.communicate(timeout=120) for process in upgrades]
    assert [process.returncode for process in upgrades] == [0, 0, 0], outputs
    engine = make_engine(url)
    try:
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def maildir_config(tmp_path: Path, url: str) -> Config:
    for sub in ("cur", "new", "tmp"):
        (tmp_path / "md" / sub).mkdir(parents=True)
    (tmp_path / "config.toml").write_text(f"""
[database]
url = "{url}"
[[mailbox]]
name = "accounts"
address = "accounts@kreatorz.co.za"
policy = "{POLICY}"
[mailbox.maildir]
path = "md"
""")
    return load_config(tmp_path / "config.toml")


def fetched(number: int) -> Fetched:
    raw = (f"From: Ann <ann@example.com>\r\nTo: accounts@kreatorz.co.za\r\nSubject: Refund {number}"
           f"\r\nMessage-ID: <race-{number}@example.com>\r\n\r\nPlease refund.\r\n").encode()
    return Fetched("INBOX", None, None, f"key-{number}", raw, RECEIVED)


def waiting_on_a_lock(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(text(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'")) or 0


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.02)


def test_a_batch_of_new_rows_goes_in_a_few_statements_with_ids_in_order(engine: Engine) -> None:
    """SQLite: number_new_rows gives ids on from the highest (in the order rows were added), so
    one flush inserts the batch in one statement instead of one per row; PostgreSQL's sequences
    do that there."""
    inserts: list[int] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.startswith("INSERT INTO requests"):
            inserts.append(len(parameters) if executemany else 1)

    with session_scope(session_factory(engine)) as session:
        session.add_all([a_request(customer_email=f"old{i}@example.com") for i in range(3)])
    with session_scope(session_factory(engine)) as session:
        begin_write(session)
        new = [a_request(customer_email=f"new{i}@example.com") for i in range(50)]
        session.add_all(new)
        number_new_rows(session)
        event.listen(engine, "before_cursor_execute", count)
        try:
            session.flush()
        finally:
            event.remove(engine, "before_cursor_execute", count)
        ids = [r.id for r in new]
    start = ids[0]
    assert ids == list(range(start, start + 50))
    with session_scope(session_factory(engine)) as session:
        stored = session.scalars(select(Request.customer_email).where(Request.id >= start)
                                 .order_by(Request.id)).all()
    assert stored == [f"new{i}@example.com" for i in range(50)]
    assert len(inserts) < 5, f"{len(inserts)} INSERT statements for 50 rows"
