"""Fuzz intake with hostile MIME: never an unhandled exception, every message stored (whole, or
quarantined with a reason), and each within a time bound so that one message cannot stall a poll.

The real intake path runs in-process on a real SQLite file: `intake.ingest.ingest` in its own
batch transaction, with the mailbox's policy, as a poll runs it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import time
from collections.abc import Iterator
from typing import NamedTuple

import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from base.config import Config
from base.db import make_engine, session_factory, session_scope
from base.models import Message
from base.policies import policies_by_mailbox
from decisions import Policy
from intake.ingest import ingest
from mail.source import Fetched
from tests.faults.fault_setup import FIRST_RECEIPT, offline_config
from tests.faults.hostile_mime import hostile_messages

pytestmark = pytest.mark.slow

# Generous: a bound against a message stalling the poll, not a benchmark. The slowest messages
# here (300-deep nesting, 300 KB headers) take well under a second on an idle machine.
PER_MESSAGE_SECONDS = 5.0
MAX_EXAMPLES = 150
UIDS = itertools.count(1)


class IntakeDb(NamedTuple):
    config: Config
    sessions: sessionmaker[Session]
    policy: Policy

    def __repr__(self) -> str:  # hypothesis prints the fixture with a failing example
        return f"IntakeDb({self.config.database_url})"


@pytest.fixture(scope="module")
def intake_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IntakeDb]:
    config = offline_config(tmp_path_factory.mktemp("hostile-mime"))
    engine = make_engine(config.database_url)
    yield IntakeDb(config, session_factory(engine), policies_by_mailbox(config)["accounts"])
    engine.dispose()


@settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, print_blob=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.large_base_example])
@given(raw=hostile_messages())
def test_hostile_mime_is_stored_or_quarantined_in_bounded_time(intake_db: IntakeDb, raw: bytes) -> None:
    config, sessions, policy = intake_db
    uid = next(UIDS)
    # A mailbox of its own per example: a replayed example is ingested afresh, not found stored.
    mailbox = dataclasses.replace(config.mailboxes[0], name=f"fuzz-{uid}")
    fetched = Fetched("INBOX", 1, uid, None, raw, FIRST_RECEIPT)
    started = time.perf_counter()
    with session_scope(sessions) as session:
        result = ingest(session, config.intake, mailbox, fetched, policy)
    elapsed = time.perf_counter() - started
    assert elapsed < PER_MESSAGE_SECONDS, f"one {len(raw)}-byte message took {elapsed:.1f} s"

    with sessions() as session:
        message = session.scalar(select(Message).where(
            Message.mailbox == mailbox.name, Message.raw_sha256 == hashlib.sha256(raw).hexdigest()))
        assert message is not None and message.id == result.message_pk, "the message was not stored"
        assert message.raw is not None and message.raw.content == raw, "the evidence was altered"
        assert message.parse_status in ("ok", "partial", "quarantined")
        quarantined = message.parse_status == "quarantined"
        assert (message.classification == "quarantined") == quarantined
        assert quarantined or message.classification != "unclassified", "stored half-processed"
        assert not quarantined or message.classification_detail, "quarantined without a reason"
        # ingest's last-resort handler keeps a message whose intake raised; parse_message promises
        # never to raise for bad input, so reaching that handler is a bug, not a pass
        detail = message.classification_detail or ""
        assert not detail.startswith("intake failed"), detail
        assert "\x00" not in (message.text_body or "") + message.subject
