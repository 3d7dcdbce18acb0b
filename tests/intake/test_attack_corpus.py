"""The attack corpus (tests/corpus/attacks/) through the real intake: a Maildir, one poll per
message, deciding and drafting on, on SQLite and PostgreSQL. Each mail must give what its
manifest says, and a mail that names a request it may not join must change nothing there."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from base.config import load_config
from base.db import make_engine, session_factory
from base.models import DecisionRecord, Draft, Message, Request
from base.policies import policies_by_mailbox
from pipeline.poll import PollContext, poll_all
from privacy import subject_rights
from tests.corpus import attack_messages
from tests.corpus.attack_messages import DIRECTORY, GRACE
from tests.intake.imap_setup import maildir_config_text, run_cli

MANIFEST = tomllib.loads((DIRECTORY / "manifest.toml").read_text(encoding="utf-8"))["case"]
SETUP = [case for case in MANIFEST if case["file"].startswith("setup_")]
ATTACKS = [case for case in MANIFEST if not case["file"].startswith("setup_")]
START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Snapshot:
    """What a request looked like: its decisions, drafts, status and closing time."""

    decisions: int
    drafts: int
    status: str
    closed_at: datetime | None


def snapshot(session: Session, reference: str) -> Snapshot:
    request = session.scalar(select(Request).where(Request.reference == reference))
    assert request is not None
    count = lambda model: session.scalar(  # noqa: E731 - two uses, one line each
        select(func.count(model.id)).where(model.request_id == request.id)) or 0
    return Snapshot(count(DecisionRecord), count(Draft), request.status, request.closed_at)


def config_text(database_url: str) -> str:
    return maildir_config_text(database_url, "md", mailbox=(
        f'trusted_relays = ["noreply@kreatorz.co.za"]\nauthserv_id = "{attack_messages.OURS}"'))


class World:
    def __init__(self, directory: Path, database_url: str) -> None:
        self.directory = directory
        for sub in ("cur", "new", "tmp"):
            (directory / "md" / sub).mkdir(parents=True)
        (directory / "config.toml").write_text(config_text(database_url))
        self.config = load_config(directory / "config.toml")
        self.engine = make_engine(database_url)
        self.sessions = session_factory(self.engine)
        self.delivered = 0

    def deliver(self, file: str) -> bytes:
        raw = (DIRECTORY / file).read_bytes()
        at = int((START + timedelta(minutes=self.delivered)).timestamp())
        (self.directory / "md" / "new" / f"{at}.M{self.delivered:03d}P1.test").write_bytes(raw)
        self.delivered += 1
        [report] = poll_all(PollContext(self.engine, self.sessions, self.config,
                                        policies=policies_by_mailbox(self.config)))
        assert report.ok and report.stored == 1, report
        return raw


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, module_database_url: str) -> dict[str, Any]:
    """Every attack delivered and polled on its own, with the named request before and after."""
    directory = tmp_path_factory.mktemp("attacks")
    w = World(directory, module_database_url)
    imported = run_cli(directory / "config.toml", "orders", "import", str(DIRECTORY / "orders.csv"))
    assert imported.returncode == 0, imported.stderr
    for case in SETUP:
        w.deliver(case["file"])
    with w.sessions.begin() as session:  # R-000002 was answered and closed
        closed = session.scalar(select(Request).where(Request.reference == "R-000002"))
        assert closed is not None
        closed.status, closed.closed_at = "closed", START
    results: dict[str, Any] = {}
    for case in ATTACKS:
        named = case.get("claims") or case.get("joins")
        with w.sessions() as session:
            before = snapshot(session, named) if named else None
        raw = w.deliver(case["file"])
        with w.sessions() as session:
            after = snapshot(session, named) if named else None
        results[case["file"]] = (hashlib.sha256(raw).hexdigest(), before, after)
    yield {"world": w, "results": results}
    w.engine.dispose()


def stored(world: dict[str, Any], session: Session, file: str) -> Message:
    sha = world["results"][file][0]
    message = session.scalar(select(Message).where(Message.raw_sha256 == sha))
    assert message is not None, file
    return message


@pytest.mark.parametrize("case", ATTACKS, ids=[case["file"] for case in ATTACKS])
def test_attack_gives_what_the_manifest_says(world: dict[str, Any], case: dict[str, Any]) -> None:
    with world["world"].sessions() as session:
        message = stored(world, session, case["file"])
        assert (message.sender or "") == case["sender"]
        assert message.classification == case["classification"], message.classification_detail
        if "sender_name" in case:
            assert message.sender_name == case["sender_name"]
        if "customer" in case:
            assert message.request is not None and message.request.customer_email == case["customer"]
        if "authentication" in case:
            assert message.authentication == case["authentication"]
        if "detail" in case:
            assert case["detail"] in (message.classification_detail or "")
        if "trust_note" in case:
            assert any(case["trust_note"] in note for note in message.trust_notes), message.trust_notes
        if "parse_status" in case:
            assert message.parse_status == case["parse_status"], message.parse_problems
        if "attachments" in case:
            assert case["attachments"] == [a.filename for a in message.attachments]
        if "joins" in case:
            assert message.request is not None and message.request.reference == case["joins"]
        if "claims" in case:
            assert message.request is None
            assert message.claimed_request is not None
            assert message.claimed_request.reference == case["claims"]


@pytest.mark.parametrize("case", [c for c in ATTACKS if "claims" in c],
                         ids=[c["file"] for c in ATTACKS if "claims" in c])
def test_a_claimed_request_is_not_decided_reopened_or_drafted(world: dict[str, Any],
                                                              case: dict[str, Any]) -> None:
    _, before, after = world["results"][case["file"]]
    assert after == before  # same decisions, drafts, status and closing time


def test_the_customer_reply_still_joins_and_is_decided_again(world: dict[str, Any]) -> None:
    _, before, after = world["results"]["customer_reply_other_case.eml"]
    assert after.decisions == before.decisions + 1


def test_no_stranger_text_reaches_the_customer_or_her_export(world: dict[str, Any]) -> None:
    with world["world"].sessions() as session:
        bodies = " ".join(session.scalars(select(Draft.body_text).where(Draft.to_address == GRACE)))
        exported = subject_rights.export_person(session, GRACE, datetime.now(UTC))
    ids = {m["id"] for m in exported["messages"]}
    with world["world"].sessions() as session:
        strangers = {stored(world, session, c["file"]).id for c in ATTACKS
                     if c.get("claims") and c["sender"] != GRACE}
    assert strangers and not strangers & ids
    for words in ("12345678", "mallory", "PayPal", "new account"):
        assert words not in bodies
        assert words not in str(exported)


def test_the_committed_corpus_is_what_the_script_writes() -> None:
    for case in [*attack_messages.setup_messages(), *attack_messages.attacks()]:
        assert (DIRECTORY / case.file).read_bytes() == case.raw, case.file
    assert (DIRECTORY / "manifest.toml").read_text(encoding="utf-8") == attack_messages.manifest()
