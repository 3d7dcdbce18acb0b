"""A batch is stored with one flush; what its messages do to each other must hold as if stored
one by one: a reply in the same batch re-decides its request and sets the older decision's
draft aside, and a step failing on one message quarantines only that one (the batch is stored
again message by message)."""

from __future__ import annotations

import logging
import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import intake.ingest
from base.config import Config, load_config
from base.db import make_engine, session_factory, upgrade
from base.models import AuditEvent, DecisionRecord, Draft, Message, Request
from base.policies import policies_by_mailbox
from decisions import parse_orders_csv
from pipeline.poll import PollContext, PollReport, poll_all
from refund_intake.decision_commands import _upsert

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = tomllib.loads((ROOT / "examples" / "manifest.toml").read_text())["message"]
FIRST = next(m for m in MANIFEST if m["key"] == "web-design-no-url")      # needs_info, R-000001
REPLY = next(m for m in MANIFEST if m["key"] == "thread-reply-url")       # brings the URL: review


@pytest.fixture
def demo(tmp_path: Path) -> Config:
    """The demo's sample Maildir and policy in tmp_path, schema and orders in place, not polled."""
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    shutil.copytree(ROOT / "policies", tmp_path / "policies")
    config = load_config(tmp_path / "examples" / "demo.toml")
    upgrade(config.database_url)
    orders, _ = parse_orders_csv((tmp_path / "examples" / "orders.csv").read_text())
    with sessions_of(config) as sessions, sessions.begin() as session:
        for order in orders:
            _upsert(session, order)
    return config


class sessions_of:
    def __init__(self, config: Config) -> None:
        self.engine = make_engine(config.database_url)

    def __enter__(self):  # type: ignore[no-untyped-def]
        return session_factory(self.engine)

    def __exit__(self, *exc: object) -> None:
        self.engine.dispose()


def poll(config: Config) -> PollReport:
    engine = make_engine(config.database_url)
    try:
        [report] = poll_all(PollContext(engine, session_factory(engine), config,
                                        policies=policies_by_mailbox(config)))
    finally:
        engine.dispose()
    assert report.ok, report.error
    return report


def drafts_of(session: Session, reference: str) -> dict[str, Draft]:
    request = session.scalar(select(Request).where(Request.reference == reference))
    assert request is not None
    return {d.kind: d for d in session.scalars(select(Draft).where(Draft.request_id == request.id))}


def assert_superseded(config: Config) -> None:
    """One reply waits per request (issue 14): the reply's decision replaces the older one."""
    with sessions_of(config) as sessions, sessions() as session:
        drafts = drafts_of(session, "R-000001")
        assert sorted(drafts) == ["needs_info", "review"]
        stale, fresh = drafts["needs_info"], drafts["review"]
        assert (stale.state, stale.decided_by) == ("rejected", "system")
        decisions = session.scalars(select(DecisionRecord).join(Request)
                                    .where(Request.reference == "R-000001")
                                    .order_by(DecisionRecord.id)).all()
        assert [d.outcome for d in decisions] == ["needs_info", "review"]
        assert stale.note == "replaced by the newer review reply"
        assert (fresh.state, fresh.decision_id) == ("draft", decisions[1].id)
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "supersede")).all()
        assert [(e.draft_id, e.detail["kind"], e.detail["by_kind"]) for e in events] == [
            (stale.id, "needs_info", "review")]


def test_a_reply_in_the_same_batch_sets_the_older_decisions_draft_aside(demo: Config) -> None:
    report = poll(demo)
    assert (report.stored, report.draft_failures) == (len(MANIFEST), 0)
    assert_superseded(demo)


def test_a_reply_in_a_later_batch_sets_the_older_decisions_draft_aside(demo: Config) -> None:
    maildir = Path(demo.mailboxes[0].maildir.path)  # type: ignore[union-attr]
    held = maildir.parent / "held"
    held.mkdir()
    for message in MANIFEST:
        if message is not FIRST:
            (maildir / message["file"]).rename(held / Path(message["file"]).name)
    assert poll(demo).stored == 1
    with sessions_of(demo) as sessions, sessions() as session:
        # the needs_info reply also acknowledges: one reply waits
        assert {k: d.state for k, d in drafts_of(session, "R-000001").items()} == {"needs_info": "draft"}
    for message in MANIFEST:
        if message is not FIRST:
            (held / Path(message["file"]).name).rename(maildir / message["file"])
    assert poll(demo).stored == len(MANIFEST) - 1
    assert_superseded(demo)


@pytest.fixture
def failing_decision(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Deciding fails for one customer's request, as a bug in a step would."""
    victim = next(m for m in MANIFEST if m["key"] == "french-maintenance")
    real = intake.ingest.decide_request

    def decide_request(session, request, policy, orders=None):  # type: ignore[no-untyped-def]
        if request.customer_email == victim["customer"]:
            raise RuntimeError("boom in the decide step")
        return real(session, request, policy, orders)

    monkeypatch.setattr(intake.ingest, "decide_request", decide_request)
    yield victim["message_id"]


def test_a_step_failing_on_one_message_quarantines_only_that_one(
        demo: Config, failing_decision: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        report = poll(demo)
    assert "storing the batch again message by message" in caplog.text
    assert report.stored == len(MANIFEST)
    with sessions_of(demo) as sessions, sessions() as session:
        stored = session.scalars(select(Message)).all()
        assert len(stored) == len(MANIFEST)
        [victim] = [m for m in stored if "boom" in (m.classification_detail or "")]
        assert failing_decision.encode() in victim.raw.content  # the raw bytes are kept whole
        assert (victim.classification, victim.parse_status, victim.request_id) == (
            "quarantined", "quarantined", None)
        messages = {m.message_id: m for m in stored if m is not victim}
        assert victim.classification_detail == "intake failed: RuntimeError: boom in the decide step"
        expected = {m["message_id"]: m["classification"] for m in MANIFEST
                    if m.get("message_id") and m["message_id"] != failing_decision}
        assert {k: messages[k].classification for k in expected} == expected
    assert_superseded(demo)  # the rest was stored, decided and drafted as usual
