"""Staff settle requests on the desk, in Debian's chromium, on the demo's real decisions.

Each action of issue 14 is driven the way a person does it (clicks, or only the keyboard), and
each leaves a screenshot in test-artifacts/: grant, deny and ask on a review; reject then write
the reply; correct the reason; bulk approve 20; keyboard-only approval; a grant over the tier
waiting for a second approver; the request page at 1366x900 and at phone width.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.serving import make_server

from base.config import load_config
from base.db import make_engine, session_factory
from base.models import AuditEvent, Draft, Request
from desk.app import create_app
from testing.ports import LOOPBACK
from tests.desk.conftest import SECRET
from tests.desk.test_browser import VIEWPORT, browser, screenshot  # noqa: F401  (a fixture)
from tests.replies.builders import PASSWORD
from tests.replies.demo import STAFF, demo

PHONE = {"width": 390, "height": 844}


class Desk:
    """The demo database served on loopback, and a way to read what the page did."""

    def __init__(self, config: Path) -> None:
        loaded = load_config(config)
        self.engine = make_engine(loaded.database_url)
        self.sessions: sessionmaker[Session] = session_factory(self.engine)
        self.app: Flask = create_app(loaded, self.sessions, secret_key=SECRET,
                                     clock=lambda: datetime.now(UTC))

    def request_id(self, reference: str) -> int:
        with self.sessions() as session:
            return session.scalars(select(Request.id).where(Request.reference == reference)).one()

    def waiting(self, reference: str) -> list[Draft]:
        with self.sessions() as session:
            return list(session.scalars(select(Draft).join(Request).where(
                Request.reference == reference, Draft.state == "draft")))

    def actions(self, action: str) -> list[AuditEvent]:
        with self.sessions() as session:
            return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def serve(app: Flask) -> Iterator[str]:
    server = make_server(LOOPBACK, 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="desk-server", daemon=True)
    thread.start()
    yield f"http://{LOOPBACK}:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    served = Desk(demo(tmp_path))
    yield served
    served.engine.dispose()


@pytest.fixture
def site(desk: Desk) -> Iterator[str]:
    yield from serve(desk.app)


@pytest.fixture
def page(browser: Browser, site: str) -> Iterator[Page]:  # noqa: F811
    context = browser.new_context(viewport=VIEWPORT, base_url=site)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def sign_in(page: Page, who: str = "approver") -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(STAFF[who])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()


def unfold(page: Page, section: str) -> None:
    """Open one of the "Settle it yourself" sections (a review opens Grant by itself)."""
    if page.locator(f"#{section}").get_attribute("open") is None:
        page.locator(f"#{section} > summary").click()


def open_request(page: Page, desk: Desk, reference: str) -> None:
    page.goto(f"/requests/{desk.request_id(reference)}")
    expect(page.get_by_role("heading", name=re.compile(reference))).to_be_visible()


def test_settle_a_review_by_grant(page: Page, desk: Desk) -> None:
    sign_in(page)
    open_request(page, desk, "R-000002")  # a review: the rules propose 3,600.00 of 4,500.00 ZAR
    expect(page.locator("#summary .badge").first).to_have_text("Staff review")
    unfold(page, "grant")
    amount = page.get_by_label("Amount (ZAR)")
    expect(amount).to_have_value("3600.00")
    page.get_by_role("button", name="Grant", exact=True).click()
    expect(page.get_by_text("your decision is recorded")).to_be_visible()
    expect(page.get_by_label("Reply text")).to_contain_text("has been approved")
    screenshot(page, "settle-grant.png")
    page.get_by_role("button", name="Approve and send").click()
    assert desk.waiting("R-000002") == []
    [event] = desk.actions("resolve:grant")
    assert (event.actor, event.detail["amount"]) == (STAFF["approver"], "3600.00")


def test_a_different_amount_needs_a_note_on_the_page(page: Page, desk: Desk) -> None:
    sign_in(page)
    open_request(page, desk, "R-000002")
    unfold(page, "grant")
    page.get_by_label("Amount (ZAR)").fill("3000")
    page.get_by_role("button", name="Grant", exact=True).click()
    expect(page.get_by_text("add a note saying why")).to_be_visible()
    unfold(page, "grant")
    page.get_by_label("Amount (ZAR)").fill("3000")
    page.locator("#grant-note").fill("half the logo work was done")
    page.get_by_role("button", name="Grant", exact=True).click()
    expect(page.get_by_label("Reply text")).to_contain_text("ZAR3,000.00")


def test_settle_a_review_by_deny(page: Page, desk: Desk) -> None:
    sign_in(page)
    open_request(page, desk, "R-000001")
    unfold(page, "deny")
    page.get_by_label("Clause").select_option("change-of-mind-substantial-use")
    page.locator("#deny-note").fill("the redesign was delivered")
    page.get_by_role("button", name="Deny", exact=True).click()
    editor = page.get_by_label("Reply text")
    expect(editor).to_contain_text("we cannot offer a refund")
    expect(editor).to_contain_text("has not been substantially used")
    screenshot(page, "settle-deny.png")
    [event] = desk.actions("resolve:deny")
    assert event.detail["note"] == "the redesign was delivered"


def test_settle_a_review_by_asking(page: Page, desk: Desk) -> None:
    sign_in(page)
    open_request(page, desk, "R-000010")
    unfold(page, "ask")
    page.get_by_label("evidence").check()
    page.get_by_label("Or in your words").fill("the date of the photo shoot")
    page.get_by_role("button", name="Ask", exact=True).click()
    editor = page.get_by_label("Reply text")
    expect(editor).to_contain_text("a photo, screenshot or document")
    expect(editor).to_contain_text("the date of the photo shoot")
    screenshot(page, "settle-ask.png")
    [draft] = desk.waiting("R-000010")
    assert draft.kind == "needs_info"


def test_reject_then_write_the_reply(page: Page, desk: Desk) -> None:
    sign_in(page)
    [review] = desk.waiting("R-000013")
    page.goto(f"/drafts/{review.id}")
    page.get_by_label("Or reject it").fill("We will phone her instead")
    page.get_by_role("button", name="Reject").click()
    expect(page.get_by_text("Settle the request below")).to_be_visible()
    expect(page.get_by_role("heading", name="Settle it yourself")).to_be_visible()
    screenshot(page, "reject-then-settle.png")
    unfold(page, "write")
    page.get_by_label("Your reply").fill("Dear Zanele,\n\nWe will phone you tomorrow morning.\n")
    page.get_by_role("button", name="Draft this reply").click()
    expect(page.get_by_label("Reply text")).to_contain_text("We will phone you tomorrow morning.")
    screenshot(page, "write-reply.png")
    [written] = desk.waiting("R-000013")
    assert written.kind == "written"


def test_correct_the_reason_and_see_the_new_decision(page: Page, desk: Desk) -> None:
    sign_in(page)
    open_request(page, desk, "R-000004")
    expect(page.locator("#summary .badge").first).to_have_text("Deny")
    unfold(page, "facts")
    page.get_by_label("Reason").select_option("dissatisfied")
    page.get_by_role("button", name="Set the reason").click()
    expect(page.get_by_text("reason set; decided again: review")).to_be_visible()
    expect(page.locator("#summary .badge").first).to_have_text("Staff review")
    expect(page.locator("#summary .amount")).to_have_text("3,200.00 ZAR")
    expect(page.locator("#summary").get_by_text("staff-correction")).to_be_visible()
    screenshot(page, "correct-reason.png")


def test_the_request_page_shows_the_gist_above_the_fold(page: Page, desk: Desk) -> None:
    sign_in(page)
    open_request(page, desk, "R-000002")
    for item in (page.locator("#summary .badge").first, page.locator("#summary .amount"),
                 page.locator("ul.decisive li").first, page.locator("blockquote.words")):
        expect(item).to_be_visible()
        box = item.bounding_box()
        assert box is not None and box["y"] + min(box["height"], 40) <= VIEWPORT["height"], box
    expect(page.locator("blockquote.words")).to_contain_text("brand identity")
    expect(page.locator("ul.decisive")).to_contain_text("change-of-mind-discretion")
    page.screenshot(path=str(screenshot(page, "request-fold.png").with_name("request-fold-viewport.png")))


def test_phone_width(browser: Browser, site: str, desk: Desk) -> None:  # noqa: F811
    context = browser.new_context(viewport=PHONE, base_url=site)
    phone = context.new_page()
    sign_in(phone)
    screenshot(phone, "queue-phone.png")
    for button in phone.locator("[data-approve]").all()[:3]:
        box = button.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    open_request(phone, desk, "R-000002")
    screenshot(phone, "request-phone.png")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.get_by_role("button", name="Approve").first.click()
    expect(phone.get_by_text("Approved the review reply for R-000002")).to_be_visible()
    context.close()


def test_keyboard_only_approval(page: Page, desk: Desk) -> None:
    sign_in(page)
    first = page.locator("tr[data-row]").first
    expect(first).to_have_class(re.compile("selected"))
    page.keyboard.press("j")
    second = page.locator("tr[data-row]").nth(1)
    expect(second).to_have_class(re.compile("selected"))
    reference = second.get_by_role("link").first.inner_text()
    page.keyboard.press("a")
    expect(page.get_by_text(f"reply for {reference}; the outbox")).to_be_visible()
    assert desk.waiting(reference) == []
    # r on a row opens its reply with the cursor in the note; Tab, Enter rejects it
    rejected = page.locator("tr[data-row].selected").get_by_role("link").first.inner_text()
    page.keyboard.press("r")
    expect(page).to_have_url(re.compile(r"/drafts/\d+"))
    expect(page.locator("#note")).to_be_focused()
    page.keyboard.type("Phoned her instead")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Settle it yourself")).to_be_visible()
    assert desk.waiting(rejected) == []
    page.goto("/")
    page.keyboard.press("/")
    expect(page.locator("#search")).to_be_focused()
    page.keyboard.type(reference)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Requests")).to_be_visible()
    page.keyboard.press("Escape")
    screenshot(page, "keyboard.png")


def test_a_grant_over_the_tier_waits_for_a_second_approver(
        browser: Browser, tmp_path: Path) -> None:  # noqa: F811
    served = Desk(demo(tmp_path, 'second_approval_above = { ZAR = "3000.00" }'))
    for url in serve(served.app):
        context = browser.new_context(viewport=VIEWPORT, base_url=url)
        page = context.new_page()
        sign_in(page)
        open_request(page, served, "R-000002")
        unfold(page, "grant")
        page.get_by_role("button", name="Grant", exact=True).click()
        expect(page.locator("#tier")).to_contain_text("Still to approve: two approvers, or one admin")
        page.get_by_role("button", name="Approve and send").click()
        expect(page.get_by_text("a second approver or an admin must approve it too")).to_be_visible()
        [draft] = served.waiting("R-000002")
        page.goto(f"/drafts/{draft.id}")
        expect(page.locator("#tier")).to_contain_text(f"First approval: {STAFF['approver']}")
        screenshot(page, "tier-waiting.png")
        page.context.clear_cookies()
        sign_in(page, "second")
        page.goto(f"/drafts/{draft.id}")
        page.get_by_role("button", name="Approve and send").click()
        expect(page.get_by_text("Approved the approve reply for R-000002")).to_be_visible()
        assert served.waiting("R-000002") == []
        [first] = served.actions("approve:first")
        final = [e for e in served.actions("approve") if e.draft_id == draft.id]
        assert (first.actor, final[0].actor, final[0].detail["first_approved_by"]) == (
            STAFF["approver"], STAFF["second"], STAFF["approver"])
        context.close()
    served.engine.dispose()


def test_bulk_approve_twenty(browser: Browser, tmp_path: Path) -> None:  # noqa: F811
    from tests.desk.seed import NOW, Case, Mail, add_case

    served = Desk(demo(tmp_path))
    with served.sessions.begin() as session:
        for n in range(20):
            add_case(session, Case(f"R-9{n:05d}", f"c{n}@example.com", f"Refund {n}",
                                   [Mail("Please refund.", NOW + timedelta(minutes=n))],
                                   outcome="approve", drafts=[("approve", "draft")]))
    for url in serve(served.app):
        context = browser.new_context(viewport=VIEWPORT, base_url=url)
        page = context.new_page()
        sign_in(page)
        page.get_by_label("Search").fill("R-9")
        page.get_by_role("button", name="Filter").click()
        boxes = page.locator("input[name=draft_id]")
        expect(boxes).to_have_count(20)
        for box in boxes.all():
            box.check()
        screenshot(page, "bulk-selected.png")
        page.get_by_role("button", name="Approve selected").click()
        expect(page.get_by_text("Approved 20 replies.")).to_be_visible()
        screenshot(page, "bulk-approved.png")
        with served.sessions() as session:
            states = session.scalars(select(Draft.state).join(Request)
                                     .where(Request.reference.like("R-9%"))).all()
        assert states == ["approved"] * 20
        page.get_by_role("checkbox").first  # noqa: B018
        context.close()
    served.engine.dispose()
