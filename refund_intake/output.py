"""What every command shares: the database it opens, how it prints, who is acting."""

from __future__ import annotations

import argparse
import json
import os
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from base import db
from base.config import Config
from base.errors import ActionRefused, NotFound
from base.models import StaffUser
from privacy import retention
from staff.accounts import get_staff

STAFF_ENV = "REFUND_INTAKE_STAFF"


def open_database(config: Config) -> tuple[Engine, sessionmaker[Session]]:
    engine = db.make_engine(config.database_url)
    db.require_schema(engine)
    return engine, db.session_factory(engine)


def emit(args: argparse.Namespace, data: Any, table: str) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False) if args.json else table)


def acting_staff(session: Session, args: argparse.Namespace) -> StaffUser:
    """The staff member named by --as (args.as_email) or $REFUND_INTAKE_STAFF."""
    email = args.as_email or os.environ.get(STAFF_ENV)
    if not email:
        raise ActionRefused(f"say who is acting: --as EMAIL or ${STAFF_ENV}")
    staff = get_staff(session, email)
    if staff is None:
        raise NotFound(f"no staff member {email} (add one with `refund-intake staff add {email}`)")
    return staff


def record_cli_view(session: Session, request_id: int | None, what: str) -> None:
    """Showing a person's data from the CLI is audited like a view in the web page."""
    retention.record_view(session, os.environ.get(STAFF_ENV) or "cli", request_id,
                           datetime.now(UTC), what)
