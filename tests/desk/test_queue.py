"""The queue: search, the new filters, paging 50 a page, "waiting for me", bulk actions, counts."""

from __future__ import annotations

import re
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from base.db import session_scope
from base.models import Draft
from tests.desk.conftest import csrf_from
from tests.desk.lookup import draft, waiting_draft
from tests.desk.seed import NOW, STAFF, Case, Mail, add_case


def references_on(page: str) -> list[str]:
    return sorted(set(re.findall(r"R-\d{6}", page)))


def test_search_by_reference_customer_order_subject_and_text(approver: FlaskClient) -> None:
    def found(q: str) -> list[str]:
        return references_on(approver.get("/", query_string={"q": q}).get_data(as_text=True))

    assert found("r-000104") == ["R-000104"]
    assert found("MARC.PETIT") == ["R-000102"]
    assert found("KRZ-1188") == ["R-000104"]
    assert found("damaged print") == ["R-000104"]
    assert found("no longer need it") == ["R-000101"]   # words of the mail itself
    assert found("100%_") == []                          # LIKE wildcards are searched literally
    assert found("nothing like this") == []


def test_filter_by_reason_and_unknown_values_are_ignored(approver: FlaskClient) -> None:
    assert references_on(approver.get("/?reason=cancel_recurring").get_data(as_text=True)) == ["R-000102"]
    assert len(references_on(approver.get("/?reason=nonsense&page=x").get_data(as_text=True))) == 4


def test_every_list_pages_fifty_at_a_time(approver: FlaskClient, sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as db:
        for n in range(120):
            add_case(db, Case(f"R-5{n:05d}", f"p{n}@example.com", f"Paging {n}",
                              [Mail("Refund please.", NOW - timedelta(days=1, minutes=n))],
                              outcome="approve", drafts=[("approve", "draft")]))
    first = approver.get("/?q=Paging").get_data(as_text=True)
    assert "Waiting for approval <span class=\"count\">120</span>" in first
    assert first.count('name="draft_id"') == 50 and "Page 1 of 3 · 120 in all" in first
    third = approver.get("/?q=Paging&page=3").get_data(as_text=True)
    assert third.count('name="draft_id"') == 20
    requests = approver.get("/?q=Paging&rpage=3").get_data(as_text=True)
    assert "Requests <span class=\"count\">120</span>" in requests and 'rel="prev"' in requests
    beyond = approver.get("/?q=Paging&page=99").get_data(as_text=True)
    assert beyond.count('name="draft_id"') == 20  # past the end: the last page


def test_the_count_of_what_waits_is_at_the_top(approver: FlaskClient) -> None:
    page = approver.get("/").get_data(as_text=True)
    assert '<span class="count big">3</span> replies waiting for approval' in page
    assert "1 overdue" in page


def test_waiting_for_me_leaves_out_what_i_approved_first(
        approver: FlaskClient, sessions: sessionmaker[Session]) -> None:
    waiting = waiting_draft(sessions, "R-000101")
    with session_scope(sessions) as db:
        found = db.get(Draft, waiting)
        assert found is not None
        found.first_approved_by = STAFF["approver"]
    mine = approver.get("/?mine=1").get_data(as_text=True)
    assert f'value="{waiting}" form="bulk"' not in mine
    assert f'value="{waiting}" form="bulk"' in approver.get("/").get_data(as_text=True)


def test_bulk_reject_needs_one_note(approver: FlaskClient, sessions: sessionmaker[Session]) -> None:
    ids = [waiting_draft(sessions, ref) for ref in ("R-000101", "R-000103")]
    token = csrf_from(approver.get("/").get_data(as_text=True))
    refused = approver.post("/drafts/bulk", data={"draft_id": ids, "action": "reject",
                                                  "csrf_token": token}, follow_redirects=True)
    assert "needs one note" in refused.get_data(as_text=True)
    assert [draft(sessions, i).state for i in ids] == ["draft", "draft"]
    done = approver.post("/drafts/bulk", data={"draft_id": ids, "action": "reject", "note": "phoned",
                                               "csrf_token": token}, follow_redirects=True)
    assert "Rejected 2 replies." in done.get_data(as_text=True)
    assert [(draft(sessions, i).state, draft(sessions, i).note) for i in ids] == [("rejected", "phoned")] * 2


def test_a_viewer_cannot_bulk_approve(viewer: FlaskClient, sessions: sessionmaker[Session]) -> None:
    waiting = waiting_draft(sessions, "R-000101")
    token = csrf_from(viewer.get("/").get_data(as_text=True))
    response = viewer.post("/drafts/bulk", data={"draft_id": [waiting], "action": "approve",
                                                 "csrf_token": token})
    assert response.status_code == 403 and draft(sessions, waiting).state == "draft"


def test_approve_and_next_goes_to_the_next_reply(approver: FlaskClient,
                                                 sessions: sessionmaker[Session]) -> None:
    first = waiting_draft(sessions, "R-000102")  # the oldest waiting reply
    page = approver.get(f"/drafts/{first}").get_data(as_text=True)
    response = approver.post(f"/drafts/{first}/approve", data={"then": "next", "csrf_token": csrf_from(page)})
    assert response.headers["Location"] == f"/drafts/{waiting_draft(sessions, 'R-000101')}"
