"""Which requests wait on staff: the ones that can be overdue (the desk, `status`, `remind`).

An open request waits on staff until a reply that answers its latest decision has been approved
(or sent): a grant, a denial, a request for information (then the customer has the next move),
a written reply, or the note that answers a wrong-channel or duplicate request. An
acknowledgement or a "we are reviewing it" note promises an answer; it is not one. Privacy
requests wait until staff write their reply or close them.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import aliased

from base.models import DecisionRecord, Draft, Request

ANSWERS = ("approve", "deny", "needs_info", "written", "wrong_channel", "duplicate")
GIVEN = ("approved", "sending", "sent")


def waiting_on_staff() -> ColumnElement[bool]:
    """A WHERE clause over Request: open, and its latest decision not yet answered."""
    decisions = aliased(DecisionRecord)  # the outer query may join DecisionRecord itself
    latest = (select(func.max(decisions.id)).where(decisions.request_id == Request.id)
              .correlate(Request).scalar_subquery())
    replies = aliased(Draft)  # and Draft (the queue's waiting replies)
    answered = exists().where(
        replies.request_id == Request.id, replies.state.in_(GIVEN), replies.kind.in_(ANSWERS),
        or_(replies.decision_id.is_(None), replies.decision_id == latest)).correlate(Request)
    return and_(Request.status == "open", ~answered)
