"""Staff accounts: add a person with a role, look one up, check a password (argon2id); disable,
enable, change a role or a password, each of which ends the person's web sessions."""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from zxcvbn import zxcvbn  # type: ignore[import-untyped]  # ships no type hints

from base.errors import ActionRefused
from base.models import StaffUser
from staff import sessions as staff_sessions

ROLES = ("viewer", "approver", "admin")  # each role may do everything the ones before it may
MIN_PASSWORD_LENGTH = 10
# zxcvbn's score 3: about 10^8 guesses or more, "safely unguessable" against an online attack;
# common passwords, keyboard walks, dates, l33t variants and the person's own address score lower.
MIN_PASSWORD_SCORE = 3
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# argon2-cffi's defaults are RFC 9106's low-memory profile: argon2id, 64 MiB, 3 passes.
_hasher = PasswordHasher()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def add_staff(session: Session, email: str, password: str, role: str = "approver") -> StaffUser:
    """Create an active account; the password is stored only as an argon2id hash."""
    email = normalise_email(email)
    if not _EMAIL.fullmatch(email):
        raise ActionRefused(f"not an email address: {email!r}")
    if role not in ROLES:
        raise ActionRefused(f"unknown role {role!r} (roles: {', '.join(ROLES)})")
    check_password(password, email)
    if get_staff(session, email) is not None:
        raise ActionRefused(f"staff member {email} already exists")
    staff = StaffUser(email=email, password_hash=_hasher.hash(password), role=role, active=True)
    session.add(staff)
    session.flush()
    return staff


def get_staff(session: Session, email: str) -> StaffUser | None:
    return session.scalar(select(StaffUser).where(StaffUser.email == normalise_email(email)))


def list_staff(session: Session) -> list[StaffUser]:
    return list(session.scalars(select(StaffUser).order_by(StaffUser.email)))


def authenticate(session: Session, email: str, password: str) -> StaffUser | None:
    """The active staff member with this email and password, else None.

    An unknown or inactive email still costs one full hash check, so the time taken does not
    tell an attacker which addresses have accounts.
    """
    staff = get_staff(session, email)
    if staff is None or not staff.active:
        _verify(_dummy_hash(), password)
        return None
    if not _verify(staff.password_hash, password):
        return None
    if _hasher.check_needs_rehash(staff.password_hash):
        # Stronger defaults in a newer argon2-cffi take effect at the next successful login.
        staff.password_hash = _hasher.hash(password)
    return staff


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    return _hasher.hash("no such account: this hash only spends the same time")


def check_password(password: str, email: str) -> None:
    """Refuse a password that is short, common or guessable from the person's address."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ActionRefused(f"password too short: at least {MIN_PASSWORD_LENGTH} characters")
    hints = [part for part in re.split(r"[@._+-]", normalise_email(email)) if part]
    verdict = zxcvbn(password[:100], user_inputs=hints)  # zxcvbn slows down on very long input
    if verdict["score"] < MIN_PASSWORD_SCORE:
        why = verdict["feedback"]["warning"] or "it is too easy to guess"
        raise ActionRefused(f"password too weak: {why.rstrip('.')}. Use a few unrelated words or a "
                            "password manager's random password")


def set_active(session: Session, staff: StaffUser, active: bool, now: datetime) -> int:
    """Disable or enable an account; disabling ends its sessions (returns how many ended)."""
    if not active:
        _keep_an_admin(session, staff, "disable")
    staff.active = active
    return 0 if active else staff_sessions.end_all(session, staff, now, "disabled")


def set_role(session: Session, staff: StaffUser, role: str, now: datetime) -> int:
    """Change an account's role; its sessions end, so the new role applies from the next sign-in."""
    if role not in ROLES:
        raise ActionRefused(f"unknown role {role!r} (roles: {', '.join(ROLES)})")
    if role != "admin":
        _keep_an_admin(session, staff, f"make {role}")
    staff.role = role
    return staff_sessions.end_all(session, staff, now, "role")


def set_password(session: Session, staff: StaffUser, password: str, now: datetime) -> int:
    check_password(password, staff.email)
    staff.password_hash = _hasher.hash(password)
    return staff_sessions.end_all(session, staff, now, "password")


def _keep_an_admin(session: Session, staff: StaffUser, action: str) -> None:
    """The last active admin cannot be disabled or demoted: nobody could manage staff then."""
    if staff.role != "admin" or not staff.active:
        return
    admins = [s for s in list_staff(session) if s.role == "admin" and s.active]
    if admins == [staff]:
        raise ActionRefused(f"{staff.email} is the only active admin; cannot {action} them "
                            "(make another admin first)")
