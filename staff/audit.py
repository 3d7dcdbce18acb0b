"""The audit trail: every staff action, and every refused attempt, appended in order."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from base.errors import PermissionDenied
from base.models import AuditEvent, Draft, StaffUser
from staff.accounts import ROLES


def audit(session: Session, actor: str, action: str, request_id: int | None = None,
          draft_id: int | None = None, detail: dict[str, Any] | None = None,
          draft: Draft | None = None) -> AuditEvent:
    """Append one event to the audit trail (in the caller's transaction); `draft` for one not
    flushed yet (its id is filled in when it is)."""
    event = AuditEvent(at=datetime.now(UTC), actor=actor, action=action,
                       request_id=request_id, draft_id=draft_id, detail=detail or {})
    if draft is not None:
        event.draft = draft
    session.add(event)
    return event


def require_role(session: Session, staff: StaffUser, needed: str, action: str,
                 request_id: int | None = None, draft_id: int | None = None) -> None:
    """Return if the staff member's role allows the action; else audit the attempt and raise.

    The refusal is written and committed in a transaction of its own: the caller's unit of work
    rolls back on the PermissionDenied, and the trail must still show the attempt. Call this
    before the caller's session writes anything (SQLite allows one writer at a time).
    """
    if needed not in ROLES:
        raise ValueError(f"unknown role {needed!r}")
    if staff.active and staff.role in ROLES and ROLES.index(staff.role) >= ROLES.index(needed):
        return
    detail = {"role": staff.role, "active": staff.active, "needed": needed}
    bind = session.get_bind()
    with Session(bind.engine if not isinstance(bind, Engine) else bind) as own:
        audit(own, staff.email, f"denied:{action}", request_id, draft_id, detail)
        own.commit()
    why = "the account is disabled" if not staff.active else f"the {needed} role is needed"
    raise PermissionDenied(f"{staff.email} ({staff.role}) may not {action}: {why}")
