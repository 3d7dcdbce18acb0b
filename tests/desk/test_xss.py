"""A hostile customer email shows as inert text: nothing of it runs, loads or is evaluated."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from tests.desk.lookup import request_id, waiting_draft
from tests.desk.seed import XSS_TEXT


class Page(HTMLParser):
    """Every tag with its attributes, and the text inside each <pre>, as a browser would parse."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.pre_texts: list[str] = []
        self._in_pre = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "pre":
            self._in_pre = True
            self.pre_texts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre":
            self._in_pre = False

    def handle_data(self, data: str) -> None:
        if self._in_pre:
            self.pre_texts[-1] += data


def assert_inert(html: str) -> Page:
    page = Page(html)
    names = [tag for tag, _ in page.tags]
    assert "img" not in names
    # the only script is the desk's own file, and the only frame our sandboxed reply preview
    assert [attrs for tag, attrs in page.tags if tag == "script"] == [
        {"src": "/static/desk.js", "defer": None}]
    for attrs in (attrs for tag, attrs in page.tags if tag == "iframe"):
        assert re.fullmatch(r"/drafts/\d+/html", attrs["src"] or "") and "sandbox" in attrs, attrs
    for tag, attrs in page.tags:
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        assert not any((value or "").strip().lower().startswith("javascript:")
                       for value in attrs.values()), (tag, attrs)
    return page


def test_the_request_page_shows_the_hostile_email_as_text(
        approver: FlaskClient, sessions: sessionmaker[Session]) -> None:
    html = approver.get(f"/requests/{request_id(sessions, 'R-000103')}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "{{ 7*7 }}" in html
    page = assert_inert(html)
    assert XSS_TEXT in page.pre_texts  # exactly the customer's text: nothing evaluated or dropped


@pytest.mark.parametrize("path", ["/", "/?outcome=needs_info"])
def test_the_queue_shows_a_hostile_subject_as_text(approver: FlaskClient, path: str) -> None:
    html = approver.get(path).get_data(as_text=True)
    assert "Refund &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert_inert(html)


def test_the_draft_editor_quotes_the_customer_as_text(
        approver: FlaskClient, sessions: sessionmaker[Session]) -> None:
    html = approver.get(f"/drafts/{waiting_draft(sessions, 'R-000103')}").get_data(as_text=True)
    page = assert_inert(html)
    assert XSS_TEXT in page.pre_texts
