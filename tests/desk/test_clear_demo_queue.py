"""A staff member clears the demo's whole queue in chromium, and the clicks and page loads are
counted (the README quotes them): every reply approved, every review settled by a grant."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.desk.test_browser import ARTIFACTS, VIEWPORT, browser, screenshot  # noqa: F401
from tests.desk.test_staff_decide import Desk, serve, sign_in
from tests.replies.demo import demo


def test_clear_the_demo_queue(browser: Browser, tmp_path: Path) -> None:  # noqa: F811
    served = Desk(demo(tmp_path))
    server = serve(served.app)
    url = next(server)
    context = browser.new_context(viewport=VIEWPORT, base_url=url)
    page = context.new_page()
    loads: list[str] = []
    page.on("framenavigated", lambda frame: loads.append(frame.url)
            if frame == page.main_frame else None)

    clicks = 0
    sign_in(page)  # the login page, then the queue: 2 loads, 1 click
    clicks += 1
    settled: list[str] = []
    while page.locator("tr[data-row]").count():
        row = page.locator("tr[data-row]").first
        reference = row.get_by_role("link").first.inner_text()
        if row.locator(".badge").first.inner_text() == "Staff review":
            row.get_by_role("link", name=reference).click()        # the request page
            page.locator("#grant").get_by_role("button", name="Grant").click()  # the reply
            page.get_by_role("button", name="Approve and send").click()        # the queue
            clicks += 3
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
    summary = (f"demo queue cleared: {len(settled)} requests, {clicks} clicks, {pages} page loads "
               f"({pages / len(settled):.2f} a request, sign-in included)\n")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "demo-queue-count.txt").write_text(summary)
    print(summary)
    assert len(settled) == 12 and served.waiting("R-000002") == []
    assert pages < 2 * len(settled), summary
