"""The request page shows what intake read from the email, with confidences and evidence."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from base.db import session_scope
from base.models import Request
from tests.desk.conftest import csrf_from
from tests.desk.lookup import request_id

READ = {
    "own_text": {"chars": 48, "removed": ["quoted_history", "footer"]},
    "language": {"value": "af", "confidence": 0.93, "evidence": ["detected: af 0.93, nl 0.06"]},
    "reason": {"value": "unclear", "confidence": 0.31, "evidence": [],
               "candidates": [["dissatisfied", 0.31], ["not_as_described", 0.27], ["other", 0.2]]},
    "order_refs": {"value": ["KRZ-1004"], "confidence": 1.0, "evidence": ["krz 1004 -> KRZ-1004"],
                   "lookalikes": ["INV 88213 (after 'invoice')"]},
}


def test_the_request_page_shows_the_reading(approver: FlaskClient, sessions: sessionmaker[Session]) -> None:
    target = request_id(sessions, "R-000104")
    before = approver.get(f"/requests/{target}").get_data(as_text=True)
    assert "Read from the email" not in before  # nothing stored: nothing shown
    with session_scope(sessions) as session:
        session.get(Request, target).understanding = READ
    page = approver.get(f"/requests/{target}").get_data(as_text=True)
    for expected in ("Read from the email", "reason: unclear (likeliest: dissatisfied 0.31, not_as_described 0.27)",
                     "language: af (confidence 0.93)", "krz 1004 -&gt; KRZ-1004",
                     "not order references: INV 88213 (after &#39;invoice&#39;)",
                     "set apart: quoted_history, footer"):
        assert expected in page, expected


def test_an_unclear_reason_is_offered_as_its_two_likeliest(approver: FlaskClient,
                                                           sessions: sessionmaker[Session]) -> None:
    """The reader was unsure: the page offers the two likeliest reasons as one click each, and
    the Grant form (which has no amount to propose) stays folded until a reason is picked."""
    target = request_id(sessions, "R-000104")
    with session_scope(sessions) as session:
        unsure = session.get(Request, target)
        unsure.understanding, unsure.reason = READ, "unclear"
    page = approver.get(f"/requests/{target}").get_data(as_text=True)
    offered = re.findall(r'id="pick-reason".*?</div>\s*</div>', page, re.S)
    assert len(offered) == 1
    assert re.findall(r'data-reason="(\w+)"', offered[0]) == ["dissatisfied", "not_as_described"]
    assert "read at 0.31" in offered[0] and "read at 0.27" in offered[0]
    assert '<details  id="grant">' in page or '<details id="grant">' in page

    picked = approver.post(f"/requests/{target}/set", data={
        "csrf_token": csrf_from(page), "fact": "reason", "value": "dissatisfied"}, follow_redirects=True)
    after = picked.get_data(as_text=True)
    assert picked.status_code == 200 and "reason set; decided again" in after
    assert 'id="pick-reason"' not in after
    with session_scope(sessions) as session:
        assert session.get(Request, target).reason == "dissatisfied"
