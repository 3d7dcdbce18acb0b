"""Sign-ins to the web page kept on the server, so that they can be ended there.

The browser's cookie holds a random token; the database holds only its sha256. A session ends
when its person signs out, or for all of an account's sessions when the account is disabled,
or its role or its password changes. An ended session's cookie opens nothing, even replayed.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from base.models import StaffSession, StaffUser


def start(session: Session, staff: StaffUser, now: datetime) -> str:
    """A new session for this staff member; returns the token for the browser's cookie."""
    token = secrets.token_urlsafe(32)
    session.add(StaffSession(staff_id=staff.id, token_sha256=_digest(token), started_at=now))
    return token


def live_staff(session: Session, token: object) -> StaffUser | None:
    """The active staff member whose session this token opens, or None (ended, unknown, disabled)."""
    if not isinstance(token, str) or not token:
        return None
    found = session.scalar(select(StaffSession).where(StaffSession.token_sha256 == _digest(token)))
    if found is None or found.ended_at is not None:
        return None
    staff = session.get(StaffUser, found.staff_id)
    return staff if staff is not None and staff.active else None


def end(session: Session, token: object, now: datetime, why: str = "sign_out") -> None:
    if isinstance(token, str) and token:
        session.execute(update(StaffSession)
                        .where(StaffSession.token_sha256 == _digest(token), StaffSession.ended_at.is_(None))
                        .values(ended_at=now, ended_why=why))


def end_all(session: Session, staff: StaffUser, now: datetime, why: str) -> int:
    """End every live session of this staff member; returns how many there were."""
    result = session.execute(update(StaffSession)
                             .where(StaffSession.staff_id == staff.id, StaffSession.ended_at.is_(None))
                             .values(ended_at=now, ended_why=why))
    return int(getattr(result, "rowcount", 0) or 0)


def live_count(session: Session, staff: StaffUser) -> int:
    return len(session.scalars(select(StaffSession.id).where(
        StaffSession.staff_id == staff.id, StaffSession.ended_at.is_(None))).all())


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()
