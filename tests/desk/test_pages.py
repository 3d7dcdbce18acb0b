"""The queue, the request page, the draft editor and attachment downloads, through Flask's client."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from base.db import session_scope
from base.models import Draft
from tests.desk.conftest import Clock, csrf_from
from tests.desk.lookup import (
    attachment_of,
    audit_detail,
    audit_trail,
    draft,
    request_id,
    waiting_draft,
)
from tests.desk.seed import STAFF

REFERENCES = ("R-000101", "R-000102", "R-000103", "R-000104")


def references_on(page: str) -> list[str]:
    return sorted(set(re.findall(r"R-0001\d\d", page)))


def test_the_queue_lists_waiting_drafts_and_every_request(approver: FlaskClient) -> None:
    page = approver.get("/").get_data(as_text=True)
    assert references_on(page) == list(REFERENCES)
    assert "Waiting for approval <span class=\"count\">3</span>" in page
    assert "569.05 ZAR" in page and "12,000 KRW" in page


def test_queue_filters_by_mailbox_outcome_and_overdue(approver: FlaskClient) -> None:
    assert references_on(approver.get("/?mailbox=billing").get_data(as_text=True)) == ["R-000102"]
    assert references_on(approver.get("/?outcome=approve").get_data(as_text=True)) == ["R-000101"]
    overdue = approver.get("/?overdue=1").get_data(as_text=True)
    assert references_on(overdue) == ["R-000102"]
    assert "overdue" in overdue
    everything = approver.get("/?mailbox=nonsense&outcome=nonsense").get_data(as_text=True)
    assert references_on(everything) == list(REFERENCES)


def test_overdue_is_judged_on_the_shops_calendar_not_utc(
        approver: FlaskClient, clock: Clock, sessions: sessionmaker[Session]) -> None:
    """R-000102 must be answered by 8 March. At 23:30 UTC on 8 March it is already 9 March in
    Johannesburg (the policy's time zone): overdue there, though not yet by the UTC date."""
    clock.now = datetime(2025, 3, 8, 23, 30, tzinfo=UTC)
    assert references_on(approver.get("/?overdue=1").get_data(as_text=True)) == ["R-000102"]
    page = f"/requests/{request_id(sessions, 'R-000102')}"
    marker = '<span class="tag bad">overdue</span>'
    assert marker in approver.get(page).get_data(as_text=True)
    clock.now = datetime(2025, 3, 8, 21, 30, tzinfo=UTC)  # 23:30 on 8 March in Johannesburg
    assert references_on(approver.get("/?overdue=1").get_data(as_text=True)) == []
    assert marker not in approver.get(page).get_data(as_text=True)


def test_the_request_page_shows_the_decision_its_clauses_facts_and_thread(
        approver: FlaskClient, sessions: sessionmaker[Session]) -> None:
    page = approver.get(f"/requests/{request_id(sessions, 'R-000101')}").get_data(as_text=True)
    for expected in ("Approve", "569.05 ZAR", "Fee withheld", "28.45 ZAR", "KRZ-1001",
                     "You may cancel within 14 days of purchase for a full refund.",
                     "inside window", "2025-03-12", "Kreatorz refunds", "2024-11",
                     "Could you refund order KRZ-1001 please?",
                     "receipt KRZ-1001.pdf", "Fri 14 Mar 2025"):
        assert expected in page, expected


def test_viewing_a_request_is_audited(approver: FlaskClient,
                                      sessions: sessionmaker[Session]) -> None:
    target = request_id(sessions, "R-000104")
    assert (STAFF["approver"], "view", target, None) not in audit_trail(sessions)
    approver.get(f"/requests/{target}")
    assert (STAFF["approver"], "view", target, None) in audit_trail(sessions)


def test_an_unknown_request_is_a_plain_404(approver: FlaskClient) -> None:
    response = approver.get("/requests/99999")
    assert response.status_code == 404
    assert "There is no request 99999." in response.get_data(as_text=True)


def test_attachments_download_with_a_safe_name_never_inline(
        approver: FlaskClient, sessions: sessionmaker[Session]) -> None:
    hostile = attachment_of(sessions, "R-000103")
    response = approver.get(f"/attachments/{hostile}")
    assert response.status_code == 200
    assert response.mimetype == "application/octet-stream"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "/" not in disposition and "<" not in disposition and ".." not in disposition
    assert "evilscript.html" in disposition
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.data == b"<script>alert(1)</script>"
    target = request_id(sessions, "R-000103")
    assert (STAFF["approver"], "view", target, None) in audit_trail(sessions)


def test_an_approver_edits_and_approves_a_draft(approver: FlaskClient,
                                                sessions: sessionmaker[Session]) -> None:
    waiting = waiting_draft(sessions, "R-000101")
    editor = approver.get(f"/drafts/{waiting}").get_data(as_text=True)
    assert 'name="body_text"' in editor and "Approve and send" in editor and "Reject" in editor
    edited = "Dear Jane,\r\n\r\nYour refund of 569.05 ZAR is approved.\r\n"
    response = approver.post(f"/drafts/{waiting}/approve",
                             data={"body_text": edited, "csrf_token": csrf_from(editor)})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Approved the approve reply for R-000101" in approver.get("/").get_data(as_text=True)
    approved = draft(sessions, waiting)
    assert approved.state == "approved" and approved.decided_by == STAFF["approver"]
    assert approved.body_text == "Dear Jane,\n\nYour refund of 569.05 ZAR is approved.\n"
    assert audit_detail(sessions, "edit")["after"] == approved.body_text
    history = approver.get(f"/drafts/{waiting}").get_data(as_text=True)
    assert "Text before and after the edit" in history and 'name="body_text"' not in history


def test_rejecting_needs_a_note_and_keeps_it(approver: FlaskClient,
                                             sessions: sessionmaker[Session]) -> None:
    waiting = waiting_draft(sessions, "R-000102")
    token = csrf_from(approver.get(f"/drafts/{waiting}").get_data(as_text=True))
    response = approver.post(f"/drafts/{waiting}/reject", data={"note": "  ", "csrf_token": token})
    assert response.headers["Location"] == f"/drafts/{waiting}"
    assert "Write a note" in approver.get(f"/drafts/{waiting}").get_data(as_text=True)
    assert draft(sessions, waiting).state == "draft"
    approver.post(f"/drafts/{waiting}/reject",
                  data={"note": "Annual plans are refundable: approve instead.", "csrf_token": token})
    rejected = draft(sessions, waiting)
    assert rejected.state == "rejected"
    assert rejected.note == "Annual plans are refundable: approve instead."


def test_approving_twice_says_why_not(approver: FlaskClient,
                                      sessions: sessionmaker[Session]) -> None:
    waiting = waiting_draft(sessions, "R-000101")
    token = csrf_from(approver.get(f"/drafts/{waiting}").get_data(as_text=True))
    approver.post(f"/drafts/{waiting}/approve", data={"csrf_token": token})
    again = approver.post(f"/drafts/{waiting}/approve", data={"csrf_token": token})
    assert again.headers["Location"] == f"/drafts/{waiting}"
    assert "Not approved" in approver.get(f"/drafts/{waiting}").get_data(as_text=True)


def test_a_failed_reply_shows_the_servers_answer_and_can_go_out_again(
        approver: FlaskClient, sessions: sessionmaker[Session]) -> None:
    failing = waiting_draft(sessions, "R-000102")
    with session_scope(sessions) as db:
        row = db.get(Draft, failing)
        assert row is not None
        row.state, row.last_error = "failed", "550 5.1.1 <marc.petit@example.fr>: mailbox unknown"
    queue = approver.get("/").get_data(as_text=True)
    assert "Could not be sent" in queue and "550 5.1.1" in queue
    page = approver.get(f"/drafts/{failing}").get_data(as_text=True)
    assert "The mail server answered:" in page and "Send again" in page
    approver.post(f"/drafts/{failing}/resend", data={"csrf_token": csrf_from(page)})
    assert draft(sessions, failing).state == "approved"
