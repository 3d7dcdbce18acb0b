"""Hostile and broken mail, served by a real Dovecot in one folder with good mail around it:
every message is stored (with what could be read) or quarantined with a reason; none is lost and
none stops the batch."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from base.config import load_config
from base.db import make_engine, session_factory
from base.models import Message
from pipeline.poll import PollContext, poll_all
from testing import MailUser
from tests.corpus import make_corpus
from tests.intake.imap_setup import request_mail, write_config

pytestmark = pytest.mark.dovecot
CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "malformed"
MANIFEST = tomllib.loads((CORPUS / "manifest.toml").read_text())["message"]
START = datetime(2026, 11, 10, 8, 0, tzinfo=UTC)


def corpus_bytes(entry: dict) -> bytes:
    if entry.get("generated"):
        return getattr(make_corpus, entry["generator"])(**entry.get("args", {}))
    return (CORPUS / entry["file"]).read_bytes()


def as_served(raw: bytes) -> bytes:
    """What Dovecot serves for a stored file: bare LF as CRLF, and NUL as 0x80 (IMAP literals
    may not carry NUL without the BINARY extension)."""
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n").replace(b"\x00", b"\x80")


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory, dovecot,
            module_database_url: str) -> dict[str, Message]:
    user: MailUser = dovecot.new_user("malformed")
    # good mail before, between and after the bad: the batch must carry on around failures
    order: list[tuple[str, bytes]] = [("good-0", request_mail(9000))]
    for index, entry in enumerate(MANIFEST):
        order.append((entry["file"], corpus_bytes(entry)))
        if index % 5 == 4:
            order.append((f"good-{index}", request_mail(9001 + index)))
    order.append(("good-last", request_mail(9999)))
    for position, (_, raw) in enumerate(order):
        # written straight into the Maildir: Dovecot's APPEND refuses some of these (0 bytes)
        user.server.write_maildir_message(user.name, "INBOX", raw, START + timedelta(minutes=position))
    config = load_config(write_config(tmp_path_factory.mktemp("malformed"), user, batch_size=50,
                                      database_url=module_database_url))
    engine = make_engine(config.database_url)
    [report] = poll_all(PollContext(engine, session_factory(engine), config))
    assert report.ok, report.error
    assert report.stored == len(order), "every message is stored, none dropped"
    with session_factory(engine)() as session:
        messages = list(session.scalars(select(Message).order_by(Message.uid).options(
            selectinload(Message.attachments), selectinload(Message.raw))))
    engine.dispose()
    assert len(messages) == len(order)
    for message, (name, raw) in zip(messages, order, strict=True):
        # kept exactly as the server served it
        assert message.raw.content == as_served(raw), name
    return {name: message for (name, _), message in zip(order, messages, strict=True)}


def test_good_mail_around_the_bad_is_processed(results: dict[str, Message]) -> None:
    good = [m for name, m in results.items() if name.startswith("good")]
    assert len(good) >= 3
    assert all(m.classification == "new_request" and m.parse_status == "ok" for m in good)


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["file"] for e in MANIFEST])
def test_malformed_message(results: dict[str, Message], entry: dict) -> None:
    message = results[entry["file"]]
    if entry["expect"] == "quarantined":
        assert message.parse_status == "quarantined"
        assert message.classification == "quarantined"
        assert message.classification_detail, "a quarantined message says why"
        return
    assert message.parse_status in ("ok", "partial"), message.classification_detail
    assert message.classification != "quarantined"
    for needle in entry.get("text_contains", []):
        assert needle in message.text_body
    for needle in entry.get("text_excludes", []):
        assert needle not in message.text_body
    for needle in entry.get("subject_contains", []):
        assert needle in message.subject
    for needle in entry.get("header_excludes", []):
        header_text = f"{message.subject} {message.sender} {message.sender_name}"
        assert needle not in header_text
        assert not any("\udc80" <= ch <= "\udcff" for ch in header_text), "no leaked surrogates"
    if "from_address" in entry:
        assert message.sender == entry["from_address"]
    if "attachments" in entry:
        assert len(message.attachments) == entry["attachments"]
    for attachment in message.attachments:
        assert "/" not in attachment.filename and "\\" not in attachment.filename
        assert attachment.filename not in ("", ".", "..")
        assert attachment.size == len(attachment.content or b"")
