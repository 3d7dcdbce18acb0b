"""Mail exactly as a Maildir holds it (NUL bytes and all, which IMAP cannot carry) and oversized
fields are stored on every database: raw bytes intact, text columns free of NUL and within their
lengths. PostgreSQL refuses both where SQLite shrugs, and one refused row would stop the mailbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from base.config import load_config
from base.db import make_engine, session_factory
from base.models import Attachment, Base, Message, Request
from pipeline.poll import PollContext, poll_all
from tests.intake.imap_setup import ACCOUNTS, maildir_config_text
from tests.intake.test_malformed_corpus import MANIFEST, corpus_bytes

HEAD = (f"From: Ann <ann@example.com>\r\nTo: {ACCOUNTS}\r\n"
        "Date: Mon, 2 Nov 2026 10:00:00 +0200\r\n").encode()
ATTACHED = (b"Content-Type: multipart/mixed; boundary=b\r\n\r\n"
            b"--b\r\nContent-Type: text/plain\r\n\r\nRefund KRZ-40001 please.\r\n--b\r\n")

# NUL where the parser does not look for it: MIME types, parameters, ids, encoded words.
CRAFTED = {
    "nul_in_attachment_type": HEAD + b"Subject: a\r\n" + ATTACHED
    + b"Content-Type: application/pd\x00f\r\nContent-Disposition: attachment; filename=x.pdf\r\n"
      b"\r\nDATA\r\n--b--\r\n",
    "nul_in_multipart_type": HEAD + b"Subject: b\r\nContent-Type: multipart/mi\x00xed; boundary=b"
    b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b--\r\n",
    "nul_in_charset": HEAD + b"Subject: c\r\nContent-Type: text/plain; charset=\"utf\x00-8\"\r\n"
    b"\r\nhello\r\n",
    "nul_in_encoded_filename": HEAD + b"Subject: d\r\n" + ATTACHED
    + b"Content-Type: application/pdf\r\nContent-Disposition: attachment; filename*=utf-8''a%00b.pdf"
      b"\r\n\r\nDATA\r\n--b--\r\n",
    "nul_in_encoded_words": HEAD.replace(b"From: Ann", b"From: =?utf-8?q?A=00nn?=")
    + b"Subject: =?utf-8?q?refund=00_KRZ-40002?=\r\n\r\nhello\r\n",
    "nul_in_ids": HEAD + b"Subject: e\r\nMessage-ID: <a\x00b@example.com>\r\n"
    b"In-Reply-To: <c\x00d@example.com>\r\n\r\nhello\r\n",
    "nul_in_html": HEAD + b"Subject: f\r\nContent-Type: text/html\r\n\r\n<p>hi\x00 "
    b"<a href=\"https://x\x00.example/\">link</a></p>\r\n",
    "oversized_fields": HEAD.replace(b"ann@example.com", b"a" * 400 + b"@example.com")
    + b"Reply-To: " + b"r" * 400 + b"@example.com\r\n"
    + b"Subject: " + "é".encode() * 5000 + b"\r\nMessage-ID: <" + b"m" * 1200 + b"@x>\r\n"
    + b"References: " + b" ".join(b"<%d" % i + b"z" * 300 + b"@x>" for i in range(80)) + b"\r\n"
    + ATTACHED + b"Content-Type: application/" + b"v" * 400 + b"\r\nContent-Disposition: "
    b"attachment; filename=\"" + b"f" * 400 + b".pdf\"\r\n\r\nDATA\r\n--b--\r\n",
}


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory,
           module_database_url: str) -> list[tuple[bytes, Message]]:
    """Every malformed-corpus message and every crafted one, as raw files in a Maildir, polled."""
    tmp_path = tmp_path_factory.mktemp("delivered")
    items = [corpus_bytes(entry) for entry in MANIFEST] + list(CRAFTED.values())
    for sub in ("cur", "new", "tmp"):
        (tmp_path / "md" / sub).mkdir(parents=True)
    start = datetime(2026, 11, 10, 8, 0, tzinfo=UTC)
    for index, raw in enumerate(items):
        delivered = int((start + timedelta(minutes=index)).timestamp())
        (tmp_path / "md" / "new" / f"{delivered}.M{index:03d}P1.test").write_bytes(raw)
    (tmp_path / "config.toml").write_text(maildir_config_text(module_database_url, "md"))
    config = load_config(tmp_path / "config.toml")
    engine = make_engine(module_database_url)
    try:
        [report] = poll_all(PollContext(engine, session_factory(engine), config))
        assert report.ok, report.error
        with session_factory(engine)() as session:
            messages = list(session.scalars(select(Message).order_by(Message.source_key).options(
                selectinload(Message.raw), selectinload(Message.attachments),
                selectinload(Message.request))))
    finally:
        engine.dispose()
    assert len(messages) == len(items), "every message is stored, none refused"
    return list(zip(items, messages, strict=True))


def test_raw_bytes_are_kept_exactly_nul_included(stored: list[tuple[bytes, Message]]) -> None:
    for raw, message in stored:
        assert message.raw.content == raw, message.source_key
    # the corpus's nul_bytes.eml and the crafted mail with bare NUL (not =00 or %00) in the bytes
    assert sum(b"\x00" in raw for raw, _ in stored) >= 6


def test_text_columns_hold_no_nul_and_fit_their_length(stored: list[tuple[bytes, Message]]) -> None:
    for _, message in stored:
        rows: list[Base] = [message, *message.attachments]
        if message.request is not None:
            rows.append(message.request)
        for row in rows:
            for column in row.__table__.columns:
                value = getattr(row, column.key)
                if not isinstance(value, str):
                    continue
                assert "\x00" not in value, (message.source_key, column.key)
                limit = getattr(column.type, "length", None)  # String(n) behind NulFreeString
                assert limit is None or len(value) <= limit, (message.source_key, column.key)


def test_crafted_mail_is_read_not_quarantined(stored: list[tuple[bytes, Message]]) -> None:
    crafted = {raw: message for raw, message in stored if raw in CRAFTED.values()}
    by_name = {name: crafted[raw] for name, raw in CRAFTED.items()}
    assert all(m.parse_status in ("ok", "partial") for m in by_name.values())
    [attachment] = by_name["nul_in_attachment_type"].attachments
    assert attachment.content_type == "application/pdf"
    assert isinstance(attachment, Attachment) and attachment.content == b"DATA"
    assert "KRZ-40002" in by_name["nul_in_encoded_words"].subject
    oversized = by_name["oversized_fields"]
    assert oversized.request is not None and isinstance(oversized.request, Request)
    assert oversized.order_refs == ["KRZ-40001"]
