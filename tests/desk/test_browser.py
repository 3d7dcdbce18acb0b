"""The staff web page in a real browser: Debian's chromium, driven by Playwright, on loopback.

Screenshots of the queue and a request page go to test-artifacts/ (git-ignored); the queue one is
also copied to docs/screenshots/queue.png, the picture the README shows.
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Dialog, Page, ViewportSize, expect, sync_playwright
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.serving import make_server

from base.config import Config
from testing.ports import LOOPBACK
from tests.desk.lookup import draft, request_id, waiting_draft
from tests.desk.seed import PASSWORD, STAFF
from tests.desk.served import cli

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
README_SCREENSHOT = ROOT / "docs" / "screenshots" / "queue.png"
CHROMIUM = Path("/usr/bin/chromium")
# Quiet, offline, headless: no updater, no sync, no sandbox (tests may run as root in CI).
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT: ViewportSize = {"width": 1366, "height": 900}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One system chromium for this module; a missing browser fails (never skips) the tests."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-test-deps.sh as root", pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def site(app: Flask) -> Iterator[str]:
    """The app served by a real HTTP server on a free loopback port, in a thread."""
    server = make_server(LOOPBACK, 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="desk-server", daemon=True)
    thread.start()
    yield f"http://{LOOPBACK}:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page(browser: Browser, site: str) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT, base_url=site)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def sign_in(page: Page, role: str, screenshot_as: str | None = None) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    if screenshot_as:
        screenshot(page, screenshot_as)
    page.get_by_label("Email").fill(STAFF[role])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


def test_staff_signs_in_reads_a_request_edits_and_approves(
        page: Page, site: str, sessions: sessionmaker[Session]) -> None:
    waiting = waiting_draft(sessions, "R-000101")
    sign_in(page, "approver", screenshot_as="login.png")
    expect(page.get_by_role("heading", name="Waiting for approval")).to_be_visible()
    queue_png = screenshot(page, "queue.png")
    README_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(queue_png, README_SCREENSHOT)

    page.get_by_role("link", name="R-000101").first.click()
    expect(page).to_have_url(f"{site}/requests/{request_id(sessions, 'R-000101')}")
    expect(page.locator("#summary").get_by_text("You may cancel within 14 days of purchase")).to_be_visible()
    expect(page.locator(".decision-head .amount")).to_have_text("569.05 ZAR")
    screenshot(page, "request.png")

    page.get_by_role("link", name="Read and edit").click()
    editor = page.get_by_label("Reply text")
    edited = "Dear Jane,\n\nYour refund of 569.05 ZAR is approved; it reaches you within 5 days.\n"
    editor.fill(edited)
    screenshot(page, "draft.png")
    page.get_by_role("button", name="Approve and send").click()
    expect(page.get_by_text("Approved the approve reply for R-000101")).to_be_visible()
    approved = draft(sessions, waiting)
    assert approved.state == "approved" and approved.body_text == edited


def test_a_hostile_email_runs_nothing_and_loads_nothing_in_the_browser(
        page: Page, site: str, sessions: sessionmaker[Session]) -> None:
    dialogs: list[str] = []
    requested: list[str] = []

    def refuse(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", refuse)
    page.on("request", lambda request: requested.append(request.url))
    sign_in(page, "viewer")
    response = page.goto(f"/requests/{request_id(sessions, 'R-000103')}")
    assert response is not None
    assert "script-src 'self';" in response.headers["content-security-policy"]
    text = page.locator("article.mail pre.mail-text").inner_text()
    assert "<script>alert(1)</script>" in text and "<img src=x onerror=alert(1)>" in text
    assert "{{ 7*7 }}" in text
    assert page.locator("img").count() == 0 and page.locator("main script").count() == 0
    screenshot(page, "request-hostile.png")
    assert dialogs == []
    assert all(url.startswith(site) for url in requested), requested
    assert not [url for url in requested if url.rstrip("/").endswith("/x")]


def test_a_viewer_gets_no_approve_button(page: Page, sessions: sessionmaker[Session]) -> None:
    sign_in(page, "viewer")
    page.goto(f"/drafts/{waiting_draft(sessions, 'R-000102')}")
    expect(page.get_by_text("needs the approver role")).to_be_visible()
    screenshot(page, "draft-viewer.png")
    expect(page.get_by_role("button", name="Approve and send")).to_have_count(0)
    expect(page.get_by_role("button", name="Reject")).to_have_count(0)



def test_signing_out_ends_the_session_even_for_a_kept_cookie(page: Page, browser: Browser, site: str) -> None:
    sign_in(page, "approver")
    kept = page.context.cookies()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    replay = browser.new_context(viewport=VIEWPORT, base_url=site)
    try:
        replay.add_cookies(kept)  # as if the cookie had been copied before signing out
        again = replay.new_page()
        again.goto("/")
        expect(again).to_have_url(re.compile(r"/login\?next="))
        expect(again.get_by_text("Your session has ended")).to_be_visible()
    finally:
        replay.close()


def test_a_role_change_signs_the_person_out(page: Page, config: Config) -> None:
    sign_in(page, "approver")
    done = cli(config, "staff", "role", STAFF["approver"], "viewer", "--as", STAFF["admin"])
    assert done.returncode == 0, done.stderr
    page.reload()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    page.get_by_label("Email").fill(STAFF["approver"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".who .role")).to_have_text("viewer")


def test_a_crafted_next_never_leaves_the_desk(page: Page, site: str) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/login?next=/%09/evil.example/")
    page.get_by_label("Email").fill(STAFF["viewer"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()
    assert page.url == f"{site}/"
    assert all(url.startswith(site) for url in requested), requested
