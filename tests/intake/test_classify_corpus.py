"""Every realistic message of tests/corpus/classify, delivered to Dovecot in order, is classified as
its manifest says: class, sub-kind, language, reason, order references, customer and thread."""

from __future__ import annotations

import tomllib
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from base.config import load_config
from base.db import make_engine, session_factory
from base.models import Message
from pipeline.poll import PollContext, poll_all
from testing import MailUser
from tests.intake.imap_setup import write_config

pytestmark = pytest.mark.dovecot
CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "classify"
MANIFEST = tomllib.loads((CORPUS / "manifest.toml").read_text())["message"]


@pytest.fixture(scope="module")
def classified(tmp_path_factory: pytest.TempPathFactory, dovecot,
               module_database_url: str) -> dict[str, Message]:
    user: MailUser = dovecot.new_user("classify")
    user.server.append_many(user.name, "INBOX", [
        ((CORPUS / entry["file"]).read_bytes(), datetime.fromisoformat(entry["received_at"]))
        for entry in MANIFEST
    ])
    config_path = write_config(tmp_path_factory.mktemp("classify"), user, batch_size=7,
                               database_url=module_database_url)
    config = load_config(config_path)
    engine = make_engine(config.database_url)
    [report] = poll_all(PollContext(engine, session_factory(engine), config))
    assert report.ok and report.stored == len(MANIFEST), report
    with session_factory(engine)() as session:
        messages = list(session.scalars(select(Message).order_by(Message.uid)))
        for message in messages:  # load what the assertions read before the session closes
            _ = message.request and (message.request.reference, message.request.customer_email,
                                     message.request.duplicate_of)
    engine.dispose()
    return {entry["file"]: message for entry, message in zip(MANIFEST, messages, strict=True)}


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["file"] for e in MANIFEST])
def test_classification(classified: dict[str, Message], entry: dict) -> None:
    message = classified[entry["file"]]
    assert message.classification == entry["classification"], message.classification_detail
    if "sub_kind" in entry:
        assert (message.classification_detail or "").split(" ")[0] == entry["sub_kind"], \
            message.classification_detail
    assert message.language == entry["language"]
    if "reason" in entry:
        assert message.reason == entry["reason"]
    assert message.order_refs == entry.get("order_refs", [])
    if entry["classification"] in ("new_request", "duplicate", "wrong_channel") and "customer" in entry:
        assert message.request is not None and message.request.customer_email == entry["customer"]
    if entry["classification"] == "not_a_request" and entry.get("sub_kind") != "privacy":
        assert message.request is None  # never answered: no request, no reply, no loop
    if "thread_of" in entry:
        parent = classified[entry["thread_of"]]
        assert message.request is not None and message.request_id == parent.request_id
    if "duplicate_of" in entry:
        original = classified[entry["duplicate_of"]]
        assert message.request is not None and message.request.duplicate_of is not None
        assert message.request.duplicate_of.id == original.request_id
