"""The request page shows what intake read from the email, with confidences and evidence."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from base.db import session_scope
from base.models import Request
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
