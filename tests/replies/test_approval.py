"""Approve, edit, reject and resend drafts; who did what is audited, refusals included."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from base.db import session_scope
from base.errors import ActionRefused, NotFound, PermissionDenied
from base.models import AuditEvent, Draft, StaffUser
from replies.approval import approve, record_view, reject, resend
from staff.accounts import get_staff
from tests.replies.builders import add_draft, add_person, add_request


def events(sessions: sessionmaker[Session]) -> list[AuditEvent]:
    with sessions() as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def person(session: Session, email: str) -> StaffUser:
    staff = get_staff(session, email)
    assert staff is not None
    return staff


def setup_draft(sessions: sessionmaker[Session], state: str = "draft") -> int:
    with session_scope(sessions) as session:
        add_person(session, "nadia@kreatorz.co.za", "approver")
        add_person(session, "vic@kreatorz.co.za", "viewer")
        return add_draft(session, add_request(session), state=state).id


def test_approve_without_edit(sessions: sessionmaker[Session]) -> None:
    draft_id = setup_draft(sessions)
    with session_scope(sessions) as session:
        staff = add_person(session, "admin@kreatorz.co.za", "admin")
        draft = approve(session, draft_id, staff)
        assert (draft.state, draft.decided_by) == ("approved", "admin@kreatorz.co.za")
        assert draft.decided_at is not None
    [event] = events(sessions)
    assert (event.actor, event.action, event.draft_id) == ("admin@kreatorz.co.za", "approve", draft_id)


def test_edit_keeps_before_and_after_and_rebuilds_the_html(sessions: sessionmaker[Session]) -> None:
    draft_id = setup_draft(sessions)
    edited = "Hello Sam,\r\n\r\nYour refund of <b>R 3 600</b> is approved. {{ 7*7 }}\r\n"
    with session_scope(sessions) as session:
        nadia = person(session, "nadia@kreatorz.co.za")
        before = session.get(Draft, draft_id).body_text  # type: ignore[union-attr]
        approve(session, draft_id, nadia, edited_text=edited)
    with sessions() as session:
        draft = session.get(Draft, draft_id)
        assert draft is not None
        assert draft.body_text == "Hello Sam,\n\nYour refund of <b>R 3 600</b> is approved. {{ 7*7 }}\n"
        assert "&lt;b&gt;R 3 600&lt;/b&gt; is approved. {{ 7*7 }}" in draft.body_html
        assert "<b>" not in draft.body_html and "49" not in draft.body_html
    edit, approval = events(sessions)
    assert edit.action == "edit" and approval.action == "approve"
    assert edit.detail == {"before": before, "after": draft.body_text}


def test_an_unchanged_edit_is_no_edit(sessions: sessionmaker[Session]) -> None:
    draft_id = setup_draft(sessions)
    with session_scope(sessions) as session:
        nadia = person(session, "nadia@kreatorz.co.za")
        text = session.get(Draft, draft_id).body_text  # type: ignore[union-attr]
        approve(session, draft_id, nadia, edited_text=text.replace("\n", "\r\n"))
    assert [e.action for e in events(sessions)] == ["approve"]


def test_reject_keeps_the_note(sessions: sessionmaker[Session]) -> None:
    draft_id = setup_draft(sessions)
    with session_scope(sessions) as session:
        nadia = person(session, "nadia@kreatorz.co.za")
        with pytest.raises(ActionRefused, match="needs a note"):
            reject(session, draft_id, nadia, "  ")
        draft = reject(session, draft_id, nadia, "Customer phoned; answered by phone.")
        assert (draft.state, draft.note) == ("rejected", "Customer phoned; answered by phone.")
    [event] = events(sessions)
    assert event.action == "reject" and event.detail == {"note": "Customer phoned; answered by phone."}


@pytest.mark.parametrize("action", ["approve", "reject", "resend"])
def test_a_viewer_is_refused_and_the_attempt_is_kept(sessions: sessionmaker[Session], action: str) -> None:
    draft_id = setup_draft(sessions, state="failed" if action == "resend" else "draft")
    calls = {
        "approve": lambda s, d, st: approve(s, d, st, edited_text="changed"),
        "reject": lambda s, d, st: reject(s, d, st, "no"),
        "resend": resend,
    }
    denied = pytest.raises(PermissionDenied, match=r"vic@kreatorz\.co\.za \(viewer\) may not")
    with denied, session_scope(sessions) as session:  # the caller's unit of work rolls back...
        calls[action](session, draft_id, person(session, "vic@kreatorz.co.za"))
    [event] = events(sessions)  # ...and the refusal is still on record
    assert (event.actor, event.action, event.draft_id) == ("vic@kreatorz.co.za", f"denied:{action}", draft_id)
    assert event.detail["needed"] == "approver"
    with sessions() as session:
        draft = session.get(Draft, draft_id)
        assert draft is not None and draft.state == ("failed" if action == "resend" else "draft")
        assert "changed" not in draft.body_text


def test_a_disabled_approver_is_refused(sessions: sessionmaker[Session]) -> None:
    draft_id = setup_draft(sessions)
    with sessions() as session:
        nadia = person(session, "nadia@kreatorz.co.za")
        nadia.active = False
        session.commit()
        with pytest.raises(PermissionDenied, match="disabled"):
            approve(session, draft_id, nadia)
    assert [e.action for e in events(sessions)] == ["denied:approve"]


@pytest.mark.parametrize("state", ["approved", "sending", "sent", "rejected", "failed"])
def test_only_a_draft_can_be_approved(sessions: sessionmaker[Session], state: str) -> None:
    draft_id = setup_draft(sessions, state=state)
    with sessions() as session:
        nadia = person(session, "nadia@kreatorz.co.za")
        words = {"sending": "being sent"}.get(state, state)
        with pytest.raises(ActionRefused, match=f"^draft {draft_id} is {words}; only a draft that "
                                                "is waiting for approval can be approved$"):
            approve(session, draft_id, nadia)
        with pytest.raises(NotFound):
            approve(session, 999, nadia)


def test_resend_puts_a_failed_draft_back_to_approved(sessions: sessionmaker[Session]) -> None:
    draft_id = setup_draft(sessions, state="failed")
    with session_scope(sessions) as session:
        draft = session.get(Draft, draft_id)
        assert draft is not None
        draft.attempts, draft.last_error = 8, "554 5.7.1 Rejected"
        nadia = person(session, "nadia@kreatorz.co.za")
        draft = resend(session, draft_id, nadia)
        assert (draft.state, draft.attempts, draft.last_error) == ("approved", 0, None)
    [event] = events(sessions)
    assert event.action == "resend" and event.detail == {"last_error": "554 5.7.1 Rejected", "attempts": 8}


def test_viewing_a_request_is_audited(sessions: sessionmaker[Session]) -> None:
    setup_draft(sessions)
    with session_scope(sessions) as session:
        vic = person(session, "vic@kreatorz.co.za")
        record_view(session, vic, 1)
    [event] = events(sessions)
    assert (event.actor, event.action, event.request_id) == ("vic@kreatorz.co.za", "view", 1)
