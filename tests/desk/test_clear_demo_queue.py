"""A staff member clears the demo's whole queue in chromium, and the clicks and page loads are
counted (the README quotes them): every reply approved, every review settled by a grant, and a
reason the reader was unsure of picked the way examples/manifest.toml labels it."""

from __future__ import annotations

import tomllib
from pathlib import Path

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from base.models import Message, Request
from tests.desk.test_browser import ARTIFACTS, VIEWPORT, browser, screenshot  # noqa: F401
from tests.desk.test_staff_decide import Desk, serve, sign_in
from tests.replies.demo import ROOT, demo

LABELLED = {entry["message_id"]: entry.get("reason") for entry in
            tomllib.loads((ROOT / "examples" / "manifest.toml").read_text())["message"]}


def labelled_reason(served: Desk, reference: str) -> str:
    """The reason the manifest gives the mail that opened the request: what staff would pick."""
    with served.sessions() as session:
        first = session.scalars(select(Message).join(Request, Message.request_id == Request.id)
                                .where(Request.reference == reference)
                                .order_by(Message.received_at, Message.id)).first()
        assert first is not None and LABELLED.get(first.message_id), reference
        return str(LABELLED[first.message_id])


def pick_reason(page: Page, reason: str) -> int:
    """Staff pick the reason: one click when it is one of the two offered; returns the clicks."""
    offered = page.locator(f"#pick-reason [data-reason={reason}]")
    if offered.count():
        offered.click()
        return 1
    page.locator("#facts summary").click()
    page.locator("#fact-reason").select_option(reason)
    page.get_by_role("button", name="Set the reason").click()
    return 3


def test_clear_the_demo_queue(browser: Browser, tmp_path: Path) -> None:  # noqa: F811
    served = Desk(demo(tmp_path))
    server = serve(served.app)
    url = next(server)
    context = browser.new_context(viewport=VIEWPORT, base_url=url)
    page = context.new_page()
    loads: list[str] = []
    page.on("framenavigated", lambda frame: loads.append(frame.url)
            if frame == page.main_frame else None)

    clicks = picked = reviews = 0
    sign_in(page)  # the login page, then the queue: 2 loads, 1 click
    clicks += 1
    settled: list[str] = []
    while page.locator("tr[data-row]").count():
        row = page.locator("tr[data-row]").first
        reference = row.get_by_role("link").first.inner_text()
        if row.locator(".badge").first.inner_text() == "Staff review":
            row.get_by_role("link", name=reference).click()        # the request page
            clicks += 1
            reviews += 1
            if page.locator("#pick-reason").count():                # the reader was unsure
                picked += 1
                screenshot(page, "pick-reason.png")
                clicks += pick_reason(page, labelled_reason(served, reference))  # decided again
            if not page.locator("#summary .decision-head .outcome-review").count():  # decided
                page.locator("#waiting").get_by_role("button", name="Approve").click()  # the queue
                clicks += 1
            else:
                page.locator("#grant").get_by_role("button", name="Grant").click()  # the reply
                page.get_by_role("button", name="Approve and send").click()        # the queue
                clicks += 2
        else:
            row.get_by_role("button", name="Approve").click()      # back to the queue
            clicks += 1
        expect(page.get_by_text(f"reply for {reference}")).to_be_visible()
        settled.append(reference)
    screenshot(page, "demo-queue-cleared.png")
    context.close()
    next(server, None)
    served.engine.dispose()
    pages = len(loads)
    summary = (f"demo queue cleared: {len(settled)} requests, {reviews} of them reviews "
               f"({picked} with the reason picked), "
               f"{clicks} clicks, {pages} page loads "
               f"({pages / len(settled):.2f} a request, sign-in included)\n")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "demo-queue-count.txt").write_text(summary)
    print(summary)
    assert len(settled) == 12 and served.waiting("R-000002") == []
    # sign-in is two loads; a reply that needs no decision one; a review three (open it, then
    # Grant or pick the reason, then approve)
    assert pages == 2 + len(settled) + 2 * reviews, summary
    assert reviews == 5 and picked == 1, summary
