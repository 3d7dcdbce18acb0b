"""Issue 11 item 8: a 5 MB mail body, taken in by the real intake from the demo's Maildir, is not
sent whole to the browser: the request and draft pages show its first part and link the rest."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from base.config import load_config
from base.db import make_engine, session_factory
from base.models import Message, Request
from desk.app import create_app
from desk.request_view import BODY_PREVIEW
from tests.desk.conftest import SECRET, csrf_from
from tests.replies.builders import PASSWORD
from tests.replies.demo import STAFF, demo

LINE = "The prints arrived torn; here is the whole story, again and again. " * 2 + "\n"
BODY = "Hello,\nplease refund order KRZ-10042. END-MARKER-START\n" + LINE * (5_000_000 // len(LINE)) \
       + "FINAL-LINE-MARKER\n"
RAW = ("From: Thandi Mokoena <thandi.mokoena@example.com>\r\nTo: accounts@kreatorz.co.za\r\n"
       "Subject: A very long complaint\r\nMessage-ID: <big@example.com>\r\n"
       "Date: Thu, 19 Nov 2026 10:00:00 +0200\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
       + BODY.replace("\n", "\r\n")).encode()


@pytest.fixture
def client(tmp_path: Path) -> Iterator[tuple[FlaskClient, Request, Message]]:
    config = load_config(demo(tmp_path, extra={"1795600000.M9P1.big:2,S": RAW}))
    engine = make_engine(config.database_url)
    sessions = session_factory(engine)
    with sessions() as session:
        message = session.scalars(select(Message).where(Message.message_id == "<big@example.com>")).one()
        request = session.get(Request, message.request_id)
        assert request is not None and len(message.text_body) > 5_000_000
    app = create_app(config, sessions, secret_key=SECRET, clock=lambda: datetime.now(UTC))
    web = app.test_client()
    token = csrf_from(web.get("/login").get_data(as_text=True))
    web.post("/login", data={"email": STAFF["approver"], "password": PASSWORD, "csrf_token": token})
    yield web, request, message
    engine.dispose()


def test_the_request_page_shows_the_first_part_and_links_the_rest(
        client: tuple[FlaskClient, Request, Message]) -> None:
    web, request, message = client
    page = web.get(f"/requests/{request.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and len(page.data) < 200_000, len(page.data)
    assert "END-MARKER-START" in html and "FINAL-LINE-MARKER" not in html
    assert f"Only the first {BODY_PREVIEW} of {len(message.text_body)} characters are shown." in html
    link = f"/messages/{message.id}/text"
    assert link in html
    whole = web.get(link)
    assert whole.mimetype == "text/plain" and "sandbox" in whole.headers["Content-Security-Policy"]
    assert whole.get_data(as_text=True) == message.text_body


def test_the_draft_page_too(client: tuple[FlaskClient, Request, Message]) -> None:
    web, request, _ = client
    page = web.get(f"/requests/{request.id}").get_data(as_text=True)
    draft = re.search(r'href="/drafts/(\d+)"', page)
    assert draft is not None
    shown = web.get(f"/drafts/{draft.group(1)}")
    assert len(shown.data) < 200_000 and b"FINAL-LINE-MARKER" not in shown.data
    assert b"Read the whole text" in shown.data
