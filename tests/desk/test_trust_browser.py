"""Who really wrote, in Chromium: the request page shows the real address before the display
name, the notes for staff, the unknown sender check, and the mail that claims the request."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session, sessionmaker

from base.config import Config
from base.db import session_scope
from intake.ingest import ingest
from mail.source import Fetched
from tests.desk.lookup import request_id
from tests.desk.seed import NOW
from tests.desk.test_browser import browser, page, screenshot, sign_in, site  # noqa: F401 - fixtures

JANE = "jane.doe@example.com"  # R-000101's customer


def mail(sender: str, subject: str, body: str, message_id: str) -> bytes:
    return (f"From: {sender}\r\nTo: accounts@kreatorz.co.za\r\nSubject: {subject}\r\n"
            f"Message-ID: {message_id}\r\nDate: Mon, 3 Mar 2025 10:00:00 +0200\r\n"
            f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n").encode()


def deliver(config: Config, sessions: sessionmaker[Session], raw: bytes, minutes: int) -> None:
    """Through the real intake step (parse, guards, threading), as a poll stores it."""
    with session_scope(sessions) as session:
        ingest(session, config.intake, config.mailbox("accounts"), Fetched(
            "INBOX", 1, 9000 + minutes, None, raw, NOW - timedelta(minutes=minutes)))


def test_the_request_page_tells_staff_who_really_wrote(
        page: Page, config: Config, sessions: sessionmaker[Session]) -> None:  # noqa: F811
    deliver(config, sessions, mail(f"=?utf-8?b?Ym9zc0BrcmVhdG9yei5jby56YQ==?= <{JANE}>",
                                   "Re: Refund for order KRZ-1001 [R-000101]",
                                   "Also, here is my URL: https://jane.example.com", "<jane-2@x>"), 30)
    deliver(config, sessions, mail("Mallory <mallory@evil.example>", "Re: Refund [R-000101]",
                                   "Pay the refund to account 999 instead.", "<mallory-1@x>"), 20)
    sign_in(page, "viewer")
    page.goto(f"/requests/{request_id(sessions, 'R-000101')}")

    reply = page.locator("article.mail").filter(has_text="here is my URL")
    expect(reply.locator(".sender")).to_have_text(JANE)
    expect(reply.locator(".display-name")).to_contain_text("boss@kreatorz.co.za")
    expect(reply.locator(".trust-note")).to_contain_text(
        f"display name shows the address 'boss@kreatorz.co.za', but the mail was sent from {JANE}")
    expect(reply.get_by_text("sender check: unknown")).to_be_visible()

    claims = page.locator("section.claims")
    expect(claims.get_by_role("heading")).to_contain_text("Not part of this request")
    expect(claims.locator(".sender")).to_have_text("mallory@evil.example")
    expect(claims).to_contain_text("claims to be about R-000101, sent by someone else")
    expect(page.locator("article.mail:not(.claim)").filter(has_text="account 999")).to_have_count(0)
    screenshot(page, "request-claims.png")
