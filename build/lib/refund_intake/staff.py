"""Staff accounts: add a person with a role, look one up, check a password (argon2id)."""

from __future__ import annotations

import re
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from refund_intake.errors import ActionRefused
from refund_intake.models import StaffUser

ROLES = ("viewer", "approver", "admin")  # each role may do everything the ones before it may
MIN_PASSWORD_LENGTH = 10
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
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ActionRefused(f"password too short: at least {MIN_PASSWORD_LENGTH} characters")
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
