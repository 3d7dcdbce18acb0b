"""Roles on the web page: a viewer reads but cannot approve; forged posts are refused and audited."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from tests.desk.conftest import csrf_from, sign_in
from tests.desk.lookup import audit_trail, draft, waiting_draft
from tests.desk.seed import STAFF


def test_a_viewer_sees_the_draft_without_any_approve_or_reject(
        viewer: FlaskClient, sessions: sessionmaker[Session]) -> None:
    waiting = waiting_draft(sessions, "R-000101")
    page = viewer.get(f"/drafts/{waiting}").get_data(as_text=True)
    assert "This is the approve reply." in page
    assert "/approve" not in page and "/reject" not in page and "<textarea" not in page
    assert "needs the approver role" in page


@pytest.mark.parametrize("action, form", [
    ("approve", {"body_text": "Refund granted, twice."}),
    ("reject", {"note": "no"}),
    ("reject", {"note": ""}),
])
def test_a_forged_post_by_a_viewer_is_refused_and_audited(
        viewer: FlaskClient, sessions: sessionmaker[Session], action: str,
        form: dict[str, str]) -> None:
    waiting = waiting_draft(sessions, "R-000101")
    token = csrf_from(viewer.get("/").get_data(as_text=True))
    response = viewer.post(f"/drafts/{waiting}/{action}", data={**form, "csrf_token": token})
    assert response.status_code == 403
    assert "has been recorded" in response.get_data(as_text=True)
    assert draft(sessions, waiting).state == "draft"
    denied = [event for event in audit_trail(sessions) if event[1] == f"denied:{action}"]
    assert [(actor, draft_id) for actor, _, _, draft_id in denied] == [(STAFF["viewer"], waiting)]


def test_an_admin_may_approve(client: FlaskClient, sessions: sessionmaker[Session]) -> None:
    admin = sign_in(client, "admin")
    waiting = waiting_draft(sessions, "R-000102")
    token = csrf_from(admin.get(f"/drafts/{waiting}").get_data(as_text=True))
    assert admin.post(f"/drafts/{waiting}/approve", data={"csrf_token": token}).status_code == 302
    assert draft(sessions, waiting).state == "approved"
