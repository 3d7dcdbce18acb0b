"""Finding seeded rows by what a person sees (the reference), and reading the audit trail."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from base.db import session_scope
from base.models import Attachment, AuditEvent, Draft, Message, Request


def request_id(sessions: sessionmaker[Session], reference: str) -> int:
    with session_scope(sessions) as db:
        return db.scalars(select(Request.id).where(Request.reference == reference)).one()


def waiting_draft(sessions: sessionmaker[Session], reference: str) -> int:
    with session_scope(sessions) as db:
        return db.scalars(select(Draft.id).join(Request, Draft.request_id == Request.id)
                          .where(Request.reference == reference, Draft.state == "draft")).one()


def attachment_of(sessions: sessionmaker[Session], reference: str) -> int:
    with session_scope(sessions) as db:
        return db.scalars(select(Attachment.id).join(Message).join(Request, Message.request_id == Request.id)
                          .where(Request.reference == reference).limit(1)).one()


def draft(sessions: sessionmaker[Session], draft_id: int) -> Draft:
    with session_scope(sessions) as db:
        found = db.get(Draft, draft_id)
        assert found is not None
        return found


def audit_trail(sessions: sessionmaker[Session]) -> list[tuple[str, str, int | None, int | None]]:
    """(actor, action, request_id, draft_id) of every audit event, oldest first."""
    with session_scope(sessions) as db:
        events = db.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        return [(e.actor, e.action, e.request_id, e.draft_id) for e in events]


def audit_detail(sessions: sessionmaker[Session], action: str) -> dict[str, object]:
    with session_scope(sessions) as db:
        return dict(db.scalars(select(AuditEvent.detail).where(AuditEvent.action == action)).one())
