"""The staff commands that change an account: disable, enable, role, passwd.

Each is done by an admin named with --as (or $REFUND_INTAKE_STAFF); a staff member may also change
their own password. Each change lands in the audit trail and ends the person's web sessions
(enabling excepted: a disabled account has none).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from base.config import Config
from base.db import session_scope
from base.errors import NotFound
from base.models import StaffUser
from refund_intake.output import acting_staff, open_database
from refund_intake.reply_commands import new_password
from staff import audit as staff_audit
from staff.accounts import get_staff, set_active, set_password, set_role

Change = Callable[[Session, StaffUser, datetime], int]


def staff_disable(config: Config, args: argparse.Namespace) -> int:
    return _change(config, args, "disable", lambda db, staff, now: set_active(db, staff, False, now),
                   "disabled")


def staff_enable(config: Config, args: argparse.Namespace) -> int:
    return _change(config, args, "enable", lambda db, staff, now: set_active(db, staff, True, now),
                   "enabled")


def staff_role(config: Config, args: argparse.Namespace) -> int:
    return _change(config, args, "role", lambda db, staff, now: set_role(db, staff, args.role, now),
                   f"now {args.role}")


def staff_passwd(config: Config, args: argparse.Namespace) -> int:
    password = new_password(args.password_file)
    return _change(config, args, "passwd", lambda db, staff, now: set_password(db, staff, password, now),
                   "has a new password")


def _change(config: Config, args: argparse.Namespace, action: str, change: Change, done: str) -> int:
    _, sessions = open_database(config)
    with session_scope(sessions) as session:
        actor = acting_staff(session, args)
        staff = get_staff(session, args.email)
        if staff is None:
            raise NotFound(f"no staff member {args.email.strip()} (see `refund-intake staff list`)")
        own_password = action == "passwd" and actor.id == staff.id
        staff_audit.require_role(session, actor, "viewer" if own_password else "admin", f"staff:{action}")
        before = {"role": staff.role, "active": staff.active}
        ended = change(session, staff, datetime.now(UTC))
        staff_audit.audit(session, actor.email, f"staff:{action}", detail={
            "email": staff.email, "before": before, "after": {"role": staff.role, "active": staff.active},
            "sessions_ended": ended})
        print(f"staff member {staff.email} {done}; {ended} web session(s) ended")
    return 0
