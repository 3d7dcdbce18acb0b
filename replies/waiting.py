"""One reply waiting per request: a newer draft sets aside whatever waited before it.

A decision drafted before the acknowledgement was approved replaces it (the decision's reply
says what the acknowledgement said: see `carries_acknowledgement`), and a newer decision's
reply replaces an older one. What is set aside is rejected by "system" with a note naming the
draft that replaced it, and audited, so the history shows why it never went out.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from base.models import Draft, Request
from staff.audit import audit

ACKNOWLEDGEMENTS = ("acknowledgement", "dispute")
SENT_OR_GOING = ("approved", "sending", "sent")


def replace_waiting(session: Session, request: Request, newer: Draft, actor: str,
                    now: datetime, drafts: Iterable[Draft] | None = None) -> list[Draft]:
    """Reject every other draft of the request still waiting; returns those set aside."""
    if drafts is None:
        drafts = session.scalars(select(Draft).where(Draft.request_id == request.id,
                                                     Draft.state == "draft"))
    replaced = []
    for draft in list(drafts):
        if draft is newer or draft.state != "draft":
            continue
        draft.state, draft.decided_by, draft.decided_at = "rejected", "system", now
        draft.note = f"replaced by the newer {newer.kind.replace('_', ' ')} reply"
        audit(session, actor, "supersede", request.id, draft=draft,
              detail={"kind": draft.kind, "by_kind": newer.kind, "by_draft": newer.id})
        replaced.append(draft)
    return replaced


def carries_acknowledgement(drafts: Iterable[Draft]) -> bool:
    """Whether a decision's reply must also say what an acknowledgement says (reference, date
    received): no acknowledgement has gone, or is going, to the customer."""
    return not any(d.kind in ACKNOWLEDGEMENTS and d.state in SENT_OR_GOING for d in drafts)
